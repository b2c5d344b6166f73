"""A large synthetic long data set, written to Parquet chunk by chunk."""

import numbers
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ..utils._optional import import_optional

__all__ = ["make_multitask_parquet"]


@validate_params(
    {
        "path": [str, Path],
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_features": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_tasks": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_informative": [Interval(numbers.Integral, 1, None, closed="left")],
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
        "chunk_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_multitask_parquet(
    path,
    n_samples,
    n_features=20,
    n_tasks=100,
    *,
    n_informative=5,
    noise=1.0,
    chunk_size=1_000_000,
    random_state=None,
):
    """Write a long multi-task regression data set to Parquet, in chunks.

    Every row belongs to one task drawn uniformly at random; its target is
    ``y = x^T w_t + b_t + noise * e`` with Gaussian ``x`` and ``e``, task
    weights ``W`` (n_tasks, n_features) sharing ``n_informative`` active
    features (the group lasso's structure) and Gaussian intercepts ``b``.
    Rows are generated and written ``chunk_size`` at a time, one file per
    chunk (``part-00000.parquet``, ...), so the data set can be far larger
    than memory; read it back with ``dask.dataframe.read_parquet(path)``.

    Parameters
    ----------
    path : str or path-like
        Directory to write (created; existing ``part-*.parquet`` files in it
        are replaced).
    n_samples : int
        Rows in all.
    n_features : int, default=20
        Feature columns ``x0 ... x{n_features - 1}`` (float64).
    n_tasks : int, default=100
        Tasks; the ``task`` column holds ids ``0 ... n_tasks - 1`` (int64).
    n_informative : int, default=5
        Features active in every task.
    noise : float, default=1.0
        Standard deviation of the Gaussian noise on ``y``.
    chunk_size : int, default=1_000_000
        Rows per file (and the rows held in memory at a time).
    random_state : int, RandomState instance or None, default=None
        Seed of the weights and of every chunk.

    Returns
    -------
    info : Bunch
        ``files`` (list of paths), ``coef`` (n_tasks, n_features),
        ``intercept`` (n_tasks,), ``n_samples``, ``columns`` (the feature
        columns) and ``nbytes`` (the uncompressed size of the rows).

    Examples
    --------
    >>> import tempfile
    >>> from skmtl.datasets import make_multitask_parquet
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     info = make_multitask_parquet(tmp, 2500, n_features=3, n_tasks=4,
    ...                                   chunk_size=1000, random_state=0)
    ...     len(info.files), info.coef.shape
    (3, (4, 3))
    """
    pa = import_optional("pyarrow", "dask")
    pq = import_optional("pyarrow.parquet", "dask")
    rng = check_random_state(random_state)
    d, T = n_features, n_tasks
    k = min(n_informative, d)
    support = np.sort(rng.choice(d, size=k, replace=False))
    coef = np.zeros((T, d))
    coef[:, support] = rng.standard_normal((T, k))
    intercept = rng.standard_normal(T)
    seeds = rng.randint(0, 2**31 - 1, size=-(-n_samples // chunk_size))
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    columns = [f"x{j}" for j in range(d)]
    files = []
    for i, start in enumerate(range(0, n_samples, chunk_size)):
        n = min(chunk_size, n_samples - start)
        g = np.random.default_rng(seeds[i])
        tasks = g.integers(0, T, n)
        X = g.standard_normal((n, d))
        y = np.einsum("ij,ij->i", X, coef[tasks]) + intercept[tasks]
        y += noise * g.standard_normal(n)
        arrays = [pa.array(tasks), *(pa.array(X[:, j]) for j in range(d))]
        table = pa.table([*arrays, pa.array(y)], names=["task", *columns, "y"])
        file = out / f"part-{i:05d}.parquet"
        pq.write_table(table, file)
        files.append(str(file))
    return Bunch(
        files=files,
        coef=coef,
        intercept=intercept,
        n_samples=n_samples,
        columns=columns,
        nbytes=8 * n_samples * (d + 2),
    )
