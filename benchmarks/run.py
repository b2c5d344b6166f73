"""Run skmtl's benchmark suite (or a chosen part) and write the results.

Usage (from the repository root)::

    python benchmarks/run.py                       # everything
    python benchmarks/run.py --parts school mtr    # the command's suites only
    python benchmarks/run.py --parts scripts --only bench_tpgd --quick
    python benchmarks/run.py --script-args bench_neural="--part overhead"

Parts:

- ``school``, ``mtr``, ``speed``: the suites of ``skmtl benchmark`` (bundled
  data, seconds to a minute each);
- ``scripts``: the per-topic scripts ``benchmarks/bench_*.py`` (group lasso
  solvers against scikit-learn/skglm/mutar/cvxpy, TPGD rates, neural overhead,
  School with the literature's protocol, ...), each run in a subprocess; a
  script that is not there is reported as skipped. Each script's standard
  output (its tables) goes into the results verbatim; a script may also write
  figures to the folder named by the ``SKMTL_BENCH_OUTPUT`` environment
  variable.

Output, in ``--output-dir`` (default ``benchmarks/results/``, not versioned):
``results.md`` (all tables, the machine, library versions and the date),
``<suite>.png`` figures, and ``<script>.txt`` logs. Results are reproducible
from ``--random-state``.
"""

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skmtl._benchmarks import SUITES, machine_markdown  # noqa: E402

#: Per-topic scripts, in the order they are run (any other bench_*.py follows).
SCRIPTS = ("bench_group_lasso", "bench_tpgd", "bench_neural", "bench_school")


def _figure(result, path):
    """A figure for a suite's raw numbers; returns the path or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError:
        return None
    if result.name == "school":
        fig, ax = plt.subplots(figsize=(6, 3))
        names = list(result.raw)
        ax.boxplot([result.raw[n] for n in names], vert=False)
        ax.set_yticks(range(1, len(names) + 1), names)
        ax.set_xlabel("explained variance % on the test part (per split)")
        ax.set_title("School")
    elif result.name == "mtr":
        names = list(result.raw)
        sets = list(next(iter(result.raw.values())))
        fig, axes = plt.subplots(1, len(sets), figsize=(5 * len(sets), 3.5))
        axes = np.atleast_1d(axes)
        for ax, d in zip(axes, sets, strict=True):
            means = [np.mean(result.raw[n][d]) for n in names]
            errs = [np.std(result.raw[n][d]) for n in names]
            ax.barh(range(len(names)), means, xerr=errs, color="C0")
            ax.set_yticks(range(len(names)), names if ax is axes[0] else [])
            ax.set_xlabel("aRRMSE (lower is better)")
            ax.set_title(d)
            ax.invert_yaxis()
    elif result.name == "speed":
        problems = [", ".join(map(str, p)) for p in result.raw]
        x = np.arange(len(problems))
        fig, ax = plt.subplots(figsize=(6, 3))
        for k, key in enumerate(("skmtl", "sklearn")):
            secs = [1e3 * result.raw[p][key][0] for p in result.raw]
            ax.bar(x + 0.4 * k, secs, width=0.4, label=key)
        ax.set_xticks(x + 0.2, problems)
        ax.set_yscale("log")
        ax.set_ylabel("ms to the target suboptimality")
        ax.set_xlabel("n, d, T, alpha/alpha_max")
        ax.legend()
    else:  # pragma: no cover
        return None
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _scripts(only):
    found = [ROOT / "benchmarks" / f"{name}.py" for name in SCRIPTS]
    extra = sorted(
        p for p in (ROOT / "benchmarks").glob("bench_*.py") if p.stem not in SCRIPTS
    )
    paths = found + extra
    if only:
        paths = [p for p in paths if p.stem in only]
    return paths


def script_args(path, quick=False, extra=None):
    """Command-line arguments for one script.

    ``--quick`` is passed to the scripts that define it (their source mentions
    ``"--quick"``); ``extra`` maps a script name to more arguments.
    """
    args = []
    if quick and path.is_file() and '"--quick"' in path.read_text(encoding="utf-8"):
        args.append("--quick")
    return args + shlex.split((extra or {}).get(path.stem, ""))


def run_script(path, out_dir, timeout, args=()):
    """Run one benchmark script; returns (status line, stdout)."""
    if not path.is_file():
        return f"skipped: {path.relative_to(ROOT)} is not present", ""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "SKMTL_BENCH_OUTPUT": str(out_dir),
    }
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(path), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout
        return f"timed out after {timeout} s", out or ""
    seconds = time.perf_counter() - start
    (out_dir / f"{path.stem}.txt").write_text(done.stdout + "\n" + done.stderr)
    if done.returncode != 0:
        how = (
            f"killed by signal {-done.returncode}"
            if done.returncode < 0
            else f"exit {done.returncode}"
        )
        tail = "\n".join(done.stderr.strip().splitlines()[-5:]) or "(no stderr)"
        return f"FAILED ({how}, {seconds:.0f} s):\n\n```\n{tail}\n```", done.stdout
    return f"ran in {seconds:.0f} s", done.stdout


def main(argv=None):
    """Run the chosen parts and write ``results.md``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=[*SUITES, "scripts"],
        default=[*SUITES, "scripts"],
    )
    parser.add_argument("--only", nargs="+", help="script names (without .py)")
    parser.add_argument(
        "--output-dir", type=Path, default=ROOT / "benchmarks" / "results"
    )
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=3600, help="per script (s)")
    parser.add_argument(
        "--quick", action="store_true", help="pass --quick to the scripts that take it"
    )
    parser.add_argument(
        "--script-args",
        action="append",
        default=[],
        metavar="NAME=ARGS",
        help='extra arguments of one script, e.g. bench_neural="--part overhead"',
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    out_dir = args.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    extra = {}
    for item in args.script_args:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--script-args {item!r}: write NAME=ARGS")
        extra[name.strip().removesuffix(".py")] = value

    sections = ["# skmtl benchmark results", "", machine_markdown()]
    status = 0
    start = time.perf_counter()
    for part in args.parts:
        if part == "scripts":
            continue
        print(f"== suite {part}", flush=True)
        result = SUITES[part](
            random_state=args.random_state, show_progress=not args.no_progress
        )
        text = result.to_markdown()
        print(text, flush=True)
        sections.append(text)
        fig = _figure(result, out_dir / f"{part}.png")
        if fig is not None:
            sections.append(f"![{part}]({fig.name})\n")
    if "scripts" in args.parts:
        sections.append("## Per-topic benchmark scripts\n")
        for path in _scripts(args.only):
            print(f"== script {path.name}", flush=True)
            cmd_args = script_args(path, args.quick, extra)
            line, stdout = run_script(path, out_dir, args.timeout, cmd_args)
            print(line, flush=True)
            if line.startswith(("FAILED", "timed out")):
                status = 1
            shown = " ".join([path.name, *cmd_args])
            sections.append(f"### {shown}\n\n{line}\n")
            if stdout.strip():
                sections.append(stdout.strip() + "\n")
    sections.append(f"(total {time.perf_counter() - start:.0f} s)\n")
    target = out_dir / "results.md"
    target.write_text("\n".join(sections), encoding="utf-8")
    print(f"wrote {target}")
    return status


if __name__ == "__main__":
    sys.exit(main())
