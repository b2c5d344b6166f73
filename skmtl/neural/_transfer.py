"""The shared representation of a fitted multi-task net, and a frozen copy of it.

:func:`shared_representation` is what every task reads before its own
parameters: the trunk of a shared-bottom net, the outputs of the shared
experts side by side (MMoE; PLE's last level), the trunk layers without the
task-pair modules (MAMO: the path a task without modules takes).
:class:`FrozenTrunk` holds a copy of that part of a fitted net as a
scikit-learn transformer, the first step of the pipelines that
``fit_new_task`` returns.
"""

import copy

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from ..utils._validation import _split_task_column
from ._base_neural import _torch

__all__ = [
    "FrozenTrunk",
    "PriorRidge",
    "mean_head",
    "representation_width",
    "shared_representation",
]


def _stacked(E):
    """(n_members, batch, width) -> (batch, n_members * width), member-major."""
    return E.transpose(0, 1).reshape(E.shape[1], -1)


def shared_representation(module, X):
    """The representation shared by all tasks of ``module`` for a batch ``X``.

    Parameters
    ----------
    module : SharedBottom, MMoE, PLE or MAMONet
        A multi-task module of :mod:`skmtl.neural`.
    X : torch.Tensor of shape (batch, n_features)
        Inputs.

    Returns
    -------
    Z : torch.Tensor of shape (batch, representation_width(module))
        Shared-bottom: the trunk's output. MMoE: every expert's output, side
        by side (each task's gate mixes these). PLE: the last level's shared
        experts, side by side. MAMO: the trunk layers without the task-pair
        modules.
    """
    from ._gmk import MAMONet
    from ._modules import PLE, MMoE, SharedBottom

    if isinstance(module, SharedBottom):
        return module.trunk(X)
    if isinstance(module, MMoE):
        return _stacked(module.experts(X))
    if isinstance(module, PLE):
        task_inputs, shared = X, X
        for level in module.levels[:-1]:
            task_inputs, shared = level(task_inputs, shared)
        return _stacked(module.levels[-1].shared_experts(shared))
    if isinstance(module, MAMONet):
        h = X
        for layer in module.layers:
            h = module.drop(module.act(layer(h)))
        return h
    raise TypeError(f"No shared representation for a {type(module).__name__}.")


def representation_width(module):
    """Number of columns of :func:`shared_representation` for ``module``."""
    from ._modules import PLE, MMoE

    if isinstance(module, PLE):
        last = module.levels[-1].shared_experts
        return int(last.n * last.layers[-1].n_out)
    heads = module.heads  # a trunk or an expert feeds the heads
    width = (
        heads.weight.shape[1] if heads.hidden is None else heads.hidden.layers[0].n_in
    )
    return int(width * (module.experts.n if isinstance(module, MMoE) else 1))


def transform_batches(module, X, batch_size):
    """:func:`shared_representation` of a float array, in batches (float32).

    The net computes in float32, and so is its representation (half the
    memory of float64; a wider type would only pad the digits).
    """
    torch = _torch()
    device = next(module.parameters()).device
    Xf = np.ascontiguousarray(X, dtype=np.float32)
    out = np.empty((len(Xf), representation_width(module)), dtype=np.float32)
    was_training = module.training
    module.train(False)
    try:
        with torch.no_grad():
            for start in range(0, len(Xf), batch_size):
                xb = torch.from_numpy(Xf[start : start + batch_size]).to(device)
                out[start : start + len(xb)] = (
                    shared_representation(module, xb).cpu().numpy()
                )
    finally:
        module.train(was_training)
    return out


class FrozenTrunk(TransformerMixin, BaseEstimator):
    """A fitted net's shared representation, frozen, as a transformer.

    ``fit`` checks ``X`` and learns nothing; ``transform`` maps it through a
    copy of the shared part of the net (see :func:`shared_representation`),
    made when the transformer is built, so later fits of the multi-task model
    do not change it.

    Parameters
    ----------
    module : torch.nn.Module
        The fitted multi-task module (copied).
    n_features : int
        Feature columns the module reads.
    drop_column : int or None, default=None
        Position of a column of X to ignore (a task column), if any.
    batch_size : int, default=65536
        Rows per forward pass.
    """

    def __init__(self, module, n_features, drop_column=None, batch_size=65536):
        self.module = module
        self.n_features = n_features
        self.drop_column = drop_column
        self.batch_size = batch_size

    def fit(self, X, y=None):
        """Check ``X`` and copy the module; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Inputs.
        y : None
            Ignored.

        Returns
        -------
        self : object
            This transformer.
        """
        self._features(X)
        self.module_ = copy.deepcopy(self.module).eval()
        for p in self.module_.parameters():
            p.requires_grad_(False)
        self.n_features_out_ = representation_width(self.module_)
        return self

    def _features(self, X):
        if self.drop_column is not None:  # task ids may be of any type
            X, _ = _split_task_column(X, self.drop_column)
        X = check_array(X, dtype=(np.float64, np.float32), input_name="X")
        if X.shape[1] != self.n_features:
            raise ValueError(
                f"X has {X.shape[1]} feature columns but the representation was "
                f"learned on {self.n_features}."
            )
        return X

    def transform(self, X):
        """Map ``X`` to the frozen representation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Inputs.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_features_out_), dtype float32
            The shared representation of each row.
        """
        return transform_batches(self.module_, self._features(X), self.batch_size)


def mean_head(estimator):
    """Mean over the regression tasks of the heads, on the targets' scale.

    Task ``t`` predicts ``(z . w_t + b_t) * y_scale_t + y_mean_t`` from the
    representation ``z``; the mean head is ``(mean_t w_t y_scale_t, mean_t
    (b_t y_scale_t + y_mean_t))``, whose prediction is the mean of the tasks'
    predictions. Only where every head is one linear map of
    :func:`shared_representation` (shared-bottom and MAMO nets without
    ``head_layer_sizes``; the MAMO tasks with modules read another
    representation and are left out).
    """
    from ._gmk import MAMONet
    from ._modules import SharedBottom

    module = estimator.net_.module_
    linear = module.heads.hidden is None
    if not (linear and isinstance(module, SharedBottom | MAMONet)):
        raise ValueError(
            "prior='mean' needs heads that are linear maps of the shared "
            "representation: architecture='shared_bottom' (or MAMO) with empty "
            "head_layer_sizes; use prior=None."
        )
    with_modules = {t for _, i, j in getattr(module, "gmk_layout", []) for t in (i, j)}
    off = estimator._offsets()
    tasks = [
        t
        for t, kind in enumerate(estimator.task_types_)
        if kind == "regression" and t not in with_modules
    ]
    if not tasks:
        raise ValueError(
            "prior='mean' averages the regression heads that read the shared "
            "representation; this model has none."
        )
    W = module.heads.weight.detach().cpu().numpy().astype(np.float64)
    b = module.heads.bias.detach().cpu().numpy().astype(np.float64)
    rows = off[tasks]
    scale, mean = estimator.y_scale_[tasks], estimator.y_mean_[tasks]
    coef = (W[rows] * scale[:, None]).mean(axis=0)
    intercept = float(np.mean(b[rows] * scale + mean))
    return coef, intercept


class PriorRidge(RegressorMixin, BaseEstimator):
    """Ridge regression shrunk toward given coefficients and intercept.

    Minimises ``sum_i s_i (y_i - z_i . h - c)^2 + alpha (||h - coef_prior||^2
    + (c - intercept_prior)^2)`` in closed form (minimum-norm least squares
    on the deviation from the prior when ``alpha == 0``): a large ``alpha``
    keeps the prior, the few samples of a new task move it.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the pull toward the prior.
    coef_prior : ndarray of shape (n_features,), default=None
        Prior coefficients (zeros when None).
    intercept_prior : float, default=0.0
        Prior intercept.
    """

    def __init__(self, alpha=1.0, coef_prior=None, intercept_prior=0.0):
        self.alpha = alpha
        self.coef_prior = coef_prior
        self.intercept_prior = intercept_prior

    def fit(self, X, y, sample_weight=None):
        """Solve the penalised least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features (the representation).
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights ``s_i``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        s = _check_sample_weight(sample_weight, X, dtype=np.float64)
        d = X.shape[1]
        prior = np.zeros(d) if self.coef_prior is None else self.coef_prior
        p = np.r_[np.asarray(prior, dtype=np.float64), float(self.intercept_prior)]
        if len(p) != d + 1:
            raise ValueError(f"coef_prior has {len(p) - 1} entries; X has {d}.")
        A = np.column_stack([X, np.ones(len(X))]) * np.sqrt(s)[:, None]
        r = (y - X @ p[:-1] - p[-1]) * np.sqrt(s)
        if self.alpha > 0:
            delta = np.linalg.solve(A.T @ A + self.alpha * np.eye(d + 1), A.T @ r)
        else:
            delta = np.linalg.lstsq(A, r, rcond=None)[0]
        self.coef_, self.intercept_ = p[:-1] + delta[:-1], float(p[-1] + delta[-1])
        return self

    def predict(self, X):
        """Linear predictions ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_
