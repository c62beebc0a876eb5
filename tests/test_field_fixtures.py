"""The field-crawl fixture builder (tests/fixtures/field_crawls.py) keeps its own promises.

Checked with the standard library, PIL and pandas only (not the mmtrend loader). One build is shared by the module
(about 3 s); the determinism test builds twice more."""
import collections, importlib.util, json, re, subprocess, sys, time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd, pytest
from PIL import Image, ImageFile, ImageOps, ImageStat

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location('field_crawls', HERE/'fixtures'/'field_crawls.py')
fc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fc)

N = 160
TZ8 = timezone(timedelta(hours=8))
IMAGE_VARIANTS = ('research_json', 'partial_images', 'zh_headers')
PNG_SIG = b'\x89PNG\r\n\x1a\n'


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp('field')
    t0 = time.perf_counter()
    paths = fc.make_field_crawls(out, n_posts=N, seed=0)
    dt = time.perf_counter() - t0
    manifest = json.loads((out/'manifest.json').read_text(encoding='utf-8'))
    return out, paths, manifest, dt


def records(variant, paths):
    "Records as dicts, with `hot` (int) and, for zh_headers, the labels joined by 序号."
    p = Path(paths[variant])
    if variant in ('research_json', 'partial_images'):
        recs = json.loads(p.read_text(encoding='utf-8'))
        for r in recs: r['hot'] = r['hotness']
        return recs
    if variant == 'text_only':
        return [json.loads(l) for l in p.read_text(encoding='utf-8').splitlines() if l.strip()]
    posts = pd.read_csv(p, encoding='utf-8-sig', dtype=str, keep_default_na=False)
    labels = pd.read_csv(p.parent/'labels.csv', encoding='utf-8', dtype=str)
    df = posts.merge(labels, on='序号', how='left', validate='one_to_one')
    df['hot'] = df['本产品当前火爆'].astype(int)
    df['caption'] = df['文案']
    return df.to_dict('records')


def image_names(variant, paths):
    key = '图片' if variant == 'zh_headers' else 'image'
    return [r[key] for r in records(variant, paths)]


def auc(score, y):
    "Area under the ROC curve (ties count half)."
    pos = [s for s, t in zip(score, y) if t == 1]; neg = [s for s, t in zip(score, y) if t == 0]
    return sum((p > q) + .5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg))


def local_day(v):
    "Calendar day (Asia/Shanghai) of a time written any of the ways the fixtures write it."
    if isinstance(v, int): return datetime.fromtimestamp(v, TZ8).date()
    m = re.match(r'(\d{4})年(\d{1,2})月(\d{1,2})日', v)
    if m: return datetime(*map(int, m.groups())).date()
    ts = pd.Timestamp(v.replace('/', '-')) if re.match(r'\d{4}/', v) else pd.Timestamp(v)
    return (ts.tz_convert('Asia/Shanghai') if ts.tzinfo else ts).date()


# ----------------------------------------------------------------------------------------------------------------------
def test_files_manifest_and_counts(built):
    out, paths, manifest, dt = built
    assert set(paths) == set(fc.VARIANTS) <= set(manifest)
    assert dt < 30, f"build took {dt:.1f} s"
    names = {'research_json': 'posts.json', 'partial_images': 'posts.json', 'zh_headers': 'posts.csv',
             'text_only': 'posts.jsonl'}
    for v, p in paths.items():
        m = manifest[v]
        assert Path(p).is_file() and Path(p).parent == out/v and Path(p).name == names[v]
        assert m['data'] == str(p) and m['n_records'] == N and m['notes']
        assert len(records(v, paths)) == N
        size = sum(f.stat().st_size for f in (out/v).rglob('*') if f.is_file())
        assert size < 15e6, (v, size)
    assert manifest['zh_headers']['labels'] == str(out/'zh_headers'/'labels.csv')
    assert all(manifest[v]['labels'] is None for v in fc.VARIANTS if v != 'zh_headers')


def test_research_layout_and_its_leak(built):
    _, paths, _, _ = built
    recs = records('research_json', paths)
    raw = json.loads(Path(paths['research_json']).read_text(encoding='utf-8'))
    assert isinstance(raw, list)
    assert all(set(r) == {'image', 'caption', 'clothe_label', 'final_label', 'hotness', 'time'} for r in raw)
    assert sorted(r['time'] for r in raw) == list(range(1, N + 1))          # integer index, not epoch
    assert all(type(r['time']) is int and r['hotness'] in (0, 1) for r in raw)
    assert [r['time'] for r in raw] != list(range(1, N + 1))                 # not handed over sorted
    agree = sum(bool(fc.LEAKY_RE.search(r['caption'])) == r['hot'] for r in recs) / N
    assert .9 <= agree <= .97, agree                                         # caption garment decides, 5% noise


def test_share_of_photos_present(built):
    out, paths, manifest, _ = built
    for v in IMAGE_VARIANTS:
        names = image_names(v, paths)
        assert len(set(names)) == N
        present = [(out/v/'images'/n).is_file() for n in names]
        lo, hi = fc.PRESENT_BANDS[v]
        assert lo <= sum(present) / N <= hi, (v, sum(present))
        assert sum(present) == manifest[v]['n_images_present']
        assert len(list((out/v/'images').iterdir())) == sum(present)         # no stray files
    assert manifest['text_only']['n_images_present'] == 0 and not (out/'text_only'/'images').exists()
    for r in records('text_only', paths):
        assert not {'image', 'image_path', 'img', 'pic', 'cover', 'file', 'filename'} & set(r)


def test_csv_has_bom_chinese_headers_and_labels_join(built):
    out, paths, _, _ = built
    raw = Path(paths['zh_headers']).read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf')
    assert raw[3:].decode('utf-8').splitlines()[0] == '序号,图片,文案,发布时间,点赞,作者'
    posts = pd.read_csv(paths['zh_headers'], encoding='utf-8-sig', dtype=str, keep_default_na=False)
    labels = pd.read_csv(out/'zh_headers'/'labels.csv', encoding='utf-8', dtype=str)
    assert list(posts.columns) == fc.CSV_HEADER and list(labels.columns) == ['序号', '本产品当前火爆']
    assert posts['序号'].is_unique and labels['序号'].is_unique
    assert set(posts['序号']) == set(labels['序号'])                           # every post joins, none left over
    assert list(posts['序号']) != list(labels['序号'])                         # a real join, not row order
    assert set(labels['本产品当前火爆']) == {'0', '1'}
    likes = list(posts['点赞'])
    for pat in (r'^\d+(\.\d)?万$', r'^10w\+$', r'^999\+$', r'^\d{1,3}(,\d{3})+$', r'^\d{1,3}$'):
        assert any(re.match(pat, x) for x in likes), pat
    assert any('\n' in c for c in posts['文案']) and any(',' in c or '，' in c for c in posts['文案'])


def test_odd_images_are_really_there(built):
    out, paths, manifest, _ = built
    for v in IMAGE_VARIANTS:
        folder = out/v/'images'
        odd = manifest[v]['odd_images']
        assert set(odd) == set(fc.ODD_KINDS), v
        f = {k: folder/n for k, n in odd.items()}
        modes = {}
        for p in folder.iterdir():
            if p.stat().st_size == 0: continue
            with Image.open(p) as im: modes[p.name] = (im.format, im.mode, im.size)
        assert modes[f['gray'].name][:2] == ('JPEG', 'L')
        assert modes[f['rgba'].name][:2] == ('PNG', 'RGBA')
        assert modes[f['palette'].name][:2] == ('PNG', 'P')
        assert modes[f['cmyk'].name][:2] == ('JPEG', 'CMYK')
        assert modes[f['i16'].name][1] in ('I;16', 'I') and f['i16'].read_bytes()[24] == 16    # IHDR bit depth 16
        assert modes[f['tiny'].name][2] == (40, 30)
        assert modes[f['large'].name][:3:2] == ('JPEG', (3000, 4000))
        w, h = modes[f['wide'].name][2]; assert w / h >= 4
        with Image.open(f['exif6']) as im:
            assert im.getexif().get(0x0112) == 6 and im.width > im.height
            up = ImageOps.exif_transpose(im); assert up.height > up.width
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
        with Image.open(f['truncated']) as im:
            assert im.format == 'JPEG'
            with pytest.raises(OSError): im.load()
        assert f['empty'].stat().st_size == 0 and f['empty'].suffix == '.jpg'
        assert f['png_as_jpg'].suffix == '.jpg' and f['png_as_jpg'].read_bytes()[:8] == PNG_SIG
        assert f['upper_ext'].suffix == '.JPG'
        assert manifest[v]['no_person_images']
        for n in manifest[v]['no_person_images']:
            with Image.open(folder/n) as im: im.load()
        sizes = [s for fmt, m, s in modes.values()]
        assert sum(abs(w / h - .75) < .01 for w, h in sizes) > len(sizes) / 2, v      # most photos are 3:4 portrait


def test_time_spans_at_least_45_days(built):
    _, paths, _, _ = built
    recs = records('partial_images', paths)
    kinds = collections.Counter('epoch' if isinstance(r['time'], int) else '年' if '年' in r['time'] else 'iso'
                                for r in recs)
    assert min(kinds.values()) >= 15, kinds
    for v, key in (('partial_images', 'time'), ('zh_headers', '发布时间'), ('text_only', 'created_at')):
        days = {local_day(r[key]) for r in records(v, paths)}
        assert len(days) >= 45, (v, len(days))
        assert (max(days) - min(days)).days >= 45
    offsets = {re.search(r'(Z|[+-]\d\d:\d\d)$', r['created_at']).group(1) for r in records('text_only', paths)}
    assert len(offsets) >= 3 and '+08:00' in offsets


def test_class_balance(built):
    _, paths, manifest, _ = built
    for v in fc.VARIANTS:
        rate = sum(r['hot'] for r in records(v, paths)) / N
        assert .35 <= rate <= .65, (v, rate)
        assert abs(rate - manifest[v]['hot_rate']) < 1e-3


def test_captions_look_like_posts(built):
    _, paths, _, _ = built
    for v in fc.VARIANTS:
        caps = [r['caption'] for r in records(v, paths)]
        lens = [len(c) for c in caps]
        assert '' in caps, v                                                       # some posts have no caption
        assert any(c and not re.search(r'[\w#]', c) for c in caps), v              # emoji-only
        assert len(set(caps)) < len(caps) - 3, v                                   # copy-pasted captions
        assert max(lens) > 4 * (sum(lens) / len(lens)) ** .5 * 2 and min(l for l in lens if l) < 20, v
        assert any(e in c for c in caps for e in '🔥✨😭'), v
        assert sum('#' in c for c in caps) > N / 3, v
    zh = ' '.join(r['caption'] for r in records('partial_images', paths))
    for w in ('绝绝子', 'yyds', '氛围感', '显瘦', '谁懂啊', '#穿搭', '#ootd'): assert w in zh, w
    mixed = [c for c in (r['caption'] for r in records('research_json', paths))
             if re.search('[\u4e00-\u9fff]', c) and re.search('[a-zA-Z]{4,}', c)]
    assert len(mixed) >= 10
    en = [r['caption'] for r in records('text_only', paths)]
    assert not any(re.search('[\u4e00-\u9fff]', c) for c in en)
    assert '#ootd' in ' '.join(en) and '#streetstyle' in ' '.join(en)


def test_no_trivial_leak_outside_research(built):
    _, paths, _, _ = built
    for v in ('partial_images', 'zh_headers', 'text_only'):
        recs = records(v, paths)
        m = [r['hot'] for r in recs if fc.LEAKY_RE.search(r['caption'])]
        o = [r['hot'] for r in recs if not fc.LEAKY_RE.search(r['caption'])]
        assert abs(sum(m) / len(m) - sum(o) / len(o)) < .3, v                  # research: ~.9
        counts = collections.Counter(t for r in recs for t in set(re.findall(r'#?\w+', r['caption'].lower())))
        for tok, c in counts.items():
            if c >= 12:
                rate = sum(r['hot'] for r in recs if tok in re.findall(r'#?\w+', r['caption'].lower())) / c
                assert .05 < rate < .95, (v, tok, c, rate)


def test_label_signal_is_real_but_imperfect(built):
    out, paths, _, _ = built
    for v in ('partial_images', 'zh_headers', 'text_only'):
        recs = records(v, paths)
        a = auc([fc._word_score(r['caption'], .5) for r in recs], [r['hot'] for r in recs])
        assert .6 < a < .95, (v, a)
    # colour: the tint towards warm colours shows in the photos of partial_images
    score, y = [], []
    for r in records('partial_images', paths):
        p = out/'partial_images'/'images'/r['image']
        try:
            with Image.open(p) as im: r_, _, b_ = ImageStat.Stat(ImageOps.exif_transpose(im).convert('RGB')).mean
        except (OSError, ValueError): continue
        score.append(r_ - b_); y.append(r['hot'])
    assert len(score) >= 80 and .55 < auc(score, y) < .95, auc(score, y)


def test_same_seed_same_bytes(built, tmp_path):
    out, _, _, _ = built
    fc.make_field_crawls(tmp_path/'a', n_posts=N, seed=0)
    files = sorted(p.relative_to(out) for p in out.rglob('*') if p.is_file() and p.name != 'manifest.json')
    assert files == sorted(p.relative_to(tmp_path/'a') for p in (tmp_path/'a').rglob('*')
                           if p.is_file() and p.name != 'manifest.json')
    for f in files: assert (out/f).read_bytes() == (tmp_path/'a'/f).read_bytes(), f
    ma = (tmp_path/'a'/'manifest.json').read_text(encoding='utf-8').replace(json.dumps(str(tmp_path/'a'))[1:-1], '@')
    assert ma == (out/'manifest.json').read_text(encoding='utf-8').replace(json.dumps(str(out))[1:-1], '@')
    fc.make_field_crawls(tmp_path/'b', n_posts=N, seed=1)
    for v, name in (('research_json', 'posts.json'), ('zh_headers', 'posts.csv'), ('text_only', 'posts.jsonl')):
        assert (out/v/name).read_bytes() != (tmp_path/'b'/v/name).read_bytes()


def test_cli_prints_paths_and_table(tmp_path):
    proc = subprocess.run([sys.executable, str(HERE/'fixtures'/'field_crawls.py'), str(tmp_path/'c'), '--n-posts', '60'],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for v in fc.VARIANTS: assert v in proc.stdout and (tmp_path/'c'/v).is_dir()
    assert 'records' in proc.stdout and (tmp_path/'c'/'manifest.json').is_file()
