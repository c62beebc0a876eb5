"Check that a course run produced every expected table and figure, and that the tables are well-formed."
import json, sys
from pathlib import Path
import pandas as pd

# Files each chapter must write (chapters add theirs here).
EXPECTED = ['00_ceilings.md', '00_data_summary.json', '00_labels_over_time.png', '00_caption_lengths.png', '00_sample_grid.png']

def check(results):
    "List of problems with the results folder (empty when all is well)."
    results, problems = Path(results), []
    for name in EXPECTED:
        if not (results/name).is_file() or (results/name).stat().st_size == 0: problems.append(f"missing or empty: {name}")
    for md in results.glob('*.md'):
        rows = [l for l in md.read_text().splitlines() if l.startswith('|')]
        if len(rows) < 3 or any(r.count('|') != rows[0].count('|') for r in rows): problems.append(f"not a Markdown table: {md.name}")
        if any(tok in md.read_text() for tok in ('nan', 'NaN', 'inf')): problems.append(f"NaN/inf in {md.name}")
    for csv in results.glob('*.csv'):
        df = pd.read_csv(csv)
        if df.empty or df.select_dtypes('number').isna().any().any(): problems.append(f"empty or NaN numbers: {csv.name}")
    for js in results.glob('*.json'): json.loads(js.read_text())
    return problems

if __name__ == '__main__':
    probs = check(sys.argv[1] if len(sys.argv) > 1 else 'results')
    print('\n'.join(probs) or 'results: all expected files present and well-formed')
    sys.exit(1 if probs else 0)
