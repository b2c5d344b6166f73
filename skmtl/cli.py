"""The ``skmtl`` command line.

Subcommands:

- ``skmtl benchmark [--suite school|mtr|speed|all] [--output results.md]``:
  comparison tables on bundled data;
- ``skmtl fit DATA.csv --targets y1,y2 [--task-column school] --model NAME
  [--cv 5] [--param alpha=0.1] -o model.joblib``;
- ``skmtl predict model.joblib DATA.csv -o preds.csv``;
- ``skmtl evaluate model.joblib DATA.csv [--targets ...]``: per-task metrics;
- ``skmtl models``: the model names.

Model names come from :mod:`skmtl._registry`.
"""

import argparse
import ast
import os
import sys
import time

import numpy as np

from ._registry import available_models, get_model

__all__ = ["main"]

_FORMAT = "skmtl-cli-model/1"


class CommandError(Exception):
    """A user error: printed as ``skmtl: error: ...`` with exit status 2."""


# -- helpers -------------------------------------------------------------------


def _pandas():
    try:
        import pandas as pd
    except ImportError as exc:
        raise CommandError(
            "reading and writing CSV files needs pandas: pip install pandas "
            '(or pip install "skmtl[dev]")'
        ) from exc
    return pd


def _read_csv(path):
    pd = _pandas()
    try:
        df = pd.read_csv(path)
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise CommandError(f"{path} is not a readable CSV file ({e})") from e
    if len(df) == 0:
        raise CommandError(f"{path} has a header row but no data rows")
    if df.shape[1] == 1:
        sep = next((c for c in ";\t|" if c in str(df.columns[0])), None)
        if sep is not None:
            raise CommandError(
                f"{path} has one column named {str(df.columns[0])[:40]!r}...: it "
                f"looks separated by {sep!r}; skmtl reads comma-separated files"
            )
    header = _header(path)
    dups = sorted({c for c in header if header.count(c) > 1})
    if dups:
        raise CommandError(
            f"{path} has duplicate column name(s) {', '.join(map(repr, dups))}; "
            "rename them (pandas would silently rename the second one)"
        )
    return df


def _header(path):
    """The header row's names as written (pandas renames duplicates)."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return [name.strip() for name in next(csv.reader(fh), [])]


def _check_output(path, what, force=True):
    """Refuse an output path whose folder does not exist, or an existing file
    unless ``force`` (before any work)."""
    if path:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise CommandError(
                f"cannot write the {what} to {path}: folder {folder} does not exist"
            )
        if not force and os.path.exists(path):
            raise CommandError(
                f"{path} exists; give another file with -o, or --force to overwrite it"
            )


def _names(text):
    return [c.strip() for c in text.split(",") if c.strip()] if text else []


def _check_present(df, columns, path, what):
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CommandError(
            f"{what} column(s) {', '.join(map(repr, missing))} not found in {path}; "
            f"its columns are: {', '.join(map(str, df.columns))}"
        )


def _check_numeric(df, columns, path, what):
    pd = _pandas()
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        col = bad[0]
        values = pd.to_numeric(df[col], errors="coerce")
        row = int(np.flatnonzero(values.isna() & df[col].notna())[0])
        raise CommandError(
            f"{what} column(s) {', '.join(map(repr, bad))} of {path} are not "
            f"numeric (e.g. {df[col].iloc[row]!r} in data row {row + 1} of "
            f"{col!r}). Encode them as numbers (e.g. one-hot columns) or leave "
            "them out with --features."
        )


def _split(df, path, targets, task_column, features):
    """Check the columns and return (X DataFrame, y or None, features)."""
    if task_column is not None:
        _check_present(df, [task_column], path, "task")
    if features:
        _check_present(df, features, path, "feature")
    else:
        exclude = set(targets or []) | {task_column}
        features = [c for c in df.columns if c not in exclude]
    if not features:
        raise CommandError(f"{path} has no feature column left besides the targets")
    _check_numeric(df, features, path, "feature")
    missing = [c for c in features if df[c].isna().any()]
    if missing:
        raise CommandError(
            f"feature column(s) {', '.join(map(repr, missing))} of {path} have "
            "missing values; fill them (or leave the columns out with --features)"
        )
    cols = features + ([task_column] if task_column is not None else [])
    X = df[cols]
    y = None
    if targets:
        _check_present(df, targets, path, "target")
        _check_numeric(df, targets, path, "target")
        empty = [c for c in targets if df[c].isna().all()]
        if empty:
            raise CommandError(
                f"target column(s) {', '.join(map(repr, empty))} of {path} have "
                "no value at all; leave them out of --targets"
            )
        Y = df[targets].to_numpy(dtype=float)
        if task_column is not None:
            if len(targets) != 1:
                raise CommandError(
                    "with --task-column (long data) give exactly one target "
                    f"column; got {len(targets)}: {', '.join(targets)}"
                )
            y = Y[:, 0]
            if np.isnan(y).any():
                raise CommandError(
                    f"target column {targets[0]!r} has missing values; with long "
                    "data drop those rows (missing labels are rows that do not "
                    "exist)"
                )
        else:
            y = Y
    return X, y, features


def _pipeline(model, features, task_column, scale):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if not scale:
        return Pipeline([("model", model)])
    if task_column is None:
        return Pipeline([("scale", StandardScaler()), ("model", model)])
    scaler = ColumnTransformer(
        [("scale", StandardScaler(), features)],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return Pipeline([("scale", scaler), ("model", model)])


def _parse_value(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _parse_params(items, cls):
    valid = set(cls().get_params())
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CommandError(f"--param {item!r}: write it as NAME=VALUE")
        if key not in valid:
            raise CommandError(
                f"{cls.__name__} has no parameter {key!r}; its parameters are: "
                f"{', '.join(sorted(valid))}"
            )
        params[key] = _parse_value(value.strip())
    return params


def _load_model(path):
    """Load a file written by ``skmtl fit`` (a pickle: load trusted files only)."""
    import joblib

    try:
        bundle = joblib.load(path)
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file") from exc
    except Exception as exc:  # unpickling garbage fails in many ways
        raise CommandError(f"{path} was not written by 'skmtl fit' ({exc!r})") from exc
    if not isinstance(bundle, dict) or bundle.get("format") != _FORMAT:
        raise CommandError(f"{path} was not written by 'skmtl fit'")
    return bundle


def _write_table(df, path, out):
    if path:
        df.to_csv(path, index=False)
    else:
        df.to_csv(out, index=False)


def _markdown(df, digits=4):
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    lines = [head, "|" + "---|" * df.shape[1]]
    for row in df.itertuples(index=False):
        cells = [f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# -- subcommands ---------------------------------------------------------------


def _cmd_models(args, out):
    for name, spec in available_models(load=False).items():
        cls = spec.path.partition(":")[2]
        out.write(f"{name:<24}{cls:<32}{spec.description}\n")
    return 0


def _grid_values(pipe, spec, name, values, X, y):
    """The grid of ``name``: ``values``, or those fractions of its largest
    useful value on the (preprocessed) data for ``spec.relative`` parameters."""
    if name not in spec.relative:
        return values
    from sklearn.base import clone

    from .linear import multitask_path

    Xt = clone(pipe[:-1]).fit_transform(X) if len(pipe) > 1 else X
    top = multitask_path(Xt, y, estimator=clone(pipe[-1]), param=name, n_alphas=1)
    return [float(f * top[0][0]) for f in values]


def _fit_pipeline(pipe, spec, params, X, y, args):
    """Fit (or grid search) the pipeline; returns (pipe, best_params, cv_score)."""
    from sklearn.model_selection import GridSearchCV, KFold

    if not args.cv:
        return pipe.fit(X, y), {}, None
    grid = {
        f"model__{k}": _grid_values(pipe, spec, k, v, X, y)
        for k, v in spec.grid.items()
        if k not in params
    }
    if not grid:
        raise CommandError(
            f"--cv has nothing to search: every parameter of {args.model}'s "
            "default grid is fixed by --param"
        )
    if args.cv < 2 or len(X) < 2 * args.cv:
        raise CommandError(
            f"--cv {args.cv} on {len(X)} rows: every test fold needs at least 2 "
            "rows (R^2 of one row is undefined, scored 0), and there must be 2 "
            f"folds or more; use --cv between 2 and {max(len(X) // 2, 2)}"
            + (" (or more data)" if len(X) < 4 else "")
        )
    cv = KFold(args.cv, shuffle=True, random_state=args.random_state)
    search = GridSearchCV(pipe, grid, cv=cv, n_jobs=args.n_jobs, error_score="raise")
    search.fit(X, y)
    best = {k.removeprefix("model__"): v for k, v in search.best_params_.items()}
    return search.best_estimator_, best, float(search.best_score_)


def _cmd_fit(args, out):
    try:
        cls, spec = get_model(args.model)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    _check_output(args.output, "model", force=args.force)
    df = _read_csv(args.data)
    targets = _names(args.targets)
    if not targets:
        raise CommandError("--targets needs at least one column name")
    X, y, features = _split(
        df, args.data, targets, args.task_column, _names(args.features)
    )
    params = _parse_params(args.param, cls)
    if args.task_column is not None:
        params["task_column"] = args.task_column
    pipe = _pipeline(cls(**params), features, args.task_column, not args.no_scale)
    start = time.perf_counter()
    best_params, cv_score = {}, None
    try:
        pipe, best_params, cv_score = _fit_pipeline(pipe, spec, params, X, y, args)
    except ValueError as exc:  # the estimator's own message names the problem
        raise CommandError(f"fitting {args.model} failed: {exc}") from exc
    seconds = time.perf_counter() - start
    import joblib

    import skmtl

    bundle = {
        "format": _FORMAT,
        "model_name": args.model,
        "pipeline": pipe,
        "features": features,
        "targets": targets,
        "task_column": args.task_column,
        "params": {**params, **best_params},
        "cv_score": cv_score,
        "skmtl_version": skmtl.__version__,
    }
    joblib.dump(bundle, args.output)
    model = pipe[-1]
    out.write(
        f"fitted {args.model} ({type(model).__name__}) on {len(df)} rows, "
        f"{len(features)} features, {model.n_tasks_} tasks in {seconds:.2f} s\n"
    )
    board = getattr(model, "leaderboard_", None)
    if board is not None:  # the automatic choice: what it compared
        out.write(
            "| family | mean per-task R^2 (CV) | fit s (all folds) | failed folds |\n"
        )
        out.write("|---|---|---|---|\n")
        for name, score, secs, failed, error in zip(
            board["name"],
            board["mean_score"],
            board["fit_time"],
            board["n_failed_folds"],
            board["error"],
            strict=True,
        ):
            why = f" ({error})" if failed else ""
            out.write(f"| {name} | {score:.4f} | {secs:.1f} | {failed}{why} |\n")
        chosen = sorted(set(model.task_winners_), key=model.task_winners_.index)
        out.write(f"chosen: {', '.join(chosen)}\n")
    if best_params:
        shown = ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in best_params.items()
        )
        out.write(
            f"best parameters ({args.cv}-fold CV): {shown}; "
            f"CV score (mean per-task R^2) {cv_score:.4f}\n"
        )
    out.write(f"saved to {args.output}\n")
    return 0


def _predict_frame(bundle, df, path):
    pd = _pandas()
    X, _, _ = _split(df, path, None, bundle["task_column"], bundle["features"])
    try:
        pred = np.asarray(bundle["pipeline"].predict(X), dtype=float)
    except ValueError as exc:  # e.g. a task id not seen in fit: its message
        raise CommandError(f"predicting on {path} failed: {exc}") from exc
    targets = bundle["targets"]
    if bundle["task_column"] is None:
        return pd.DataFrame(pred.reshape(len(df), -1), columns=targets), pred
    frame = pd.DataFrame(
        {bundle["task_column"]: df[bundle["task_column"]].to_numpy(), targets[0]: pred}
    )
    return frame, pred


def _cmd_predict(args, out):
    _check_output(args.output, "predictions")
    bundle = _load_model(args.model)
    df = _read_csv(args.data)
    frame, _ = _predict_frame(bundle, df, args.data)
    _write_table(frame, args.output, out)
    if args.output:
        out.write(f"wrote {len(frame)} predictions to {args.output}\n")
    return 0


def _cmd_evaluate(args, out):
    pd = _pandas()
    from .metrics import per_task_arrays

    _check_output(args.output, "table")
    bundle = _load_model(args.model)
    df = _read_csv(args.data)
    targets = _names(args.targets) or bundle["targets"]
    if len(targets) != len(bundle["targets"]):
        raise CommandError(
            f"the model predicts {len(bundle['targets'])} target(s) "
            f"({', '.join(bundle['targets'])}); --targets names {len(targets)}"
        )
    _, y, _ = _split(df, args.data, targets, bundle["task_column"], bundle["features"])
    _, pred = _predict_frame(bundle, df, args.data)
    if bundle["task_column"] is None:
        ids, parts = per_task_arrays(y, pred.reshape(y.shape))
        ids = list(targets)
    else:
        ids, parts = per_task_arrays(y, pred, tasks=df[bundle["task_column"]])
    rows = []
    for tid, (yt, yp, _) in zip(ids, parts, strict=True):
        err = yt - yp
        mse = float(np.mean(err**2)) if len(yt) else np.nan
        sst = float(np.sum((yt - yt.mean()) ** 2)) if len(yt) else 0.0
        r2 = 1 - np.sum(err**2) / sst if sst > 0 else np.nan
        rows.append(
            {
                "task": tid.item() if hasattr(tid, "item") else tid,
                "n": len(yt),
                "r2": float(r2),
                "mse": mse,
                "rmse": float(np.sqrt(mse)),
                "mae": float(np.mean(np.abs(err))) if len(yt) else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    n = table["n"].to_numpy()
    summary = {
        "task": "mean over tasks",
        "n": int(n.sum()),
        **{m: float(np.nanmean(table[m])) for m in ("r2", "mse", "rmse", "mae")},
    }
    table = pd.concat([table, pd.DataFrame([summary])], ignore_index=True)
    out.write(
        f"{bundle['model_name']} on {args.data}: {len(rows)} tasks, "
        f"{int(n.sum())} labels\n\n"
    )
    out.write(_markdown(table))
    if args.output:
        table.to_csv(args.output, index=False)
        out.write(f"\nwrote the table to {args.output}\n")
    return 0


def _cmd_benchmark(args, out):
    from ._benchmarks import SUITES, machine_markdown

    names = list(SUITES) if args.suite == "all" else [args.suite]
    show = not args.no_progress
    kwargs = {
        "school": {
            "n_splits": args.n_splits,
            "train_size": args.train_size,
            "random_state": args.random_state,
            "show_progress": show,
        },
        "mtr": {
            "n_folds": args.n_folds,
            "random_state": args.random_state,
            "show_progress": show,
        },
        "speed": {"random_state": args.random_state, "show_progress": show},
    }
    if args.models:
        kwargs["school"]["models"] = _names(args.models)
        kwargs["mtr"]["models"] = _names(args.models)
    start = time.perf_counter()
    sections = [
        "# skmtl benchmark results",
        "",
        "Machine and date:",
        "",
        machine_markdown(),
    ]
    for name in names:
        result = SUITES[name](**kwargs[name])
        text = result.to_markdown()
        out.write("\n" + text)
        out.flush()
        sections.append(text)
    total = time.perf_counter() - start
    out.write(f"\n(total {total:.1f} s)\n")
    if args.output:
        sections.append(f"(total {total:.1f} s)\n")
        with open(args.output, "w", encoding="utf-8") as f:
            f.write("\n".join(sections))
        out.write(f"wrote {args.output}\n")
    return 0


# -- parser --------------------------------------------------------------------


def _models_epilog():
    lines = ["models (--model):"]
    for name, spec in available_models(load=False).items():
        lines.append(f"  {name:<22}{spec.description}")
    return "\n".join(lines)


def _parser(list_models=True):
    # the models are listed only when help is asked for (found, not imported)
    epilog = _models_epilog() if list_models else None
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="skmtl",
        description="scikit-learn compatible multi-task learning.",
        epilog=epilog,
        formatter_class=fmt,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    bench = sub.add_parser(
        "benchmark", help="run the comparison benchmarks on bundled data"
    )
    bench.add_argument(
        "--suite", choices=["school", "mtr", "speed", "all"], default="school"
    )
    bench.add_argument("--output", "-o", help="also write a markdown results file")
    bench.add_argument(
        "--models", help="comma-separated model names for the school and mtr suites"
    )
    bench.add_argument("--n-splits", type=int, default=10, help="school splits")
    bench.add_argument("--train-size", type=float, default=0.75, help="school")
    bench.add_argument("--n-folds", type=int, default=10, help="mtr CV folds")
    bench.add_argument("--random-state", type=int, default=0)
    bench.add_argument("--no-progress", action="store_true", help="no progress bar")

    fit = sub.add_parser(
        "fit",
        help="fit a model on a CSV file and save it",
        epilog=epilog,
        formatter_class=fmt,
        description="Fit a multi-task model on the columns of a CSV file. Wide "
        "data: several --targets (empty cells are missing labels). Long data: "
        "one target and --task-column. Every other column is a feature "
        "(or pick them with --features); features are standardised unless "
        "--no-scale.",
    )
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--targets", required=True, help="comma-separated target columns")
    fit.add_argument("--task-column", help="column of task ids (long data)")
    fit.add_argument("--features", help="comma-separated feature columns")
    fit.add_argument("--model", default="group-lasso", help="model name (see below)")
    fit.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="estimator parameter, repeatable",
    )
    fit.add_argument("--cv", type=int, help="grid search the default grid, k folds")
    fit.add_argument("--n-jobs", type=int, default=None, help="joblib jobs for --cv")
    fit.add_argument("--random-state", type=int, default=0, help="CV shuffling")
    fit.add_argument("--no-scale", action="store_true", help="do not standardise")
    fit.add_argument("-o", "--output", default="model.joblib", help="model file")
    fit.add_argument(
        "--force", action="store_true", help="overwrite the model file if it exists"
    )

    pred = sub.add_parser("predict", help="predict with a saved model")
    pred.add_argument("model", help="file written by 'skmtl fit'")
    pred.add_argument("data", help="CSV file with the feature (and task) columns")
    pred.add_argument("-o", "--output", help="CSV file (default: standard output)")

    ev = sub.add_parser("evaluate", help="per-task metrics of a saved model")
    ev.add_argument("model", help="file written by 'skmtl fit'")
    ev.add_argument("data", help="CSV file with features and targets")
    ev.add_argument("--targets", help="target columns (default: those of fit)")
    ev.add_argument("-o", "--output", help="also write the table as CSV")

    sub.add_parser("models", help="list the model names")
    return parser


_COMMANDS = {
    "benchmark": _cmd_benchmark,
    "fit": _cmd_fit,
    "predict": _cmd_predict,
    "evaluate": _cmd_evaluate,
    "models": _cmd_models,
}


def main(argv=None, out=None):
    """Entry point of the ``skmtl`` command.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (default ``sys.argv[1:]``).
    out : file-like, default=None
        Where to print (default ``sys.stdout``). Errors go to ``sys.stderr``.

    Returns
    -------
    status : int
        Exit status: 0 on success, 2 on a usage error.
    """
    out = sys.stdout if out is None else out
    argv = sys.argv[1:] if argv is None else list(argv)
    wants_help = not argv or any(a in ("-h", "--help") for a in argv)
    args = _parser(list_models=wants_help).parse_args(argv)
    try:
        return _COMMANDS[args.command](args, out)
    except CommandError as exc:
        sys.stderr.write(f"skmtl: error: {exc}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
