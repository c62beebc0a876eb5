"""Words of prose per course notebook: the main path of each chapter, and its appendix (issue 18's reading budget).

A word is a whitespace-separated token of a Markdown cell, headings included; code, comments and generated outputs are not
prose. `--max N` fails (exit 1) when a chapter's main path is longer than N words.

    .venv/bin/python scripts/word_counts.py            # a table
    .venv/bin/python scripts/word_counts.py --max 1500
"""
import argparse, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def prose_words(nb):
    "Whitespace-separated tokens in the Markdown cells of the notebook at `nb`."
    cells = json.loads(Path(nb).read_text(encoding='utf-8'))['cells']
    return sum(len(re.findall(r'\S+', ''.join(c['source']))) for c in cells if c['cell_type'] == 'markdown')

def counts(nbs_dir=ROOT/'nbs'):
    "{chapter number: (main path words, appendix words)} for chapters `NN_*` and their appendices `NNa_*`."
    out = {}
    for nb in sorted(Path(nbs_dir).glob('[0-9][0-9]*_*.ipynb')):
        num = nb.name.split('_')[0]
        if int(num[:2]) >= 90: continue
        main, extra = out.get(num[:2], (0, 0))
        out[num[:2]] = (main + prose_words(nb), extra) if num.isdigit() else (main, extra + prose_words(nb))
    return out

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--max', type=int, help="fail when a chapter's main path has more words than this")
    a = ap.parse_args()
    found = counts()
    print('| chapter | main path (words) | appendix (words) |\n|---|---|---|')
    for num, (main, extra) in found.items(): print(f'| {num} | {main} | {extra} |')
    long = {n: m for n, (m, _) in found.items() if a.max and m > a.max}
    if long: sys.exit(f"main path over {a.max} words: {long}")
