"""Task-aware cross-validation splitters.

All are scikit-learn CV splitters (``split(X, y, groups)`` yielding
``(train, test)`` row indices, ``get_n_splits``), usable as ``cv=`` in
``GridSearchCV``, ``cross_validate`` and :func:`cross_validate_tasks`.

Long data: the splitters need each row's task id. Give the splitter
``task_column=`` (the same position or name as the estimator's, read from the
``X`` passed to ``split``) or pass the ids as ``groups``. Wide data (``Y`` with
``NaN`` for missing labels): splits are made on rows, balancing each task's
labelled rows over the folds (iterative stratification on the pattern of
observed labels).
"""

import inspect
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from ..utils import check_task_ids, resolve_task_column

__all__ = [
    "LeaveTasksOut",
    "MaskedStratifiedKFold",
    "TaskShuffleSplit",
    "TaskStratifiedKFold",
]


def _column(X, col):
    if hasattr(X, "iloc"):
        return X.iloc[:, col].to_numpy()
    if sp.issparse(X):
        return X.tocsc()[:, [col]].toarray().ravel()
    return np.asarray(X)[:, col]


def _task_ids(X, groups, task_column):
    """Task id of every row, from ``X[:, task_column]`` or ``groups`` (or None)."""
    if task_column is not None:
        if X is None:
            raise ValueError("X is needed to read the task column.")
        col = resolve_task_column(task_column, X)
        return check_task_ids(_column(X, col))
    if groups is not None:
        return check_task_ids(np.asarray(groups))
    return None


def _n_rows(X, y, groups):
    for a in (X, y, groups):
        if a is not None:
            return a.shape[0] if hasattr(a, "shape") else len(a)
    raise ValueError("split needs X, y or groups to know the number of rows.")


def _observed_mask(y):
    if y is None:
        raise ValueError(
            "Wide data needs y to see which labels are observed; for long data "
            "give the splitter task_column= or pass the task ids as groups=."
        )
    Y = np.asarray(y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2:
        raise ValueError(f"y must be 1-D or 2-D; got shape {Y.shape}.")
    return ~np.isnan(Y)


def _stratify(mask, proportions, rng):
    """Assign rows to parts so that each task's labels follow ``proportions``.

    Iterative stratification (Sechidis, Tsoumakas and Vlahavas, 2011) on the
    observed-label mask: the task with the fewest labels still to place goes
    next; each of its unassigned rows goes to the part that most lacks that
    task's labels (ties: the part that most lacks the row's other labels, then
    rows, then the first). Rows without any label fill the parts that lack
    rows.

    Returns ``part`` of shape (n_samples,).
    """
    n, T = mask.shape
    props = np.asarray(proportions, dtype=float)
    k = len(props)
    counts = mask.sum(axis=0)
    desired = counts[:, None] * props[None, :]
    desired_rows = n * props
    current = np.zeros((T, k))
    rows_in = np.zeros(k)
    part = np.full(n, -1)
    remaining = counts.astype(float)
    remaining[counts == 0] = np.inf
    while np.isfinite(remaining).any():
        # the task with the fewest labels still to place goes next
        t = int(np.argmin(remaining))
        rows = np.flatnonzero(mask[:, t] & (part < 0))
        if rng is not None:
            rows = rng.permutation(rows)
        for r in rows:
            deficit = desired[t] - current[t]
            best = np.flatnonzero(deficit >= deficit.max() - 1e-12)
            if len(best) > 1:
                # ties: the part that most lacks the row's other labels, then rows
                lack = (desired[mask[r]] - current[mask[r]]).sum(axis=0)[best]
                best = best[lack >= lack.max() - 1e-12]
            if len(best) > 1:
                row_deficit = (desired_rows - rows_in)[best]
                best = best[row_deficit >= row_deficit.max() - 1e-12]
            f = best[0]
            part[r] = f
            current[mask[r], f] += 1
            rows_in[f] += 1
        placed = mask[part >= 0].sum(axis=0)
        remaining = np.where(placed < counts, counts - placed, np.inf)
    rest = np.flatnonzero(part < 0)
    if rng is not None:
        rest = rng.permutation(rest)
    for r in rest:
        f = int(np.argmax(desired_rows - rows_in))
        part[r] = f
        rows_in[f] += 1
    return part


def _repr(obj):
    params = inspect.signature(type(obj).__init__).parameters
    args = ", ".join(
        f"{name}={getattr(obj, name)!r}" for name in params if name != "self"
    )
    return f"{type(obj).__name__}({args})"


class _TaskSplitter:
    def __repr__(self):
        return _repr(self)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        n_splits : int
            Number of (train, test) pairs ``split`` yields.
        """
        return self.n_splits


class MaskedStratifiedKFold(_TaskSplitter):
    """K-fold for wide targets with missing labels, every task in every fold.

    Rows are dealt to ``n_splits`` folds by iterative stratification on the
    pattern of observed labels (``~isnan(Y)``), so each task's labelled rows
    are spread evenly: each fold's test set holds about ``1/n_splits`` of every
    task's labels and, for every task with at least two labels, every training
    set holds some of them. A row's labels stay together (rows are not split
    across folds).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at least 2).
    shuffle : bool, default=False
        Whether to shuffle rows before dealing them (otherwise the order of the
        rows breaks ties).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle; used only when ``shuffle=True``.

    See Also
    --------
    TaskStratifiedKFold : the same guarantee for long data (and wide data).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.model_selection import MaskedStratifiedKFold
    >>> Y = np.array([[1, np.nan]] * 6 + [[np.nan, 2]] * 3 + [[3, 4]] * 3)
    >>> cv = MaskedStratifiedKFold(3)
    >>> [np.isfinite(Y[test]).sum(axis=0).tolist() for _, test in cv.split(Y, Y)]
    [[3, 2], [3, 2], [3, 2]]
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def _check(self):
        if not isinstance(self.n_splits, numbers.Integral) or self.n_splits < 2:
            raise ValueError(f"n_splits must be an integer >= 2; got {self.n_splits}.")

    def split(self, X, y, groups=None):
        """Generate train and test row indices.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs (only their number of rows is used).
        y : array-like of shape (n_samples, n_tasks)
            Wide targets, ``NaN`` for missing labels.
        groups : object
            Ignored.

        Yields
        ------
        train : ndarray
            Training row indices.
        test : ndarray
            Test row indices.
        """
        self._check()
        mask = _observed_mask(y)
        yield from _wide_kfold(mask, self.n_splits, self.shuffle, self.random_state)


def _wide_kfold(mask, n_splits, shuffle, random_state):
    counts = mask.sum(axis=0)
    few = np.flatnonzero(counts < 2)
    if few.size:
        raise ValueError(
            f"Task(s) {few[:10].tolist()} have fewer than 2 labels, so they cannot "
            "be in every training fold and in a test fold; drop them or use fewer "
            "folds."
        )
    if np.any(counts < n_splits):
        warnings.warn(
            f"Task(s) {np.flatnonzero(counts < n_splits)[:10].tolist()} have fewer "
            f"labels than n_splits={n_splits}: some test folds miss them.",
            UserWarning,
        )
    rng = check_random_state(random_state) if shuffle else None
    part = _stratify(mask, np.full(n_splits, 1.0 / n_splits), rng)
    rows = np.arange(mask.shape[0])
    for f in range(n_splits):
        test = part == f
        yield rows[~test], rows[test]


def _group_rows(ids):
    tasks, codes = np.unique(ids, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(tasks)))[:-1]
    return tasks, np.split(order, bounds)


class TaskStratifiedKFold(_TaskSplitter):
    """K-fold within every task: each task is split ``n_splits`` ways.

    Long data: the rows of each task are cut into ``n_splits`` contiguous
    blocks (after shuffling, if asked), and fold ``k`` tests block ``k`` of
    every task. So every task is in every training fold and in every test
    fold, with per-task test sizes differing by at most one across folds. (A
    plain ``KFold`` on School can leave a small school out of a training
    fold.) Which folds get a task's leftover rows rotates from task to task,
    so the folds' total sizes also differ by at most one.

    Wide data (no task ids given, ``y`` 2-D): the folds of
    :class:`MaskedStratifiedKFold`.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at least 2).
    task_column : int, str or None, default=None
        Position or DataFrame name of the task-id column in ``X`` (the same as
        the estimator's). None: use ``groups`` as the task ids, or treat the
        data as wide.
    shuffle : bool, default=False
        Whether to shuffle each task's rows before cutting them.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle; used only when ``shuffle=True``.

    See Also
    --------
    TaskShuffleSplit : random per-task splits of a given size.
    LeaveTasksOut : hold out whole tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.model_selection import TaskStratifiedKFold
    >>> X = np.column_stack([np.arange(9.0), [0, 0, 0, 0, 0, 0, 1, 1, 1]])
    >>> cv = TaskStratifiedKFold(3, task_column=-1)
    >>> [test.tolist() for _, test in cv.split(X)]
    [[0, 1, 6], [2, 3, 7], [4, 5, 8]]
    """

    def __init__(
        self, n_splits=5, *, task_column=None, shuffle=False, random_state=None
    ):
        self.n_splits = n_splits
        self.task_column = task_column
        self.shuffle = shuffle
        self.random_state = random_state

    def split(self, X, y=None, groups=None):
        """Generate train and test row indices.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Inputs, with the task column when ``task_column`` is set.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), default=None
            Targets; used for wide data only.
        groups : array-like of shape (n_samples,), default=None
            Task ids when ``task_column`` is None.

        Yields
        ------
        train : ndarray
            Training row indices.
        test : ndarray
            Test row indices.
        """
        if not isinstance(self.n_splits, numbers.Integral) or self.n_splits < 2:
            raise ValueError(f"n_splits must be an integer >= 2; got {self.n_splits}.")
        k = self.n_splits
        ids = _task_ids(X, groups, self.task_column)
        if ids is None:
            if y is None or np.ndim(y) != 2:
                raise ValueError(
                    "TaskStratifiedKFold needs the task id of every row: set "
                    "task_column= to the task column of X, or pass the ids as "
                    "groups= (or give wide 2-D targets y)."
                )
            yield from _wide_kfold(
                _observed_mask(y), k, self.shuffle, self.random_state
            )
            return
        tasks, rows = _group_rows(ids)
        sizes = np.array([len(r) for r in rows])
        if np.any(sizes < 2):
            bad = tasks[sizes < 2][:10].tolist()
            raise ValueError(
                f"Task(s) {bad} have fewer than 2 rows, so they cannot be in every "
                "training fold and in a test fold; drop them first."
            )
        if np.any(sizes < k):
            warnings.warn(
                f"Task(s) {tasks[sizes < k][:10].tolist()} have fewer rows than "
                f"n_splits={k}: some test folds miss them.",
                UserWarning,
            )
        rng = check_random_state(self.random_state) if self.shuffle else None
        fold = np.empty(len(ids), dtype=np.int64)
        offset = 0
        for idx in rows:
            if rng is not None:
                idx = rng.permutation(idx)
            m = len(idx)
            per = np.full(k, m // k)
            extra = m % k
            per[(offset + np.arange(extra)) % k] += 1
            offset = (offset + extra) % k
            fold[idx] = np.repeat(np.arange(k), per)
        all_rows = np.arange(len(ids))
        for f in range(k):
            test = fold == f
            yield all_rows[~test], all_rows[test]


def _split_sizes(m, test_size, train_size, task):
    """Per-task (n_train, n_test) for a task with ``m`` rows."""

    def count(size, rounding):
        if size is None:
            return None
        if isinstance(size, numbers.Integral):
            return int(size)
        return int(rounding(size * m))

    n_test = count(test_size, np.ceil)
    n_train = count(train_size, np.floor)
    if n_test is None:
        n_test = m - n_train
    if n_train is None:
        n_train = m - n_test
    if n_train < 1 or n_test < 0 or n_train + n_test > m:
        raise ValueError(
            f"Task {task!r} has {m} rows, which cannot give {n_train} training and "
            f"{n_test} test rows with train_size={train_size}, test_size="
            f"{test_size}; every task needs at least one training row."
        )
    return n_train, n_test


def _key(t):
    return t.item() if hasattr(t, "item") else t


class TaskShuffleSplit(_TaskSplitter):
    """Random train/test splits made within every task (the School protocol).

    Long data: for every split and every task with ``m`` rows, a random
    ``ceil(test_size * m)`` rows are tested and ``floor(train_size * m)`` (by
    default all the others) are trained on. The School literature uses 75/25
    splits (Evgeniou and Pontil; Argyriou et al.) or 10/20/30 % training
    (MALSAR's authors), repeated 10 times. Integer sizes are numbers of rows
    per task.

    Wide data (no task ids given, ``y`` 2-D): rows are split so that every
    task's labels follow the proportions (iterative stratification on the
    observed labels); sizes must then be fractions.

    Parameters
    ----------
    n_splits : int, default=10
        Number of random splits.
    test_size : float or int, default=None
        Fraction (or per-task number) of each task's rows to test on. None:
        the complement of ``train_size``, or 0.25 if both are None.
    train_size : float or int, default=None
        Fraction (or per-task number) of each task's rows to train on. None:
        the complement of ``test_size``.
    task_column : int, str or None, default=None
        Position or DataFrame name of the task-id column in ``X``. None: use
        ``groups`` as the task ids, or treat the data as wide.
    random_state : int, RandomState instance or None, default=None
        Seed of the splits.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.model_selection import TaskShuffleSplit
    >>> tasks = np.repeat([0, 1], [8, 4])
    >>> cv = TaskShuffleSplit(2, test_size=0.25, random_state=0)
    >>> [np.bincount(tasks[test]).tolist() for _, test in cv.split(tasks, groups=tasks)]
    [[2, 1], [2, 1]]
    """

    def __init__(
        self,
        n_splits=10,
        *,
        test_size=None,
        train_size=None,
        task_column=None,
        random_state=None,
    ):
        self.n_splits = n_splits
        self.test_size = test_size
        self.train_size = train_size
        self.task_column = task_column
        self.random_state = random_state

    def _sizes(self):
        test, train = self.test_size, self.train_size
        if test is None and train is None:
            test = 0.25
        for name, v in (("test_size", test), ("train_size", train)):
            if v is None:
                continue
            if isinstance(v, numbers.Integral) and not isinstance(v, bool):
                if v < 0:
                    raise ValueError(f"{name}={v} must be non-negative.")
            elif isinstance(v, numbers.Real):
                if not 0 < v < 1:
                    raise ValueError(f"{name}={v} must be in (0, 1) as a fraction.")
            else:
                raise ValueError(f"{name} must be a float or an int; got {v!r}.")
        fractions = [v for v in (test, train) if isinstance(v, float)]
        if len(fractions) == 2 and sum(fractions) > 1:
            raise ValueError(
                f"train_size + test_size = {sum(fractions)} is more than 1."
            )
        return test, train

    def split(self, X, y=None, groups=None):
        """Generate train and test row indices.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Inputs, with the task column when ``task_column`` is set.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), default=None
            Targets; used for wide data only.
        groups : array-like of shape (n_samples,), default=None
            Task ids when ``task_column`` is None.

        Yields
        ------
        train : ndarray
            Training row indices.
        test : ndarray
            Test row indices.
        """
        test_size, train_size = self._sizes()
        rng = check_random_state(self.random_state)
        ids = _task_ids(X, groups, self.task_column)
        if ids is None:
            if y is None or np.ndim(y) != 2:
                raise ValueError(
                    "TaskShuffleSplit needs the task id of every row: set "
                    "task_column= to the task column of X, or pass the ids as "
                    "groups= (or give wide 2-D targets y)."
                )
            yield from self._split_wide(_observed_mask(y), test_size, train_size, rng)
            return
        tasks, rows = _group_rows(ids)
        plan = [
            _split_sizes(len(idx), test_size, train_size, _key(t))
            for t, idx in zip(tasks, rows, strict=True)
        ]
        for _ in range(self.n_splits):
            train, test = [], []
            for idx, (n_train, n_test) in zip(rows, plan, strict=True):
                perm = rng.permutation(idx)
                test.append(perm[:n_test])
                train.append(perm[n_test : n_test + n_train])
            yield np.sort(np.concatenate(train)), np.sort(np.concatenate(test))

    def _split_wide(self, mask, test_size, train_size, rng):
        if any(isinstance(v, numbers.Integral) for v in (test_size, train_size)):
            raise ValueError(
                "For wide data TaskShuffleSplit takes fractions (floats) for "
                "train_size and test_size."
            )
        test = test_size if test_size is not None else 1 - train_size
        train = train_size if train_size is not None else 1 - test
        props = [train, test]
        if 1 - train - test > 1e-9:
            props.append(1 - train - test)  # rows left out of both
        rows = np.arange(mask.shape[0])
        for _ in range(self.n_splits):
            part = _stratify(mask, props, rng)
            yield rows[part == 0], rows[part == 1]


class LeaveTasksOut(_TaskSplitter):
    """Hold out whole tasks: train on some tasks, test on the others.

    For transfer to new tasks. Only models that can predict a task they were
    not trained on can be scored on these splits (skmtl's per-task models
    raise an error for an unseen task id). Long data only: the task ids come
    from ``task_column`` or ``groups``.

    Parameters
    ----------
    n_splits : int or None, default=None
        None: leave one task out (one split per task). An integer: partition
        the tasks into ``n_splits`` groups of nearly equal numbers of tasks and
        hold out each group once.
    task_column : int, str or None, default=None
        Position or DataFrame name of the task-id column in ``X``. None: use
        ``groups`` as the task ids.
    shuffle : bool, default=False
        Whether to shuffle the tasks before grouping them (integer
        ``n_splits`` only); otherwise the sorted task ids are grouped in order.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtl.model_selection import LeaveTasksOut
    >>> tasks = np.array([0, 0, 1, 1, 2, 2])
    >>> [test.tolist() for _, test in LeaveTasksOut().split(tasks, groups=tasks)]
    [[0, 1], [2, 3], [4, 5]]
    """

    def __init__(
        self, n_splits=None, *, task_column=None, shuffle=False, random_state=None
    ):
        self.n_splits = n_splits
        self.task_column = task_column
        self.shuffle = shuffle
        self.random_state = random_state

    def _ids(self, X, groups):
        ids = _task_ids(X, groups, self.task_column)
        if ids is None:
            raise ValueError(
                "LeaveTasksOut needs the task id of every row (long data): set "
                "task_column= to the task column of X, or pass the ids as groups=."
            )
        return ids

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits.

        Parameters
        ----------
        X : array-like, default=None
            Inputs; needed when ``n_splits`` is None and ``task_column`` is set.
        y : object
            Ignored.
        groups : array-like, default=None
            Task ids; needed when ``n_splits`` is None and ``task_column`` is None.

        Returns
        -------
        n_splits : int
            Number of (train, test) pairs ``split`` yields.
        """
        if self.n_splits is not None:
            return int(self.n_splits)
        return len(np.unique(self._ids(X, groups)))

    def split(self, X, y=None, groups=None):
        """Generate train and test row indices.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Inputs, with the task column when ``task_column`` is set.
        y : object
            Ignored.
        groups : array-like of shape (n_samples,), default=None
            Task ids when ``task_column`` is None.

        Yields
        ------
        train : ndarray
            Training row indices.
        test : ndarray
            Test row indices.
        """
        ids = self._ids(X, groups)
        tasks, codes = np.unique(ids, return_inverse=True)
        T = len(tasks)
        if T < 2:
            raise ValueError("LeaveTasksOut needs at least 2 tasks.")
        if self.n_splits is None:
            blocks = [np.array([t]) for t in range(T)]
        else:
            k = self.n_splits
            if not isinstance(k, numbers.Integral) or not 2 <= k <= T:
                raise ValueError(
                    f"n_splits={k} must be an integer between 2 and the number of "
                    f"tasks ({T})."
                )
            order = np.arange(T)
            if self.shuffle:
                order = check_random_state(self.random_state).permutation(T)
            blocks = np.array_split(order, k)
        rows = np.arange(len(ids))
        for block in blocks:
            test = np.isin(codes, block)
            yield rows[~test], rows[test]
