"""The ``skmtl`` command end to end on bundled data."""

import io
import os
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

from skmtl import _registry
from skmtl._benchmarks import average_rrmse, mtr_suite, speed_suite
from skmtl._progress import progress
from skmtl.cli import main
from skmtl.datasets import load_mtr, load_school

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]


def run(args):
    out = io.StringIO()
    status = main([str(a) for a in args], out=out)
    return status, out.getvalue()


@pytest.fixture
def enb_csv(tmp_path):
    frame = load_mtr("enb", as_frame=True).frame
    path = tmp_path / "enb.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def school_csv(tmp_path):
    frame = load_school(as_frame=True).frame
    frame = frame[frame["school"] <= 15].copy()
    frame["school"] = "s" + frame["school"].astype(str)  # string task ids
    path = tmp_path / "school.csv"
    frame.to_csv(path, index=False)
    return path


def test_fit_predict_evaluate_wide(enb_csv, tmp_path):
    model, preds = tmp_path / "m.joblib", tmp_path / "p.csv"
    status, text = run(
        ["fit", enb_csv, "--targets", "Y1,Y2", "--model", "group-lasso",
         "--param", "alpha=0.01", "-o", model]
    )  # fmt: skip
    assert status == 0 and "2 tasks" in text
    bundle = joblib.load(model)
    assert bundle["pipeline"][-1].alpha == 0.01
    assert len(bundle["features"]) == 8 and "Y1" not in bundle["features"]
    assert run(["predict", model, enb_csv, "-o", preds])[0] == 0
    got = pd.read_csv(preds)
    frame = pd.read_csv(enb_csv)
    expected = bundle["pipeline"].predict(frame[bundle["features"]])
    assert list(got.columns) == ["Y1", "Y2"]
    np.testing.assert_allclose(got.to_numpy(), expected)

    table = tmp_path / "metrics.csv"
    status, text = run(["evaluate", model, enb_csv, "-o", table])
    assert status == 0 and "| Y1 |" in text
    metrics = pd.read_csv(table)
    resid = frame[["Y1", "Y2"]].to_numpy() - expected
    np.testing.assert_allclose(metrics["mse"][:2], (resid**2).mean(0))
    assert metrics["r2"][2] > 0.85  # the linear fit explains enb well


def test_fit_long_data_with_cv(school_csv, tmp_path):
    model, preds = tmp_path / "s.joblib", tmp_path / "p.csv"
    status, text = run(
        ["fit", school_csv, "--targets", "score", "--task-column", "school",
         "--model", "pooled-ridge", "--cv", "3", "-o", model]
    )  # fmt: skip
    assert status == 0 and "best parameters (3-fold CV): alpha=" in text
    bundle = joblib.load(model)
    assert bundle["params"]["alpha"] in _registry.MODELS["pooled-ridge"].grid["alpha"]
    assert "school" not in bundle["features"]

    assert run(["predict", model, school_csv, "-o", preds])[0] == 0
    frame, got = pd.read_csv(school_csv), pd.read_csv(preds)
    assert list(got.columns) == ["school", "score"]
    assert (got["school"] == frame["school"]).all()
    np.testing.assert_allclose(
        got["score"], bundle["pipeline"].predict(frame[[*bundle["features"], "school"]])
    )
    status, text = run(["evaluate", model, school_csv])
    assert status == 0
    assert text.count("| s") == 15 and "mean over tasks" in text


@pytest.mark.parametrize("model", ["group-lasso", "dirty", "trace-norm"])
def test_cv_grid_of_a_sparse_penalty_follows_the_target_scale(
    model, enb_csv, tmp_path
):
    """Grids relative to alpha_max: the same fractions whatever the target scale."""
    frame = pd.read_csv(enb_csv)
    chosen = []
    for scale in (1.0, 1000.0):
        data = tmp_path / f"scaled{scale:g}.csv"
        frame.assign(Y1=frame["Y1"] * scale, Y2=frame["Y2"] * scale).to_csv(
            data, index=False
        )
        out = tmp_path / f"m{scale:g}.joblib"
        status, text = run(
            ["fit", data, "--targets", "Y1,Y2", "--model", model, "--cv", "3",
             "-o", out]
        )  # fmt: skip
        assert status == 0, text
        chosen.append(joblib.load(out)["params"])
    spec = _registry.MODELS[model]
    for name in spec.relative:
        assert chosen[1][name] == pytest.approx(1000 * chosen[0][name], rel=1e-6)
    # the fractions are interior to (0, alpha_max): no all-zero fit in the grid
    assert max(max(spec.grid[name]) for name in spec.relative) < 1


def test_wide_missing_labels_are_masked(enb_csv, tmp_path):
    frame = pd.read_csv(enb_csv)
    frame.loc[::3, "Y2"] = np.nan
    path = tmp_path / "holes.csv"
    frame.to_csv(path, index=False)
    model = tmp_path / "m.joblib"
    assert (
        run(["fit", path, "--targets", "Y1,Y2", "--model", "ridge", "-o", model])[0]
        == 0
    )
    out = io.StringIO()
    assert main(["evaluate", str(model), str(path), "-o", str(tmp_path / "t.csv")],
                out=out) == 0  # fmt: skip
    n = pd.read_csv(tmp_path / "t.csv")["n"]
    assert n[0] == len(frame) and n[1] == len(frame) - len(frame.loc[::3])


def _bad_csv(tmp_path, enb_csv, kind):
    frame = pd.read_csv(enb_csv)
    if kind == "text":
        frame["X3"] = frame["X3"].astype(str)
        frame.loc[5, "X3"] = "high"
    path = tmp_path / f"{kind}.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "args, message",
    [
        (["--targets", "Y1,Y9"], "target column(s) 'Y9' not found"),
        (["--targets", "Y1", "--task-column", "site"], "task column(s) 'site'"),
        (["--targets", "Y1", "--features", "X1,X99"], "feature column(s) 'X99'"),
        (["--targets", "Y1", "--model", "magic"], "Available models: ridge"),
        (["--targets", "Y1", "--param", "beta=2"], "has no parameter 'beta'"),
        (["--targets", "Y1", "--param", "alpha"], "write it as NAME=VALUE"),
        (["--targets", "Y1,Y2", "--task-column", "X1"], "exactly one target"),
        (["--targets", "Y1", "--param", "alpha=-1"], "fitting group-lasso failed"),
    ],
)
def test_fit_errors(enb_csv, tmp_path, capsys, args, message):
    status = main(["fit", str(enb_csv), *args, "-o", str(tmp_path / "m.joblib")])
    assert status == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.joblib").exists()


def test_non_numeric_feature(enb_csv, tmp_path, capsys):
    path = _bad_csv(tmp_path, enb_csv, "text")
    assert main(["fit", str(path), "--targets", "Y1,Y2"]) == 2
    err = capsys.readouterr().err
    assert "'X3'" in err and "not numeric" in err and "'high' in data row 6" in err


def test_predict_errors(enb_csv, tmp_path, capsys):
    model = tmp_path / "m.joblib"
    run(["fit", enb_csv, "--targets", "Y1,Y2", "--model", "ridge", "-o", model])
    frame = pd.read_csv(enb_csv).drop(columns=["X5"])
    path = tmp_path / "less.csv"
    frame.to_csv(path, index=False)
    assert main(["predict", str(model), str(path)]) == 2
    assert "feature column(s) 'X5' not found" in capsys.readouterr().err
    assert main(["predict", str(enb_csv), str(enb_csv)]) == 2
    assert "not written by 'skmtl fit'" in capsys.readouterr().err
    assert main(["predict", str(tmp_path / "none.joblib"), str(enb_csv)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["evaluate", str(model), str(enb_csv), "--targets", "Y1"]) == 2
    assert "predicts 2 target(s)" in capsys.readouterr().err


def test_help_lists_models(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fit", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for name in ("ridge", "pooled-ridge", "group-lasso"):
        assert f"  {name} " in text
    assert run(["models"])[1].splitlines()[2].startswith("group-lasso")


def test_registry_guard(monkeypatch):
    assert {"ridge", "pooled-ridge", "group-lasso"} <= set(_registry.available_models())
    monkeypatch.setitem(
        _registry.MODELS, "ghost", _registry.ModelSpec("skmtl.nowhere:Ghost", "x")
    )
    monkeypatch.setitem(
        _registry.MODELS, "ghost2", _registry.ModelSpec("skmtl.linear:Ghost", "x")
    )
    assert "ghost" not in _registry.available_models()
    assert "ghost2" not in _registry.available_models()
    with pytest.raises(ValueError, match="cannot be imported"):
        _registry.get_model("ghost")


@pytest.mark.parametrize("name", list(_registry.available_models()))
def test_default_grids_are_valid(name):
    """Every registered grid names real parameters and fits in a search."""
    from sklearn.model_selection import GridSearchCV

    from skmtl.datasets import make_multitask_regression

    cls, spec = _registry.get_model(name)
    assert set(spec.grid) <= set(cls().get_params())
    if spec.path.startswith("skmtl.neural"):
        return  # names checked; fitting nets belongs to their own tests
    if not spec.grid:
        return  # nothing to search (the automatic model: its own test below)
    X, Y = make_multitask_regression(40, 5, 2, random_state=0)
    small = {k: v[:2] for k, v in spec.grid.items()}
    GridSearchCV(cls(), small, cv=2).fit(X, Y)


def test_average_rrmse_by_hand():
    Y_train = np.array([[0.0, 10.0], [2.0, 10.0]])  # means 1 and 10
    Y_true = np.array([[1.0, 11.0], [3.0, 13.0]])
    Y_pred = np.array([[1.0, 12.0], [2.0, 13.0]])
    # target 0: sqrt(1 / (0 + 4)) = 0.5; target 1: sqrt(1 / (1 + 9))
    expected = (0.5 + np.sqrt(0.1)) / 2
    assert average_rrmse(Y_true, Y_pred, Y_train) == pytest.approx(expected)


def test_mtr_suite_small():
    result = mtr_suite(
        datasets=("slump",), n_folds=2, models=("ridge",), show_progress=False
    )
    assert result.header[1] == "slump aRRMSE"
    names = [row[0] for row in result.rows]
    assert any("RegressorChain" in n for n in names)
    assert any("MultiOutputRegressor(GBR)" in n for n in names)
    for values in result.raw.values():
        assert 0 < np.mean(values["slump"]) < 1  # better than the training mean
    assert "| skmtl ridge" in result.to_markdown()


def test_speed_suite_reaches_the_same_objective():
    result = speed_suite(problems=((60, 30, 3, 0.2),), repeats=1, show_progress=False)
    (found,) = result.raw.values()
    for secs, _, subopt in found.values():
        assert secs > 0 and subopt <= 1e-6
    assert float(result.rows[0][-1]) > 0


def test_benchmark_command_writes_markdown(tmp_path, monkeypatch):
    import skmtl._benchmarks as bench

    calls = {}

    def fake(**kwargs):
        calls.update(kwargs)
        return bench.SuiteResult("mtr", "T", "P", ["model", "x"], [["a", "1"]])

    monkeypatch.setitem(bench.SUITES, "mtr", fake)
    target = tmp_path / "results.md"
    status, text = run(
        ["benchmark", "--suite", "mtr", "--n-folds", "3", "--models", "ridge",
         "--no-progress", "--output", target]
    )  # fmt: skip
    assert status == 0 and "| a | 1 |" in text
    assert calls == {
        "n_folds": 3,
        "random_state": 0,
        "show_progress": False,
        "models": ["ridge"],
    }
    written = target.read_text()
    assert "cpu_count" in written and "scikit-learn" in written and "UTC" in written


def test_progress_bar_draws_and_can_be_silenced():
    buf = io.StringIO()
    with progress(4, "demo", file=buf) as bar:
        for _ in range(4):
            bar.update()
    # tqdm throttles redraws; it drew the bar and counted every step
    assert "demo:" in buf.getvalue() and "/4" in buf.getvalue() and bar.n == 4
    silent = io.StringIO()
    with progress(2, "x", enabled=False, file=silent) as bar:
        bar.update()
    assert silent.getvalue() == ""


def test_entry_point_subprocess(enb_csv, tmp_path):
    """``python -m skmtl`` runs the same command."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    model = tmp_path / "m.joblib"
    done = subprocess.run(
        [sys.executable, "-m", "skmtl", "fit", str(enb_csv), "--targets", "Y1,Y2",
         "--model", "ridge", "-o", str(model)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "fitted ridge (PerTaskRidge)" in done.stdout and model.exists()
    bad = subprocess.run(
        [sys.executable, "-m", "skmtl", "fit", str(enb_csv), "--targets", "Y1",
         "--model", "nope"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "Available models" in bad.stderr


def test_csv_without_pandas_is_a_clear_error(enb_csv, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    assert main(["fit", str(enb_csv), "--targets", "Y1,Y2"]) == 2
    assert "needs pandas: pip install pandas" in capsys.readouterr().err


def test_header_only_csv_is_an_error(enb_csv, tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text(enb_csv.read_text().splitlines()[0] + "\n")
    assert main(["fit", str(empty), "--targets", "Y1", "-o", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "empty.csv has a header row but no data rows" in err
    assert err.count("\n") == 1
    model = tmp_path / "m.joblib"
    run(["fit", enb_csv, "--targets", "Y1,Y2", "--model", "ridge", "-o", model])
    assert main(["predict", str(model), str(empty)]) == 2
    assert "no data rows" in capsys.readouterr().err


def test_unseen_task_in_predict_is_an_error(school_csv, tmp_path, capsys):
    model = tmp_path / "m.joblib"
    status, _ = run(
        [
            "fit",
            school_csv,
            "--targets",
            "score",
            "--task-column",
            "school",
            "--model",
            "ridge",
            "-o",
            model,
        ]
    )
    assert status == 0
    frame = pd.read_csv(school_csv)
    frame.loc[0, "school"] = "s999"
    path = tmp_path / "new.csv"
    frame.to_csv(path, index=False)
    assert main(["predict", str(model), str(path)]) == 2
    err = capsys.readouterr().err
    assert "predicting on" in err and "s999" in err and err.count("\n") == 1


def test_output_folder_is_checked_before_the_work(enb_csv, tmp_path, capsys):
    missing = tmp_path / "no" / "such"
    args = ["fit", str(enb_csv), "--targets", "Y1,Y2", "--model", "ridge"]
    assert main([*args, "-o", str(missing / "m.joblib")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the model" in err and "does not exist" in err
    model = tmp_path / "m.joblib"
    assert main([*args, "-o", str(model)]) == 0
    capsys.readouterr()
    assert (
        main(["predict", str(model), str(enb_csv), "-o", str(missing / "p.csv")]) == 2
    )
    assert "cannot write the predictions" in capsys.readouterr().err


def test_fit_refuses_to_overwrite_without_force(enb_csv, tmp_path, capsys):
    model = tmp_path / "m.joblib"
    args = ["fit", str(enb_csv), "--targets", "Y1,Y2", "--model", "ridge", "-o"]
    assert main([*args, str(model)]) == 0
    before = model.stat().st_mtime_ns
    capsys.readouterr()
    assert main([*args, str(model)]) == 2
    err = capsys.readouterr().err
    assert "m.joblib exists" in err and "--force" in err
    assert model.stat().st_mtime_ns == before
    assert main([*args, str(model), "--force"]) == 0


@pytest.mark.parametrize("command", [["--help"], ["models"]])
def test_help_and_models_import_no_estimator(command):
    # listing models finds their modules without importing them: before, the
    # help imported scikit-learn, cvxpy and torch (2.4 s on a quiet machine)
    code = (
        "import sys, time; t = time.process_time(); from skmtl.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(time.process_time() - t, *(m in sys.modules for m in "
        "('sklearn', 'torch', 'cvxpy', 'skmtl.linear')))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *command],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seconds, *imported = done.stdout.split()[-5:]
    assert imported == ["False"] * 4
    # CPU seconds (waiting for a core on a loaded machine does not count):
    # measured 0.05 s, 1.0 is generous
    assert float(seconds) < 1.0
    assert "group-lasso" in done.stdout


def test_cv_with_one_row_folds_is_an_error(enb_csv, tmp_path, capsys):
    # 5 rows and --cv 5 used to report "CV score 0.0000": one-row test folds
    tiny = tmp_path / "tiny.csv"
    pd.read_csv(enb_csv).iloc[:5].to_csv(tiny, index=False)
    args = ["fit", str(tiny), "--targets", "Y1,Y2", "-o", str(tmp_path / "m")]
    assert main([*args, "--cv", "5"]) == 2
    err = capsys.readouterr().err
    assert "--cv 5 on 5 rows" in err and "between 2 and 2" in err
    assert main([*args, "--cv", "2"]) == 0


@pytest.mark.parametrize(
    "kind, message",
    [
        ("semicolons", "looks separated by ';'; skmtl reads comma-separated"),
        ("duplicates", "duplicate column name(s) 'X1'"),
        ("empty_target", "target column(s) 'Y2' of"),
        ("binary", "is not a readable CSV file"),
    ],
)
def test_bad_files_give_one_line(enb_csv, tmp_path, capsys, kind, message):
    frame = pd.read_csv(enb_csv)
    path = tmp_path / f"{kind}.csv"
    if kind == "semicolons":
        frame.to_csv(path, sep=";", index=False)
    elif kind == "duplicates":
        frame.columns = ["X1", "X1", *frame.columns[2:]]
        frame.to_csv(path, index=False)
    elif kind == "empty_target":
        frame["Y2"] = np.nan
        frame.to_csv(path, index=False)
    else:
        path.write_bytes(b"\xff\xfe\x00\x81garbage\x00\x00")
    args = ["fit", str(path), "--targets", "Y1,Y2", "-o", str(tmp_path / "m")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err and err.count("\n") == 1


def test_fit_auto_prints_the_leaderboard(enb_csv, tmp_path):
    small = tmp_path / "small.csv"
    pd.read_csv(enb_csv).iloc[::16].to_csv(small, index=False)  # 48 rows
    status, text = run(
        ["fit", small, "--targets", "Y1,Y2", "--model", "auto", "--param", "cv=2",
         "-o", tmp_path / "auto.joblib"]
    )  # fmt: skip
    assert status == 0, text
    assert "| boosting per task |" in text and "| group lasso |" in text
    assert "| failed folds |" in text  # a family whose fits raised shows here
    chosen = text.split("chosen: ")[1].split("\n")[0]
    model = joblib.load(tmp_path / "auto.joblib")["pipeline"][-1]
    assert chosen == model.best_name_

