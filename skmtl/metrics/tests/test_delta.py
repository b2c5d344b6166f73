"""Delta_m by hand."""

import numpy as np
import pytest

from skmtl.metrics import delta_m


def test_delta_m_hand_values():
    # errors: 1 vs 2 (50 % better), 3 vs 2 (50 % worse), 1.8 vs 2 (10 % better)
    assert np.isclose(delta_m([1.0, 3.0, 1.8], [2.0, 2.0, 2.0], False), 10 / 3)
    # accuracy 0.9 vs 0.8: +12.5 %
    assert np.isclose(delta_m([0.9], [0.8], True), 12.5)
    # mixed directions: an accuracy (+12.5 %) and an error 4 vs 2 (-100 %)
    assert np.isclose(delta_m([0.9, 4.0], [0.8, 2.0], [True, False]), -43.75)


def test_delta_m_sign_convention_for_negated_losses():
    mse_model, mse_base = np.array([1.0, 2.5]), np.array([2.0, 2.0])
    loss = delta_m(mse_model, mse_base, higher_is_better=False)
    neg = delta_m(-mse_model, -mse_base, higher_is_better=True)
    assert np.isclose(loss, neg) and np.isclose(loss, (50 - 25) / 2)


def test_delta_m_errors():
    with pytest.raises(ValueError, match="different shapes"):
        delta_m([1.0], [1.0, 2.0], True)
    with pytest.raises(ValueError, match="baseline score is 0"):
        delta_m([1.0], [0.0], True)
    with pytest.raises(ValueError, match="finite"):
        delta_m([np.nan], [1.0], True)
