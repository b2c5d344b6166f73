"""Shared low-rank linear representation learned by two-phase gradient descent."""

import numbers
import warnings

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..base import MultiTaskLinearModel, task_offsets
from ..utils._validation import _check_2d, _split_task_column
from ._design import build_design, choose_rank
from ._solvers import (
    GROWTH_GUARD,
    altmin,
    canonical_factors,
    statistical_floor,
    tpgd,
)

__all__ = ["SharedRepresentationRegressor"]


def _flagged(info):
    """Whether a TPGD fit drifted or grew more than GROWTH_GUARD in phase II."""
    return bool(info["diverged"]) or info["phase2_growth"] > GROWTH_GUARD


def _final_loss(info):
    curve = info["loss_curve"]
    return curve[-1] if len(curve) else np.inf


class _Projection(TransformerMixin, BaseEstimator):
    """Fixed linear map ``x -> components @ x`` (the frozen representation).

    Parameters
    ----------
    components : ndarray of shape (k, n_features)
        Rows span the representation.
    drop_column : int or None, default=None
        Position of a column of X to ignore (a task column), if any.
    """

    def __init__(self, components, drop_column=None):
        self.components = components
        self.drop_column = drop_column

    def fit(self, X, y=None):
        """Check ``X``; nothing is learned."""
        self._features(X)
        return self

    def _features(self, X):
        X = check_array(X, dtype=np.float64)
        if self.drop_column is not None:
            X = np.delete(X, self.drop_column, axis=1)
        k, d = np.shape(self.components)
        if X.shape[1] != d:
            raise ValueError(
                f"X has {X.shape[1]} feature columns but the representation was "
                f"learned on {d}."
            )
        return X

    def transform(self, X):
        """Project ``X`` onto the representation, shape (n_samples, k)."""
        return self._features(X) @ np.asarray(self.components).T


class SharedRepresentationRegressor(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, MultiTaskLinearModel
):
    r"""Tasks sharing a low-dimensional linear representation (TPGD or AltMin).

    Task ``t`` is modelled as ``y = x^T B w_t + b_t + noise`` with a basis ``B``
    of shape (n_features, n_components) shared by all tasks and a small head
    ``w_t`` per task, i.e. the coefficient matrix ``W = [B w_1, ..., B w_T]``
    has rank ``n_components``. With ``n_t`` the task's (weighted) number of
    labelled samples the objective is the rank-constrained least squares

    .. math::

        \min_{B, w_1, \dots, w_T, b} \; \sum_{t=1}^{T} \frac{1}{2 n_t}
        \sum_{i \in t} s_i \, (y_{it} - x_i^\top B w_t - b_t)^2 .

    ``solver='tpgd'`` is Algorithm 1 (two-phase gradient descent) of Ding, Du
    & Fang (2026): from a small imbalanced random start (entries of ``B`` and
    ``W`` drawn ``N(0, 1/d)``, scaled by ``init_scale * sqrt(sigma_1)`` and a
    third of that), phase I is plain
    simultaneous gradient descent on the loss; phase II adds the balancing
    term ``(1/8) ||B^T B - W W^T||_F^2``. It reaches the statistical error
    ``sigma^2 k (d + T - k) / (N T)`` of the rank-``k`` least-squares estimate
    in a number of iterations that does not grow with ``d``, ``T`` or ``N``.
    ``solver='altmin'`` is the usual alternating baseline (AltMinGD/FedRep):
    exact least-squares heads, then one exactly line-searched gradient step on
    the basis followed by QR re-orthonormalisation.

    Parameters
    ----------
    n_components : int or 'auto', default='auto'
        Dimension ``k`` of the shared representation (at most
        ``min(n_features, n_tasks)``). ``'auto'`` counts the singular values of
        the whitened per-task moment matrix ``S^{-1/2} [X_t^T y_t / n_t]_t``
        (``S`` the mean within-task covariance) that rise above the edge of the
        noise spectrum, ``1.05 sqrt(mean_t Var(y_t) / n_t) (sqrt(d) + sqrt(T))``;
        see Notes. ``n_components`` can also be tuned with
        :class:`~sklearn.model_selection.GridSearchCV`.
    solver : {'tpgd', 'altmin'}, default='tpgd'
        Optimisation algorithm.
    init : {'auto', 'random', 'svd', 'moments'}, default='auto'
        Start. ``'random'``: TPGD's small imbalanced random start (for
        ``'altmin'`` a random orthonormal basis). ``'svd'``: top left singular
        vectors of the moment matrix ``[X_t^T y_t / n_t]_t``. ``'moments'``:
        the method of moments of Tripuraneni, Jin & Jordan (2021), top
        eigenvectors of ``mean_t X_t^T diag(y_t^2) X_t / n_t``. With ``'svd'``
        or ``'moments'``, TPGD starts from the balanced factors of the
        least-squares heads on that basis and runs phase II only. ``'auto'`` is
        ``'random'`` for TPGD and ``'svd'`` for AltMin (from ``'moments'``,
        AltMin drifted on 1 of 5 seeds at ``d = 400``, 100 samples per task,
        and needed more iterations on the others).
    max_iter : int, default=5000
        Maximum number of iterations (both phases of TPGD together).
    tol : 'auto' or float, default='auto'
        Stop when the relative change of the iterate falls below a threshold:
        ``||step||_F / ||(B, W)||_F`` for TPGD (the gradient norm times the
        step size, relative to the factors; checked in phase II), and
        ``||U_+ H_+^T - U H^T||_F / ||H_+||_F`` for AltMin. A float is the
        threshold. ``'auto'`` stops at ``max(1e-4, 0.01 * r)``, where ``r`` is
        the relative statistical error of the fitted values estimated from
        the current loss (noise variance from the residuals with ``p = k (d +
        T - k)`` parameters, plus ``T`` intercepts, and ``n`` effective
        samples in all; ``r^2 = 2 L p / ((n - p) (sum_t Var(y_t) - 2 L))``
        for the per-task normalised loss ``L``): optimising further changes
        the fit by less than 1% of its statistical error. With fewer samples
        per task than features, where the optimisation converges slowly and
        the statistical error is large, this saves the iterations spent on
        digits that do not matter (on Gaussian designs with ``d = 400``,
        ``k = 3``, 20 tasks of 100 samples: 69 iterations instead of 86 at
        the same error, 3.62 and 3.67 times the rate; when the rule was
        introduced the error was within 1% of the error of fits run to
        ``tol=1e-6``); with ``n <= p`` it is ``1e-4``.
        TPGD with ``phase2='gd'`` uses ``1e-4``: a gradient step underestimates
        the distance to the optimum by about the condition number, and the
        rule there made the error 15% larger at ``d = 400``.
    step_size : 'auto', float or tuple of two floats, default='auto'
        TPGD step sizes as multiples of ``1 / sigma_1``, where ``sigma_1`` is
        the top singular value of ``[X_t^T y_t / n_t]_t`` (an estimate of the
        top singular value of the coefficient matrix). A float applies to both
        phases, a tuple gives ``(phase I, phase II)``; ``'auto'`` is
        ``(0.5, 0.5)`` (on Gaussian designs this needs half the iterations of
        the ``0.2`` of the paper's reproduction, with the same error and no
        halving). A step that would increase the objective is halved (and
        allowed to double back every 10 iterations).
    init_scale : float, default=0.05
        Scale of TPGD's random start relative to ``sqrt(sigma_1)``.
    phase1_iter : int or 'auto', default='auto'
        Length of TPGD's phase I. Algorithm 1 of the paper uses
        ``max_iter // 2``. ``'auto'`` ends phase I as soon as every component
        has escaped the small start (the k-th singular value ``s_k`` of
        ``B W^T`` has grown at least 10-fold and by less than 1% over the last
        10 iterations; 10% with ``phase2='lbfgs'``), and after ``max_iter //
        2`` iterations at the latest. With ``phase2='lbfgs'`` it also ends
        when the escape is over by extrapolation: if ``s_k`` first reached
        10 times its start after ``t_10`` iterations, after ``ceil(t_10
        log10(sigma_1 / s_k(0)))`` iterations (the time a geometric growth at
        that rate takes to reach the signal scale ``sigma_1``). That bound
        follows the escape rate, not the conditioning of the loss; see
        Notes.
    phase2 : {'lbfgs', 'gd'}, default='lbfgs'
        TPGD's phase II: ``'gd'`` is the paper's gradient descent on the
        balanced objective; ``'lbfgs'`` minimises the same objective by
        L-BFGS (same stopping rule) and ends phase I as soon as every
        component has escaped. With fewer samples per task than features the
        loss is badly conditioned in ``B`` and gradient descent's iterations
        grow with ``d`` (at ``d = 400``, ``N = 100``, ``T = 20``, ``k = 3``:
        338 iterations against 46 at ``d = 50``); L-BFGS needs 86 there
        with ``tol=1e-4`` (36 at ``d = 50``).
    fit_intercept : bool, default=True
        Whether to fit one unpenalised intercept per task (data are centred
        per task).
    task_column : int, str or None, default=None
        ``None`` for wide data ``(X, Y)``; otherwise the position or DataFrame
        name of the task-id column of ``X`` (long data).
    random_state : int, RandomState instance or None, default=None
        Seed of the random start.
    verbose : int, default=0
        Print the loss every 50 iterations when positive.

    Attributes
    ----------
    n_components_ : int
        Dimension of the learned representation.
    components_ : ndarray of shape (n_components_, n_features)
        Orthonormal basis of the shared subspace, ordered by the singular
        values of the coefficient matrix.
    task_embeddings_ : ndarray of shape (n_tasks, n_components_)
        Head of every task in that basis.
    singular_values_ : ndarray of shape (n_components_,)
        Singular values of ``coef_``.
    coef_ : ndarray of shape (n_tasks, n_features)
        ``task_embeddings_ @ components_``.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of each task.
    n_iter_ : int
        Iterations of the fit kept (the re-run from the spectral start when
        ``restarted_`` and it reached the lower loss).
    n_iter_total_ : int
        Iterations of all the fits run: ``n_iter_`` plus, when
        ``restarted_``, those of the other fit.
    restarted_ : bool
        Whether TPGD from the random start drifted or grew ``||coef_||_F``
        more than 1.9-fold in phase II, and was re-run from the spectral start
        (``init='svd'``); the fit with the lower loss is kept. See Notes.
    phase2_growth_ : float
        TPGD: ``||coef_||_F`` of the fit kept over its value when its phase II
        began (``nan`` for AltMin, and from a random start with
        ``phase1_iter`` an int, where the guard is off).
    loss_curve_ : ndarray of shape (n_iter_,)
        The loss (without the balancing term) after every iteration.
    stop_crit_ : float
        Final relative change compared with the threshold of ``tol``.
    stop_threshold_ : float
        The threshold it was compared with at the end (``tol`` itself when a
        float).
    rank_threshold_ : float
        With ``n_components='auto'``, the threshold ``1.05 (sqrt(d_eff) +
        sqrt(T))`` the singular values of the whitened, column-scaled moment
        matrix were compared with.
    tasks_ : ndarray of shape (n_tasks,)
        Task ids (``arange(n_tasks)`` for wide data).
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    See Also
    --------
    skmtl.linear.PerTaskRidge : the single-task baseline.

    Notes
    -----
    The data-driven rank (``n_components='auto'``): column ``t`` of
    ``R = [X_t^T y_t / n_t]_t`` estimates ``S_t theta_t``. After whitening by
    the mean covariance ``S`` (pseudo-inverse square root on its range, of
    dimension ``d_eff``), ``S^{-1/2} R`` is the signal ``S^{1/2} Theta`` plus a
    noise matrix whose entries have variance about ``Var(y_t) / n_t`` (label
    noise plus the fluctuation of the sample covariance). Dividing column ``t``
    by ``sqrt(Var(y_t) / n_t)`` keeps the rank of the signal and gives noise
    of unit variance, whose singular values stay below ``sqrt(d_eff) +
    sqrt(T)`` (Marchenko-Pastur edge). ``n_components_`` is the number of
    singular values above 1.05 times this edge (at least 1): the directions
    detectable from the data. The margin: on the Gaussian designs of
    ``benchmarks/bench_tpgd.py`` (``d`` 50-400, ``T`` 20-160, ``N`` 100-800,
    including ``N < d``), the largest noise singular value stayed below 0.98
    times the edge, while a real component at ``d = 400, N = 100`` came out
    at 1.09 times it (missed with the former margin 1.1, which cost 25x the
    error of the true rank). It needs no per-task least squares, so it works
    when ``n_t < d``. ``n_t`` is
    the effective sample size ``(sum s)^2 / sum s^2`` with sample weights.

    ``tol`` only ends phase II of TPGD; phase I ends by ``phase1_iter``.
    ``n_iter_`` counts the iterations of both phases (one L-BFGS iteration
    counts one, whatever its line search costs). With fewer samples per
    task than features the gradient steps of phase I keep growing ``s_k``
    slowly long after the escape (the loss is badly conditioned), so the
    rule "``s_k`` grows by less than 10% over 10 iterations" alone ended
    phase I after 50-70 iterations at ``d = 400``, ``N = 100`` (30-40 at
    ``d = 50``); the extrapolated bound ends it after 28-36 there (21-40 at
    ``d = 50``), and the fit takes 69 iterations on average there instead of
    87, at the same error (``benchmarks/bench_tpgd.py``, section 6).
    A guard against a drift that ``tol`` does not see (TPGD from a random
    start, ``init='random'`` or ``'auto'``, with ``phase1_iter='auto'``):
    with fewer samples per task than features, a start can lead phase II to
    a fit at a higher loss where one component keeps growing into directions
    that some tasks' samples do not constrain; the relative change falls
    below the threshold of
    ``tol='auto'`` while ``||coef_||_F`` still grows, before the drift check
    (tripled, and still growing by 20% over 50 iterations at a flat loss)
    sees it. At ``d = 400``, ``k = 3``, 20 tasks of 100 samples, 3 of 25 fits
    (5 data sets x 5 random starts) ended so, at 700-960 times the
    statistical rate and 4-12 times the loss of the good fit, without a
    warning. Their norm had grown 2.6-3.1-fold since phase II began, the
    good fits' 1.15-1.28-fold (at ``d = 100-200``, ``N = 25-50``, the same
    ratio ``d k / (N T) = 0.6``: good fits at most 1.5-fold, drifting ones
    1.98-4.6-fold). So when the norm grows more than 1.9-fold in phase II,
    or the drift check fires, the fit is re-run from the spectral
    start and the one with the lower loss is kept (``restarted_``,
    ``n_iter_total_``); there the three fits came back at the good fit's
    error (4.2 times the rate) without a warning. The re-run itself is only
    checked for a drift (from the spectral start, whose heads are shrunk at
    ``N < d``, good fits grow up to 2-fold); a ``ConvergenceWarning`` remains
    when the fit kept drifted. When the random start keeps the lower loss,
    its growth was a slow convergence, not a drift at a higher loss, and it
    is kept without a warning. On School (standardised features, 1, 2, 3, 5
    and 8 components, 5 random starts each) the norm of random-start fits
    grows 1.0-3.4-fold in phase II (slow convergence on noisy data; the guard
    does not separate it from a drift there): 7 of 25 fits were re-run, the
    re-run reached a lower loss in 5 of them (by 0.1-0.5%), and the 7 took
    1.3-1.6 times the iterations of a single fit.
    The guard does not cover ``phase2='gd'``: its phase I runs until ``s_k``
    stops growing, so phase II starts nearer the final norm, and from the
    same three starts it ends on the drift (400-680 times the rate) after a
    growth of only 1.39-1.70-fold, inside the 1.15-1.83-fold of its fits on
    School.
    For badly scaled or strongly correlated features, standardise them
    first (the step sizes assume roughly isotropic features; the halving
    safeguard keeps the descent monotone otherwise, at the cost of more
    iterations).

    References
    ----------
    S. Ding, F. Du, C. Fang, "Near-optimal and efficient first-order algorithm
    for multi-task learning with shared linear representation", ICML 2026,
    arXiv:2605.00473.

    N. Tripuraneni, C. Jin, M. I. Jordan, "Provable meta-learning of linear
    representations", ICML 2021.

    K. K. Thekumparampil, P. Jain, P. Netrapalli, S. Oh, "Statistically and
    computationally efficient linear meta-representation learning", NeurIPS
    2021.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.representation import SharedRepresentationRegressor
    >>> X, Y = make_multitask_regression(200, 20, 10, structure="low_rank",
    ...                                  rank=2, noise=0.1, random_state=0)
    >>> model = SharedRepresentationRegressor(random_state=0).fit(X, Y)
    >>> model.n_components_, model.components_.shape
    (2, (2, 20))
    >>> model.transform(X).shape
    (200, 2)
    """

    _parameter_constraints = {
        "n_components": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "solver": [StrOptions({"tpgd", "altmin"})],
        "init": [StrOptions({"auto", "random", "svd", "moments"})],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [StrOptions({"auto"}), Interval(numbers.Real, 0, None, closed="left")],
        "step_size": [
            StrOptions({"auto"}),
            Interval(numbers.Real, 0, None, closed="neither"),
            tuple,
        ],
        "init_scale": [Interval(numbers.Real, 0, None, closed="neither")],
        "phase1_iter": [
            Interval(numbers.Integral, 0, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "phase2": [StrOptions({"lbfgs", "gd"})],
        "fit_intercept": ["boolean"],
        "task_column": [None, numbers.Integral, str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components="auto",
        *,
        solver="tpgd",
        init="auto",
        max_iter=5000,
        tol="auto",
        step_size="auto",
        init_scale=0.05,
        phase1_iter="auto",
        phase2="lbfgs",
        fit_intercept=True,
        task_column=None,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.solver = solver
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.step_size = step_size
        self.init_scale = init_scale
        self.phase1_iter = phase1_iter
        self.phase2 = phase2
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.random_state = random_state
        self.verbose = verbose

    def _step_sizes(self):
        step = self.step_size
        if isinstance(step, str):
            return (0.5, 0.5)
        if isinstance(step, tuple):
            if len(step) != 2 or not all(
                isinstance(s, numbers.Real) and s > 0 for s in step
            ):
                raise ValueError(
                    "step_size as a tuple must hold two positive floats (phase I, "
                    f"phase II); got {step!r}."
                )
            return tuple(float(s) for s in step)
        return (float(step), float(step))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the shared representation and the task heads.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        self : SharedRepresentationRegressor
            Fitted estimator.
        """
        steps = self._step_sizes()
        data = self._validate_fit(X, y, sample_weight)
        d, T = data.n_features, data.n_tasks
        init = self.init
        if init == "auto":
            init = "random" if self.solver == "tpgd" else "svd"
        X_offset, y_offset = task_offsets(data, self.fit_intercept)
        design = build_design(data, X_offset, y_offset, moments=init == "moments")
        n_eff = np.array(
            [w.sum() ** 2 / np.dot(w, w) for _, _, _, w in data.iter_tasks()]
        )
        if self.n_components == "auto":
            k, _, self.rank_threshold_ = choose_rank(design, n_eff)
        else:
            k = int(self.n_components)
            if k > min(d, T):
                raise ValueError(
                    f"n_components={k} must be at most min(n_features, n_tasks) = "
                    f"min({d}, {T}) = {min(d, T)}: a shared representation of "
                    "higher dimension is not identifiable. Lower n_components or "
                    "use n_components='auto'."
                )
        rng = check_random_state(self.random_state)
        if self.tol == "auto":
            tol, stat_tol = 1e-4, 0.01
            floor = statistical_floor(
                design, k, n_eff.sum(), fit_intercept=self.fit_intercept
            )
        else:
            tol, stat_tol, floor = self.tol, 0.0, None
        common = dict(
            max_iter=self.max_iter,
            tol=tol,
            stat_tol=stat_tol,
            floor=floor,
            init=init,
            rng=rng,
            verbose=self.verbose,
        )
        self.restarted_ = False
        if self.solver == "tpgd":

            def run(start):
                return tpgd(
                    design,
                    k,
                    step_size=steps,
                    init_scale=self.init_scale,
                    phase1_iter=self.phase1_iter,
                    phase2=self.phase2,
                    **{**common, "init": start},
                )

            B, W, info = run(init)
            n_all = info["n_iter"]
            if init == "random" and _flagged(info):
                # a drift, or growth the drift check may not have seen yet:
                # re-run from the spectral start, keep the lower loss
                self.restarted_ = True
                B2, W2, info2 = run("svd")  # checked for a drift only
                n_all += info2["n_iter"]
                if _final_loss(info2) <= _final_loss(info):
                    B, W, info = B2, W2, info2
        else:
            B, W, info = altmin(design, k, **common)
            n_all = info["n_iter"]
        components, embeddings, singular_values = canonical_factors(B, W)
        self.n_components_ = k
        self.components_ = components
        self.task_embeddings_ = embeddings
        self.singular_values_ = singular_values
        self.coef_ = embeddings @ components
        self._set_intercept(X_offset, y_offset)
        self.n_iter_ = info["n_iter"]
        self.loss_curve_ = info["loss_curve"]
        self.stop_crit_ = info["stop_crit"]
        self.stop_threshold_ = info["threshold"]
        self.n_iter_total_ = n_all
        self.phase2_growth_ = float(info.get("phase2_growth", np.nan))
        if info["diverged"]:
            warnings.warn(
                f"{type(self).__name__} (solver={self.solver!r}) stopped at "
                f"iteration {self.n_iter_}, diverging: ||coef_||_F tripled and "
                "still grew by more than 20% over the last 50 iterations while "
                "the loss hardly changed. A component is fitting directions "
                "that some tasks' samples do not constrain (fewer samples per "
                "task than features), and coef_ is not a usable estimate. Try "
                "n_components='auto' or another number of components, "
                + (
                    "solver='tpgd', or init='svd'."
                    if self.solver == "altmin"
                    else "or standardised features."
                ),
                ConvergenceWarning,
            )
        elif not info["converged"]:
            warnings.warn(
                f"{type(self).__name__} (solver={self.solver!r}) did not converge "
                f"in max_iter={self.max_iter} iterations: the relative change of "
                f"the iterate is {info['stop_crit']:.3e}, above the threshold "
                f"{info['threshold']:.3e} (tol={self.tol!r}). "
                "Increase max_iter, or standardise the features.",
                ConvergenceWarning,
            )
        return self

    @property
    def _n_features_out(self):
        return self.n_components_

    def _features(self, X):
        """Feature columns of X (task column dropped), validated."""
        check_is_fitted(self)
        _check_2d(X)
        validate_data(self, X, reset=False, skip_check_array=True)
        if self._layout == "long":
            X, _ = _split_task_column(X, self._task_col)
        return check_array(X, dtype=(np.float64, np.float32), input_name="X")

    def transform(self, X):
        """Map inputs to the learned ``n_components_``-dim representation.

        The map is linear, ``z = components_ @ x`` (no centring), so it can feed
        a downstream model in a Pipeline. For a model fitted on long data, ``X``
        carries its task column (ids not seen in fit are fine) and only the
        feature columns are projected.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_columns)
            Inputs, as in fit.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components_)
            Coordinates in the shared basis.
        """
        return self._features(X) @ self.components_.T

    def fit_new_task(self, X, y, *, alpha=0.0, sample_weight=None):
        """Fit a new task on the frozen representation (transfer).

        The basis ``components_`` is kept fixed and only the new task's head
        (``n_components_`` weights and an intercept if ``fit_intercept``) is
        fitted, in closed form: least squares when ``alpha == 0``, otherwise
        ridge with scikit-learn's scaling ``||y - Z h||^2 + alpha ||h||^2`` on
        ``Z = X @ components_.T``. A few samples per new task suffice because
        only ``n_components_`` parameters are learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, \
                n_features_in_)
            Inputs of the new task: the feature columns, or the same columns
            as in fit (the task column is then ignored).
        y : array-like of shape (n_samples,)
            Targets of the new task.
        alpha : float, default=0.0
            Ridge strength of the head.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        estimator : sklearn.pipeline.Pipeline
            Fitted single-task regressor: the frozen projection (step
            ``'representation'``) followed by the head (step ``'head'``, a
            :class:`~sklearn.linear_model.LinearRegression` or
            :class:`~sklearn.linear_model.Ridge`).
        """
        check_is_fitted(self)
        n_columns = np.shape(X)[1] if np.ndim(X) == 2 else None
        d = self.components_.shape[1]
        drop = None
        if (
            self._layout == "long"
            and n_columns == self.n_features_in_
            and n_columns != d
        ):
            drop = self._task_col
        if alpha < 0:
            raise ValueError(f"alpha must be >= 0; got {alpha}.")
        head = (
            LinearRegression(fit_intercept=self.fit_intercept)
            if alpha == 0
            else Ridge(alpha=alpha, fit_intercept=self.fit_intercept)
        )
        pipe = Pipeline(
            [
                ("representation", _Projection(self.components_.copy(), drop)),
                ("head", head),
            ]
        )
        params = {} if sample_weight is None else {"head__sample_weight": sample_weight}
        return pipe.fit(X, y, **params)
