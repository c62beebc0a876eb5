"Rebuild the embedded closet dataset in data/closet from Fashion-MNIST (deterministic: same seed, same files)."
import argparse, shutil, time
from pathlib import Path
from mmtrend.data import make_closet

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--out', default=str(Path(__file__).resolve().parent.parent/'data'/'closet'))
    ap.add_argument('--n-posts', type=int, default=1200)
    ap.add_argument('--n-days', type=int, default=60)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    out = Path(a.out)
    if out.exists(): shutil.rmtree(out)
    t = time.time()
    make_closet(out, a.n_posts, a.n_days, a.seed)
    print(f"wrote {out} in {time.time() - t:.1f}s")
