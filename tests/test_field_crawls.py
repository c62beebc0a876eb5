"""Your own crawl, end to end: `mmtrend_course` runs every chapter on realistic field crawls and stops early, with one clear
sentence, on crawls too small to cross-validate. The crawls come from tests/fixtures/field_crawls.py (research JSON with
integer times and most photos missing, partial photos, Chinese CSV headers with labels in a second file, text only)."""
import json, hashlib, os, subprocess, sys
from pathlib import Path
import pytest
from mmtrend import course
from mmtrend.data import repo_root

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.field_crawls import make_field_crawls

VARIANTS = ['research_json', 'partial_images', 'zh_headers', 'text_only', 'image_only']


def course_command():
    "The console script installed next to this interpreter (works in any venv)."
    exe = Path(sys.executable).parent/'mmtrend_course'
    return [str(exe)] if exe.exists() else [sys.executable, '-c', 'from mmtrend.course import main; main()']


def run_cli(*args):
    "Run `mmtrend_course` with `args` (small profile); the CompletedProcess, output captured."
    env = {**os.environ, 'MPLBACKEND': 'Agg', 'MMTREND_TEST_PROFILE': ''}
    return subprocess.run(course_command() + ['--profile', 'small', *map(str, args)], capture_output=True, text=True,
                          timeout=1800, env=env)


def committed_results():
    "{file name: sha256} of the committed results/ (the closet tables a crawl's run must never touch)."
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (repo_root()/'results').glob('*') if p.is_file()}


def image_only(spec, folder):
    "The partial-photos crawl with every caption removed: what a crawler that keeps only the photos hands over."
    recs = json.loads(Path(spec['data']).read_text(encoding='utf-8'))
    for r in recs: r['caption'] = ''
    (folder/'posts.json').write_text(json.dumps(recs, ensure_ascii=False), encoding='utf-8')
    (folder/'images').symlink_to(Path(spec['data']).parent/'images')
    n_ok = sum((folder/'images'/r['image']).is_file() and (folder/'images'/r['image']).stat().st_size > 0 for r in recs)
    return dict(data=str(folder/'posts.json'), labels=None, n_records=len(recs), n_images_present=n_ok)


@pytest.fixture(scope='module')
def crawls(tmp_path_factory):
    root = tmp_path_factory.mktemp('field')
    make_field_crawls(root)
    manifest = json.loads((root/'manifest.json').read_text())
    (root/'image_only').mkdir()
    return manifest | {'image_only': image_only(manifest['partial_images'], root/'image_only')}


@pytest.mark.parametrize('variant', VARIANTS)
def test_every_chapter_runs_on_a_field_crawl(crawls, variant, tmp_path):
    spec, before, out = crawls[variant], committed_results(), tmp_path/'out'
    args = ['--data', spec['data'], '--out', out] + (['--labels', spec['labels']] if spec.get('labels') else [])
    proc = run_cli(*args)
    print(proc.stdout[-4000:])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert '=== mmtrend run summary ===' in proc.stdout
    report = json.loads((out/'executed'/'run_report.json').read_text())
    assert set(report) == {nb.name for nb in course.chapters()}
    assert not [n for n, r in report.items() if r['status'] == 'failed'], report
    summary = json.loads((out/'00_data_summary.json').read_text())
    assert summary['n_posts'] + summary['n_skipped'] == summary['n_read'] == spec['n_records']
    assert f"{summary['n_read']} record(s) read, {summary['n_posts']} kept" in proc.stdout
    assert committed_results() == before                      # nothing written into the committed results/
    if not summary['modalities']['images']['usable']:          # text-only crawls: photo chapters skipped, with the reason
        for name in ('01_segment.ipynb', '02_image.ipynb', '04_align.ipynb'):
            assert report[name]['status'] == 'skipped' and 'no images' in report[name]['why'], report[name]
        assert report['05_ablation.ipynb']['status'] == 'ok' and 'photo rows n/a' in (out/'05_scheme1.md').read_text()
    elif not summary['modalities']['captions']['usable']:     # photo-only crawls: the text chapters skipped, photo rows run
        for name in ('03_text.ipynb', '04_align.ipynb'):
            assert report[name]['status'] == 'skipped' and 'no captions' in report[name]['why'], report[name]
        assert 'only image' in (out/'05_scheme1.md').read_text() and 'text rows n/a' in (out/'05_scheme1.md').read_text()
    else: assert all(r['status'] == 'ok' for n, r in report.items() if course.chapter_key(n).isdigit()), report
    if variant == 'research_json':      # its labels were made from caption keywords: the run summary says so, loudly
        assert '!! LEAK: caption' in proc.stdout, proc.stdout[-3000:]
    appendices = {n: r for n, r in report.items() if not course.chapter_key(n).isdigit()}
    assert appendices and all(r['status'] == 'skipped' and 'not on your crawl' in r['why'] for r in appendices.values())


def _tiny_crawl(path, labels):
    "A research-format crawl with one post per label in `labels`, no photos."
    recs = [dict(caption=f'今天的穿搭 {i} #ootd', hotness=h, time=f'2026-03-{1 + i % 28:02d}') for i, h in enumerate(labels)]
    path.write_text(json.dumps(recs, ensure_ascii=False), encoding='utf-8')
    return path


@pytest.mark.parametrize('labels, sentence', [([0, 1, 0, 1, 1], '5 usable post(s); the course needs at least 30'),
                                              ([1] * 40, 'all 40 posts are labelled 1')])
def test_too_small_crawls_stop_in_chapter_00(tmp_path, labels, sentence):
    proc = run_cli('--data', _tiny_crawl(tmp_path/'tiny.json', labels), '--out', tmp_path/'out')
    assert proc.returncode == 1
    line = next(l for l in proc.stdout.splitlines() if l.startswith('00_data.ipynb: failed'))
    assert 'CrawlTooSmall' in line and sentence in line, line
    assert all(f'{n}: skipped: chapter 00 stopped' in proc.stdout for n in ('03_text.ipynb', '05_ablation.ipynb'))


def test_shared_parameters_reach_every_chapter_that_uses_them(monkeypatch, tmp_path):
    "One name per setting: -p segmenter=… and -p encoder=… reach each chapter that embeds or segments photos."
    seen = {}
    def fake_run(nb, out, params, kernel='python3'):
        seen[Path(nb).name.split('_')[0]] = params     # '01', or '01a' for its appendix
        return 'ok', 0.0, ''
    monkeypatch.setattr(course, 'run_chapter', fake_run)
    course.run_course(None, tmp_path, 'small', dict(segmenter='person', encoder='resnet18_fmnist', text_model='minilm'))
    assert {k for k, p in seen.items() if p.get('segmenter') == 'person'} == {'01', '02', '04', '05', '07'}
    embedders = {'04', '05', '06', '07', '08', '08a'}
    assert {k for k, p in seen.items() if p.get('encoder') == 'resnet18_fmnist'} == embedders | {'02'}
    assert {k for k, p in seen.items() if p.get('text_model') == 'minilm'} == embedders
    assert all(p['results_dir'] == str(tmp_path.resolve()) for k, p in seen.items() if k.isdigit())
    assert {k for k in seen if not k.isdigit()} == {f'{c:02d}a' for c in range(9)}   # every appendix runs
