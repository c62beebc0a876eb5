"""Benchmark: mmtrend.image.embed_images (batched, cached) vs the research's per-image loop, same backbone, same images.

    .venv/bin/python scripts/bench_02_image.py [--n 500] [--encoder effnet_lite0] [--batch-size 64] [--workers 0 1]

The research loop opens each photo, transforms it, and forwards it alone (torch.no_grad), once with every logical CPU
as torch threads and once with the one thread the course pins (chapter 00); embed_images runs on the pinned thread.
Cold = an empty cache (MMTREND_CACHE points at a fresh temporary folder); warm = the same call again.
The machine may be shared: the load average before and after is printed, and numbers taken under load are noisy.
"""
import argparse, json, os, shutil, sys, tempfile, time, warnings
import mmtrend.data                  # first: pins the numerics (AVX2, one thread) as the course runs them
import numpy as np, torch
from PIL import Image

def research_loop(paths, enc, threads):
    "What the research did: for each image, open, transform, forward one at a time."
    torch.set_num_threads(threads)
    tf = enc.preprocess.transform()
    feats = []
    with torch.no_grad():
        for p in paths:
            x = tf(np.array(Image.open(p).convert('RGB')))[None]
            feats.append(enc.features(x)[0].numpy())
    return np.stack(feats)

def timed(f):
    t = time.perf_counter(); out = f(); return out, time.perf_counter() - t

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=500)
    ap.add_argument('--encoder', default='effnet_lite0')
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--workers', type=int, nargs='+', default=[0])
    ap.add_argument('--out', default=None, help='write the numbers as JSON here')
    a = ap.parse_args(argv)
    from mmtrend.data import load_closet
    from mmtrend import image as mi
    paths = load_closet().image.tolist()[:a.n]
    enc = mi.get_encoder(a.encoder)                      # weights loaded once, outside every timing
    default_threads, ours = os.cpu_count() or 1, torch.get_num_threads()
    load0 = os.getloadavg()
    rows = {}
    ref, t = timed(lambda: research_loop(paths, enc, default_threads))
    rows[f'research loop ({default_threads} threads)'] = t
    if ours != default_threads:
        _, t = timed(lambda: research_loop(paths, enc, ours))
        rows[f'research loop ({ours} thread, pinned)'] = t
    torch.set_num_threads(ours)
    plain = mi.ImageEncoder(enc.name, enc.features, enc.dim, enc.preprocess, optimize=False)
    tmp = tempfile.mkdtemp(); os.environ['MMTREND_CACHE'] = tmp
    try:
        _, t = timed(lambda: mi.embed_images(paths, plain, batch_size=a.batch_size, progress=False, cache=False))
        rows[f'batched, eager network, no cache (bs {a.batch_size})'] = t
        for w in a.workers:
            shutil.rmtree(tmp, ignore_errors=True); os.makedirs(tmp)
            cold, t = timed(lambda: mi.embed_images(paths, enc, batch_size=a.batch_size, progress=False, num_workers=w))
            rows[f'embed_images cold (bs {a.batch_size}, workers {w})'] = t
            n0 = enc.n_images
            warm, t = timed(lambda: mi.embed_images(paths, enc, batch_size=a.batch_size, progress=False, num_workers=w))
            rows[f'embed_images warm (bs {a.batch_size}, workers {w})'] = t
            assert enc.n_images == n0, 'warm run did a forward pass'
            np.testing.assert_array_equal(np.asarray(cold), np.asarray(warm))
        np.testing.assert_allclose(cold, ref, rtol=1e-3, atol=1e-4)       # same features as the research loop
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load1 = os.getloadavg()
    base = rows[f'research loop ({default_threads} threads)']
    print(f"{a.n} closet images, encoder {a.encoder}; {default_threads} logical CPUs, "
          f"embed_images threads {ours}; load average before {load0[0]:.1f}, after {load1[0]:.1f} (1-min)")
    print(f"| run | seconds | images/s | speed-up vs research loop |\n|---|---|---|---|")
    for k, t in rows.items(): print(f"| {k} | {t:.2f} | {a.n / t:.1f} | {base / t:.1f}x |")
    if a.out:
        json.dump(dict(n=a.n, encoder=a.encoder, load_before=load0, load_after=load1, default_threads=default_threads,
                       threads=ours, seconds=rows), open(a.out, 'w'), indent=1)

if __name__ == '__main__':
    warnings.simplefilter('ignore', FutureWarning)
    main()
