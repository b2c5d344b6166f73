"""Cross-validation of the mean-regularised model over (alpha, beta) at once."""

import numbers

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import _fit_context
from sklearn.utils._param_validation import StrOptions

from ._composite import COMMON_CONSTRAINTS, CompositeRegressor
from ._trace_norm_cv import _subset, _validation_mse, cv_splits
from .datafits import Quadratic
from .datafits._gram import GramQuadratic, use_gram
from .penalties._smooth import NoPenalty, SmoothSum, mean_regularization
from .solvers._cg import ConjugateGradient

__all__ = ["MeanRegularizedMultiTaskCV"]


def _grid_fold_mse(data, train, test, alphas, betas, fit_intercept, max_iter, tol):
    """Validation error on one fold for every (alpha, beta); warm starts along
    beta for each alpha."""
    sub = _subset(data, train)
    datafit = Quadratic(fit_intercept).initialize(sub)
    if use_gram(sub):
        datafit = GramQuadratic(datafit)
    val = _subset(data, test)
    solver = ConjugateGradient(max_iter=max_iter, tol=tol)
    out = np.empty((len(alphas), len(betas)))
    for i, alpha in enumerate(alphas):
        W = np.zeros((sub.n_features, sub.n_tasks))
        for j, beta in enumerate(betas):
            smooth = mean_regularization(sub.n_tasks, alpha, beta)
            W, _, _ = solver.solve(SmoothSum(datafit, smooth), NoPenalty(), W)
            out[i, j] = _validation_mse(val, W.T, datafit.intercept(W))
    return out


class MeanRegularizedMultiTaskCV(CompositeRegressor):
    r"""Mean-regularised multi-task regression with ``alpha`` and ``beta`` by CV.

    Cross-validates :class:`MeanRegularizedMultiTask` (objective
    ``sum_t 1/(2 n_t) sum_{i in t} s_i (y_it - x_i^T w_t - b_t)^2 +
    alpha/2 sum_t ||w_t||^2 + beta/2 sum_t ||w_t - w_bar||^2``) over the
    whole ``alphas`` x ``betas`` grid at once, the two hyper-parameters that
    MALSAR and RMTL users tune by hand: on each fold, for each ``alpha``, the
    fits along increasing ``beta`` are warm-started from one another
    (conjugate gradient); folds run in parallel with ``n_jobs``. The
    validation error of a fold is the mean over tasks of each task's
    (weighted) mean squared error on its held-out rows. The model is then
    refitted on all the data with the best pair.

    Parameters
    ----------
    alphas : array-like, default=(1e-3, 1e-2, 1e-1, 1.0)
        Ridge strengths to try (>= 0).
    betas : array-like, default=(0.1, 1.0, 10.0, 100.0)
        Strengths of the pull to the mean task to try (>= 0).
    cv : int, cross-validation generator or iterable, default=5
        Folds over rows. An int gives a shuffled ``KFold`` for wide data and a
        shuffled ``StratifiedKFold`` on the task ids for long data.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib threads).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffled folds.
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task.
    task_column : int, str or None, default=None
        ``None`` for wide data; the position or name of the task-id column of
        ``X`` for long data.
    solver : {'auto', 'cg'}, default='auto'
        Conjugate gradient.
    solver_params : dict, default=None
        Unused; kept for a uniform interface.
    max_iter : int, default=1000
        Maximum number of iterations per fit.
    tol : float, default=1e-6
        Tolerance on the relative gradient norm of each fit.
    warm_start : bool, default=False
        Unused (the grid is always warm-started); kept for the interface.
    verbose : int, default=0
        Progress output.

    Attributes
    ----------
    alpha_ : float
        Chosen ``alpha``.
    beta_ : float
        Chosen ``beta``.
    alphas_ : ndarray of shape (n_alphas,)
        The ``alpha`` grid.
    betas_ : ndarray of shape (n_betas,)
        The ``beta`` grid (increasing).
    mse_path_ : ndarray of shape (n_alphas, n_betas, n_folds)
        Validation error of every pair on every fold.
    coef_ : ndarray of shape (n_tasks, n_features)
        Weights refitted on all the data.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts.
    n_iter_ : int
        Iterations of the final fit.
    stop_crit_ : float
        Relative optimality violation of the final fit.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids.
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names when ``X`` is a DataFrame with string column names.

    See Also
    --------
    MeanRegularizedMultiTask : the model for one pair.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.linear import MeanRegularizedMultiTaskCV
    >>> X, Y = make_multitask_regression(60, 8, 4, structure="clustered",
    ...                                  n_clusters=1, random_state=0)
    >>> model = MeanRegularizedMultiTaskCV(cv=3, random_state=0).fit(X, Y)
    >>> model.mse_path_.shape
    (4, 4, 3)
    """

    _auto_solver = "cg"

    _parameter_constraints = {
        "alphas": ["array-like"],
        "betas": ["array-like"],
        "cv": ["cv_object"],
        "n_jobs": [None, numbers.Integral],
        "random_state": ["random_state"],
        "solver": [StrOptions({"auto", "cg"})],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        alphas=(1e-3, 1e-2, 1e-1, 1.0),
        betas=(0.1, 1.0, 10.0, 100.0),
        cv=5,
        n_jobs=None,
        random_state=None,
        fit_intercept=True,
        task_column=None,
        solver="auto",
        solver_params=None,
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        verbose=0,
    ):
        self.alphas = alphas
        self.betas = betas
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.solver = solver
        self.solver_params = solver_params
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose

    @staticmethod
    def _grid(values, name):
        values = np.sort(np.asarray(values, dtype=float).ravel())
        if values.size == 0 or np.any(values < 0) or not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must be a non-empty list of values >= 0.")
        return values

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose ``(alpha, beta)`` by cross-validation, then refit.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        self : MeanRegularizedMultiTaskCV
            Fitted estimator.
        """
        data = self._validate_fit(X, y, sample_weight)
        alphas = self._grid(self.alphas, "alphas")
        betas = self._grid(self.betas, "betas")
        splits = cv_splits(self.cv, self.random_state, data)
        mse = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_grid_fold_mse)(
                data,
                tr,
                te,
                alphas,
                betas,
                self.fit_intercept,
                self.max_iter,
                self.tol,
            )
            for tr, te in splits
        )
        self.mse_path_ = np.stack(mse, axis=-1)
        self.alphas_, self.betas_ = alphas, betas
        i, j = np.unravel_index(
            np.argmin(self.mse_path_.mean(axis=-1)), (len(alphas), len(betas))
        )
        self.alpha_, self.beta_ = float(alphas[i]), float(betas[j])
        W, datafit = self._solve(data)
        self.coef_ = np.ascontiguousarray(W.T)
        self.intercept_ = datafit.intercept(W)
        return self

    def _build_problem(self, data, datafit):
        smooth = mean_regularization(data.n_tasks, self.alpha_, self.beta_)
        return SmoothSum(datafit, smooth), NoPenalty()
