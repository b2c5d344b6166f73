"""The validation pass of out-of-core training (see :mod:`._streaming`).

One pass over chunks of rows checks the data (non-finite values reported with
their row), collects the task ids and the statistics the estimator needs:
per-task target mean and standard deviation with Chan's merge of chunk
moments, and the class labels of each task.
"""

import numpy as np

from ..utils._validation import check_task_ids, resolve_task_column, task_codes_for

__all__ = ["_Scan", "chunks"]

#: distinct labels of a task beyond which it cannot be a classification task
_MAX_LABELS = 10_000


class _Shape:
    """Stand-in with the ``shape`` of X for :func:`resolve_task_column`."""

    ndim = 2

    def __init__(self, n_columns):
        self.shape = (0, n_columns)


def chunks(n, size):
    """``(start, stop)`` of consecutive chunks of ``size`` rows out of ``n``."""
    for start in range(0, n, size):
        yield start, min(n, start + size)


class _Moments:
    """Per-key count, mean and M2 merged chunk by chunk (Chan et al.)."""

    def __init__(self, n_keys=0):
        self.n = np.zeros(n_keys)
        self.mean = np.zeros(n_keys)
        self.m2 = np.zeros(n_keys)

    def merge(self, keys, n, mean, m2):
        na, ma = self.n[keys], self.mean[keys]
        tot = na + n
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = mean - ma
            frac = np.where(tot > 0, n / tot, 0.0)
            self.mean[keys] = np.where(n > 0, ma + delta * frac, ma)
            self.m2[keys] = np.where(
                n > 0, self.m2[keys] + m2 + delta**2 * na * frac, self.m2[keys]
            )
        self.n[keys] = tot

    def grow(self, size):
        pad = size - len(self.n)
        if pad > 0:
            self.n, self.mean, self.m2 = (
                np.concatenate([a, np.zeros(pad)]) for a in (self.n, self.mean, self.m2)
            )


def _first_bad(mask, start):
    r, c = np.argwhere(mask)[0]
    return start + int(r), int(c)


def _float_chunk(a, name, start):
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be numeric; rows {start}..{start + len(a) - 1} hold "
            f"values that are not numbers: {exc}"
        ) from exc


class _Scan:
    """What one pass over the data learns: sizes, task ids, target statistics."""

    def __init__(self, est, source, *, reset, classes):
        self.est, self.source = est, source
        self.task_column = est.task_column
        self.layout = "wide" if est.task_column is None else "long"
        self.n_columns = source.n_columns
        self._check_columns(reset)
        self.col = None
        if self.layout == "long":
            self.col = resolve_task_column(self.task_column, _Shape(self.n_columns))
            if self.n_columns < 2:
                raise ValueError(
                    "With task_column set, X needs the task column and at least "
                    f"one feature column; got {self.n_columns} column(s)."
                )
        self.n_features = self.n_columns - (self.col is not None)
        self.reset, self.given_classes = reset, classes

    def _check_columns(self, reset):
        est, p = self.est, self.n_columns
        if not reset and p != est.n_features_in_:
            raise ValueError(
                f"X has {p} features, but {type(est).__name__} is expecting "
                f"{est.n_features_in_} features as input."
            )

    def features(self, xfull):
        if self.col is None:
            return xfull, None
        col = self.col
        ids = xfull[:, col]
        if col == 0:
            return xfull[:, 1:], ids
        if col == xfull.shape[1] - 1:
            return xfull[:, :col], ids
        return np.delete(xfull, col, axis=1), ids

    def run(self):
        """Validate every chunk and gather the statistics; set fitted state."""
        src = self.source
        if src.n_rows == 0:
            raise ValueError(
                "Found array with 0 sample(s) (shape=(0, "
                f"{self.n_columns})) while a minimum of 1 is required."
            )
        kinds = self._kinds_before_scan()
        self.ids = None if self.layout == "wide" else np.empty(0, dtype=np.int64)
        self.moments = _Moments()
        self.labels = {}
        self.x_max = self.y_max = 0.0
        self.x_dtype = np.dtype(getattr(getattr(src, "X", None), "dtype", "f8"))
        self.n_tasks_wide = None
        for start, stop in chunks(src.n_rows, src.chunk_size):
            xfull, y = src.read(slice(start, stop))
            self._scan_chunk(xfull, y, start, kinds)
        src.release()
        self._finish(kinds)

    def _kinds_before_scan(self):
        """'regression' when every task is one (no labels to collect)."""
        try:
            probe = self.est._resolve_task_types(1)
        except ValueError:
            probe = None  # MultiTaskNet with task_types: one per task
        return "regression" if probe == ["regression"] else "mixed"

    def _scan_chunk(self, xfull, y, start, kinds):
        if xfull.ndim != 2 or xfull.shape[1] != self.n_columns:
            raise ValueError(
                f"Rows {start}.. of X have shape {xfull.shape[1:]}; expected "
                f"{self.n_columns} columns."
            )
        feats, ids = self.features(xfull)
        feats = _float_chunk(feats, "X", start)
        finite = np.isfinite(feats)
        if not finite.all():
            r, c = _first_bad(~finite, start)
            what = "NaN" if np.isnan(feats[r - start, c]) else "infinity"
            raise ValueError(
                f"Input X contains {what} at row {r} (feature column {c}, task "
                "column excluded). Impute or drop the rows with missing or "
                "infinite features before fitting."
            )
        if feats.size:
            self.x_max = max(self.x_max, float(np.abs(feats).max()))
        y = _float_chunk(y, "y", start)
        if self.layout == "wide":
            if y.ndim == 1:
                raise ValueError(
                    "y is 1-D, but the estimator is multi-task: pass wide "
                    "targets Y of shape (n_samples, n_tasks), or long data with "
                    "a task-id column in X and task_column set."
                )
            if self.n_tasks_wide is None:
                self.n_tasks_wide = y.shape[1]
                self.moments = _Moments(y.shape[1])
            codes = None
        else:
            if y.ndim == 2 and y.shape[1] == 1:
                y = y.ravel()
            if y.ndim != 1:
                raise ValueError(
                    "With task_column set (long data), y must be 1-D; got rows "
                    f"of shape {y.shape[1:]}."
                )
            try:
                ids = check_task_ids(ids)
            except ValueError as exc:
                raise ValueError(
                    f"{exc} (in rows {start}..{start + len(ids) - 1})"
                ) from exc
            if not self.reset:
                try:
                    task_codes_for(self.est.tasks_, ids)
                except ValueError as exc:
                    raise ValueError(
                        f"{exc} (in rows {start}..{start + len(ids) - 1})"
                    ) from exc
            chunk_ids, codes = np.unique(ids, return_inverse=True)
            codes = codes.ravel()
            self._add_ids(chunk_ids)
            keys = np.searchsorted(self.ids, chunk_ids)
        inf = np.isinf(y)
        if inf.any():
            r = int(np.argwhere(inf)[0][0]) + start
            raise ValueError(
                f"y contains infinity at row {r}. Missing labels are written as "
                "NaN; infinite targets cannot be fitted."
            )
        if self.layout == "wide":
            labelled = ~np.isnan(y)
            n = labelled.sum(0).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(n > 0, np.nansum(y, 0) / np.maximum(n, 1), 0.0)
                m2 = np.nansum((y - mean) ** 2, 0)
            self.moments.merge(np.arange(y.shape[1]), n, mean, m2)
            if kinds != "regression":
                for t in range(y.shape[1]):
                    self._add_labels(t, y[labelled[:, t], t])
        else:
            labelled = ~np.isnan(y)
            k = len(chunk_ids)
            c, v = codes[labelled], y[labelled]
            n = np.bincount(c, minlength=k).astype(float)
            s = np.bincount(c, weights=v, minlength=k)
            mean = s / np.maximum(n, 1)
            m2 = np.bincount(c, weights=(v - mean[c]) ** 2, minlength=k)
            self.moments.merge(keys, n, mean, m2)
            if kinds != "regression" and len(v):
                pairs = np.unique(np.column_stack([c, v]), axis=0)
                split = np.flatnonzero(np.diff(pairs[:, 0])) + 1
                for group in np.split(pairs, split):
                    self._add_labels(int(keys[int(group[0, 0])]), group[:, 1])
        if y.size:
            finite_y = y[~np.isnan(y)]
            if finite_y.size:
                self.y_max = max(self.y_max, float(np.abs(finite_y).max()))

    def _add_ids(self, chunk_ids):
        if self.ids.dtype != chunk_ids.dtype and len(self.ids):
            if (self.ids.dtype == object) != (chunk_ids.dtype == object):
                raise ValueError(
                    "The task column mixes types across rows (strings and "
                    "integers); use all strings or all integers as task ids."
                )
        if not len(self.ids):
            merged = chunk_ids
        else:
            merged = np.union1d(self.ids, chunk_ids)
        if len(merged) != len(self.ids):
            # re-key the statistics gathered so far
            old = np.searchsorted(merged, self.ids)
            moments = _Moments(len(merged))
            moments.n[old] = self.moments.n
            moments.mean[old] = self.moments.mean
            moments.m2[old] = self.moments.m2
            self.moments = moments
            self.labels = {int(old[k]): v for k, v in self.labels.items()}
        self.ids = merged

    def _add_labels(self, key, values):
        prev = self.labels.get(key)
        if not len(values) or (prev is not None and len(prev) > _MAX_LABELS):
            return  # too many distinct values to be classes: stop collecting
        self.labels[key] = (
            np.unique(values) if prev is None else np.union1d(prev, values)
        )

    def _check_magnitude(self, value, name, n_cols):
        dtype = np.float32 if name == "X" and self.x_dtype == np.float32 else np.float64
        n = self.source.n_rows
        limit = np.sqrt(np.finfo(dtype).max / max(n * n_cols, 1))
        if value > limit:
            raise ValueError(
                f"{name} has values up to {value:.3g}, too large to fit without "
                f"overflow in {np.dtype(dtype)} (limit {limit:.3g} for this "
                f"size). Rescale {name} (e.g. with "
                "sklearn.preprocessing.StandardScaler) before fitting."
            )

    def _finish(self, kinds):
        est = self.est
        self._check_magnitude(self.x_max, "X", self.n_features)
        T = self.n_tasks_wide if self.layout == "wide" else len(self.ids)
        self._check_magnitude(self.y_max, "y", T if self.layout == "wide" else 1)
        tasks = np.arange(T) if self.layout == "wide" else self.ids
        empty = self.moments.n == 0
        if empty.any():
            bad = tasks[empty][:10].tolist()
            raise ValueError(
                f"Task(s) {bad} have no labels at all (every target is NaN): a "
                "task needs at least one labelled sample. Drop that task (its "
                "column of Y, or its rows in long data) before fitting."
            )
        if self.reset:
            est.n_features_in_ = self.n_columns
            if hasattr(est, "feature_names_in_"):
                del est.feature_names_in_
            est.tasks_ = tasks
            est.n_tasks_ = T
            est._layout = self.layout
            est._task_col = self.col
        elif self.layout != est._layout or (
            self.layout == "wide" and T != est.n_tasks_
        ):
            raise ValueError(
                f"The data has {T} task(s) in the {self.layout} layout, but "
                f"{type(est).__name__} was fitted on {est.n_tasks_} task(s) in "
                f"the {est._layout} layout."
            )
        # codes of this data's tasks among the fitted ones
        keys = (
            np.arange(T) if self.layout == "wide" else task_codes_for(est.tasks_, tasks)
        )
        if self.reset:
            self._set_targets(kinds, T)
        self._check_labels(keys)

    def _set_targets(self, kinds, T):
        """Task kinds, classes, target mean and scale (as ``_encode_targets``)."""
        est = self.est
        types = est._resolve_task_types(T)
        given = None
        if self.given_classes is not None:
            given = est._per_task_classes(self.given_classes, T)
        classes, kinds_out = [], []
        mean, scale = np.zeros(T), np.ones(T)
        for t in range(T):
            if types[t] == "regression":
                classes.append(None)
                kinds_out.append("regression")
                if est._standardize:
                    mean[t] = self.moments.mean[t]
                    sd = np.sqrt(self.moments.m2[t] / self.moments.n[t])
                    scale[t] = sd if sd > 0 else 1.0
                continue
            name = est.tasks_[t]
            labels = self.labels.get(t, np.empty(0))
            if given is not None:
                labels = np.unique(np.asarray(given[t], dtype=float))
            if len(labels) > _MAX_LABELS:
                raise ValueError(
                    f"Classification task {name!r} has more than {_MAX_LABELS} "
                    "distinct labels; is it a regression task?"
                )
            if len(labels) < 2:
                raise ValueError(
                    f"Classification task {name!r} has only one class "
                    f"({labels.tolist()}); each classification task needs at "
                    "least 2 classes."
                )
            if np.any(labels != np.round(labels)):
                raise ValueError(
                    f"Unknown label type: continuous. Task {name!r} has "
                    "non-integer labels; classification tasks need class labels "
                    "(integers), use a regression task for continuous targets."
                )
            if np.all(np.abs(labels) < 2**53):
                labels = labels.astype(np.int64)
            if types[t] == "binary" and len(labels) != 2:
                raise ValueError(
                    f"Task {name!r} is declared 'binary' but has {len(labels)} "
                    "classes; use 'multiclass' or 'classification'."
                )
            classes.append(labels)
            kinds_out.append("binary" if len(labels) == 2 else "multiclass")
        est.task_types_ = kinds_out
        est._classes = classes
        est.y_mean_, est.y_scale_ = mean, scale

    def _check_labels(self, keys):
        est = self.est
        for k, t in enumerate(keys):
            if est.task_types_[t] == "regression":
                continue
            seen = self.labels.get(k)
            if seen is None:
                continue
            unseen = np.setdiff1d(seen, np.asarray(est._classes[t], dtype=float))
            if len(unseen):
                raise ValueError(
                    f"Task {est.tasks_[t]!r} has labels {unseen[:5].tolist()} not "
                    f"seen in the first fit (classes {est._classes[t].tolist()})."
                )
