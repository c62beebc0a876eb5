"""Run the course on each field-crawl fixture (tests/fixtures/field_crawls.py) as a user would, and keep what the terminal
showed: results/field_crawls.md holds each run's command and summary, which the README's "Your own crawl" section shows.

    .venv/bin/python scripts/run_field_crawls.py [--profile small] [--keep runs/field]
"""
import argparse, json, re, subprocess, sys, time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO/'tests'))
from fixtures.field_crawls import make_field_crawls


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--profile', default='small')
    ap.add_argument('--keep', default='runs/field', help='folder (under the checkout) for the crawls and their outputs')
    ap.add_argument('--out', default=str(REPO/'results'/'field_crawls.md'))
    a = ap.parse_args()
    root = REPO/a.keep
    make_field_crawls(root/'crawls')
    manifest = json.loads((root/'crawls'/'manifest.json').read_text())
    parts = []
    for variant, spec in manifest.items():
        rel = lambda p: str(Path(p).resolve().relative_to(REPO))
        cmd = ['.venv/bin/mmtrend_course', '--data', rel(spec['data'])] + (['--labels', rel(spec['labels'])] if spec.get('labels') else [])
        cmd += ['--out', rel(root/'out'/variant), '--profile', a.profile]
        t = time.time()
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env={'MPLBACKEND': 'Agg', **__import__('os').environ})
        print(f"{variant}: exit {proc.returncode} in {time.time() - t:.0f}s", flush=True)
        summary = proc.stdout[proc.stdout.find('=== mmtrend run summary ==='):].strip()
        summary = re.sub(r' \(\d+\.\d+s\)', '', summary)   # wall times vary run to run; the committed file must not
        parts.append(f"**{variant}**: {spec['notes']}\n\n```sh\n{' '.join(cmd)}\n```\n\n"
                     f"```\n{summary}\n```\n\nexit code {proc.returncode}")
    Path(a.out).write_text('\n\n'.join(parts) + '\n', encoding='utf-8')
    print(f"wrote {a.out}")


if __name__ == '__main__': main()
