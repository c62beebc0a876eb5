"Tests for mmtrend.image: every encoder offline on closet images (shapes, determinism), local .pth weights, bad images, the cache."
import urllib.error, warnings
import numpy as np, pytest, torch, torchvision
from PIL import Image
from mmtrend.data import load_closet
from mmtrend import image as mi
from mmtrend.image import embed_images, get_encoder, resnet_encoder, ImageEncoder, FeatureStore

DIMS = {'effnet_lite0': 1280, 'resnet18_fmnist': 512, 'resnet18_random': 512, 'resnet50_random': 2048}

@pytest.fixture(scope='module')
def posts(): return load_closet().head(6)

@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    "A fresh, empty feature cache for one test."
    monkeypatch.setenv('MMTREND_CACHE', str(tmp_path/'cache'))
    return tmp_path/'cache'

@pytest.mark.parametrize('name', list(DIMS))
def test_encoder_shapes_and_determinism(name, posts):
    paths = posts.image.tolist()[:3]
    a = embed_images(paths, name, cache=False, progress=False)
    b = embed_images(paths, name, cache=False, progress=False)
    assert a.shape == (3, DIMS[name]) and a.dtype == np.float32 and np.isfinite(a).all() and a.failed == []
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert np.abs(a[0] - a[1]).sum() > 0          # different photos, different vectors

def test_random_controls_are_seeded_and_named():
    a, b = resnet_encoder('resnet18', 'random'), resnet_encoder('resnet18', 'random')
    assert a.key == b.key and a.name == 'resnet18_random' and 'control' in a.source
    assert resnet_encoder('resnet18', 'random', seed=1).key != a.key

def test_effnet_weights_are_the_shipped_ones():
    enc = get_encoder('effnet_lite0')
    sd = torch.load(mi.effnet_lite0_weights_path(), map_location='cpu', weights_only=True)
    for k in ('_conv_stem.weight', '_conv_head.weight', '_bn1.running_mean'):
        torch.testing.assert_close(enc.features.net.state_dict()[k], sd[k], rtol=0, atol=0)
    import skimage.data
    top = mi.classify([skimage.data.coffee()], enc, k=1).top1[0]
    assert top.startswith(('espresso', 'cup', 'coffee mug')), top   # a real photo is recognised: weights and preprocessing are right

def test_local_pth_checkpoint(tmp_path, tmp_cache, posts):
    torch.manual_seed(3)
    net = torchvision.models.resnet18(weights=None).eval()
    path = tmp_path/'resnet18_lab.pth'
    torch.save(net.state_dict(), path)
    enc = resnet_encoder('resnet18', path)
    assert enc.name == 'resnet18_resnet18_lab' and enc.dim == 512 and 'local file' in enc.source
    paths = posts.image.tolist()[:3]
    feats = embed_images(paths, enc, progress=False)
    x = mi._load_batch(paths, enc.preprocess)
    with torch.inference_mode(): ref = torch.flatten(torch.nn.Sequential(*list(net.children())[:-1])(x), 1).numpy()
    np.testing.assert_allclose(feats, ref, rtol=1e-3, atol=1e-4)
    again = embed_images(paths, resnet_encoder('resnet18', path), progress=False)   # a fresh load of the same file hits the cache
    np.testing.assert_array_equal(np.asarray(again), np.asarray(feats))
    # a different file under the same name must not hit that cache
    torch.manual_seed(4); torch.save(torchvision.models.resnet18(weights=None).state_dict(), path)
    assert resnet_encoder('resnet18', path).key != enc.key

def test_wrong_or_missing_weights_raise(tmp_path):
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), tmp_path/'r18.pth')
    with pytest.raises(ValueError, match='does not match torchvision resnet50'): resnet_encoder('resnet50', tmp_path/'r18.pth')
    with pytest.raises(FileNotFoundError, match='weights file not found'): resnet_encoder('resnet18', tmp_path/'missing.pth')
    (tmp_path/'junk.pth').write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='not a loadable state dict'): resnet_encoder('resnet18', tmp_path/'junk.pth')
    with pytest.raises(ValueError, match='explicitly untrained control'): resnet_encoder('resnet18')
    with pytest.raises(ValueError, match='unknown image encoder'): get_encoder('resnet50')

def test_torchvision_download_offline_is_a_clear_error(monkeypatch):
    def offline(*a, **k): raise urllib.error.URLError('no network')
    monkeypatch.setattr(torchvision.models._api, 'load_state_dict_from_url', offline)
    with pytest.raises(RuntimeError, match='offline: pass a local .pth'): resnet_encoder('resnet50', 'IMAGENET1K_V2')
    with pytest.raises(ValueError, match='neither an existing .pth file'): resnet_encoder('resnet50', 'IMAGENET_V9')

def test_bad_images_are_flagged_not_hidden(tmp_path, tmp_cache, posts):
    good = posts.image.tolist()[:2]
    trunc = tmp_path/'cut.png'; trunc.write_bytes(open(good[0], 'rb').read()[:150])
    notimg = tmp_path/'notes.jpg'; notimg.write_text('hello')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        f = embed_images([good[0], str(tmp_path/'gone.png'), str(trunc), str(notimg), good[1]], 'resnet18_random', progress=False)
    assert f.failed == [1, 2, 3] and set(f.errors) == {1, 2, 3}
    assert np.isnan(f[[1, 2, 3]]).all() and np.isfinite(f[[0, 4]]).all()
    msgs = ' | '.join(str(x.message) for x in w)
    for name in ('gone.png', 'cut.png', 'notes.jpg'): assert name in msgs, msgs
    ref = embed_images(good, 'resnet18_random', progress=False, cache=False)
    np.testing.assert_allclose(f[[0, 4]], ref, rtol=1e-3, atol=1e-4)
    # failures are not cached: a second call reports them again
    with pytest.warns(UserWarning, match='gone.png'): embed_images([str(tmp_path/'gone.png')], 'resnet18_random', progress=False)

def test_missing_mask_is_flagged_and_empty_mask_means_the_whole_photo(tmp_cache, posts):
    "No person found (a flat-lay): the masked view is the photo itself, so the post stays in the ablation."
    imgs = posts.image.tolist()[:3]
    empty = np.zeros((96, 72), np.uint8)
    with pytest.warns(UserWarning):
        f = embed_images(imgs, 'resnet18_random', masks=[posts['mask'].iloc[0], None, empty], progress=False)
    assert f.failed == [1] and 'no mask' in f.errors[1] and np.isfinite(f[[0, 2]]).all()
    np.testing.assert_allclose(f[2], embed_images(imgs[2:], 'resnet18_random', progress=False)[0], atol=1e-5)
    with pytest.raises(ValueError, match='2 masks for 3 images'): embed_images(imgs, 'resnet18_random', masks=imgs[:2])

def test_cache_hit_does_no_forward_pass(tmp_cache, posts):
    enc = get_encoder('effnet_lite0')
    n0 = enc.n_images
    a = embed_images(posts, enc, batch_size=4, progress=False)
    m = embed_images(posts, enc, masks='mask', batch_size=4, progress=False)
    assert enc.n_images - n0 == 2 * len(posts)
    n1, f1 = enc.n_images, enc.n_forward
    b = embed_images(posts, enc, progress=False)
    m2 = embed_images(posts, enc, masks=posts['mask'].tolist(), progress=False)
    assert (enc.n_images, enc.n_forward) == (n1, f1)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b)); np.testing.assert_array_equal(np.asarray(m), np.asarray(m2))
    assert np.abs(np.asarray(a) - np.asarray(m)).max() > 0.01           # masked features differ from plain ones
    # a subset and a superset are served from the same store; only new content is computed
    embed_images(posts.image.tolist()[:3], enc, progress=False); assert enc.n_images == n1
    more = load_closet().image.tolist()[6:8]
    embed_images(posts.image.tolist() + more, enc, progress=False); assert enc.n_images == n1 + 2
    # the key depends on the mask's fill and on the pixels, not the file name
    embed_images(posts, enc, masks='mask', fill='black', progress=False); assert enc.n_images == n1 + 2 + len(posts)

def test_post_table_and_arrays(tmp_cache, posts):
    arrs = [np.asarray(Image.open(p).convert('RGB')) for p in posts.image[:2]]
    a = embed_images(arrs, 'resnet18_random', progress=False)
    b = embed_images(posts.head(2), 'resnet18_random', progress=False)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match='wrap a single image in a list'): embed_images(posts.image[0], 'resnet18_random')

def test_feature_store_merges_shards(tmp_path):
    st = FeatureStore('k', root=tmp_path, max_shards=3)
    for i in range(5): st.put([f'k{i}'], np.full((1, 2), i, np.float32))
    assert len(list(st.dir.glob('*.npz'))) <= 3
    f, hit = st.get([f'k{i}' for i in range(5)] + ['zz'])
    assert hit.tolist() == [True] * 5 + [False] and f[:5, 0].tolist() == [0, 1, 2, 3, 4]
