"""Per-task binary linear classifiers: labels, probabilities, scores."""

import dataclasses

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils.multiclass import check_classification_targets

from ..base import MultiTaskMixin, linear_predict
from ._composite import CompositeMixin
from .datafits._logistic import Logistic
from .penalties._trace import UnpenalizedRows

__all__ = ["MultiTaskLinearClassifierMixin", "CompositeClassifier"]


def _missing_mask(y):
    """NaN or None cells of a label array of any dtype."""
    if y.dtype.kind in "fc":
        return np.isnan(y)
    if y.dtype.kind in "iub":
        return np.zeros(y.shape, dtype=bool)
    flat = [v is None or (isinstance(v, float) and v != v) for v in y.ravel()]
    return np.asarray(flat, dtype=bool).reshape(y.shape)


class MultiTaskLinearClassifierMixin(MultiTaskMixin, ClassifierMixin):
    """Binary classification per task with linear scores.

    Each task has its own two labels (``classes_[t]``, any two values, e.g.
    ``{0, 1}`` in one task and ``{'no', 'yes'}`` in another); a task with more
    than two labels is an error. Wide targets may be 1-D (one task: the
    estimator then behaves as an ordinary binary classifier, with
    ``classes_`` an array and 1-D predictions) or (n_samples, n_tasks) with
    ``NaN``/``None`` for missing labels.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        tags.classifier_tags.multi_class = False
        return tags

    # -- labels -----------------------------------------------------------------
    def _encode_labels(self, y):
        """Numeric version of ``y`` for validation, and the raw array."""
        y_raw = np.asarray(y)
        if y_raw.dtype.kind in "iubf":
            return y_raw, y_raw
        missing = _missing_mask(y_raw)
        present = y_raw[~missing]
        try:
            uniq, codes = np.unique(present, return_inverse=True)
        except TypeError as exc:
            raise ValueError(
                f"Labels of mixed, unorderable types cannot be used: {exc}"
            ) from exc
        y_num = np.full(y_raw.shape, np.nan)
        y_num[~missing] = codes
        return y_num, y_raw

    def _task_labels(self, data, y_raw, t):
        idx = data.task_index[t]
        return y_raw[idx] if y_raw.ndim == 1 else y_raw[idx, t]

    def _signed_targets(self, data, y_raw):
        """Set ``classes_`` and return ``data`` with -1/+1 labels."""
        y_pm = np.full(data.y.shape, np.nan)
        classes = []
        for t in range(data.n_tasks):
            idx = data.task_index[t]
            raw = self._task_labels(data, y_raw, t)
            num = data.target(t)
            check_classification_targets(num)
            cls, inv = np.unique(raw, return_inverse=True)
            name = f"Task {np.asarray(data.tasks[t]).tolist()!r}"
            if len(cls) > 2:
                raise ValueError(
                    "Only binary classification is supported. "
                    f"{name} has {len(cls)} classes ({cls[:5].tolist()}...); "
                    "each task must have exactly two labels."
                )
            if len(cls) < 2:
                raise ValueError(
                    f"{name} has only one class ({cls.tolist()}) among its labelled "
                    "samples: a classifier needs samples of both classes in "
                    "every task."
                )
            sign = np.where(inv == 1, 1.0, -1.0)
            if data.layout == "long":
                y_pm[idx] = sign
            else:
                y_pm[idx, t] = sign
            classes.append(cls)
        self._task_classes = classes
        return dataclasses.replace(data, y=y_pm)

    # -- prediction -------------------------------------------------------------
    def decision_function(self, X):
        """Linear score of the positive class (``classes_[t][1]``).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Wide data: one column per task (1-D if fitted on a 1-D ``y``);
            long data: each row's score for its own task.
        """
        return self._scores(X)[0]

    def _scores(self, X):
        Xf, codes = self._validate_predict(X)
        scores = linear_predict(Xf, codes, self.coef_, self.intercept_)
        if codes is None and self._y_1d:
            scores = scores[:, 0]
        return scores, codes

    def _labels_of(self, scores, codes):
        positive = scores > 0
        if codes is None:
            if positive.ndim == 1:
                return self._task_classes[0][positive.astype(int)]
            cols = [
                self._task_classes[t][positive[:, t].astype(int)]
                for t in range(positive.shape[1])
            ]
            return np.column_stack(cols) if cols else np.empty(positive.shape)
        out = np.empty(len(codes), dtype=np.result_type(*self._task_classes))
        for t in np.unique(codes):
            rows = codes == t
            out[rows] = self._task_classes[t][positive[rows].astype(int)]
        return out

    def predict(self, X):
        """Predicted label of every task (wide) or of each row's task (long).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Labels from ``classes_``.
        """
        return self._labels_of(*self._scores(X))

    def predict_proba(self, X):
        """Class probabilities, columns ordered as ``classes_[t]``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2) or list of such arrays
            Long data: each row's probabilities for its own task's two classes.
            Wide data: a list with one (n_samples, 2) array per task (a single
            array when fitted on a 1-D ``y``), as scikit-learn's multi-output
            classifiers.
        """
        scores = self.decision_function(X)
        p = expit(scores)
        if scores.ndim == 1:
            return np.column_stack([1 - p, p])
        return [np.column_stack([1 - p[:, t], p[:, t]]) for t in range(p.shape[1])]

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (same shapes).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs, with the task column for models fitted on long data.

        Returns
        -------
        log_proba : list of ndarray of shape (n_samples, 2) or ndarray
            Log-probabilities, in the layout of :meth:`predict_proba`.
        """
        proba = self.predict_proba(X)
        if isinstance(proba, list):
            return [np.log(p) for p in proba]
        return np.log(proba)

    def score(self, X, y, sample_weight=None):
        """Accuracy averaged uniformly over tasks, ignoring missing labels.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Test inputs.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True labels in the layout the model was fitted on (``NaN`` or
            ``None`` = missing in wide data).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of each task's (weighted) accuracy.
        """
        scores, codes = self._scores(X)
        y = np.asarray(y)
        y_pred = self._labels_of(scores, codes)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
        if codes is None:
            if y.ndim == 1:
                y, y_pred = y[:, None], y_pred.reshape(len(y), -1)
            self._check_n_tasks(y, None)
            miss = _missing_mask(y)
            accs = []
            for t in range(y.shape[1]):
                keep = ~miss[:, t]
                if keep.any() and w[keep].sum() > 0:
                    hit = y[keep, t] == y_pred[keep, t]
                    accs.append(np.average(hit, weights=w[keep]))
            return float(np.mean(accs))
        self._check_n_tasks(y, codes)
        accs = []
        for t in np.unique(codes):
            rows = codes == t
            if w[rows].sum() > 0:
                accs.append(np.average(y[rows] == y_pred[rows], weights=w[rows]))
        return float(np.mean(accs))


class CompositeClassifier(
    CompositeMixin, MultiTaskLinearClassifierMixin, BaseEstimator
):
    """Base of the logistic composite classifiers."""

    _accept_sparse = ("csr", "csc")

    def _stack_params(self):
        W = self.coef_.T
        if self.fit_intercept:
            W = np.vstack([W, self.intercept_[None, :]])
        return W.copy()

    def _make_datafit(self, data):
        return Logistic(self.fit_intercept).initialize(data)

    @staticmethod
    def _wrap(penalty, datafit):
        if datafit.n_rows > datafit.n_features:
            return UnpenalizedRows(penalty, datafit.n_features)
        return penalty

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_columns)
            Inputs; with ``task_column`` set, one column holds task ids.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            Wide labels (``NaN``/``None`` = missing; 1-D for a single task), or
            long 1-D labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y_num, y_raw = self._encode_labels(y)
        y_1d = self.task_column is None and y_raw.ndim == 1
        if y_1d:
            y_num, y_raw = y_num[:, None], y_raw[:, None]
        data = self._validate_fit(X, y_num, sample_weight)
        self._y_1d = y_1d
        data = self._signed_targets(data, y_raw)
        self.classes_ = self._task_classes[0] if y_1d else self._task_classes
        W, datafit = self._solve(data)
        d = data.n_features
        self.coef_ = np.ascontiguousarray(W[:d].T)
        self.intercept_ = datafit.intercept(W)
        self._after_fit(data, W)
        return self

    def _after_fit(self, data, W):
        pass
