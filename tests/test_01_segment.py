"Bad input for chapter 01's segmenters: every odd image gets a message naming it, and nothing else in the batch is lost."
import warnings
from pathlib import Path
import numpy as np, pytest
from PIL import Image
from mmtrend.data import load_closet
from mmtrend.segment import (segment_dataset, segment_person, apply_mask, open_for_inference, TinyUNet, BadImage,
                             KEEP_ALL, REGIONS)

CLOSET = load_closet().head(3)

@pytest.fixture(scope='module')
def bad_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp('bad')
    good = np.asarray(Image.open(CLOSET.image[0]).convert('RGB'))
    (d/'garbage.jpg').write_bytes(b'this is not an image at all' * 10)
    Image.fromarray(good).save(d/'ok.jpg', quality=95); (d/'truncated.jpg').write_bytes((d/'ok.jpg').read_bytes()[:300])
    Image.fromarray(good).convert('L').save(d/'gray.png')
    Image.fromarray(np.dstack([good, np.full(good.shape[:2], 200, np.uint8)]), 'RGBA').save(d/'rgba.png')
    Image.fromarray(good).convert('CMYK').save(d/'cmyk.jpg')
    Image.new('RGB', (20, 30), (120, 30, 30)).save(d/'tiny.png')
    Image.new('RGB', (5200, 4000), (90, 120, 200)).save(d/'huge.png')     # 20.8 MP, a few KB on disk
    import skimage.data
    Image.fromarray(skimage.data.chelsea()).save(d/'cat_no_person.jpg')
    return d

def _run(items, method, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        ms = segment_dataset(items, method, progress=False, **kw)
    return ms, [str(x.message) for x in w]

def _msgs_for(ms, name): return list(ms.problems.loc[ms.problems.name.str.contains(name, regex=False), 'message'])

@pytest.mark.parametrize('method', ['learned', 'none'])
def test_bad_files_in_a_batch(bad_dir, tmp_path, method):
    # an explicit untrained model: this test is about plumbing, not accuracy (no training in pytest)
    kw = dict(model=TinyUNet(), cache_root=tmp_path) if method == 'learned' else {}
    names = ['garbage.jpg', 'truncated.jpg', 'gray.png', 'rgba.png', 'cmyk.jpg', 'tiny.png', 'huge.png', 'missing.png']
    items = [CLOSET.image[0]] + [str(bad_dir/n) for n in names] + [CLOSET.image[1]]
    ms, warned = _run(items, method, batch_size=4, **kw)
    assert len(ms) == len(items)
    for i in (0, -1): assert ms[i].shape == (96, 72)                          # the good ones survive
    for n, why in [('garbage.jpg', "can't be read"), ('truncated.jpg', "can't be read"), ('tiny.png', 'too small'),
                   ('missing.png', 'not found'), ('gray.png', 'grayscale'), ('rgba.png', 'transparency'),
                   ('cmyk.jpg', 'CMYK'), ('huge.png', 'huge')]:
        got = _msgs_for(ms, n)
        assert got and any(why in m for m in got), (n, got)
        assert any(n in w for w in warned), n
    for n in ('garbage.jpg', 'truncated.jpg', 'missing.png'): assert ms[items.index(str(bad_dir/n))].size == 0
    assert ms[items.index(str(bad_dir/'tiny.png'))].shape == (30, 20) and ms[items.index(str(bad_dir/'tiny.png'))].sum() == 0
    assert ms[items.index(str(bad_dir/'huge.png'))].shape == (4000, 5200)
    assert ms.stats['failed'] == 4
    if method == 'none': assert (ms[0] == KEEP_ALL).all()

def test_person_no_person_and_bad(bad_dir, tmp_path):
    import skimage.data
    items = [str(bad_dir/'cat_no_person.jpg'), str(bad_dir/'garbage.jpg'), skimage.data.astronaut()]
    ms, warned = _run(items, 'person', cache_root=tmp_path)
    assert ms[0].shape == (300, 451) and ms[0].sum() == 0
    assert any('no person' in m for m in _msgs_for(ms, 'cat_no_person.jpg'))
    assert ms[1].size == 0 and _msgs_for(ms, 'garbage.jpg')
    assert (ms[2] == REGIONS.index('upper')).mean() > 0.2                    # the astronaut is still segmented
    again, _ = _run(items, 'person', cache_root=tmp_path)                   # cached: same masks, same messages
    assert again.stats['cached'] == 2 and all((a == b).all() for a, b in zip(ms, again))
    assert any('no person' in m for m in _msgs_for(again, 'cat_no_person.jpg'))

def test_person_on_real_grayscale_photo():
    import skimage.data
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); m = segment_person(skimage.data.camera(), name='camera')
    assert m.shape == (512, 512) and (m == 1).mean() > 0.05 and (m == 2).mean() > 0.02
    assert any('camera' in str(x.message) and 'grayscale' in str(x.message) for x in w)

def test_person_on_huge_and_portrait_jpeg(tmp_path):
    import skimage.data
    big = Image.fromarray(skimage.data.astronaut()).resize((4000, 4000)).crop((500, 0, 3500, 4000))   # 12 MP portrait
    big.save(tmp_path/'portrait.jpg', quality=80)
    rgb, size, _ = open_for_inference(tmp_path/'portrait.jpg')
    assert size == (4000, 3000) and max(rgb.shape) == 640
    m = segment_person(tmp_path/'portrait.jpg')
    assert m.shape == (4000, 3000) and (m == 1).mean() > 0.2

def test_apply_mask_empty_names_image():
    img = np.asarray(Image.open(CLOSET.image[0]))
    with pytest.warns(UserWarning, match='closet-0000'):
        out = apply_mask(CLOSET.image[0], np.zeros((96, 72), np.uint8), crop=True)
    assert out.size == (72, 96)
    with pytest.raises(BadImage, match='tiny'):
        open_for_inference(np.zeros((10, 10, 3), np.uint8), name='tiny one')
