"""The School benchmark (Inner London Education Authority exam scores)."""

from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_school"]

SCHOOL_FEATURES = (
    [f"exam_year_{k}" for k in range(3)]
    + ["school_fsm_pct", "school_vr1_pct"]
    + [f"gender_{k}" for k in range(2)]
    + [f"vr_band_{k}" for k in range(3)]
    + [f"ethnic_group_{k}" for k in range(11)]
    + [f"school_gender_{k}" for k in range(3)]
    + [f"school_denomination_{k}" for k in range(3)]
)


def load_school(*, return_X_y=False, as_frame=False):
    """Load the School data: 139 schools (tasks), 15362 students.

    Each task is one secondary school of the Inner London Education Authority;
    each row a student, the target their exam score (1-70). The 27 inputs are
    the exam year (one-hot, 3), two school-level percentages (students eligible
    for free school meals, students in verbal-reasoning band one), gender
    (one-hot, 2), verbal-reasoning band (one-hot, 3), ethnic group (one-hot,
    11), school gender (one-hot, 3) and school denomination (one-hot, 3). The
    constant bias column of MALSAR's ``school.mat`` is dropped. Schools have
    22 to 251 students (median 103). The data are bundled with skmtl.

    This is long data: each task has its own samples.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(X, y)`` ready for an skmtl estimator with
        ``task_column=-1``: ``X`` is ``data`` with the school id appended as its
        last column (with ``as_frame=True``, a DataFrame whose last column is
        ``'school'``, so ``task_column='school'`` works too).
    as_frame : bool, default=False
        If True, ``data`` is a DataFrame, ``target`` a Series, and ``frame`` a
        DataFrame with the features, ``school`` and ``score``. Needs pandas.

    Returns
    -------
    data : Bunch
        ``data`` (15362, 27), ``target`` (15362,), ``task`` (15362,) school id
        1-139 of each row, ``feature_names``, ``target_names``, ``frame`` (with
        ``as_frame``), ``DESCR``.
    (X, y) : tuple
        If ``return_X_y``.

    References
    ----------
    H. Goldstein, "Multilevel modelling of survey data", The Statistician 40,
    1991. Used by Bakker & Heskes (2003), Evgeniou & Pontil (2004) and
    Argyriou, Evgeniou & Pontil (2008); converted from MALSAR's ``school.mat``.

    Examples
    --------
    >>> from skmtl.datasets import load_school
    >>> school = load_school()
    >>> school.data.shape, len(set(school.task.tolist()))
    ((15362, 27), 139)
    """
    with resources.files(__package__).joinpath("data/school.npz").open("rb") as f:
        raw = np.load(f)
        data = raw["data"].astype(np.float64)
        target = raw["target"].astype(np.float64)
        task = raw["task"].astype(np.int64)
    descr = resources.files(__package__).joinpath("descr/school.rst").read_text("utf-8")
    bunch = Bunch(
        data=data,
        target=target,
        task=task,
        feature_names=list(SCHOOL_FEATURES),
        target_names=["score"],
        frame=None,
        DESCR=descr,
    )
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(data, columns=SCHOOL_FEATURES)
        frame["school"] = task
        frame["score"] = target
        bunch.frame = frame
        bunch.data = frame[SCHOOL_FEATURES]
        bunch.target = frame["score"]
        bunch.task = frame["school"]
    if return_X_y:
        if as_frame:
            return bunch.frame.drop(columns="score"), bunch.target
        return np.column_stack([data, task.astype(np.float64)]), target
    return bunch
