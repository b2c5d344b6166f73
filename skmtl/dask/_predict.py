"""Lazy, blockwise predictions on dask collections."""

import numpy as np

from ..utils._optional import import_optional

__all__ = ["predict_dask"]


def _predict_block(block, estimator):
    return np.asarray(estimator.predict(block), dtype=np.float64)


def predict_dask(estimator, X):
    """Predictions of a fitted estimator on a dask collection, lazily.

    Each row block is predicted on its worker by the estimator's own
    ``predict``; nothing is computed until the result is.

    Parameters
    ----------
    estimator : fitted regressor
        Any skmtl multi-task regressor.
    X : dask Array or dask DataFrame of shape (n_samples, n_columns)
        Inputs, with the task column for models fitted on long data.

    Returns
    -------
    y_pred : dask Array of shape (n_samples, n_tasks) or (n_samples,)
        Predictions (every task for wide data, each row's own task for
        long data), with ``X``'s row chunks (a dask DataFrame gives a dask
        Series, or a DataFrame with one column per task).
    """
    long = getattr(estimator, "_layout", "wide") == "long"
    if hasattr(X, "map_partitions"):
        pd = import_optional("pandas", "dev")

        def frame_block(df, est):
            pred = _predict_block(df, est)
            if pred.ndim == 1:
                return pd.Series(pred, index=df.index)
            return pd.DataFrame(pred, index=df.index, columns=list(est.tasks_))

        meta = (
            pd.Series([], dtype=float)
            if long
            else pd.DataFrame({t: pd.Series([], dtype=float) for t in estimator.tasks_})
        )
        return X.map_partitions(frame_block, estimator, meta=meta)
    da = import_optional("dask.array", "dask")
    X = da.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Expected 2-D X; got a dask array of shape {X.shape}.")
    X = X.rechunk({1: -1})
    if long:
        return X.map_blocks(
            _predict_block,
            estimator,
            drop_axis=1,
            dtype=np.float64,
            meta=np.empty((0,)),
        )
    return X.map_blocks(
        _predict_block,
        estimator,
        chunks=(X.chunks[0], (estimator.n_tasks_,)),
        dtype=np.float64,
        meta=np.empty((0, 0)),
    )
