"""Stacked single-target (SST) and ensembles of regressor chains (ERC).

Both methods of Spyromitros-Xioufis, Tsoumakas, Groves & Vlahavas, "Multi-target
regression via input space expansion: treating targets as inputs", Machine
Learning 104 (2016), in their out-of-sample ("cv") variants: the predictions
that augment the inputs of a second model are made out of fold, so the second
model learns from estimates of the quality it will see at prediction time.
"""

import numbers

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, check_cv
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted

from ..base import MultiTaskRegressorMixin
from ._per_task import check_weights_supported

__all__ = ["RegressorChainEnsemble", "StackedSingleTarget"]


def _fit_rows(base, X, y, rows, sample_weight):
    """A clone of ``base`` fitted on ``rows`` (with their weights, if any)."""
    if sample_weight is None:
        return clone(base).fit(X[rows], y[rows])
    return clone(base).fit(X[rows], y[rows], sample_weight=sample_weight[rows])


def _out_of_fold(base, X, y, labelled, splits, sample_weight, task):
    """Predictions for every row of ``X`` by models that did not see it.

    Fold ``k``'s model is fitted on the labelled rows of its training part.
    """
    pred = np.empty(X.shape[0])
    for train, test in splits:
        rows = train[labelled[train]]
        if rows.size == 0:
            raise ValueError(
                f"A training fold has no labels for task {task}: out-of-fold "
                "predictions need every task labelled in every training fold. "
                "Use fewer folds (cv=)."
            )
        model = _fit_rows(base, X, y, rows, sample_weight)
        pred[test] = model.predict(X[test])
    return pred


class _StackingBase(MultiTaskRegressorMixin, BaseEstimator):
    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "cv": ["cv_object"],
        "task_column": [None, numbers.Integral, str],
        "n_jobs": [None, numbers.Integral],
        "random_state": ["random_state"],
    }

    def _base(self):
        return Ridge() if self.estimator is None else self.estimator

    def _wide_data(self, X, y, sample_weight):
        if self.task_column is not None:
            raise ValueError(
                f"{type(self).__name__} needs wide data (task_column=None): it "
                "feeds the predictions of every target to the model of each "
                "target, so every row must belong to every task. Long data, "
                "where each row carries one task's label, has no such rows; use "
                "skmtl.meta.PerTaskRegressor or a multi-task model instead."
            )
        check_weights_supported(self._base(), sample_weight)
        data = self._validate_fit(X, y, sample_weight)
        X = data.X.toarray() if hasattr(data.X, "toarray") else np.asarray(data.X)
        labelled = ~np.isnan(data.y)
        cv = self.cv
        if isinstance(cv, numbers.Integral):
            # rows of real data sets are often ordered (Mulan's enb is sorted
            # by its inputs): unshuffled folds would make the stage-1
            # predictions by extrapolation, unlike the predictions at test time
            rng = check_random_state(self.random_state)
            cv = KFold(cv, shuffle=True, random_state=rng.randint(2**31 - 1))
        splits = list(check_cv(cv).split(X))
        self.n_tasks_ = data.n_tasks
        self.tasks_ = data.tasks
        return X, data.y, labelled, splits, data.sample_weight

    def _features(self, X):
        Xf, _ = self._validate_predict(X)
        return Xf.toarray() if hasattr(Xf, "toarray") else np.asarray(Xf)


class StackedSingleTarget(_StackingBase):
    r"""Stacked single-target regression (SST) with out-of-fold first stage.

    Stage 1 fits one model per target on the inputs ``X``. Stage 2 fits, for
    every target ``t``, a second model on ``[X, \hat Y]``, the inputs
    augmented with the stage-1 predictions of all targets, so that target
    ``t`` can use what the others reveal. The ``\hat Y`` that stage 2 learns
    from are out-of-fold predictions (folds of ``cv``), as at prediction
    time they come from models that did not see the row. Each model of a
    target is fitted on that target's labelled rows; a missing label never
    enters the augmented inputs (those hold predictions, defined for every
    row).

    Parameters
    ----------
    estimator : regressor, default=None
        The model of both stages (cloned per target and stage); ``None``
        means :class:`~sklearn.linear_model.Ridge`.
    cv : int, cross-validation generator or iterable, default=5
        Folds of the out-of-fold stage-1 predictions. An int is
        :class:`~sklearn.model_selection.KFold` with shuffling (seeded by
        ``random_state``): rows of real data sets are often ordered, and
        unshuffled folds then make the stage-1 predictions by extrapolation
        (on Mulan's ``enb``, sorted by its inputs, SST with boosting had 2.6
        times the aRRMSE of per-target boosting with unshuffled folds).
    task_column : None, default=None
        Only wide data: a not-None value raises an error that says why.
    n_jobs : int, default=None
        Targets fitted in parallel (joblib).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffled folds of an int ``cv``.

    Attributes
    ----------
    first_stage_ : list of estimators
        Stage-1 model of every target, fitted on all its labelled rows.
    estimators_ : list of estimators
        Stage-2 model of every target, on ``[X, \hat Y]``.
    oof_predictions_ : ndarray of shape (n_samples, n_tasks)
        The out-of-fold stage-1 predictions stage 2 was fitted on.
    n_tasks_ : int
        Number of targets.
    tasks_ : ndarray of shape (n_tasks,)
        ``arange(n_tasks)``.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    References
    ----------
    E. Spyromitros-Xioufis, G. Tsoumakas, W. Groves, I. Vlahavas, "Multi-target
    regression via input space expansion: treating targets as inputs",
    Machine Learning 104 (2016), 55-98.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.meta import StackedSingleTarget
    >>> X, Y = make_multitask_regression(100, 5, 3, random_state=0)
    >>> StackedSingleTarget(cv=3).fit(X, Y).predict(X).shape
    (100, 3)
    """

    def __init__(
        self, estimator=None, *, cv=5, task_column=None, n_jobs=None, random_state=None
    ):
        self.estimator = estimator
        self.cv = cv
        self.task_column = task_column
        self.n_jobs = n_jobs
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit both stages.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples, n_tasks)
            Targets, ``NaN`` for missing labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, passed to every model's ``fit``.

        Returns
        -------
        self : StackedSingleTarget
            Fitted estimator.
        """
        X, Y, labelled, splits, sw = self._wide_data(X, y, sample_weight)
        base = self._base()
        T = Y.shape[1]

        def stage1(t):
            model = _fit_rows(base, X, Y[:, t], labelled[:, t], sw)
            oof = _out_of_fold(base, X, Y[:, t], labelled[:, t], splits, sw, t)
            return model, oof

        first = Parallel(n_jobs=self.n_jobs)(delayed(stage1)(t) for t in range(T))
        self.first_stage_ = [m for m, _ in first]
        self.oof_predictions_ = np.column_stack([p for _, p in first])
        Z = np.hstack([X, self.oof_predictions_])

        def stage2(t):
            return _fit_rows(base, Z, Y[:, t], labelled[:, t], sw)

        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(stage2)(t) for t in range(T)
        )
        return self

    def _predict_codes(self, X):
        check_is_fitted(self)
        X = self._features(X)
        first = np.column_stack([m.predict(X) for m in self.first_stage_])
        Z = np.hstack([X, first])
        return np.column_stack([m.predict(Z) for m in self.estimators_]), None


class RegressorChainEnsemble(_StackingBase):
    r"""Ensemble of regressor chains (ERC) with out-of-fold chain inputs.

    A chain orders the targets ``t_1, ..., t_T``; the model of ``t_j`` is
    fitted on ``X`` augmented with the predictions of ``t_1 .. t_{j-1}``,
    and these are out-of-fold predictions of the chain's earlier models
    (folds of ``cv``), as at prediction time. ``n_chains`` random orders are
    fitted and their predictions averaged, so no single order decides. Each
    model is fitted on its target's labelled rows; a missing label never
    enters the augmented inputs (those hold predictions, defined for every
    row).

    Parameters
    ----------
    estimator : regressor, default=None
        The model of every link (cloned); ``None`` means
        :class:`~sklearn.linear_model.Ridge`.
    n_chains : int, default=10
        Number of random target orders (the paper's ensemble size), drawn
        independently (with few targets, some orders repeat).
    cv : int, cross-validation generator or iterable, default=5
        Folds of the out-of-fold chain inputs (an int: shuffled
        :class:`~sklearn.model_selection.KFold`, as in
        :class:`StackedSingleTarget`).
    task_column : None, default=None
        Only wide data: a not-None value raises an error that says why.
    n_jobs : int, default=None
        Chains fitted in parallel (joblib).
    random_state : int, RandomState instance or None, default=None
        Seed of the orders and of the shuffled folds of an int ``cv``.

    Attributes
    ----------
    orders_ : ndarray of shape (n_chains, n_tasks)
        The target order of every chain.
    chains_ : list of list of estimators
        ``chains_[c][j]`` predicts target ``orders_[c, j]``.
    n_tasks_ : int
        Number of targets.
    tasks_ : ndarray of shape (n_tasks,)
        ``arange(n_tasks)``.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    References
    ----------
    E. Spyromitros-Xioufis, G. Tsoumakas, W. Groves, I. Vlahavas, "Multi-target
    regression via input space expansion: treating targets as inputs",
    Machine Learning 104 (2016), 55-98.

    Examples
    --------
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.meta import RegressorChainEnsemble
    >>> X, Y = make_multitask_regression(100, 5, 3, random_state=0)
    >>> erc = RegressorChainEnsemble(n_chains=3, cv=3, random_state=0)
    >>> erc.fit(X, Y).orders_.shape
    (3, 3)
    """

    _parameter_constraints = {
        **_StackingBase._parameter_constraints,
        "n_chains": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_chains=10,
        cv=5,
        task_column=None,
        n_jobs=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_chains = n_chains
        self.cv = cv
        self.task_column = task_column
        self.n_jobs = n_jobs
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit ``n_chains`` chains.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples, n_tasks)
            Targets, ``NaN`` for missing labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, passed to every model's ``fit``.

        Returns
        -------
        self : RegressorChainEnsemble
            Fitted estimator.
        """
        X, Y, labelled, splits, sw = self._wide_data(X, y, sample_weight)
        base = self._base()
        T = Y.shape[1]
        rng = check_random_state(self.random_state)
        self.orders_ = np.array([rng.permutation(T) for _ in range(self.n_chains)])

        def chain(order):
            Z = X
            models = []
            for t in order:
                models.append(_fit_rows(base, Z, Y[:, t], labelled[:, t], sw))
                if len(models) < T:  # the last link feeds nothing
                    oof = _out_of_fold(base, Z, Y[:, t], labelled[:, t], splits, sw, t)
                    Z = np.column_stack([Z, oof])
            return models

        self.chains_ = Parallel(n_jobs=self.n_jobs)(
            delayed(chain)(order) for order in self.orders_
        )
        return self

    def _predict_codes(self, X):
        """The average of the chains' predictions (wide data: no codes)."""
        check_is_fitted(self)
        X = self._features(X)
        total = np.zeros((X.shape[0], self.n_tasks_))
        for order, models in zip(self.orders_, self.chains_, strict=True):
            Z = X
            for t, model in zip(order, models, strict=True):
                pred = model.predict(Z)
                total[:, t] += pred
                Z = np.column_stack([Z, pred])
        return total / len(self.chains_), None
