"Tests of mmtrend.align (chapter 04): the aligned space on synthetic pairs, offline."
import numpy as np, pytest, torch
from sklearn.base import clone
from mmtrend.align import AlignedSpace, retrieval_recall, label_match_at_k, synthetic_pairs, clip_loss

@pytest.fixture(scope='module')
def pairs():
    img, txt, z = synthetic_pairs(n=600, d_img=96, d_txt=48, seed=1)
    return img, txt, z


@pytest.fixture(scope='module')
def fitted(pairs):
    img, txt, _ = pairs
    return AlignedSpace(dim=16, hidden=64, epochs=25, seed=0).fit(img[:450], txt[:450])


def test_shapes_dtype_norm(pairs, fitted):
    img, txt, _ = pairs
    zi, zt = fitted.transform_image(img[450:]), fitted.transform_text(txt[450:])
    assert zi.shape == (150, 16) and zt.shape == (150, 16)
    assert zi.dtype == np.float32 and zt.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(zi, axis=1), 1, atol=1e-5)
    assert fitted.similarity(img[:3], txt[:4]).shape == (3, 4)
    assert list(fitted.history_.columns[:2]) == ['epoch', 'train_loss'] and len(fitted.history_) == 25


def test_training_lowers_the_loss(fitted):
    h = fitted.history_
    assert h.train_loss.iloc[-1] < 0.85 * h.train_loss.iloc[0]


def test_deterministic_for_a_seed(pairs):
    img, txt, _ = pairs
    a = AlignedSpace(dim=8, hidden=32, epochs=4, seed=3).fit(img[:200], txt[:200])
    b = AlignedSpace(dim=8, hidden=32, epochs=4, seed=3).fit(img[:200], txt[:200])
    c = AlignedSpace(dim=8, hidden=32, epochs=4, seed=4).fit(img[:200], txt[:200])
    np.testing.assert_array_equal(a.transform_image(img[200:260]), b.transform_image(img[200:260]))
    np.testing.assert_array_equal(a.transform_text(txt[200:260]), b.transform_text(txt[200:260]))
    assert not np.allclose(a.transform_text(txt[200:260]), c.transform_text(txt[200:260]))


def test_global_rng_untouched(pairs):
    img, txt, _ = pairs
    torch.manual_seed(123); expected = torch.rand(3)
    torch.manual_seed(123); AlignedSpace(dim=8, hidden=16, epochs=1).fit(img[:50], txt[:50]); got = torch.rand(3)
    assert torch.equal(expected, got)


def test_recall_above_chance_on_held_out_pairs(pairs, fitted):
    img, txt, _ = pairs
    rec = retrieval_recall(fitted.transform_image(img[450:]), fitted.transform_text(txt[450:]), ks=(1, 5, 10))
    assert set(rec.index) == {'image→text', 'text→image'}
    np.testing.assert_allclose(rec['chance@1'], 1 / 150)
    assert (rec['R@1'] > 10 * rec['chance@1']).all()
    assert (rec['R@10'] > 0.5).all()


def test_untrained_space_is_at_chance(pairs):
    "Sanity of the metric: features unrelated to each other give recall near k/n."
    img, txt, _ = pairs
    rng = np.random.default_rng(0)
    rec = retrieval_recall(rng.standard_normal((300, 16)), rng.standard_normal((300, 16)), ks=(10,))
    assert (rec['R@10'] < 0.1).all()


def test_standardisation_is_fitted_on_fit_data_only(pairs):
    img, txt, _ = pairs
    s = AlignedSpace(dim=8, hidden=16, epochs=1).fit(img[:100], txt[:100])
    np.testing.assert_allclose(s.img_scaler_.mean_, img[:100].mean(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(s.txt_scaler_.mean_, txt[:100].mean(0), rtol=1e-4, atol=1e-4)


def test_mask_features_share_the_image_head(pairs):
    img, txt, _ = pairs
    masked = img + 0.1 * np.random.default_rng(0).standard_normal(img.shape).astype(np.float32)
    s = AlignedSpace(dim=8, hidden=32, epochs=10).fit(img[:300], txt[:300], mask_features=masked[:300])
    zm = s.transform_image(masked[300:])
    assert zm.shape == (300, 8)
    rec = retrieval_recall(zm, s.transform_text(txt[300:]))
    assert (rec['R@5'] > 5 * rec['chance@5']).all()


def test_sklearn_clone_and_params():
    s = AlignedSpace(dim=32, temperature=0.1, learn_temperature=False, epochs=3)
    c = clone(s)
    assert c.get_params()['dim'] == 32 and c.get_params()['temperature'] == 0.1


def test_fixed_temperature_stays_fixed(pairs):
    img, txt, _ = pairs
    s = AlignedSpace(dim=8, hidden=16, epochs=3, temperature=0.1, learn_temperature=False).fit(img[:100], txt[:100])
    np.testing.assert_allclose(s.history_.temperature, 0.1, rtol=1e-5)


def test_bad_input_is_named(pairs):
    img, txt, _ = pairs
    with pytest.raises(ValueError, match='rows must be pairs'): AlignedSpace().fit(img[:10], txt[:9])
    bad = img[:20].copy(); bad[[2, 7]] = np.nan
    with pytest.raises(ValueError, match=r'rows \[2, 7\]'): AlignedSpace().fit(bad, txt[:20])
    with pytest.raises(RuntimeError, match='not fitted'): AlignedSpace().transform_text(txt)
    s = AlignedSpace(dim=4, hidden=8, epochs=1).fit(img[:20], txt[:20])
    with pytest.raises(ValueError, match='columns'): s.transform_image(img[:5, :10])
    with pytest.raises(ValueError, match='2-D'): s.transform_text(txt[0])


def test_clip_loss_bounds():
    e = torch.nn.functional.normalize(torch.eye(6), dim=1)
    assert clip_loss(e, e, torch.tensor(100.)) < 1e-3
    assert clip_loss(e, e[[1, 2, 3, 4, 5, 0]], torch.tensor(100.)) > 10


def test_label_match():
    lab = np.array([0, 0, 1, 1, 1])
    e = np.eye(2, dtype=np.float32)[lab]
    m = label_match_at_k(e, e, lab, ks=(1, 2))
    np.testing.assert_allclose(m['match@1'], 1.0)
    np.testing.assert_allclose(m['chance'], (2 * 0.4 + 3 * 0.6) / 5)

