"""Shared pytest fixtures."""

import os
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"

# One OpenMP thread per test process: pytest -n 2 runs two workers on CI's two
# cores, and scikit-learn's OpenMP estimators (histogram gradient boosting)
# spin-wait badly when oversubscribed (a 96-row fit took seconds). BLAS keeps
# its threads, so numerical results do not change.
try:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="openmp")
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
    pass


@pytest.fixture
def rng():
    """A seeded generator for one test."""
    return np.random.default_rng(0)


@pytest.fixture
def mtr_home():
    """Folder with the Mulan ARFF files (SKMTL_DATA, else ``../shared/data/mtr``)."""
    home = os.environ.get("SKMTL_DATA")
    path = Path(home) if home else SHARED_DATA / "mtr"
    if not (path / "rf1.arff").is_file() and not (path / "mtr" / "rf1.arff").is_file():
        pytest.skip(f"Mulan ARFF files not found in {path}")
    return path
