"""MultiTaskMLPClassifier: labels of any type, 1-D y, skmtl's proba convention."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score as sk_roc_auc
from sklearn.model_selection import GridSearchCV

from skmtl.metrics import accuracy_score, get_scorer
from skmtl.neural import MultiTaskMLPClassifier, MultiTaskNet
from skmtl.utils import wide_to_long

FAST = dict(trunk_layer_sizes=(8,), max_epochs=8, batch_size=32, lr=0.02)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _binary(n=160, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + 0.5 * X[:, 2] > 0]).astype(float)
    return X, Y


def test_long_predict_proba_is_each_rows_own_task():
    X, Y = _binary()
    Xl, yl = wide_to_long(X, Y)
    wide = MultiTaskMLPClassifier(**FAST, random_state=0).fit(X, Y)
    long = MultiTaskMLPClassifier(**FAST, task_column=-1, random_state=0)
    long.fit(Xl, yl)
    proba = long.predict_proba(Xl)
    assert proba.shape == (len(yl), 2)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    codes = Xl[:, -1].astype(int)
    # each row's probabilities are its own task's: the predicted label is the
    # argmax of its row in that task's classes
    labels = np.asarray(long.classes_)[codes, proba.argmax(1)]
    np.testing.assert_array_equal(long.predict(Xl), labels)
    assert [p.shape for p in wide.predict_proba(X)] == [(160, 2), (160, 2)]
    np.testing.assert_allclose(
        np.exp(long.predict_log_proba(Xl)), proba, rtol=1e-12, atol=1e-15
    )


def test_roc_auc_scorer_on_long_data_matches_per_task_auc():
    X, Y = _binary()
    Xl, yl = wide_to_long(X, Y)
    clf = MultiTaskMLPClassifier(**FAST, task_column=-1, random_state=0)
    clf.fit(Xl, yl)
    proba = clf.predict_proba(Xl)
    codes = Xl[:, -1].astype(int)
    manual = np.mean(
        [sk_roc_auc(yl[codes == t], proba[codes == t, 1]) for t in range(2)]
    )
    assert get_scorer("roc_auc_tasks")(clf, Xl, yl) == pytest.approx(manual)


def test_grid_search_on_long_data_gives_real_scores():
    """Issue 19: every score was NaN (the scorer raised on the list of arrays)
    and GridSearchCV refitted the first grid point with only a warning."""
    X, Y = _binary(120)
    Xl, yl = wide_to_long(X, Y)
    search = GridSearchCV(
        MultiTaskMLPClassifier(**FAST, task_column=-1, random_state=0),
        {"lr": [0.002, 0.05]},
        scoring=get_scorer("roc_auc_tasks"),
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "scores are non-finite"
        # the 8-epoch fits warn that max_epochs ended them (a UserWarning too)
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(Xl, yl)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and np.all(scores > 0.5)
    assert search.best_params_ == {"lr": [0.002, 0.05][int(np.argmax(scores))]}


def test_long_proba_needs_the_same_number_of_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    Y = np.column_stack([X[:, 0] > 0, np.digitize(X[:, 1], [-0.5, 0.5])]).astype(float)
    Xl, yl = wide_to_long(X, Y)
    clf = MultiTaskMLPClassifier(**FAST, task_column=-1, random_state=0)
    clf.fit(Xl, yl)
    with pytest.raises(ValueError, match="same number of classes; got \\[2, 3\\]"):
        clf.predict_proba(Xl)
    assert clf.predict(Xl).shape == (len(yl),)


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_string_labels_equal_their_numeric_codes(layout):
    X, Y = _binary()
    names = np.array([["no", "yes"], ["cat", "dog"]])
    S = np.where(Y > 0, names[:, 1], names[:, 0]).astype(object)
    S[::9, 1] = None  # missing labels
    Yn = Y.copy()
    Yn[::9, 1] = np.nan
    kw = dict(FAST, random_state=0)
    if layout == "long":
        Xl, yn = wide_to_long(X, Yn)
        keep = ~np.isnan(yn)
        Xl, yn = Xl[keep], yn[keep]
        codes = Xl[:, -1].astype(int)
        ys = names[codes, yn.astype(int)]
        num = MultiTaskMLPClassifier(**kw, task_column=-1).fit(Xl, yn)
        txt = MultiTaskMLPClassifier(**kw, task_column=-1).fit(Xl, ys)
        np.testing.assert_array_equal(
            txt.predict(Xl), names[codes, num.predict(Xl).astype(int)]
        )
        np.testing.assert_allclose(txt.predict_proba(Xl), num.predict_proba(Xl))
        assert txt.score(Xl, ys) == pytest.approx(num.score(Xl, yn))
        return
    num = MultiTaskMLPClassifier(**kw).fit(X, Yn)
    txt = MultiTaskMLPClassifier(**kw).fit(X, S)
    assert [c.tolist() for c in txt.classes_] == names.tolist()
    pred = txt.predict(X)
    assert pred.dtype.kind == "U"
    expected = np.column_stack(
        [names[t][num.predict(X)[:, t].astype(int)] for t in range(2)]
    )
    np.testing.assert_array_equal(pred, expected)
    for a, b in zip(txt.predict_proba(X), num.predict_proba(X), strict=True):
        np.testing.assert_allclose(a, b)
    assert txt.score(X, S) == pytest.approx(num.score(X, Yn))


def test_one_d_y_is_one_task():
    X, Y = _binary()
    one = MultiTaskMLPClassifier(**FAST, random_state=0).fit(X, Y[:, 0])
    two = MultiTaskMLPClassifier(**FAST, random_state=0).fit(X, Y[:, :1])
    assert one.classes_.tolist() == [0, 1]
    assert isinstance(two.classes_, list)
    assert one.predict(X).shape == (160,)
    np.testing.assert_array_equal(one.predict(X), two.predict(X)[:, 0])
    np.testing.assert_allclose(one.predict_proba(X), two.predict_proba(X)[0])
    assert one.score(X, Y[:, 0]) == pytest.approx(two.score(X, Y[:, :1]))


def test_unseen_and_wrong_type_labels_in_partial_fit():
    X, Y = _binary()
    S = np.where(Y > 0, "b", "a")
    clf = MultiTaskMLPClassifier(**FAST, random_state=0).partial_fit(X, S)
    with pytest.raises(ValueError, match="not seen in the first fit"):
        clf.partial_fit(X, np.where(Y > 0, "b", "c"))
    with pytest.raises(ValueError, match="not seen in the first fit"):
        clf.partial_fit(X, Y.astype(int))


def test_streaming_needs_numeric_labels(tmp_path):
    X, Y = _binary()
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    Xm = np.load(path, mmap_mode="r")
    with pytest.raises(ValueError, match="needs numeric labels"):
        MultiTaskMLPClassifier(**FAST).fit(Xm, np.where(Y > 0, "b", "a"))


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_score_with_sample_weight_is_weighted_accuracy(layout):
    X, Y = _binary()
    w = np.random.default_rng(1).integers(0, 4, size=len(X)).astype(float)
    clf = MultiTaskMLPClassifier(**FAST, random_state=0)
    if layout == "long":
        X, Y = wide_to_long(X, Y)
        w = np.concatenate([w, w])
        clf.set_params(task_column=-1)
    clf.fit(X, Y)
    pred = clf.predict(X)
    if layout == "wide":
        expected = np.mean(
            [np.average(pred[:, t] == Y[:, t], weights=w) for t in range(2)]
        )
    else:
        codes = X[:, -1].astype(int)
        expected = np.mean(
            [
                np.average((pred == Y)[codes == t], weights=w[codes == t])
                for t in range(2)
            ]
        )
    assert clf.score(X, Y, sample_weight=w) == pytest.approx(expected)
    tasks = None if layout == "wide" else X[:, -1]
    assert expected == pytest.approx(
        accuracy_score(Y, pred, tasks=tasks, sample_weight=w)
    )


def test_multitask_net_proba_only_with_a_classification_task():
    X, Y = _binary()
    reg = MultiTaskNet(**FAST, random_state=0).fit(X, Y)
    assert not hasattr(reg, "predict_proba")
    Xl, yl = wide_to_long(X, Y)
    mixed = MultiTaskNet(
        **FAST, task_types=["regression", "binary"], task_column=-1, random_state=0
    ).fit(Xl, yl)
    proba = mixed.predict_proba(Xl)
    codes = Xl[:, -1].astype(int)
    assert proba.shape == (len(yl), 2)
    assert np.isnan(proba[codes == 0]).all()
    np.testing.assert_allclose(proba[codes == 1].sum(1), 1.0)


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_probability_scorers_with_string_labels(layout):
    """roc_auc/log-loss scorers read the string-labelled model like the
    numeric one (the positive class is the second of classes_)."""
    X, Y = _binary()
    kw = dict(FAST, random_state=0)
    if layout == "long":
        X, Y = wide_to_long(X, Y)
        kw["task_column"] = -1
    S = np.where(Y > 0, "yes", "no")
    num = MultiTaskMLPClassifier(**kw).fit(X, Y)
    txt = MultiTaskMLPClassifier(**kw).fit(X, S)
    for name in ("roc_auc_tasks", "neg_log_loss_tasks", "accuracy_tasks"):
        scorer = get_scorer(name)
        assert scorer(txt, X, S) == pytest.approx(scorer(num, X, Y), rel=1e-9)
