"""Any scikit-learn estimator, one clone per task, in skmtl's data model."""

import numbers

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    _fit_context,
    clone,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from ..base import MultiTaskMixin, MultiTaskRegressorMixin
from ..linear._classifier_base import _missing_mask

__all__ = ["PerTaskClassifier", "PerTaskRegressor"]


def check_weights_supported(estimator, sample_weight):
    """Error when weights are given to an estimator whose fit takes none."""
    if sample_weight is not None and not has_fit_parameter(estimator, "sample_weight"):
        raise ValueError(
            f"sample_weight was given, but {type(estimator).__name__}.fit takes "
            "no sample_weight; drop the weights or choose an estimator that "
            "accepts them."
        )


def _fit_one(estimator, X, y, sample_weight):
    if sample_weight is None:
        return estimator.fit(X, y)
    return estimator.fit(X, y, sample_weight=sample_weight)


class _PerTaskBase(MultiTaskMixin, BaseEstimator):
    """Fit a clone of ``estimator`` on every task's labelled rows."""

    _accept_sparse = ("csr", "csc")
    _parameter_constraints = {
        "estimator": [HasMethods(["fit"]), None],
        "task_column": [None, numbers.Integral, str],
        "n_jobs": [None, numbers.Integral],
    }

    def _default(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _base(self):
        return self._default() if self.estimator is None else self.estimator

    def _fit_tasks(self, data, targets):
        """Clone and fit per task; ``targets(t)`` gives task t's labels."""
        weighted = data.sample_weight is not None
        base = self._base()
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_one)(
                clone(base),
                data.design(t) if data.shared_design else data.X[idx],
                targets(t),
                data.weight(t) if weighted else None,
            )
            for t, idx in enumerate(data.task_index)
        )
        self.tasks_ = data.tasks
        self.n_tasks_ = data.n_tasks
        self._layout = data.layout

    def _per_task_output(self, X, method):
        """``method`` of every task's estimator: (n, T) for wide data, each
        row's own task for long data (a list of per-task arrays if 2-D)."""
        check_is_fitted(self)
        Xf, codes = self._validate_predict(X)
        if codes is None:
            return [getattr(est, method)(Xf) for est in self.estimators_], None
        outs = {}
        for t in np.unique(codes):
            rows = np.flatnonzero(codes == t)
            outs[t] = (rows, getattr(self.estimators_[t], method)(Xf[rows]))
        return outs, codes


class PerTaskRegressor(MultiTaskRegressorMixin, _PerTaskBase):
    """One clone of any scikit-learn regressor per task.

    Task ``t``'s clone is fitted on the rows that carry a label for ``t``
    (wide ``Y`` with ``NaN`` for missing labels, or long data with a task
    column), with their sample weights. No information is shared between
    tasks: this is the single-task baseline for any model class (gradient
    boosting, forests, kernels, a tuned ``GridSearchCV``), in the data model
    of every skmtl estimator.

    Parameters
    ----------
    estimator : regressor, default=None
        The single-task model; ``None`` means
        :class:`~sklearn.linear_model.Ridge`.
    task_column : int, str or None, default=None
        ``None`` for wide data; otherwise the position or DataFrame name of the
        task-id column of ``X`` (long data).
    n_jobs : int, default=None
        Tasks fitted in parallel (joblib).

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted clone of every task, in the order of ``tasks_``.
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
    skmtl.linear.PerTaskRidge : the same for ridge, solved in one pass.
    sklearn.multioutput.MultiOutputRegressor : the same without missing
        labels or long data.

    Examples
    --------
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> from skmtl.datasets import make_multitask_regression
    >>> from skmtl.meta import PerTaskRegressor
    >>> X, Y = make_multitask_regression(100, 5, 3, missing_labels=0.2,
    ...                                  random_state=0)
    >>> model = PerTaskRegressor(HistGradientBoostingRegressor(max_iter=20))
    >>> model.fit(X, Y).predict(X).shape
    (100, 3)
    """

    def __init__(self, estimator=None, *, task_column=None, n_jobs=None):
        self.estimator = estimator
        self.task_column = task_column
        self.n_jobs = n_jobs

    def _default(self):
        return Ridge()

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit one clone of ``estimator`` per task.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide targets with ``NaN`` for missing labels, or long 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, passed to each clone's ``fit``.

        Returns
        -------
        self : PerTaskRegressor
            Fitted estimator.
        """
        check_weights_supported(self._base(), sample_weight)
        data = self._validate_fit(X, y, sample_weight)
        self._fit_tasks(data, data.target)
        return self

    def _predict_codes(self, X):
        outs, codes = self._per_task_output(X, "predict")
        if codes is None:
            return np.column_stack([np.ravel(o) for o in outs]), None
        pred = np.empty(len(codes))
        for rows, values in outs.values():
            pred[rows] = np.ravel(values)
        return pred, codes


class PerTaskClassifier(ClassifierMixin, _PerTaskBase):
    """One clone of any scikit-learn classifier per task.

    Task ``t``'s clone is fitted on the rows that carry a label for ``t``, so
    every task has its own classes (``classes_[t]``, two or more of any type).

    Parameters
    ----------
    estimator : classifier, default=None
        The single-task model; ``None`` means
        :class:`~sklearn.linear_model.LogisticRegression`.
    task_column : int, str or None, default=None
        ``None`` for wide data; otherwise the position or DataFrame name of the
        task-id column of ``X`` (long data).
    n_jobs : int, default=None
        Tasks fitted in parallel (joblib).

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted clone of every task, in the order of ``tasks_``.
    classes_ : list of ndarray
        The labels of every task (an array when fitted on a 1-D wide ``y``).
    tasks_ : ndarray of shape (n_tasks,)
        Task ids (``arange(n_tasks)`` for wide data).
    n_tasks_ : int
        Number of tasks.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit, task column included.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame with string column names.

    Examples
    --------
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from skmtl.datasets import make_multitask_classification
    >>> from skmtl.meta import PerTaskClassifier
    >>> X, Y = make_multitask_classification(120, 5, 3, random_state=0)
    >>> model = PerTaskClassifier(HistGradientBoostingClassifier(max_iter=20))
    >>> model.fit(X, Y).predict(X).shape
    (120, 3)
    """

    def __init__(self, estimator=None, *, task_column=None, n_jobs=None):
        self.estimator = estimator
        self.task_column = task_column
        self.n_jobs = n_jobs

    def _default(self):
        return LogisticRegression()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit one clone of ``estimator`` per task.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide labels with ``NaN``/``None`` for missing ones, or long 1-D
            labels. A 1-D ``y`` without ``task_column`` is one task.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, passed to each clone's ``fit``.

        Returns
        -------
        self : PerTaskClassifier
            Fitted estimator.
        """
        check_weights_supported(self._base(), sample_weight)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y_raw = np.asarray(y)
        self._y_1d = self.task_column is None and y_raw.ndim == 1
        if self._y_1d:
            y_raw = y_raw[:, None]
        # numeric labels are validated as they are (finite, not too large);
        # others through a numeric stand-in with the same missing cells (the
        # labels themselves are checked per task below)
        missing = _missing_mask(y_raw)
        numeric = y_raw.dtype.kind in "fiub"
        y_num = np.where(missing, np.nan, y_raw if numeric else 0.0).astype(float)
        data = self._validate_fit(X, y_num, sample_weight)

        def labels(t):
            idx = data.task_index[t]
            lab = y_raw[idx] if data.layout == "long" else y_raw[idx, t]
            if lab.dtype == object:  # a task's own label type (str, int...)
                lab = np.asarray(lab.tolist())
            check_classification_targets(lab)
            if len(np.unique(lab)) < 2:
                raise ValueError(
                    f"Task {np.asarray(data.tasks[t]).tolist()!r} has only one "
                    "class among its labelled samples: a classifier needs at "
                    "least two classes in every task."
                )
            return lab

        self._fit_tasks(data, labels)
        self.classes_ = [est.classes_ for est in self.estimators_]
        if self._y_1d:
            self.classes_ = self.classes_[0]
        return self

    def predict(self, X):
        """Labels of every task (wide data) or of each row's own task (long).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Predicted labels (1-D when fitted on a 1-D wide ``y``).
        """
        outs, codes = self._per_task_output(X, "predict")
        if codes is None:
            if self._y_1d:
                return np.asarray(outs[0])
            return np.column_stack(outs)
        dtype = np.result_type(*[v for _, v in outs.values()])
        pred = np.empty(len(codes), dtype=dtype)
        for rows, values in outs.values():
            pred[rows] = values
        return pred

    def predict_proba(self, X):
        """Class probabilities of every task.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        proba : list of ndarray or ndarray
            Wide data: one (n_samples, n_classes_t) array per task (one array
            when fitted on a 1-D ``y``). Long data: one (n_samples, n_classes)
            array, each row's probabilities for its own task; every task must
            then have the same number of classes.
        """
        outs, codes = self._per_task_output(X, "predict_proba")
        if codes is None:
            return outs[0] if self._y_1d else outs
        widths = {v.shape[1] for _, v in outs.values()}
        if len(widths) > 1:
            raise ValueError(
                "predict_proba on long data returns one array, so every task "
                f"needs the same number of classes; got {sorted(widths)}."
            )
        proba = np.empty((len(codes), widths.pop()))
        for rows, values in outs.values():
            proba[rows] = values
        return proba

    def score(self, X, y, sample_weight=None):
        """Accuracy averaged uniformly over tasks (missing labels ignored).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of the per-task accuracy.
        """
        from ..metrics import accuracy_score

        _, codes = self._validate_predict(X)
        return float(
            accuracy_score(y, self.predict(X), tasks=codes, sample_weight=sample_weight)
        )
