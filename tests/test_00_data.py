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
    assert "record 1 (id '1')" in msg and "record 3 (id 'gone')" in msg and "record 5 (id '0')" in msg and '3 bad record' in msg
    with warnings.catch_warnings(record=True):
        warnings.simplefilter('always')
        df = load_posts(tmp_path/'posts.json', strict=False)
    assert list(df.id) == ['0', '2', '4']
    assert sorted(df.attrs['problems'].record) == [1, 3, 5]
