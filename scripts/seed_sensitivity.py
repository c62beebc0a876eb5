"""Does the course's key conclusion survive another seed? The full course on the closet with seeds 0, 1 and 2.

The seed reaches everything random: the closet subsample, the U-Net and every model's initialisation, and the
cross-validation splits. Chapter 05 names one comparison in advance (`key_rows`: every block fused vs the best single
modality, logistic baseline, scheme 1) and writes its paired test to 05_key_comparison.json. This script collects it for
each seed and says whether the conclusion ("larger than the split-to-split noise", i.e. the 95% interval of the paired
difference excludes 0) is the same for all of them. Slow (one full course per seed), so not part of every CI run.

Usage:  python scripts/seed_sensitivity.py [--seeds 0 1 2] [--parallel 2] [--work /tmp/mmtrend-seeds]
                                            [--reuse] [--write]
        (seed 0 reuses the committed results/ when they are the closet's full-profile run)
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def launch(seed, work):
    out = work/f'seed-{seed}'; out.mkdir(parents=True, exist_ok=True)
    cmd = [str(ROOT/'.venv'/'bin'/'mmtrend_course'), '--profile', 'full', '--out', str(out), '-p', f'seed={seed}',
           '--jobs', '1']
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, 'MPLBACKEND': 'Agg'}, stdout=open(out/'course.log', 'w'),
                            stderr=subprocess.STDOUT), out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    ap.add_argument('--parallel', type=int, default=2, help='course runs at once (each is single-threaded)')
    ap.add_argument('--work', type=Path, default=Path('/tmp/mmtrend-seeds'))
    ap.add_argument('--rerun-seed-0', action='store_true', help='do not reuse the committed results/ for seed 0')
    ap.add_argument('--reuse', action='store_true', help="reuse a seed's finished run in --work, not rerun it")
    ap.add_argument('--write', action='store_true',
                    help='write the table to results/seed_sensitivity.md (the README shows it)')
    a = ap.parse_args()
    t0, load = time.time(), os.getloadavg()[0]
    outs, todo = {}, []
    for s in a.seeds:
        committed = ROOT/'results'/'05_key_comparison.json'
        if s == 0 and not a.rerun_seed_0 and committed.is_file(): outs[s] = ROOT/'results'
        elif a.reuse and (a.work/f'seed-{s}'/'05_key_comparison.json').is_file(): outs[s] = a.work/f'seed-{s}'
        else: todo.append(s)
    while todo:
        batch, todo = todo[:a.parallel], todo[a.parallel:]
        running = {s: launch(s, a.work) for s in batch}
        for s, (p, out) in running.items():
            if p.wait(): sys.exit(f"seed {s} failed; see {out/'course.log'}")
            outs[s] = out
    print(f"{len(a.seeds)} seeds, {time.time() - t0:.0f}s "
          f"(load average {load:.2f} at start, {os.getloadavg()[0]:.2f} at end)")
    rows, verdicts = [], []
    for s in a.seeds:
        k = json.loads((outs[s]/'05_key_comparison.json').read_text())
        if k.get('a') is None: rows.append(f"| {s} | no fused rows | | | | |"); verdicts.append(None); continue
        clear = k['lo'] > 0 or k['hi'] < 0
        verdict = ('fused more accurate' if k['lo'] > 0 else 'fused less accurate') if clear else 'cannot be told apart'
        verdicts.append(verdict)
        rows.append(f"| {s} | {k['a']} vs {k['b']} | {k['diff']:+.3f} | [{k['lo']:+.3f}, {k['hi']:+.3f}] "
                    f"| {k['p']:.2g} | {k['wins']} of {k['n_splits']} | {verdict} |")
    same = len(set(verdicts)) == 1
    ks = [json.loads((outs[s]/'05_key_comparison.json').read_text()) for s in a.seeds]
    ks = [k for k in ks if k.get('a') is not None]
    n_ahead, n_clear = sum(k['diff'] > 0 for k in ks), sum(k['lo'] > 0 for k in ks)
    lo, hi = (min(k['diff'] for k in ks), max(k['diff'] for k in ks)) if ks else (0, 0)
    mixed = (f"Fused is ahead in {n_ahead} of {len(ks)} seeds (paired difference {lo:+.3f} to {hi:+.3f}), but its "
             f"95% interval excludes zero in {n_clear} of them: at this sample size, that fusion beats the best single "
             "modality is likely, not established.\n") if ks and not same else ''
    md = ("| seed | key comparison (scheme 1) | paired difference | 95% CI | p | splits won | conclusion |\n"
          "|---:|:---|---:|:---|---:|:---|:---|\n" + '\n'.join(rows) + '\n\n'
          + (f"The conclusion is the same for all {len(a.seeds)} seeds: {verdicts[0]}.\n" if same else
             f"The conclusion DEPENDS ON THE SEED: {verdicts}. " + mixed))
    print(md)
    if a.write: (ROOT/'results'/'seed_sensitivity.md').write_text(md); print("written to results/seed_sensitivity.md")
    return 0 if same else 1

if __name__ == '__main__': sys.exit(main())
