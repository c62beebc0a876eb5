"""Benchmark chapter 01: masks for N closet images, cold (empty mask cache) then warm.

usage: .venv/bin/python scripts/bench_01_segment.py [--n 1000] [--method learned] [--cache DIR] [--batch-size 64]

The U-Net checkpoint comes from the normal cache (trained on first use, which this script reports separately);
only the *mask* cache starts empty (a fresh temporary folder unless --cache is given), so "cold" measures reading,
hashing, segmenting and writing every mask. The machine may be shared: the load average is printed alongside.
"""
import argparse, os, shutil, tempfile, time, warnings
from mmtrend.data import load_closet     # first: pins the numerics before torch loads
import torch
from mmtrend.segment import segment_dataset, load_or_train_unet

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=1000); ap.add_argument('--method', default='learned')
    ap.add_argument('--cache', default=None, help='mask cache folder (default: a fresh temporary folder, deleted afterwards)')
    ap.add_argument('--batch-size', type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(2)
    posts = load_closet().head(a.n)
    model = None
    if a.method == 'learned':
        t0 = time.time(); model, info = load_or_train_unet(progress=False)
        print(f"checkpoint: {'already trained, loaded from cache' if info['cached'] else 'trained now'} in {time.time() - t0:.1f} s ({info['path']})")
    root = a.cache or tempfile.mkdtemp(prefix='bench01-')
    try:
        for run in ('cold', 'warm'):
            load = os.getloadavg()[0]
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                t0 = time.time(); ms = segment_dataset(posts, a.method, batch_size=a.batch_size, cache_root=root, model=model, progress=False)
                dt = time.time() - t0
            print(f"{run}: {len(ms)} masks in {dt:.2f} s ({1000 * dt / max(len(ms), 1):.1f} ms/image), stats={ms.stats}, "
                  f"warnings={len(w)}, load average before run={load:.1f} on {os.cpu_count()} CPUs")
    finally:
        if a.cache is None: shutil.rmtree(root, ignore_errors=True)

if __name__ == '__main__': main()
