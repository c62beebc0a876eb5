"Tests of mmtrend.data beyond the notebook's own: the committed closet, and loader formats real crawls use."
import json, warnings
import numpy as np, pandas as pd, pytest
from PIL import Image
from mmtrend.data import load_closet, load_posts, load_latents, load_ceilings, PostDataError, closet_ceilings

def test_closet_meets_the_foundation_contract():
    df = load_closet()
    assert len(df) >= 1000 and set(df.hot) == {0, 1}
    assert df.day.max() + 1 >= 30 and df['mask'].notna().all() and df.id.is_unique
    assert (df.lang == 'zh').all() and (load_closet('en').lang == 'en').all()
    lat = load_latents()
    assert list(lat.id) == list(df.id) and (lat.hot.values == df.hot.values).all()

def test_ceilings_are_ordered_and_match_the_stored_ones():
    c = load_ceilings()
    assert c == closet_ceilings(60)
    assert c['majority'] < min(c['image_only'], c['text_only']) < c['content'] < c['with_time'] < 1

def _crawl(tmp, n=4):
    (tmp/'images').mkdir()
    for i in range(n): Image.new('RGB', (64, 80), (10*i, 100, 200)).save(tmp/'images'/f'{i}.jpg')
    return [dict(image=f'{i}.jpg', caption=f'穿搭 {i}', hotness=i % 2, time=f'2026-03-0{i+1}') for i in range(n)]

@pytest.mark.parametrize('fmt', ['list', 'wrapped', 'jsonl', 'csv', 'csv-gb18030'])
def test_every_format_loads_the_same_posts(tmp_path, fmt):
    recs = _crawl(tmp_path)
    f = tmp_path/('posts.jsonl' if fmt == 'jsonl' else 'posts.csv' if fmt.startswith('csv') else 'posts.json')
    if fmt == 'list': f.write_text(json.dumps(recs, ensure_ascii=False), encoding='utf-8')
    elif fmt == 'wrapped': f.write_text(json.dumps({'posts': recs}, ensure_ascii=False), encoding='utf-8')
    elif fmt == 'jsonl': f.write_text('\n'.join(json.dumps(r, ensure_ascii=False) for r in recs), encoding='utf-8')
    else: pd.DataFrame(recs).to_csv(f, index=False, encoding='gb18030' if fmt == 'csv-gb18030' else 'utf-8')
    df = load_posts(f)
    assert list(df.id) == ['0', '1', '2', '3'] and list(df.hot) == [0, 1, 0, 1]
    assert list(df.caption) == [f'穿搭 {i}' for i in range(4)] and list(df.day) == [0, 1, 2, 3]

def test_strict_error_names_every_bad_record_and_lenient_keeps_every_good_one(tmp_path):
    recs = _crawl(tmp_path, 6)
    recs[1]['hotness'] = 'maybe'; recs[3]['image'] = 'gone.jpg'; recs[5] = dict(recs[0])   # duplicate of record 0
    (tmp_path/'posts.json').write_text(json.dumps(recs), encoding='utf-8')
    with pytest.raises(PostDataError) as e: load_posts(tmp_path/'posts.json')
    msg = str(e.value)
    assert "record 1 (id '1')" in msg and "record 5 (id '0')" in msg and '2 bad record' in msg
    assert "'gone'" not in msg                     # a missing photo costs the photo, not the post
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        df = load_posts(tmp_path/'posts.json', strict=False)
    assert len(w) == 1 and '6 record(s) read, 4 kept, 2 skipped' in str(w[0].message)
    assert list(df.id) == ['0', '2', 'gone', '4'] and df.image.isna().tolist() == [False, False, True, False]
    assert sorted(df.attrs['problems'].record) == [1, 3, 5] and df.attrs['n_read'] == 6


# Chapters 01 and 02 read photos through chapter 00's `read_rgb`; their notebooks' own test cells are not ours to edit,
# so the 16-bit and odd-mode checks of their readers live here.

def test_16bit_png_is_not_white_in_chapter_01_and_02_readers(tmp_path):
    from mmtrend.segment import load_rgb
    Image.fromarray(np.full((8, 6), 30000, np.uint16)).save(tmp_path/'g16.png')
    assert load_rgb(tmp_path/'g16.png')[0, 0].tolist() == [117, 117, 117]
    assert load_rgb(np.full((2, 2), 65535, np.uint16))[0, 0].tolist() == [255, 255, 255]
    assert load_rgb(np.full((2, 2), 30000, np.uint16))[0, 0].tolist() == [117, 117, 117]
    la = Image.new('LA', (4, 4), (0, 0)); la.save(tmp_path/'la.png')
    assert load_rgb(tmp_path/'la.png')[0, 0].tolist() == [255, 255, 255]
    with pytest.raises(OSError, match='cut.png'):
        (tmp_path/'cut.png').write_bytes((tmp_path/'g16.png').read_bytes()[:40]); load_rgb(tmp_path/'cut.png')
    import inspect, mmtrend.image as mi
    assert 'load_rgb(' in inspect.getsource(mi._ImageSet.__getitem__)        # chapter 02 reads through it


def test_a_huge_image_never_aborts_a_load(tmp_path):
    import struct, zlib
    (tmp_path/'images').mkdir()
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    z = zlib.compressobj(9); row = b'\0' * (1 + 14000 // 8)
    idat = b''.join(z.compress(row) for _ in range(14000)) + z.flush()
    ihdr = chunk(b'IHDR', struct.pack('>IIBBBBB', 14000, 14000, 1, 0, 0, 0, 0))
    (tmp_path/'images'/'huge.png').write_bytes(b'\x89PNG\r\n\x1a\n' + ihdr + chunk(b'IDAT', idat) + chunk(b'IEND', b''))
    recs = [dict(id=1, image='huge.png', caption='大图', hot=1, time='2026-03-01')]
    (tmp_path/'posts.json').write_text(json.dumps(recs, ensure_ascii=False), encoding='utf-8')
    df = load_posts(tmp_path/'posts.json', quiet=True)
    assert len(df) == 1 and df.image.isna().all() and 'too large' in df.attrs['problems'].reason[0]
