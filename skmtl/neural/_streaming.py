"""Out-of-core training and prediction of the neural estimators.

The neural estimators learn from mini-batches, so they never need the whole
training set in memory at once. ``fit``, ``partial_fit``, ``predict`` and
``predict_proba`` take, besides in-memory arrays:

* a memory-mapped array: a :class:`numpy.memmap` or an array from
  ``np.load(path, mmap_mode='r')`` (detected automatically), for ``X`` and, if
  wanted, ``y``;
* a :class:`MemmapDataset` wrapping such arrays, or any array with ``shape``
  and numpy row indexing (e.g. h5py datasets), with the chunk size as an option;
* a map-style :class:`torch.utils.data.Dataset` (a skorch ``Dataset``
  included) whose item ``i`` is ``(x_i, y_i)``: ``x_i`` a row of ``X`` (with
  the task id at ``task_column`` for long data) and ``y_i`` the matching row
  of ``y`` (wide: ``(n_tasks,)`` with ``NaN`` for missing labels; long: one
  number).

One streaming pass over chunks of rows validates the data (non-finite
values are reported with their row), collects the task ids and the
statistics the estimator needs (per-task target mean and standard deviation
with Chan's merge of chunk moments, class labels of each task; see
:mod:`._scan`) and then
training reads, converts and encodes one batch at a time: no full-size copy
is ever made. The rows of a memory map (a shared one, with contiguous rows)
are read from its file with ``os.preadv``, so no page of the file is mapped
into the process: the resident memory stays at a few chunks instead of
growing to the file's size. Other read-only maps are read through the map
and their pages handed back (``madvise(MADV_DONTNEED)``) as the reading
moves on.
"""

import mmap
import os
import warnings

import numpy as np
import torch
from sklearn.utils import check_random_state

from ..utils._validation import check_task_ids, task_codes_for
from ._net import TensorBatchIterator
from ._rng import torch_rng
from ._scan import _Scan, chunks
from ._stopping import warn_if_not_converged

__all__ = ["MemmapDataset", "StreamingBatchIterator", "is_streaming"]

#: bytes of X read per chunk of the validation pass and of prediction
_CHUNK_BYTES = 8 * 2**20
#: bytes read in order after which read-only memory maps are handed back
_RELEASE_BYTES = 64 * 2**20
#: random rows read between two hand-backs of read-only memory maps
_GROUP = 64
#: rows per chunk when reading a generic torch Dataset item by item
_DATASET_CHUNK = 4096


class MemmapDataset(torch.utils.data.Dataset):
    """Rows of large (memory-mapped) arrays, read and converted batch by batch.

    Pass it to ``fit``, ``partial_fit``, ``predict`` or ``predict_proba`` of
    the neural estimators (``fit(dataset)``, no ``y``). Nothing is copied
    when it is built: the estimator validates the data in one pass over
    chunks of ``chunk_size`` rows and then reads each mini-batch (its rows in
    increasing order) and converts it to float32 on its own. A
    :class:`numpy.memmap` given directly to ``fit`` is wrapped in one with the
    default chunk size.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_columns)
        A :class:`numpy.memmap`, an array from
        ``np.load(path, mmap_mode='r')``, an in-memory ndarray, or any array
        with ``shape`` and numpy row indexing by slices and by increasing
        integer arrays (e.g. h5py datasets). For long data, one column holds
        the task ids (its position is the estimator's ``task_column``).
    y : array-like of shape (n_samples, n_tasks) or (n_samples,), default=None
        Wide targets with ``NaN`` for missing labels, or long 1-D targets,
        possibly memory-mapped too. None for prediction.
    chunk_size : int, default=None
        Rows per chunk of the validation pass and of prediction; None takes
        about 8 MiB of ``X`` per chunk.

    See Also
    --------
    MultiTaskMLPRegressor, MultiTaskMLPClassifier, MultiTaskNet

    Notes
    -----
    The rows of a :class:`numpy.memmap` (modes 'r', 'r+' and 'w+', and
    ``np.load(path, mmap_mode=...)`` likewise) whose rows are contiguous
    (C order) are read from its file with ``os.preadv``: no page of the file
    is mapped into the process, whose resident memory stays far below the
    file's size (the file's pages live in the operating system's page cache,
    which the kernel frees as needed). Copy-on-write maps (mode 'c'),
    Fortran-ordered maps and other arrays are read through indexing; pages
    of read-only maps are then handed back (``madvise(MADV_DONTNEED)``) as
    the reading moves on.

    Examples
    --------
    >>> import numpy as np, tempfile, os, shutil
    >>> from skmtl.neural import MemmapDataset, MultiTaskMLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "X.npy")
    >>> X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32,
    ...                               shape=(1000, 4))
    >>> X[:] = rng.normal(size=(1000, 4))
    >>> X.flush(); del X
    >>> X = np.load(path, mmap_mode="r")
    >>> Y = np.column_stack([X[:, 0], X[:, 1] - X[:, 2]])
    >>> data = MemmapDataset(X, Y, chunk_size=256)
    >>> model = MultiTaskMLPRegressor(trunk_layer_sizes=(8,), max_epochs=2,
    ...                               batch_size=128, random_state=0)
    >>> model.fit(data).predict(data).shape
    (1000, 2)
    >>> del X, data
    >>> shutil.rmtree(folder)
    """

    def __init__(self, X, y=None, *, chunk_size=None):
        self.X = X
        self.y = y
        self.chunk_size = chunk_size

    def __len__(self):
        return int(self.X.shape[0])

    def __getitem__(self, i):
        x = np.asarray(self.X[i])
        return x, (None if self.y is None else np.asarray(self.y[i]))


# ------------------------------------------------------------------ sources
def _memory_map(a):
    """The ``mmap.mmap`` under an ndarray (following ``.base``), else None."""
    obj = a
    while isinstance(obj, np.ndarray):
        obj = obj.base
    return obj if isinstance(obj, mmap.mmap) else None


def is_streaming(X):
    """Whether ``X`` takes the out-of-core path (memory map or torch Dataset).

    Parameters
    ----------
    X : object
        The ``X`` given to ``fit`` or ``predict``.

    Returns
    -------
    streaming : bool
        True for a memory-mapped ndarray or a torch ``Dataset``.
    """
    return isinstance(X, torch.utils.data.Dataset) or _memory_map(X) is not None


def _to_numpy(a):
    if isinstance(a, torch.Tensor):
        return a.detach().cpu().numpy()
    return np.asarray(a)


def _rows_array(a):
    """Keep arrays with numpy row indexing; pandas and lists become ndarrays."""
    if a is None:
        return None
    if hasattr(a, "iloc"):
        return a.to_numpy()
    if isinstance(a, torch.Tensor):
        return a.detach().cpu().numpy()
    if not (hasattr(a, "shape") and hasattr(a, "__getitem__")):
        return np.asarray(a)
    return a


def _file_rows(a):
    """``(path, offset of row 0, row stride)`` to read rows of ``a`` from its file.

    Only for arrays on a shared file map (``np.memmap`` modes 'r', 'r+', 'w+',
    ``np.load(mmap_mode=...)`` likewise) whose rows are contiguous: reading
    them with ``pread`` gives the file's current content (the page cache a
    shared map writes to) without mapping any page into the process.
    """
    if not isinstance(a, np.ndarray) or a.ndim not in (1, 2) or a.size == 0:
        return None
    if not hasattr(os, "preadv"):  # pragma: no cover - not POSIX
        return None
    root, obj = None, a
    while isinstance(obj, np.ndarray):
        if root is None and isinstance(obj, np.memmap):
            root = obj
        obj = obj.base
    if not isinstance(obj, mmap.mmap) or root is None:
        return None
    if getattr(root, "mode", None) not in ("r", "r+", "w+") or not root.filename:
        return None
    row_bytes = a.dtype.itemsize * (a.shape[1] if a.ndim == 2 else 1)
    if a.strides[0] < row_bytes or (a.ndim == 2 and a.strides[1] != a.dtype.itemsize):
        return None
    try:
        map_address = np.frombuffer(obj, dtype=np.uint8).ctypes.data
    except (TypeError, ValueError, BufferError):  # pragma: no cover
        return None
    map_offset = root.offset - root.offset % mmap.ALLOCATIONGRANULARITY
    offset = map_offset + (a.ctypes.data - map_address)
    layout = (str(root.filename), int(offset), int(a.strides[0]))
    # check the arithmetic on the first row (else read through the map)
    try:
        first = _pread(layout, a.dtype, a.shape[1:], np.array([0]))
    except OSError:  # pragma: no cover
        return None
    if first.tobytes() != np.ascontiguousarray(a[:1]).tobytes():
        return None  # pragma: no cover
    return layout


def _pread(layout, dtype, row_shape, rows):
    """Rows (a slice or increasing row numbers) read with ``os.preadv``."""
    path, offset, stride = layout
    if isinstance(rows, slice):
        start, stop = rows.start, rows.stop
        runs = [(start, stop - start)] if stop > start else []
        n = stop - start
    else:
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        if n == 0:
            runs = []
        else:  # runs of consecutive rows are read in one call
            cut = np.flatnonzero(np.diff(rows) != 1) + 1
            starts = rows[np.concatenate([[0], cut])]
            lengths = np.diff(np.concatenate([[0], cut, [n]]))
            runs = list(zip(starts.tolist(), lengths.tolist(), strict=True))
    out = np.empty((n, *row_shape), dtype=dtype)
    row_bytes = out.itemsize * int(np.prod(row_shape, dtype=np.int64))
    buf = memoryview(out.reshape(-1).view(np.uint8))
    fd = os.open(path, os.O_RDONLY)
    try:
        pos = 0
        for first, count in runs:
            if stride == row_bytes:
                pieces = [(first * stride, count * row_bytes)]
            else:
                pieces = [((first + j) * stride, row_bytes) for j in range(count)]
            for where, size in pieces:
                got = os.preadv(fd, [buf[pos : pos + size]], offset + where)
                if got != size:
                    raise OSError(
                        f"Could read only {got} of {size} bytes at offset "
                        f"{offset + where} of {path}: was the file truncated?"
                    )
                pos += size
    finally:
        os.close(fd)
    return out


class _ArrayRows:
    """Row reader of array-likes; memory maps are read without mapping pages."""

    def __init__(self, X, y, chunk_size=None):
        X, y = _rows_array(X), _rows_array(y)
        if len(X.shape) != 2:
            raise ValueError(
                f"X must be 2-D (n_samples, n_columns); got shape {X.shape}."
            )
        if y is not None and y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has "
                f"{X.shape[0]} rows, y has {y.shape[0]}."
            )
        self.files = [_file_rows(a) for a in (X, y)]
        # plain ndarray views: np.memmap's python-level __getitem__ is slow
        X, y = (a.view(np.ndarray) if isinstance(a, np.memmap) else a for a in (X, y))
        self.X, self.y = X, y
        self.n_rows, self.n_columns = int(X.shape[0]), int(X.shape[1])
        itemsize = np.dtype(getattr(X, "dtype", np.float64)).itemsize
        self.row_bytes = max(1, itemsize * self.n_columns)
        self.chunk_size = int(chunk_size or max(1, _CHUNK_BYTES // self.row_bytes))
        maps = {}
        for a, f in zip((X, y), self.files, strict=True):
            m = _memory_map(a) if isinstance(a, np.ndarray) and f is None else None
            # only read-only maps: dropping the pages of a private
            # (copy-on-write) map would lose the caller's changes
            if m is not None and not a.flags.writeable and hasattr(m, "madvise"):
                maps[id(m)] = m
        self._maps = list(maps.values())
        self._mapped = 0

    def read(self, rows):
        """``(X rows, y rows)`` as in-memory arrays; ``rows`` a slice or sorted."""
        if isinstance(rows, slice):
            rows = slice(*rows.indices(self.n_rows)[:2])
        if isinstance(rows, slice) or not self._maps or len(rows) <= _GROUP:
            return self._read(rows)
        # random rows of a memory map read through the map: each one maps a
        # whole folio of the file (often 100 KiB or more), so hand the pages
        # back every few rows
        parts = [self._read(rows[s : s + _GROUP]) for s in range(0, len(rows), _GROUP)]
        X = np.concatenate([p[0] for p in parts])
        y = None if self.y is None else np.concatenate([p[1] for p in parts])
        return X, y

    def _take(self, a, layout, rows):
        if a is None:
            return None
        if layout is not None:
            return _pread(layout, a.dtype, a.shape[1:], rows)
        # a slice of a memory map is a view of the file: copy the chunk (and
        # only it); integer rows already give an in-memory copy
        return (np.array if isinstance(rows, slice) else np.asarray)(a[rows])

    def _read(self, rows):
        X = self._take(self.X, self.files[0], rows)
        y = self._take(self.y, self.files[1], rows)
        if self._maps:
            if isinstance(rows, slice):
                self._mapped += len(X) * self.row_bytes
            if not isinstance(rows, slice) or self._mapped >= _RELEASE_BYTES:
                self.release()
        return X, y

    def release(self):
        """Hand the pages of read-only memory maps back to the system."""
        for m in self._maps:
            try:
                m.madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):  # pragma: no cover - platform quirks
                pass
        self._mapped = 0


class _DatasetRows:
    """Row reader of a map-style torch Dataset whose items are ``(x, y)``."""

    def __init__(self, dataset, need_y=True):
        self.dataset = dataset
        self.need_y = need_y
        self.n_rows = len(dataset)
        first = self._items([0])[0] if self.n_rows else None
        x0 = np.atleast_1d(_to_numpy(first[0])) if first is not None else None
        self.n_columns = 0 if x0 is None else int(x0.shape[0])
        self.row_bytes = max(1, 8 * self.n_columns)
        self.chunk_size = _DATASET_CHUNK

    def _items(self, idx):
        ds = self.dataset
        items = ds.__getitems__(idx) if hasattr(ds, "__getitems__") else None
        if items is None:
            items = [ds[int(i)] for i in idx]
        out = []
        for i, item in zip(idx, items, strict=True):
            if isinstance(item, dict) or not (
                isinstance(item, tuple | list) and len(item) == 2
            ):
                raise TypeError(
                    f"Item {int(i)} of the dataset is {type(item).__name__}; a "
                    "Dataset given to a skmtl neural estimator must return "
                    "(x, y) pairs: x a row of X (with the task id at "
                    "task_column for long data), y its targets (wide: one value "
                    "per task, NaN = missing label; long: one number)."
                )
            out.append(item)
        return out

    def read(self, rows):
        idx = (
            range(*rows.indices(self.n_rows))
            if isinstance(rows, slice)
            else np.asarray(rows).tolist()
        )
        items = self._items(list(idx))
        xs = [np.atleast_1d(_to_numpy(it[0])) for it in items]
        bad = [k for k, x in enumerate(xs) if x.ndim != 1 or len(x) != self.n_columns]
        if bad:
            k = bad[0]
            raise ValueError(
                f"Item {list(idx)[k]} of the dataset has x of shape "
                f"{xs[k].shape}; every x must be 1-D with {self.n_columns} "
                "values (the shape of item 0)."
            )
        X = np.stack(xs) if xs else np.empty((0, self.n_columns))
        if not self.need_y:
            return X, None
        ys = [it[1] for it in items]
        if any(v is None for v in ys):
            raise ValueError("The dataset's items have y=None; fitting needs targets.")
        y = np.stack([np.asarray(_to_numpy(v), dtype=np.float64) for v in ys])
        return X, y

    def release(self):
        pass


def _source(X, y, *, need_y):
    """The row reader of a streaming input (the checks of ``fit``'s arguments)."""
    from skorch.dataset import Dataset as SkorchDataset

    if isinstance(X, torch.utils.data.IterableDataset):
        raise TypeError(
            "An IterableDataset cannot be used: the estimator needs the number "
            "of rows and random access for shuffling. Wrap the data in a "
            "map-style Dataset or in skmtl.neural.MemmapDataset."
        )
    if isinstance(X, torch.utils.data.Dataset):
        if need_y and y is not None:
            raise ValueError(
                "y must be None when X is a Dataset: the dataset's items are "
                "the (x, y) pairs."
            )
        if isinstance(X, MemmapDataset):
            if need_y and X.y is None:
                raise ValueError(
                    "MemmapDataset has y=None; fitting needs the targets: "
                    "MemmapDataset(X, y)."
                )
            return _ArrayRows(X.X, X.y if need_y else None, X.chunk_size)
        if (
            type(X) is SkorchDataset
            and hasattr(X.X, "shape")
            and (X.y is None or hasattr(X.y, "shape"))
        ):
            if need_y and X.y is None:
                raise ValueError("The skorch Dataset has y=None; fitting needs y.")
            return _ArrayRows(X.X, X.y if need_y else None)
        return _DatasetRows(X, need_y=need_y)
    if need_y and y is None:
        raise ValueError("This estimator requires y to be passed, but y is None.")
    return _ArrayRows(X, y if need_y else None)


# ------------------------------------------------------ the training data
class StreamData(torch.utils.data.Dataset):
    """Validated streaming data: reads and encodes batches for the net.

    Item ``i`` is ``(x_i, y_i)`` as float32 tensors in the net's target
    encoding (wide: ``(n_tasks,)`` with NaN; long: ``[task code, value]``);
    :class:`StreamingBatchIterator` fetches whole batches with
    :meth:`batch`.
    """

    def __init__(self, scan):
        est = scan.est
        self.scan = scan
        self.source = scan.source
        self.layout = scan.layout
        self.tasks = est.tasks_
        self.task_types = list(est.task_types_)
        self.classes = list(est._classes)
        self.y_mean = np.asarray(est.y_mean_, dtype=np.float64)
        self.y_scale = np.asarray(est.y_scale_, dtype=np.float64)
        self.all_regression = all(k == "regression" for k in self.task_types)

    def __len__(self):
        return self.source.n_rows

    def __getitem__(self, i):
        X, y = self.batch(np.array([int(i)]))
        return X[0], y[0]

    def batch(self, rows):
        """Tensors ``(X, Y)`` of ``rows`` (a slice or an array of row numbers)."""
        inv = None
        if not isinstance(rows, slice):
            rows = np.asarray(rows)
            order = np.argsort(rows, kind="stable")
            rows = rows[order]  # read in increasing order (h5py needs it)
            inv = np.empty_like(order)
            inv[order] = np.arange(len(order))
        xfull, y = self.source.read(rows)
        feats, ids = self.scan.features(xfull)
        del xfull
        if feats.dtype.kind not in "fc" or feats.dtype == np.float16:
            feats = np.asarray(feats, dtype=np.float64)
        feats = np.asarray(feats, dtype=np.float32)
        Y = self._encode(y, ids)
        if inv is not None:  # back to the requested order
            feats, Y = feats[inv], Y[inv]
        return torch.from_numpy(np.ascontiguousarray(feats)), torch.from_numpy(Y)

    def _encode(self, y, ids):
        y = np.asarray(y, dtype=np.float64)
        if self.layout == "wide":
            if self.all_regression:
                return ((y - self.y_mean) / self.y_scale).astype(np.float32)
            Y = np.full(y.shape, np.nan, dtype=np.float32)
            for t in range(y.shape[1]):
                m = ~np.isnan(y[:, t])
                Y[m, t] = self._encode_task(t, y[m, t])
            return Y
        y = y.ravel()
        codes = task_codes_for(self.tasks, check_task_ids(ids))
        Y = np.full((len(y), 2), np.nan, dtype=np.float32)
        Y[:, 0] = codes
        m = ~np.isnan(y)
        if self.all_regression:
            c = codes[m]
            Y[m, 1] = (y[m] - self.y_mean[c]) / self.y_scale[c]
            return Y
        for t in np.unique(codes[m]):
            rows = m & (codes == t)
            Y[rows, 1] = self._encode_task(t, y[rows])
        return Y

    def _encode_task(self, t, v):
        if self.task_types[t] == "regression":
            return (v - self.y_mean[t]) / self.y_scale[t]
        labels = self.classes[t]
        pos = np.clip(np.searchsorted(labels, v), 0, len(labels) - 1)
        return pos.astype(np.float64)


def _unwrap(dataset):
    indices = None
    if isinstance(dataset, torch.utils.data.Subset):
        indices = np.asarray(dataset.indices)
        dataset = dataset.dataset
    return (dataset, indices) if isinstance(dataset, StreamData) else (None, None)


class StreamingBatchIterator(TensorBatchIterator):
    """Mini-batches read from a :class:`StreamData` (or a ``Subset`` of one).

    The batches are the same as :class:`~skmtl.neural._net.TensorBatchIterator`
    would slice from in-memory tensors (the same permutation from torch's
    global generator), so a streamed fit equals the in-memory fit with the
    same seed. Other datasets are handled by ``TensorBatchIterator``.

    Parameters
    ----------
    dataset : StreamData, torch.utils.data.Subset or any dataset
    batch_size : int, default=64
    shuffle : bool, default=False
    **kwargs
        Passed to ``TensorBatchIterator`` for other datasets.
    """

    def __init__(self, dataset, batch_size=64, shuffle=False, **kwargs):
        self.stream, self.indices = _unwrap(dataset)
        if self.stream is None:
            super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, **kwargs)
            return
        self.fallback = None
        self.n = len(dataset)
        self.batch_size = self.n if batch_size in (-1, None) else batch_size
        self.shuffle = shuffle

    def __len__(self):
        if self.stream is None:
            return super().__len__()
        return -(-self.n // self.batch_size)

    def __iter__(self):
        if self.stream is None:
            yield from super().__iter__()
            return
        n, bs, idx = self.n, self.batch_size, self.indices
        order = torch.randperm(n).numpy() if self.shuffle else None
        for start in range(0, n, bs):
            stop = min(n, start + bs)
            if order is not None:
                rows = order[start:stop]
                rows = rows if idx is None else idx[rows]
            else:
                rows = slice(start, stop) if idx is None else idx[start:stop]
            yield self.stream.batch(rows)
        self.stream.source.release()


# ---------------------------------------------------------- entry points
def fit_streaming(est, X, y, *, partial, classes=None):
    """``fit`` / ``partial_fit`` of a neural estimator on streaming data."""
    est._check_device()
    first = not (hasattr(est, "net_") and (partial or est.warm_start))
    source = _source(X, y, need_y=True)
    scan = _Scan(est, source, reset=first, classes=classes if first else None)
    scan.run()
    data = StreamData(scan)
    if first:
        est._seed = int(check_random_state(est.random_state).randint(2**31 - 1))
        est.net_ = est._build_net(scan.n_features, scan.layout, est._seed)
    net = est.net_
    saved = net.iterator_train, net.iterator_valid
    net.iterator_train = net.iterator_valid = StreamingBatchIterator
    try:
        with torch_rng(est.device) as seed, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Mean of empty slice.*")
            if first:
                seed(est._seed)
                net.initialize()
            seed(est._seed + 1 + len(net.history))
            net.max_epochs = 1 if partial else est.max_epochs
            est._prepare_stopping(scan.moments.n, scan.layout, partial)
            net.partial_fit(data, None)
    finally:
        net.iterator_train, net.iterator_valid = saved
    est.n_iter_ = len(net.history)
    est._set_diagnostics()
    if not partial:
        warn_if_not_converged(est)
    return est


def predict_streaming(est, X, method):
    """``predict`` / ``predict_proba`` chunk by chunk of a streaming ``X``.

    Each chunk (``chunk_size`` rows, about 8 MiB of ``X`` by default) is
    predicted in memory, in batches of at most ``predict_batch_size`` rows (the
    chunk caps 'auto'): the memory stays at one chunk, its predictions and one
    batch's activations, whatever the size of ``X``.
    """
    source = _source(X, None, need_y=False)
    func = getattr(est, method)
    parts = []
    for start, stop in chunks(source.n_rows, source.chunk_size):
        xfull, _ = source.read(slice(start, stop))
        try:
            parts.append(func(xfull))
        except ValueError as exc:
            raise ValueError(f"{exc} (in rows {start}..{stop - 1} of X)") from exc
    source.release()
    if not parts:
        return func(np.empty((0, source.n_columns)))
    if isinstance(parts[0], list):  # predict_proba: one array per task
        return [np.concatenate(p) for p in zip(*parts, strict=True)]
    if isinstance(parts[0], tuple):  # (predictions, task codes or None)
        return tuple(
            None if p[0] is None else np.concatenate(p)
            for p in zip(*parts, strict=True)
        )
    return np.concatenate(parts)
