"""Does this CPU train the closet U-Net as the committed run's CPU did? And does any kernel switch bring it back?

The pinned kernels (chapter 00) make a run agree with itself across instruction sets and thread counts. Across CPU
models they may not: training amplifies the last bit. This script trains chapter 01's U-Net (the closet's training
split, the chapter's settings) once per switch below, each in a fresh process, and prints the per-epoch losses next to
the ones the committed run printed (results/executed/01_segment.ipynb). The first epochs agree to every digit shown
and a later one parts when the CPU rounds differently.

    .venv/bin/python scripts/cpu_model_probe.py [--switches pinned mkl_compatible onednn_off ...]

Slow: one U-Net training (about a minute on 2 cores) per switch, two at a time.
"""
import argparse, json, os, re, subprocess, sys, warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
AVX512_OFF = 'glibc.cpu.hwcaps=-AVX512F,-AVX512DQ,-AVX512VL,-AVX512BW'
SWITCHES = {   # environment on top of the course's pinned one; 'onednn_off' also turns torch's oneDNN off
    'pinned': {},
    'mkl_compatible': {'MKL_CBWR': 'COMPATIBLE'},
    'mkl_avx2_strict': {'MKL_CBWR': 'AVX2,STRICT'},
    'mkl_enable_avx2': {'MKL_ENABLE_INSTRUCTIONS': 'AVX2'},
    'onednn_off': {'MMTREND_PROBE_ONEDNN_OFF': '1'},
    'onednn_off_mkl_compatible': {'MMTREND_PROBE_ONEDNN_OFF': '1', 'MKL_CBWR': 'COMPATIBLE'},
    'onednn_uncapped': {'ONEDNN_MAX_CPU_ISA': 'ALL'},
    'aten_default': {'ATEN_CPU_CAPABILITY': 'default'},
    'glibc_no_avx512': {'GLIBC_TUNABLES': AVX512_OFF},
}

CHILD = """
import os, json
import mmtrend.data as d                            # MMTREND_NUMERICS=native: it keeps the switch's variables
import torch
torch.set_num_threads(1)
if os.environ.get('MMTREND_PROBE_ONEDNN_OFF'): torch.backends.mkldnn.enabled = False
from mmtrend.segment import closet_train_split, load_pairs, train_unet
train, _ = closet_train_split(d.load_closet())
print(json.dumps(train_unet(*load_pairs(train), progress=False)[1]))
"""

def pinned_env(switch):
    "The course's pinned environment with `switch` on top, for a child that must not re-pin it."
    sys.path.insert(0, str(ROOT))
    with warnings.catch_warnings():               # this process only launches: its own kernels do not matter
        warnings.simplefilter('ignore')
        from mmtrend.data import PINNED_NUMERICS
    return {**os.environ, **PINNED_NUMERICS, **switch, 'MMTREND_NUMERICS': 'native'}

def losses(name):
    "Per-epoch U-Net losses under switch `name`, trained in a fresh process."
    out = subprocess.run([sys.executable, '-c', CHILD], env=pinned_env(SWITCHES[name]), capture_output=True, text=True)
    if out.returncode: sys.exit(f"{name}: the training failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])

def committed_losses(path=ROOT/'results'/'executed'/'01_segment.ipynb'):
    "The per-epoch losses the committed run printed in chapter 01 (rounded to 3 decimals there)."
    text = ''.join(''.join(o.get('text', '')) for c in json.loads(Path(path).read_text())['cells']
                   for o in c.get('outputs', []))
    m = re.search(r'loss per epoch: \[([^\]]*)\]', text)
    return [float(x) for x in m.group(1).split(',')] if m else None

def cpu_model():
    for line in Path('/proc/cpuinfo').read_text().splitlines():
        if line.startswith('model name'): return line.split(':', 1)[1].strip()
    return 'unknown'

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--switches', nargs='+', default=list(SWITCHES), choices=list(SWITCHES))
    a = ap.parse_args()
    ref = committed_losses()
    print(f"CPU: {cpu_model()}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'committed run':>26}: {ref}")
    with ThreadPoolExecutor(2) as pool:
        for name, got in zip(a.switches, pool.map(losses, a.switches)):
            shown = np.round(got, 3).tolist()   # as chapter 01 prints them
            same = next((i for i, (x, y) in enumerate(zip(shown, ref or [])) if x != y), None)
            if not ref: verdict = ''
            else: verdict = 'matches the committed run' if same is None else f'parts at epoch {same + 1}'
            print(f"{name:>26}: {shown}  {verdict}", flush=True)

if __name__ == '__main__':
    main()
