"""Time chapter 06 (nbs/06_trend.ipynb) under papermill with default parameters, on the closet or on --data.

usage: .venv/bin/python scripts/bench_06_trend.py [--data PATH] [--profile full|small] [--cold]
--cold points MMTREND_CACHE at an empty temp folder, so image/text embeddings are recomputed (a true cold run).
The machine may be shared: run it twice and report both numbers."""
import argparse, os, sys, tempfile, time
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument('--data'); ap.add_argument('--profile', default='full'); ap.add_argument('--cold', action='store_true')
a = ap.parse_args()
if a.cold: os.environ['MMTREND_CACHE'] = tempfile.mkdtemp(prefix='mmtrend-cache-')
os.environ.setdefault('MPLBACKEND', 'Agg')
from mmtrend.course import run_course
out = Path(tempfile.mkdtemp(prefix='bench06-'))
t = time.time()
times = run_course(a.data, out, a.profile, only=['06'], log=lambda *_: None)
print(f"06_trend ({a.profile}, {'cold cache' if a.cold else 'warm cache'}, data={a.data or 'closet'}): {time.time() - t:.1f}s wall; "
      f"papermill: {times}; results in {out}")
