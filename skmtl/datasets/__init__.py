"""Multi-task datasets: synthetic generators, bundled School data, Mulan loaders."""

from ._mtr import MTR_DATASETS, get_data_home, load_mtr
from ._parquet import make_multitask_parquet
from ._samples_generator import (
    make_multitask_classification,
    make_multitask_regression,
)
from ._school import load_school

__all__ = [
    "MTR_DATASETS",
    "get_data_home",
    "load_mtr",
    "load_school",
    "make_multitask_classification",
    "make_multitask_parquet",
    "make_multitask_regression",
]
