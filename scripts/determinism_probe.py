"""Does the course's numeric pipeline give bit-identical results whatever the CPU's instruction set?

Runs small but representative workloads with the project's own code, each configuration in a fresh subprocess, and
prints a sha256 of every workload's outputs plus its wall time:

  unet     train_unet on 200 closet posts (3 epochs, seed 0), predict_unet masks of 50 other posts
  embed    embed_images (EfficientNet-Lite0, cache=False) of 100 closet images, float32 features
  mlp      TorchMLP fitted on a fixed random 600 x 64 dataset, predict_proba
  gru      trend.SequenceClassifier (GRU) on fixed random windows, predict_proba
  sk_emb   StandardScaler -> PCA(32) -> LogisticRegression on the `embed` features (end to end), predict_proba
  sk_fix   the same pipeline on fixed random float32 data (isolates numpy / scipy / OpenBLAS from torch)

Configurations ("machines"):
  A  default dispatch, 2 threads (this AVX-512 machine as it is)
  B  a simulated AVX2 machine, 1 thread: ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 ONEDNN_MAX_CPU_ISA=AVX2
     OPENBLAS_CORETYPE=Haswell, numpy's AVX-512 loops disabled (NPY_DISABLE_CPU_FEATURES) and glibc's
     AVX2/FMA/AVX-512 libm variants masked (GLIBC_TUNABLES, read by the loader, so only settable from outside)
  A1 / B2  A with 1 thread (thread count alone) / B with 2 threads (instruction set alone)
and each again with a recipe applied *inside* the child, before numpy/torch are imported, overriding the outer env
(exactly what a block at the top of mmtrend/data.py would do).

Findings (torch 2.14.1+cu130 CPU, MKL 2024.2, oneDNN 3.12, numpy 1.26.4 + OpenBLAS 0.3.23, scipy OpenBLAS 0.3.30):
without a recipe unet, mlp, gru, sk_emb, sk_fix differ between A and B2; ATen dispatch, oneDNN ISA (U-Net training)
and OpenBLAS core type each matter; thread count matters on its own (U-Net, GRU, OpenBLAS). `avx2_min_t1`
(ATen avx2, MKL_CBWR=AVX2, OPENBLAS_CORETYPE=Haswell, oneDNN off, 1 thread) makes all six match across A/A1/B2/B.

The `course` recipe is what the course itself runs: mmtrend.data's PINNED_NUMERICS (AVX2 everywhere, oneDNN capped
rather than off, one thread); every other recipe runs with MMTREND_NUMERICS=native so the course's pin stays out of it.

Usage:  python scripts/determinism_probe.py                 # the full comparison (~6-8 min on 2 busy cores)
        python scripts/determinism_probe.py --quick         # one run per configuration, no timing repeats
        python scripts/determinism_probe.py --recipes none,course --workloads unet,mlp
"""
from __future__ import annotations
import argparse, hashlib, json, os, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path('/tmp/determinism_probe')

# ---------------------------------------------------------------------------------------------------------------------
# Recipes: `env` is forced with os.environ[...] = ... before numpy/torch are imported; the flags are applied after.
NPY_NO_AVX512 = 'AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR'
NPY_BASELINE = 'SSSE3 SSE41 POPCNT SSE42 AVX F16C FMA3 AVX2 ' + NPY_NO_AVX512
RECIPES = {
    'none': {},
    # the brief's candidate: lowest common ISA everywhere torch dispatches, oneDNN off, deterministic algorithms
    'candidate': dict(env={'ATEN_CPU_CAPABILITY': 'default', 'MKL_CBWR': 'COMPATIBLE',
                           'ONEDNN_MAX_CPU_ISA': 'SSE41', 'DNNL_MAX_CPU_ISA': 'SSE41'},
                      mkldnn=False, deterministic=True),
    # candidate + the numpy / scipy side (OpenBLAS core type, numpy's own SIMD loops) pinned too
    'full': dict(env={'ATEN_CPU_CAPABILITY': 'default', 'MKL_CBWR': 'COMPATIBLE',
                      'ONEDNN_MAX_CPU_ISA': 'SSE41', 'DNNL_MAX_CPU_ISA': 'SSE41',
                      'OPENBLAS_CORETYPE': 'Haswell', 'NPY_DISABLE_CPU_FEATURES': NPY_NO_AVX512},
                 mkldnn=False, deterministic=True),
    # same idea pinned at AVX2 instead of the lowest ISA (every x86 machine since 2013 has it): much cheaper
    'pinned_avx2': dict(env={'ATEN_CPU_CAPABILITY': 'avx2', 'MKL_CBWR': 'AVX2',
                             'ONEDNN_MAX_CPU_ISA': 'AVX2', 'DNNL_MAX_CPU_ISA': 'AVX2',
                             'OPENBLAS_CORETYPE': 'Haswell', 'NPY_DISABLE_CPU_FEATURES': NPY_NO_AVX512},
                        mkldnn=False, deterministic=True),
}
_AVX2 = {'ATEN_CPU_CAPABILITY': 'avx2', 'MKL_CBWR': 'AVX2', 'OPENBLAS_CORETYPE': 'Haswell'}
# + a fixed thread count (reductions and OpenBLAS split work by thread, so 1 vs 2 threads changes the last bits)
RECIPES['full_t1'] = dict(RECIPES['full'], threads=1)
RECIPES['avx2_min_t1'] = dict(env=_AVX2, mkldnn=False, threads=1)        # no numpy pinning, no deterministic flag
RECIPES['avx2_dnnl_t1'] = dict(env=_AVX2, threads=1)                     # oneDNN left on and uncapped
RECIPES['avx2_t1'] = dict(RECIPES['pinned_avx2'], threads=1)
# the course's own recipe: mmtrend.data imported first (PINNED_NUMERICS, chapter 00); the others run with it opted out
RECIPES['course'] = {}

CONFIGS = {
    'A': {'OMP_NUM_THREADS': '2', 'MKL_NUM_THREADS': '2', 'OPENBLAS_NUM_THREADS': '2', 'MMTREND_THREADS': '2'},
    'B': {'ATEN_CPU_CAPABILITY': 'avx2', 'MKL_CBWR': 'AVX2', 'ONEDNN_MAX_CPU_ISA': 'AVX2', 'DNNL_MAX_CPU_ISA': 'AVX2',
          'OPENBLAS_CORETYPE': 'Haswell', 'NPY_DISABLE_CPU_FEATURES': NPY_NO_AVX512,
          'GLIBC_TUNABLES': 'glibc.cpu.hwcaps=-AVX512F,-AVX512DQ,-AVX512VL,-AVX512BW,-AVX2,-FMA',  # glibc >= 2.33 names
          'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1', 'MMTREND_THREADS': '1'},
}
_T1 = {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1', 'MMTREND_THREADS': '1'}
CONFIGS['A1'] = {**CONFIGS['A'], **_T1}                                     # thread count alone
CONFIGS['B2'] = {**CONFIGS['B'], **{k: '2' for k in _T1}}                   # instruction set alone
# variables a config or recipe may set; cleared from the inherited env so each child starts from the same place
KNOBS = sorted({k for c in CONFIGS.values() for k in c} | {k for r in RECIPES.values() for k in r.get('env', {})}
               | {'MKL_ENABLE_INSTRUCTIONS', 'MMTREND_NUMERICS'})
WORKLOADS = ['unet', 'embed', 'mlp', 'gru', 'sk_emb', 'sk_fix']


# ---------------------------------------------------------------------------------------------------------------------
def sha(a):
    import numpy as np
    a = np.ascontiguousarray(a)
    return hashlib.sha256(str(a.dtype).encode() + str(a.shape).encode() + a.tobytes()).hexdigest()[:16]

def child(recipe, workloads, tag):
    "Runs in a fresh interpreter: apply the recipe, run the workloads, print one JSON line."
    rec = RECIPES[recipe]
    for k, v in rec.get('env', {}).items(): os.environ[k] = v        # wins over whatever the outer env said
    if 'threads' in rec:
        for k in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MMTREND_THREADS'): os.environ[k] = str(rec['threads'])
    t_import = time.perf_counter()
    if recipe == 'course': import mmtrend.data  # noqa: F401  (pins before numpy and torch load)
    else: os.environ['MMTREND_NUMERICS'] = 'native'   # this recipe, not the course's pin
    import numpy as np, torch
    if 'mkldnn' in rec: torch.backends.mkldnn.enabled = rec['mkldnn']
    if rec.get('deterministic'): torch.use_deterministic_algorithms(True)
    if 'threads' in rec: torch.set_num_threads(rec['threads'])
    from mmtrend.data import load_closet
    t_import = time.perf_counter() - t_import
    out_dir = OUT/tag; out_dir.mkdir(parents=True, exist_ok=True)
    res = dict(tag=tag, recipe=recipe, cpu_capability=torch.backends.cpu.get_cpu_capability(),
               mkldnn=torch.backends.mkldnn.enabled, threads=torch.get_num_threads(), import_s=round(t_import, 2),
               load_start=os.getloadavg()[0], hash={}, secs={})
    try:
        from threadpoolctl import threadpool_info
        import scipy.linalg  # noqa: F401  (loads scipy's OpenBLAS so threadpoolctl sees it)
        res['openblas'] = sorted({i.get('architecture', '?') for i in threadpool_info() if i['internal_api'] == 'openblas'})
    except Exception as e: res['openblas'] = [repr(e)]
    posts = load_closet()
    feats = None

    def record(name, arr, t0):
        res['secs'][name] = round(time.perf_counter() - t0, 2); res['hash'][name] = sha(arr)
        np.save(out_dir/f'{name}.npy', arr)

    for w in workloads:
        t0 = time.perf_counter()
        if w == 'unet':
            from mmtrend.segment import train_unet, load_pairs, predict_unet
            withm = posts[posts['mask'].notna()].reset_index(drop=True)
            x, y = load_pairs(withm.iloc[:200]); xt, _ = load_pairs(withm.iloc[200:250])
            t0 = time.perf_counter()
            model, _ = train_unet(x, y, epochs=3, seed=0, progress=False)
            record(w, predict_unet(model, xt), t0)
        if w == 'embed' or (w == 'sk_emb' and feats is None):
            from mmtrend.image import embed_images
            feats = np.asarray(embed_images(posts.image.iloc[:100].tolist(), cache=False, progress=False))
            if w == 'embed': record('embed', feats, t0)
            t0 = time.perf_counter()
        if w == 'mlp':
            from mmtrend.ablation import TorchMLP
            rng = np.random.default_rng(0)
            X = rng.standard_normal((600, 64)).astype(np.float32); yy = (X[:, :8].sum(1) + rng.standard_normal(600) > 0).astype(int)
            record(w, TorchMLP().fit(X[:500], yy[:500]).predict_proba(X[500:]), t0)
        elif w == 'gru':
            from mmtrend.trend import SequenceClassifier
            rng = np.random.default_rng(1)
            X = rng.standard_normal((240, 14, 12)).astype(np.float32); yy = (X[:, -3:, :4].sum((1, 2)) + rng.standard_normal(240) > 0).astype(int)
            record(w, SequenceClassifier(epochs=60).fit(X[:200], yy[:200]).predict_proba(X[200:]), t0)
        elif w in ('sk_emb', 'sk_fix'):
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler
            from sklearn.decomposition import PCA
            from sklearn.linear_model import LogisticRegression
            if w == 'sk_emb': X, yy = feats, posts.hot.iloc[:100].to_numpy().astype(int)
            else:
                rng = np.random.default_rng(2)
                X = rng.standard_normal((300, 1280)).astype(np.float32); yy = (X[:, :20].sum(1) > 0).astype(int)
            pipe = make_pipeline(StandardScaler(), PCA(32, random_state=0), LogisticRegression(max_iter=1000))
            record(w, pipe.fit(X[:-20], yy[:-20]).predict_proba(X), t0)
    res['load_end'] = os.getloadavg()[0]
    print('RESULT ' + json.dumps(res), flush=True)


# ---------------------------------------------------------------------------------------------------------------------
def run(config, recipe, workloads, tag):
    env = {k: v for k, v in os.environ.items() if k not in KNOBS}
    env.update(CONFIGS[config])
    p = subprocess.run([sys.executable, __file__, '--child', '--recipe', recipe, '--workloads', ','.join(workloads),
                        '--tag', tag], env=env, cwd=ROOT, capture_output=True, text=True)
    lines = [l for l in p.stdout.splitlines() if l.startswith('RESULT ')]
    if p.returncode or not lines:
        sys.exit(f"{tag} failed (rc {p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    r = json.loads(lines[-1][7:]); r['config'] = config
    print(f"  {tag:<22} cap={r['cpu_capability']:<8} mkldnn={str(r['mkldnn']):<5} thr={r['threads']} openblas={r['openblas']} "
          f"load={r['load_start']:.2f}->{r['load_end']:.2f}  " + ' '.join(f"{w}={r['secs'][w]}s" for w in workloads if w in r['secs']),
          flush=True)
    return r

def max_diff(tag_a, tag_b, w):
    import numpy as np
    a, b = np.load(OUT/tag_a/f'{w}.npy'), np.load(OUT/tag_b/f'{w}.npy')
    if a.dtype == np.uint8: return f"{(a != b).mean():.1%} px"
    return f"{np.abs(a.astype(float) - b.astype(float)).max():.1e}"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--child', action='store_true'); ap.add_argument('--tag', default='')
    ap.add_argument('--recipe', default='none'); ap.add_argument('--recipes', default='none,avx2_min_t1,course')
    ap.add_argument('--workloads', default=','.join(WORKLOADS))
    ap.add_argument('--configs', default='A,B'); ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--quick', action='store_true')
    a = ap.parse_args()
    workloads = a.workloads.split(',')
    if a.child: return child(a.recipe, workloads, a.tag)
    recipes, repeats, configs = a.recipes.split(','), 1 if a.quick else a.repeats, a.configs.split(',')
    print(f"torch dispatch probe: recipes {recipes}, workloads {workloads}, {repeats} timing run(s) of config A per recipe")
    runs = {}
    for rep in range(repeats):              # interleave recipes so load changes hit all of them alike
        for rc in recipes:
            for cfg in (configs if rep == 0 else configs[:1]):
                tag = f"{cfg}-{rc}-{rep}"; runs[tag] = run(cfg, rc, workloads, tag)
    for other in configs[1:]:
        print(f"\nhash match, config {configs[0]} vs {other}; mismatch shows max |diff| (masks: share of pixels that differ)")
        print(f"{'recipe':<13}" + ''.join(f"{w:>16}" for w in workloads))
        for rc in recipes:
            ta, tb = f"{configs[0]}-{rc}-0", f"{other}-{rc}-0"
            cells = ['match' if runs[ta]['hash'][w] == runs[tb]['hash'][w] else 'DIFF ' + max_diff(ta, tb, w) for w in workloads]
            print(f"{rc:<13}" + ''.join(f"{c:>16}" for c in cells))
    c0 = configs[0]
    if 'none' in recipes:
        print(f"\nsame hash as without a recipe (config {c0})?")
        for rc in [r for r in recipes if r != 'none']:
            print(f"{rc:<13}" + ''.join(f"{('same' if runs[f'{c0}-{rc}-0']['hash'][w] == runs[f'{c0}-none-0']['hash'][w] else 'changed'):>16}" for w in workloads))
    print(f"\nseconds, config {c0}, median of {repeats} (import time in the first column)")
    print(f"{'recipe':<13}{'import':>8}" + ''.join(f"{w:>10}" for w in workloads))
    for rc in recipes:
        rs = [runs[f"{c0}-{rc}-{i}"] for i in range(repeats)]
        print(f"{rc:<13}{statistics.median(r['import_s'] for r in rs):>8.1f}"
              + ''.join(f"{statistics.median(r['secs'][w] for r in rs):>10.2f}" for w in workloads))
    print("\nhashes:"); [print(f"  {t:<22} " + ' '.join(f"{w}={r['hash'][w]}" for w in workloads)) for t, r in runs.items()]

if __name__ == '__main__': main()
