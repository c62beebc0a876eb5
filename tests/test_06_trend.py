"Chapter 06 (mmtrend.trend): leakage audit, rolling-origin splitter, sequence model, bad input."
import re, warnings
import numpy as np, pandas as pd, pytest
from mmtrend.data import load_closet
from mmtrend.trend import (audit_leakage, LeakageWarning, keyword_labelled_closet, LEAKY_KEYWORDS, RollingOriginSplit,
                           evaluate_temporal, fit_predict, trend_sequences, SequenceClassifier, LastValueClassifier, window_logreg,
                           dated_posts, SEQ_FEATURES, accuracy_halfwidth)
from sklearn.linear_model import LogisticRegression


def _audit(posts, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        rep = audit_leakage(posts, **kw)
    return rep, [w for w in caught if issubclass(w.category, LeakageWarning)]


def test_audit_fires_on_keyword_labelled_variant():
    rep, ws = _audit(keyword_labelled_closet())
    top = rep.iloc[0]
    assert top.flagged and top.accuracy == 1.0 and top.balanced_accuracy == 1.0
    assert set(re.findall(r"'(\w+)'", top.rule)) == set(LEAKY_KEYWORDS)
    assert ws and "'dress' OR 'jeans' OR 'sneakers'" in str(ws[0].message) and 'accuracy 1.000' in str(ws[0].message)
    # no single keyword is enough: the OR search is what finds it
    singles = rep[(rep.source == 'caption') & ~rep.rule.str.contains(' OR ')]
    assert (singles.accuracy < 0.95).all()


def test_audit_quiet_on_closet():
    rep, ws = _audit(load_closet())
    assert not rep.flagged.any() and not ws
    assert 0.5 < rep.accuracy.max() < 0.9            # real, partial signals are reported (e.g. likes, tone words)
    assert {'caption', 'likes', 'author', 'clothe_label'} <= set(rep.source)


def test_audit_id_and_column_leaks():
    n = 40
    toy = pd.DataFrame(dict(hot=[0, 1] * (n // 2), caption=['same words here'] * n,
                            image=[f"{'hot' if i % 2 else 'meh'}_{i:03d}.jpg" for i in range(n)], author=['a', 'b'] * (n // 2)))
    rep, ws = _audit(toy)
    assert set(rep[rep.flagged].source) == {'image', 'author'} and len(ws) >= 2
    with pytest.raises(KeyError, match='label column'): audit_leakage(toy, label='nope')


@pytest.mark.parametrize('n_origins,test_days,purge', [(4, 7, 0), (3, 5, 4), (6, 3, 2)])
def test_splitter_never_trains_on_future(n_origins, test_days, purge):
    days = np.random.default_rng(n_origins).integers(0, 60, 800)
    sp = RollingOriginSplit(n_origins, test_days, purge=purge)
    splits = list(sp.split(groups=days))
    assert len(splits) == sp.get_n_splits(groups=days) == n_origins
    for (tr, te), t in zip(splits, sp.cutoffs(days)):
        assert days[tr].max() <= t - purge and t < days[te].min() and days[te].max() <= t + test_days
        assert not set(tr) & set(te)


def test_splitter_messages():
    with pytest.raises(ValueError, match='too few'): RollingOriginSplit(4, 7).cutoffs([0, 1, 2, 3, 4])
    with pytest.raises(TypeError, match='groups='): list(RollingOriginSplit().split(np.zeros(3)))
    with pytest.raises(ValueError, match='no day'): RollingOriginSplit().cutoffs(pd.Series([1, None, 3], dtype='Int64'))


def _windows(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5, 4)).astype(np.float32)
    return X, (X[:, -1, 0] > 0).astype(int)


def test_sequence_model_shapes_and_determinism():
    X, y = _windows()
    a, b = SequenceClassifier(epochs=60).fit(X, y), SequenceClassifier(epochs=60).fit(X, y)
    assert a.predict_proba(X).shape == (120, 2) and a.predict(X).shape == (120,)
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    assert np.allclose(a.predict_proba(X).sum(1), 1)
    lstm = SequenceClassifier(cell='lstm', epochs=30).fit(X, y)
    assert lstm.predict_proba(X[:7]).shape == (7, 2)
    assert window_logreg().fit(X, y).predict(X).shape == (120,)


def test_trend_sequences_shapes_and_labels():
    d = np.repeat(np.arange(30), 6); s = np.tile(['a', 'b', 'c'], 60); h = np.random.default_rng(0).integers(0, 2, 180)
    X, y, m = trend_sequences(d, s, h, window=5, horizon=3, embeddings=np.ones((180, 2)))
    assert X.shape == (3 * (30 - 5 - 3 + 1), 5, len(SEQ_FEATURES) + 2 + 3) and len(y) == len(m) == len(X)
    assert set(np.unique(y)) <= {0, 1} and m.origin.min() == 4 and m.origin.max() == 26
    # the label is only computed from posts after the origin, the features only from posts up to it
    h2 = h.copy(); h2[d > 20] = 1 - h2[d > 20]
    X2, y2, m2 = trend_sequences(d, s, h2, window=5, horizon=3)
    X1, y1, m1 = trend_sequences(d, s, h, window=5, horizon=3)
    early = (m1.origin <= 20).to_numpy()
    assert np.array_equal(X1[early], X2[early])


def test_bad_input_messages():
    d = np.repeat(np.r_[0:10, 13:20], 4); s = np.tile(['a', 'b'], len(d) // 2); h = np.tile([0, 1, 1, 0], len(d) // 4)
    with pytest.warns(UserWarning, match=r'3 day\(s\) have no posts: \[10, 11, 12\]'): trend_sequences(d, s, h, window=3, horizon=2)
    with pytest.raises(ValueError, match='need at least 14 days'): trend_sequences(d[d < 4], s[d < 4], h[d < 4], window=7, horizon=7)
    X = np.random.default_rng(0).normal(size=(6, 2))
    with pytest.warns(UserWarning, match='cutoff day 3: every training label is 1'):
        pred = fit_predict(LogisticRegression(), X[:4], [1, 1, 1, 1], X[4:], 'cutoff day 3')
    assert pred.tolist() == [1, 1]
    with pytest.raises(ValueError, match='two classes'): SequenceClassifier().fit(np.zeros((4, 2, 1)), [1, 1, 1, 1])
    posts = pd.DataFrame(dict(id=['x', 'y'], day=pd.array([0, None], dtype='Int64'), hot=[0, 1]))
    with pytest.warns(UserWarning, match=r'1 post\(s\) have no usable time.*: y'): out = dated_posts(posts)
    assert out.id.tolist() == ['x']


def test_temporal_evaluation_and_halfwidth():
    rng = np.random.default_rng(0); X = rng.normal(size=(300, 2)); days = np.repeat(np.arange(30), 10)
    res = evaluate_temporal(LogisticRegression(), X, (X[:, 0] > 0).astype(int), days, RollingOriginSplit(3, 5))
    assert len(res) == 3 and (res.accuracy > 0.8).all()
    assert abs(accuracy_halfwidth(47) - 0.136) < 0.001
