"Tests of chapter 05 (mmtrend.ablation): the estimator, the interval, the shuffled-label control, byte-identical tables."
import math
import numpy as np, pandas as pd, pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from mmtrend.ablation import (TorchMLP, corrected_resampled_t, synthetic_store, PCABlocks, run_cv, summarise, write_tables,
                              default_models, paired_comparison, FoldFeatures, row_indices, COMBOS)


def _xor(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 6)).astype(np.float32)
    return X, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)


def _fast_models(seed=0):
    "The table's models minus the slow ones (the research MLP, the tuned MLP, boosted trees), with short training."
    slow = ('research MLP', 'TorchMLP (tuned)', 'boosted trees')
    return {k: v for k, v in default_models(seed, epochs_scale=0.2).items() if k not in slow}


def test_clone_and_params_round_trip():
    m = TorchMLP(hidden_sizes=(16, 8), dropout=0.3, weight_decay=0.5, random_state=3)
    c = clone(m)
    assert c.get_params() == m.get_params() and c is not m
    c.set_params(**m.get_params())
    assert c.get_params() == m.get_params()
    X, y = _xor()
    m.fit(X, y)
    assert not hasattr(clone(m), 'net_') and clone(m).get_params() == m.get_params()


def test_determinism_and_seed_matters():
    X, y = _xor()
    p1 = TorchMLP(random_state=0).fit(X, y).predict_proba(X)
    p2 = TorchMLP(random_state=0).fit(X, y).predict_proba(X)
    p3 = TorchMLP(random_state=1).fit(X, y).predict_proba(X)
    assert np.array_equal(p1, p2) and not np.array_equal(p1, p3)
    assert np.allclose(p1.sum(1), 1)


def test_leaves_global_torch_state_alone():
    import torch
    torch.manual_seed(123); a = torch.rand(3)
    torch.manual_seed(123); TorchMLP(max_epochs=3).fit(*_xor(60)); b = torch.rand(3)
    assert torch.equal(a, b) and not torch.are_deterministic_algorithms_enabled()


def test_learns_nonlinear_and_works_in_cross_validation():
    X, y = _xor(600)
    scores = cross_val_score(make_pipeline(StandardScaler(), TorchMLP()), X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.mean() > 0.85


# float32 batched matmul under the pinned kernels (MKL's AVX2 branch): a row rounds differently in the last bit at
# another position in the batch, so sklearn's 1e-7 sample-order check fails by design; the next test pins the real bound.
ORDER_XFAIL = {'check_methods_sample_order_invariance': 'float32 rows round by batch position (see the next test)'}

def test_sklearn_estimator_checks():
    "scikit-learn's own battery of estimator checks (API conventions, input validation, pickling, fit idempotence, ...)."
    from sklearn.utils.estimator_checks import check_estimator
    results = check_estimator(TorchMLP(max_epochs=100), on_fail=None, expected_failed_checks=ORDER_XFAIL)
    failed = [r for r in results if r['status'] == 'failed']
    assert not failed, [(r['check_name'], str(r['exception'])[:200]) for r in failed]
    assert {r['check_name'] for r in results if r['status'] == 'xfail'} <= set(ORDER_XFAIL)

def test_predictions_do_not_depend_on_sample_order_beyond_float32_rounding():
    X, y = _xor(300)
    m = TorchMLP(max_epochs=50).fit(X, y)
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(m.predict_proba(X)[order], m.predict_proba(X[order]), rtol=0, atol=1e-5)


def test_corrected_interval_known_values():
    ci = corrected_resampled_t([0.6, 0.7, 0.8], 0.25)
    se = math.sqrt((1 / 3 + 1 / 4) * 0.01)
    assert ci['mean'] == pytest.approx(0.7)
    assert ci['hi'] - ci['mean'] == pytest.approx(4.302653 * se, abs=1e-5)
    assert ci['mean'] - ci['lo'] == pytest.approx(4.302653 * se, abs=1e-5)
    assert ci['t'] == pytest.approx(0.7 / se)
    # the correction widens the plain t interval by sqrt((1/J + r) / (1/J))
    plain = corrected_resampled_t([0.6, 0.7, 0.8], 0.0)
    assert (ci['hi'] - ci['lo']) / (plain['hi'] - plain['lo']) == pytest.approx(math.sqrt((1 / 3 + 1 / 4) * 3))
    assert math.isnan(corrected_resampled_t([0.7], 0.25)['lo'])


def test_permutation_control_at_chance_and_fusion_helps():
    store = synthetic_store(n=500, seed=1)
    folds, _ = run_cv(store, PCABlocks(n_components=8), n_folds=5, cv_repeats=2, seed=0, models=_fast_models(), progress=False)
    for model, g in folds[folds.control == 'shuffled labels'].groupby('model'):
        for metric in ('balanced_accuracy', 'roc_auc'):
            c = corrected_resampled_t(g[metric], folds.attrs['test_train_ratio'])
            assert c['lo'] <= 0.5 <= c['hi'], (model, metric, c)
    cmp = paired_comparison(folds, ('text+mask+image', 'logistic'), ('only text', 'logistic'))
    assert cmp['lo'] > 0 and cmp['n_splits'] == 10


def test_tables_byte_identical_for_same_seed(tmp_path):
    store = synthetic_store(n=300)
    def tables(seed, out, n_jobs=1):
        folds, _ = run_cv(store, PCABlocks(n_components=6), n_folds=3, cv_repeats=1, seed=seed, models=_fast_models(seed),
                          n_jobs=n_jobs, progress=False)
        return [p.read_bytes() for p in write_tables(summarise(folds), out, 'tab', ceiling=0.8)]
    a, b, c = tables(0, tmp_path/'a'), tables(0, tmp_path/'b'), tables(1, tmp_path/'c')
    assert a == b and a != c
    csv = pd.read_csv(tmp_path/'a'/'tab.csv')
    n_models = len(_fast_models())                     # 7 combos x the models + 4 late fusion rows + 2 controls
    assert len(csv) == 7 * n_models + 4 + 2 and not csv.select_dtypes('number').isna().any().any()


def test_fold_features_pipeline_fits_on_training_rows_only():
    store = synthetic_store(n=200)
    idx = row_indices(store)
    step = FoldFeatures(store, PCABlocks(n_components=4), ('image', 'text')).fit(idx[:100])
    Z = step.transform(idx)
    assert Z.shape == (200, 8)
    assert np.allclose(Z[:100].mean(0), 0, atol=1e-4) and not np.allclose(Z[100:].mean(0), 0, atol=1e-3)
