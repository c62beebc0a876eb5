"""Bring your own crawl: a small research-format dataset in a temp dir, the whole course run on it by one command.

Runs every chapter in nbs/ (small profile) on 72 posts; takes several minutes (about 20 on a busy 2-core machine)."""
import json, shutil, subprocess, sys
from pathlib import Path
import pandas as pd, pytest
from mmtrend.data import load_closet
from mmtrend.course import chapters

N_DAYS, PER_DAY = 24, 3


def _time_formats(ts, i):
    "The same instant written the ways crawls write it: ISO date-time, ISO with offset, epoch s, epoch ms, year-less date."
    kind = i % 5
    if kind == 0: return ts.isoformat()
    if kind == 1: return (ts + pd.Timedelta(hours=8)).strftime('%Y-%m-%dT%H:%M:%S+08:00')
    if kind == 2: return int(ts.timestamp())
    if kind == 3: return str(int(ts.timestamp() * 1000))
    return f"{ts.month}月{ts.day}日"


def make_research_crawl(root):
    "72 closet posts (3 a day over 24 days) as a researcher's crawl: posts.json (image, caption, hotness, time) + images/."
    posts = load_closet()
    posts.attrs = {}
    pick = posts[posts.day < N_DAYS].sort_values('time').groupby('day').head(PER_DAY)
    (root/'images').mkdir(parents=True)
    recs = []
    for i, r in enumerate(pick.itertuples()):
        name = f"{i:04d}.png"
        shutil.copy(r.image, root/'images'/name)
        recs.append(dict(image=name, caption=r.caption, hotness=int(r.hot), time=_time_formats(r.time, i)))
    (root/'posts.json').write_text(json.dumps(recs, ensure_ascii=False, indent=1), encoding='utf-8')
    return root/'posts.json', len(recs)


def course_command():
    "The console script installed next to this interpreter (works in any venv)."
    exe = Path(sys.executable).parent/'mmtrend_course'
    return [str(exe)] if exe.exists() else [sys.executable, '-c', 'from mmtrend.course import main; main()']


def test_whole_course_on_user_crawl(tmp_path):
    data, n = make_research_crawl(tmp_path/'crawl')
    assert n >= 60
    out = tmp_path/'results'
    cmd = course_command() + ['--data', str(data), '--out', str(out), '--profile', 'small', '-p', 'default_year=2026']
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3000, env={**__import__('os').environ, 'MPLBACKEND': 'Agg'})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    names = [nb.name for nb in chapters()]
    assert '00_data.ipynb' in names
    for name in names: assert (out/'executed'/name).exists(), name
    timings = json.loads((out/'executed'/'timings.json').read_text())
    assert set(timings) == set(names)
    summary = json.loads((out/'00_data_summary.json').read_text())
    assert summary['n_posts'] >= 0.75 * n          # year-less dates are skipped (and named) by chapter 00, which has no default_year
    assert 'ceilings' not in summary                # no closet ceilings on user data
    if '06_trend.ipynb' in names:
        for f in ('06_audit.csv', '06_random_vs_temporal.md', '06_random_vs_temporal.csv', '06_ci_halfwidth.png'):
            assert (out/f).exists(), f
        table = (out/'06_random_vs_temporal.md').read_text()
        assert 'oracle' not in table                # closet-only rows are absent on user data
