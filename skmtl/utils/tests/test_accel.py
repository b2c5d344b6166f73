"""The optional compiled kernels of skmtl.utils._accel."""

import numpy as np
import pytest

from skmtl.utils import _accel
from skmtl.utils._accel import c_rows, sum_of_squares, use_numba


def _arrays():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((50, 9))
    return {
        "C": base,
        "F": np.asfortranarray(base),
        "no task column (last)": base[:, :-1],
        "no task column (first)": base[:, 1:],
        "every other row": base[::2, 2:7],
        "float32": base.astype(np.float32)[:, 1:],
        "column stride 2": base[:, ::2],
    }


@pytest.mark.parametrize("name", list(_arrays()))
def test_sum_of_squares_matches_numpy(name):
    A = _arrays()[name]
    expected = float(np.sum(np.asarray(A, dtype=float) ** 2))
    assert sum_of_squares(A) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_sum_of_squares_propagates_non_finite(bad):
    A = np.ones((40, 5))[:, :4]
    A[17, 2] = bad
    total = sum_of_squares(A)
    assert not np.isfinite(total)


def test_c_rows_describes_the_same_rows():
    X = np.arange(60.0).reshape(10, 6)
    B, width = c_rows(X[:, 1:])
    assert width == 5 and B.flags.c_contiguous
    np.testing.assert_array_equal(B[:, :width], X[:, 1:])
    assert c_rows(np.asfortranarray(X)) is None  # columns, not rows, contiguous
    assert c_rows(X[:, ::2]) is None


def test_use_numba_switches(monkeypatch):
    monkeypatch.setenv("SKMTL_NUMBA", "0")
    assert not use_numba()
    monkeypatch.delenv("SKMTL_NUMBA")
    assert use_numba() == _accel.have_numba()
    monkeypatch.setattr(_accel, "MIN_SIZE", 1000)
    assert not use_numba(999)
    assert use_numba(1000) == _accel.have_numba()
