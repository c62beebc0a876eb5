"""Two fresh-cache runs of the full course, standing in for two different CPUs, must write byte-identical tables.

Run A forces AVX2 kernels and one thread from outside (as an AVX2-only machine would have them); run B leaves the
default dispatch (AVX-512 on this machine) and asks for two threads. Each gets its own empty cache and output folder.
mmtrend.data pins the numerics itself (chapter 00, "Same kernels on every machine"), so the tables must match: every
`*.md`, `*.csv` and `*.json` the runs write is compared by sha256 (the verdict), then against the committed
results/ (for information: they differ after any change to the code that made them).

`--control` first shows the check can fail: chapters 00-01 run the same two ways with the pin switched off
(MMTREND_NUMERICS=native), where the U-Net, trained on different kernels, gives different IoU tables.

Usage:  python scripts/determinism_check.py [--control] [--only 0 1] [--work /tmp/mmtrend-determinism]
"""
import argparse, hashlib, os, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KNOBS = ['ATEN_CPU_CAPABILITY', 'MKL_CBWR', 'ONEDNN_MAX_CPU_ISA', 'OPENBLAS_CORETYPE', 'NPY_DISABLE_CPU_FEATURES',
         'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MMTREND_NUMERICS', 'MMTREND_CACHE']
MACHINES = {
    'A-avx2-1thread': dict(ATEN_CPU_CAPABILITY='avx2', MKL_CBWR='AVX2', ONEDNN_MAX_CPU_ISA='AVX2', OMP_NUM_THREADS='1'),
    'B-default-2threads': dict(OMP_NUM_THREADS='2', MKL_NUM_THREADS='2', OPENBLAS_NUM_THREADS='2'),
}

def start(name, work, only, extra=None):
    "Launch one course run in a clean environment with an empty cache; returns (process, output folder, log file)."
    d = work/name; shutil.rmtree(d, ignore_errors=True); (d/'cache').mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in KNOBS}
    env.update(MACHINES[name.split('+')[0]], MMTREND_CACHE=str(d/'cache'), MPLBACKEND='Agg', **(extra or {}))
    cmd = [str(ROOT/'.venv'/'bin'/'mmtrend_course'), '--profile', 'full', '--out', str(d/'results')]
    if only: cmd += ['--only', *only]
    log = open(d/'course.log', 'w')
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), d/'results', d/'course.log'

def digests(folder):
    "{file name: sha256} of the tables in a results folder (figures and executed notebooks excluded)."
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:12] for f in sorted(Path(folder).iterdir())
            if f.suffix in ('.md', '.csv', '.json') and f.is_file()}

def run_pair(work, only, extra=None, tag=''):
    "Run both machines side by side; returns {machine: digests}."
    t0, load = time.time(), os.getloadavg()[0]
    runs = {n + tag: start(n + tag, work, only, extra) for n in MACHINES}
    for n, (p, _, log) in runs.items():
        if p.wait(): sys.exit(f"{n} failed (rc {p.returncode}); see {log}:\n" + log.read_text()[-3000:])
    print(f"  both runs{tag} done in {time.time() - t0:.0f}s side by side (load average {load:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at the end)")
    return {n: digests(out) for n, (_, out, _) in runs.items()}

def compare(named):
    "Print one row per file with its digest in every column; returns the number of files that differ anywhere."
    names, files = list(named), sorted(set().union(*named.values()))
    print(f"{'file':<34}" + ''.join(f"{n:>24}" for n in names) + '  same?')
    bad = 0
    for f in files:
        row = [named[n].get(f, '(missing)') for n in names]
        same = len(set(row)) == 1; bad += not same
        print(f"{f:<34}" + ''.join(f"{r:>24}" for r in row) + ('  yes' if same else '  DIFFERENT'))
    return bad

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--work', type=Path, default=Path('/tmp/mmtrend-determinism'))
    ap.add_argument('--only', nargs='*', help='chapters to run (default: all)')
    ap.add_argument('--control', action='store_true', help='first show that without the pin the tables differ')
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} logical CPUs, load average {os.getloadavg()[0]:.2f}")
    if a.control:
        print("\ncontrol: chapters 00-01 with the pin off (MMTREND_NUMERICS=native)")
        ctrl = run_pair(a.work, ['0', '1'], dict(MMTREND_NUMERICS='native'), '+native')
        n_ctrl = compare(ctrl)
        print(f"control: {n_ctrl} table(s) differ without the pin" + ('' if n_ctrl else ' (the check could not fail!)'))
    print(f"\npinned (the default): {'chapters ' + ' '.join(a.only) if a.only else 'the whole course'}")
    got = run_pair(a.work, a.only)
    bad = compare(got)
    print(f"\n{'IDENTICAL' if not bad else 'NOT identical'}: {len(set().union(*got.values()))} tables, {bad} differ "
          "between the two machines")
    first, committed = next(iter(got.values())), digests(ROOT/'results')
    same = sorted(k for k in first if committed.get(k) == first[k])
    print(f"against the committed results/: {len(same)} of {len(first)} tables match"
          + ('' if len(same) == len(first) else f"; differ: {sorted(set(first) - set(same))}"))
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main())
