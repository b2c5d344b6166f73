"""Synthetic generators, the bundled School data and the Mulan loader."""

import numpy as np
import pytest

from skmtl.datasets import (
    MTR_DATASETS,
    load_mtr,
    load_school,
    make_multitask_classification,
    make_multitask_regression,
)


def test_load_school():
    school = load_school()
    assert school.data.shape == (15362, 27)
    assert school.target.shape == (15362,)
    assert len(np.unique(school.task)) == 139
    assert len(school.feature_names) == 27
    sizes = np.bincount(school.task)[1:]
    assert sizes.min() == 22 and sizes.max() == 251
    assert school.target.min() >= 1 and school.target.max() <= 70
    assert "School" in school.DESCR
    X, y = load_school(return_X_y=True)
    assert X.shape == (15362, 28)
    np.testing.assert_array_equal(X[:, -1], school.task)


def test_load_school_as_frame():
    pytest.importorskip("pandas")
    school = load_school(as_frame=True)
    assert list(school.frame.columns[-2:]) == ["school", "score"]
    X, y = load_school(return_X_y=True, as_frame=True)
    assert X.columns[-1] == "school" and X.shape == (15362, 28)


@pytest.mark.parametrize("name, shape", [("enb", (768, 8, 2)), ("slump", (103, 7, 3))])
def test_bundled_mtr(tmp_path, name, shape):
    bunch = load_mtr(name, data_home=tmp_path)  # empty cache: bundled copy
    assert bunch.data.shape == shape[:2] and bunch.target.shape == (shape[0], shape[2])
    assert len(bunch.feature_names) == shape[1]
    assert len(bunch.target_names) == shape[2]


def test_load_rf1_from_cache(mtr_home):
    rf1 = load_mtr("rf1", data_home=mtr_home)
    assert rf1.data.shape == (9125, 64)
    assert rf1.target.shape == (9125, 8)
    assert np.isnan(rf1.data).sum() == 3264
    assert not np.isnan(rf1.target).any()


def test_load_mtr_env_variable(mtr_home, monkeypatch):
    monkeypatch.setenv("SKMTL_DATA", str(mtr_home))
    wq = load_mtr("wq")
    assert wq.data.shape == (1060, 16) and wq.target.shape == (1060, 14)


def test_missing_file_says_where_to_put_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"rf1\.arff.*SKMTL_DATA"):
        load_mtr("rf1", data_home=tmp_path)


def test_unknown_dataset_name(tmp_path):
    with pytest.raises(ValueError, match="Unknown Mulan dataset 'nope'"):
        load_mtr("nope", data_home=tmp_path)
    assert "scm1d" in MTR_DATASETS


def test_nominal_attributes_are_encoded(tmp_path):
    (tmp_path / "toy.arff").write_text(
        "@relation toy\n@attribute a numeric\n@attribute c {red,blue}\n"
        "@attribute y numeric\n@data\n1,blue,3\n?,red,4\n2,?,5\n"
    )
    bunch = load_mtr("toy", data_home=tmp_path, n_targets=1)
    np.testing.assert_array_equal(bunch.data[:, 1][:2], [1.0, 0.0])
    assert np.isnan(bunch.data[2, 1]) and np.isnan(bunch.data[1, 0])
    np.testing.assert_array_equal(bunch.target.ravel(), [3, 4, 5])


@pytest.mark.parametrize(
    "structure", ["shared_support", "low_rank", "clustered", "graph", "independent"]
)
def test_generator_structures(structure):
    X, Y, truth = make_multitask_regression(
        200,
        12,
        6,
        n_informative=3,
        structure=structure,
        rank=2,
        n_clusters=3,
        noise=0.0,
        random_state=0,
        return_truth=True,
    )
    W = truth.coef
    np.testing.assert_allclose(Y, X @ W.T)
    if structure == "shared_support":
        assert np.count_nonzero(np.abs(W).sum(0)) == 3
        np.testing.assert_array_equal(np.flatnonzero(np.abs(W).sum(0)), truth.support)
    elif structure == "low_rank":
        assert np.linalg.matrix_rank(W) == 2
        np.testing.assert_allclose(
            truth.components @ truth.components.T, np.eye(2), atol=1e-12
        )
    elif structure == "clustered":
        labels = truth.task_clusters
        assert len(np.unique(labels)) == 3
        within = max(
            np.linalg.norm(W[i] - W[j])
            for i in range(6)
            for j in range(6)
            if labels[i] == labels[j]
        )
        between = min(
            np.linalg.norm(W[i] - W[j])
            for i in range(6)
            for j in range(6)
            if labels[i] != labels[j]
        )
        assert within < between
    elif structure == "graph":
        A = truth.graph
        assert A.shape == (6, 6) and A.sum() == 10
        step = np.linalg.norm(np.diff(W, axis=0), axis=1).mean()
        assert step < np.linalg.norm(W[0] - W[-1])


def test_generator_long_layout_and_missing_labels():
    X, y, coef = make_multitask_regression(
        n_features=4,
        n_tasks=3,
        samples_per_task=[3, 5, 7],
        noise=0.0,
        random_state=0,
        return_coef=True,
    )
    task = X[:, -1].astype(int)
    np.testing.assert_array_equal(np.bincount(task), [3, 5, 7])
    np.testing.assert_allclose(y, np.einsum("ij,ij->i", X[:, :-1], coef[task]))
    _, Y = make_multitask_regression(50, 4, 3, missing_labels=0.5, random_state=0)
    frac = np.isnan(Y).mean()
    assert 0.35 < frac < 0.6
    assert (~np.isnan(Y)).sum(0).min() >= 2
    with pytest.raises(ValueError, match="missing_labels applies to the wide"):
        make_multitask_regression(samples_per_task=5, missing_labels=0.1)


def test_generator_is_reproducible():
    a = make_multitask_regression(20, 3, 2, random_state=42)
    b = make_multitask_regression(20, 3, 2, random_state=42)
    np.testing.assert_array_equal(a[1], b[1])


def test_make_multitask_classification():
    X, Y, coef = make_multitask_classification(
        500, 6, 3, noise=0.0, random_state=0, return_coef=True
    )
    np.testing.assert_array_equal(Y, (X @ coef.T > 0).astype(float))
    _, Ym = make_multitask_classification(100, 6, 3, missing_labels=0.2, random_state=0)
    assert np.isnan(Ym).any() and set(np.unique(Ym[~np.isnan(Ym)])) == {0.0, 1.0}
