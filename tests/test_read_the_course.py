"""Read it as a course: committed executed chapters, the docs site checked in a real browser, JupyterLab, README.

The site is built from the committed executed chapters (results/executed/), so these tests need no course run.
"""
import json, os, re, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'scripts'))
import build_docs, check_site, word_counts  # noqa: E402
from mmtrend.course import KEY_FIGURES, chapter_key, chapters, quick_start_code, run_quick_start  # noqa: E402

EXECUTED = ROOT/'results'/'executed'
COURSE_NBS = [*chapters(), ROOT/'nbs'/'index.ipynb']

def code_sources(nb_path):
    "The code cells a notebook runs, without the cell papermill injects."
    cells = json.loads(Path(nb_path).read_text(encoding='utf-8'))['cells']
    return [''.join(c['source']) for c in cells if c['cell_type'] == 'code'
            and 'injected-parameters' not in c.get('metadata', {}).get('tags', [])]

def output_kinds(nb_path):
    return [k for c in json.loads(Path(nb_path).read_text(encoding='utf-8'))['cells'] for o in c.get('outputs', [])
            for k in (o.get('data') or {o['output_type']: 1})]

@pytest.mark.parametrize('nb', COURSE_NBS, ids=lambda p: p.stem)
def test_committed_executed_chapter_is_a_run_of_the_current_source(nb):
    "A reader on the repository host sees outputs of the code as it stands: stale copies fail (rerun `make course`)."
    executed = EXECUTED/nb.name
    assert executed.exists(), f"{executed} missing: run `make course` and commit results/executed/*.ipynb"
    assert code_sources(executed) == code_sources(nb), f"{executed} is not a run of {nb}: rerun `make course`"
    text = executed.read_text(encoding='utf-8')
    progress_bar = re.search(r'\d+%\|[^"]*\| *\d+/\d+ \[', text)
    assert '"papermill"' not in text and not progress_bar, f"{executed}: not a reader copy"
    assert str(ROOT) not in text, f"{executed} holds this machine's path {ROOT}"

def test_every_main_path_is_short_and_its_details_live_in_an_appendix_the_course_runs():
    "About 1,500 words of prose per chapter's main path; the rest in `NNa_*` appendices, which `chapters()` schedules."
    found = word_counts.counts()
    assert {n: m for n, (m, _) in found.items() if m > 1500} == {}, found
    keys = [chapter_key(nb) for nb in chapters()]
    assert [k for k in keys if k.isdigit() and f'{k}a' not in keys] == [], keys
    assert all(found[k][1] > 0 for k in keys if k.isdigit()), found

def test_ablation_chapter_shows_its_tables_and_figures():
    kinds = output_kinds(EXECUTED/'05_ablation.ipynb')
    assert kinds.count('image/png') >= 3 and kinds.count('text/markdown') >= 2, kinds

def test_readme_shows_the_key_figures_and_links_every_chapter():
    readme = (ROOT/'README.md').read_text(encoding='utf-8')
    for stem in KEY_FIGURES:
        if (ROOT/'results'/f'{stem}.png').exists(): assert f'](results/{stem}.png)' in readme, stem
    for nb in chapters():
        assert f'](results/executed/{nb.name})' in readme, nb.name

def test_site_builds_and_every_page_is_sound(tmp_path):
    site = tmp_path/'_docs'
    build_docs.build(site)
    problems = check_site.check_site(site)
    assert problems == [], '\n'.join(problems)
    names = build_docs.chapter_names(ROOT)
    assert sorted(p.stem for p in (site/'screenshots').glob('*.png')) == names
    api = (site/'api.html').read_text(encoding='utf-8')
    import importlib
    for module in ('data', 'segment', 'image', 'text', 'align', 'ablation', 'trend', 'explain', 'course'):
        for name in importlib.import_module(f'mmtrend.{module}').__all__:
            assert f'id="mmtrend.{module}.{name}"' in api, f"{module}.{name} missing from the API reference"
            assert f'#{build_docs.label(module, name)}"' in api, f"{module}.{name}: no link to its chapter"

def test_site_check_catches_what_a_reader_would_see_broken(tmp_path):
    (tmp_path/'chapters').mkdir()
    (tmp_path/'index.html').write_text('<html><body><img src="gone.png"><a href="nope.html">x</a>'
                                       '<a href="chapters/a.html#missing">y</a><script>console.error("boom")</script>'
                                       '</body></html>')
    (tmp_path/'chapters'/'a.html').write_text('<html><body><article><p id="here">text only</p></article></body></html>')
    problems = '\n'.join(check_site.check_site(tmp_path))
    for expected in ('console error: boom', 'image not loaded', 'nope.html: no such page',
                     "no element with id 'missing'",
                     'chapters/a.html: no rendered table', 'chapters/a.html: no figure'):
        assert expected in problems, (expected, problems)

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def get(url):
    with urllib.request.urlopen(url, timeout=10) as r: return r.status, r.read().decode('utf-8', 'replace')

def test_make_lab_serves_the_chapters_with_a_working_kernel(tmp_path):
    port, token = free_port(), 'mmtrend-test'
    log = open(tmp_path/'lab.log', 'w')
    lab = subprocess.Popen(['make', '-s', 'lab', f'LAB_PORT={port}',
                            f'LAB_FLAGS=--no-browser --ServerApp.token={token}'],
                           cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f'http://127.0.0.1:{port}'
    try:
        for _ in range(240):
            try: status, page = get(f'{base}/lab?token={token}'); break
            except OSError: assert lab.poll() is None, (tmp_path/'lab.log').read_text(); time.sleep(0.5)
        else: pytest.fail(f"JupyterLab did not answer on {base}: {(tmp_path/'lab.log').read_text()[-2000:]}")
        assert status == 200 and 'JupyterLab' in page
        names = [c['name'] for c in json.loads(get(f'{base}/api/contents?token={token}')[1])['content']]
        assert '05_ablation.ipynb' in names, names
        req = urllib.request.Request(f'{base}/api/kernels?token={token}', data=b'{"name": "python3"}', method='POST')
        kernel = json.loads(urllib.request.urlopen(req, timeout=60).read())
        assert kernel['name'] == 'python3'
        urllib.request.urlopen(urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}",
                                                      method='DELETE'), timeout=30)
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=30); log.close()

NATIVE_NOISE = ('absl::InitializeLog', 'XNNPACK delegate', 'W0000 ', 'TqdmWarning', 'IProgress not found')

def stream_texts(nb_path):
    return [''.join(o['text']) for c in json.loads(Path(nb_path).read_text(encoding='utf-8'))['cells']
            for o in c.get('outputs', []) if o['output_type'] == 'stream']

@pytest.mark.parametrize('nb', COURSE_NBS, ids=lambda p: p.stem)
def test_executed_chapter_outputs_are_quiet(nb):
    "A full run leaves no progress bar (blank or drawn), no C++ log line and no tqdm warning in a chapter's outputs."
    for text in stream_texts(EXECUTED/nb.name):
        assert not re.search(r'\d+%\|.*\| *\d+/\d+ \[|\r', text), f"{nb.name}: a progress bar in {text[:200]!r}"
        assert not any(n in text for n in NATIVE_NOISE), f"{nb.name}: native log noise in {text[:200]!r}"

def test_course_terminal_shows_one_line_per_chapter(tmp_path, capfd):
    "The runner's terminal (its kernels' stderr included, caught at the file-descriptor level): no kernel warnings."
    from mmtrend.course import run_course
    report = run_course(results_dir=tmp_path, profile='small', only=['00_'], jobs=1)     # chapter 00, not its appendix
    assert report['00_data.ipynb']['status'] == 'ok', report
    out, err = capfd.readouterr()
    assert 'Kernel is running over TCP' not in out + err and 'IPKernelApp' not in err, err[-2000:]
    test_lines = [line for line in out.splitlines() if line.startswith('[course]')]
    assert len(test_lines) == 2 and '00_data.ipynb done' in test_lines[1], out

def test_readme_quick_start_runs_as_written():
    "Run from a scratch folder with a cold feature cache, as on a fresh clone; it prints the interval it promises."
    seconds, run = run_quick_start(quick_start_code((ROOT/'README.md').read_text(encoding='utf-8')))
    assert run.returncode == 0, run.stderr[-3000:]
    m = re.search(r'accuracy (0\.\d+) \[(0\.\d+), (0\.\d+)\].*commoner class: (0\.\d+)', run.stdout)
    assert m and float(m[2]) <= float(m[1]) <= float(m[3]), run.stdout
    assert 'loaded before mmtrend.data' not in run.stderr, run.stderr[-2000:]
    print(f"quick start, cold cache: {seconds}s")
