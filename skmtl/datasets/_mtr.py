"""Loader of the Mulan multi-target regression (MTR) collection."""

import os
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.io import arff
from sklearn.utils import Bunch

__all__ = ["MTR_DATASETS", "get_data_home", "load_mtr"]

#: Number of targets (the last attributes of the ARFF file) of each Mulan set.
MTR_DATASETS = {
    "andro": 6,
    "atp1d": 6,
    "atp7d": 6,
    "edm": 2,
    "enb": 2,
    "jura": 3,
    "oes10": 16,
    "oes97": 16,
    "osales": 12,
    "rf1": 8,
    "rf2": 8,
    "scm1d": 16,
    "scm20d": 16,
    "scpf": 3,
    "sf1": 3,
    "sf2": 3,
    "slump": 3,
    "wq": 14,
}

_BUNDLED = ("enb", "slump")


def get_data_home(data_home=None):
    """Directory where skmtl looks for data files it does not bundle.

    Resolved in order: the ``data_home`` argument, the ``SKMTL_DATA``
    environment variable, then ``~/skmtl_data``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit directory.

    Returns
    -------
    path : pathlib.Path
        The resolved directory (it may not exist yet).
    """
    if data_home is None:
        data_home = os.environ.get("SKMTL_DATA", Path("~") / "skmtl_data")
    return Path(data_home).expanduser()


def _find_file(name, data_home):
    home = get_data_home(data_home)
    candidates = [home / f"{name}.arff", home / "mtr" / f"{name}.arff"]
    for path in candidates:
        if path.is_file():
            return path
    if name in _BUNDLED:
        return resources.files(__package__).joinpath(f"data/{name}.arff")
    raise FileNotFoundError(
        f"The Mulan dataset {name!r} was not found. Looked for "
        + " and ".join(str(p) for p in candidates)
        + ". Download the ARFF file of the Mulan multi-target regression "
        "collection and put it there, or point data_home (or the SKMTL_DATA "
        "environment variable) at the folder that holds it."
    )


def _read_arff(path):
    with open(path, encoding="utf-8") as f:
        records, meta = arff.loadarff(f)
    names = list(meta.names())
    columns = []
    for name in names:
        kind, values = meta[name]
        col = records[name]
        if kind == "nominal":
            lookup = {v: float(i) for i, v in enumerate(values)}
            decoded = [c.decode() if isinstance(c, bytes) else c for c in col]
            col = np.array([lookup.get(v, np.nan) for v in decoded])
        elif kind != "numeric":
            raise ValueError(
                f"Attribute {name!r} of {path} has type {kind!r}; only numeric "
                "and nominal attributes are supported."
            )
        columns.append(np.asarray(col, dtype=np.float64))
    return np.column_stack(columns), names


def load_mtr(name, *, data_home=None, n_targets=None, return_X_y=False, as_frame=False):
    """Load a Mulan multi-target regression dataset (wide layout).

    Parameters
    ----------
    name : str
        Dataset name, one of :data:`MTR_DATASETS` (``'enb'``, ``'slump'``,
        ``'wq'``, ``'atp1d'``, ``'rf1'``, ``'scm1d'``, ...) or any ARFF file
        ``NAME.arff`` in the cache with ``n_targets`` given.
    data_home : str or path-like, default=None
        Folder holding ``NAME.arff`` (or ``mtr/NAME.arff``); default the
        ``SKMTL_DATA`` environment variable, then ``~/skmtl_data``. ``enb`` and
        ``slump`` are bundled and need no file.
    n_targets : int, default=None
        Number of trailing attributes that are targets; default from
        :data:`MTR_DATASETS`.
    return_X_y : bool, default=False
        If True, return ``(data, target)``.
    as_frame : bool, default=False
        If True, ``data`` and ``target`` are DataFrames and ``frame`` holds both.

    Returns
    -------
    data : Bunch
        ``data`` (n, d) with NaN for missing inputs, ``target`` (n, k),
        ``feature_names``, ``target_names``, ``frame``, ``DESCR``.
    (data, target) : tuple
        If ``return_X_y``.

    Examples
    --------
    >>> from skmtl.datasets import load_mtr
    >>> enb = load_mtr("enb")
    >>> enb.data.shape, enb.target.shape
    ((768, 8), (768, 2))
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string; got {type(name).__name__}.")
    name = name.lower()
    if n_targets is None:
        if name not in MTR_DATASETS:
            raise ValueError(
                f"Unknown Mulan dataset {name!r}: known ones are "
                f"{sorted(MTR_DATASETS)}. For another ARFF file pass n_targets."
            )
        n_targets = MTR_DATASETS[name]
    path = _find_file(name, data_home)
    values, names = _read_arff(path)
    if not 1 <= n_targets < len(names):
        raise ValueError(
            f"n_targets={n_targets} leaves no inputs in {name!r} ({len(names)} "
            "attributes)."
        )
    data, target = values[:, :-n_targets], values[:, -n_targets:]
    feature_names, target_names = names[:-n_targets], names[-n_targets:]
    descr = resources.files(__package__).joinpath("descr/mtr.rst").read_text("utf-8")
    bunch = Bunch(
        data=data,
        target=target,
        feature_names=feature_names,
        target_names=target_names,
        frame=None,
        DESCR=descr,
        filename=str(path),
    )
    if as_frame:
        import pandas as pd

        bunch.data = pd.DataFrame(data, columns=feature_names)
        bunch.target = pd.DataFrame(target, columns=target_names)
        bunch.frame = pd.concat([bunch.data, bunch.target], axis=1)
    if return_X_y:
        return bunch.data, bunch.target
    return bunch
