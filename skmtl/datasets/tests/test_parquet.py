"""The chunked Parquet generator: files, ground truth, and a dask fit on them."""

import numpy as np
import pytest

from skmtl.datasets import make_multitask_parquet
from skmtl.linear import PerTaskRidge

pytest.importorskip("pyarrow")


def test_parquet_generator_writes_chunks_with_the_stated_truth(tmp_path):
    pd = pytest.importorskip("pandas")
    info = make_multitask_parquet(
        tmp_path, 5000, n_features=4, n_tasks=3, n_informative=2, noise=0.1,
        chunk_size=2000, random_state=0,
    )  # fmt: skip
    assert len(info.files) == 3
    df = pd.concat([pd.read_parquet(f) for f in info.files], ignore_index=True)
    assert list(df.columns) == ["task", "x0", "x1", "x2", "x3", "y"]
    assert len(df) == 5000 and df["task"].between(0, 2).all()
    assert np.count_nonzero(info.coef.any(axis=0)) == 2  # shared support
    # the truth holds: per-task least squares recovers it to the noise level
    model = PerTaskRidge(alpha=0.0, task_column="task").fit(
        df.drop(columns="y"), df["y"]
    )
    np.testing.assert_allclose(model.coef_, info.coef, atol=0.02)
    np.testing.assert_allclose(model.intercept_, info.intercept, atol=0.02)
    # same seed, same files; a rewrite replaces the old parts
    again = make_multitask_parquet(
        tmp_path, 3000, n_features=4, n_tasks=3, chunk_size=2000, random_state=0
    )
    assert len(again.files) == 2 and len(list(tmp_path.glob("*.parquet"))) == 2


# dask's Parquet reader calls a pandas API that pandas 3.1 deprecates
@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
def test_dask_fit_on_the_parquet_files_equals_in_memory(tmp_path):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    info = make_multitask_parquet(
        tmp_path, 3000, n_features=3, n_tasks=5, chunk_size=700, random_state=1
    )
    ddf = dd.read_parquet(str(tmp_path))
    df = pd.concat([pd.read_parquet(f) for f in info.files], ignore_index=True)
    got = PerTaskRidge(alpha=0.1, task_column="task").fit(
        ddf.drop(columns="y"), ddf["y"]
    )
    ref = PerTaskRidge(alpha=0.1, task_column="task").fit(df.drop(columns="y"), df["y"])
    np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-10)
    np.testing.assert_allclose(got.intercept_, ref.intercept_, rtol=1e-10)
