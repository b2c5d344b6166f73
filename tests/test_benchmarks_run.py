"""``benchmarks/run.py``: runs the per-topic scripts and writes results.md."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_module():
    spec = importlib.util.spec_from_file_location(
        "skmtl_bench_run", ROOT / "benchmarks" / "run.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_outcomes(run_module, tmp_path):
    good = tmp_path / "bench_good.py"
    good.write_text(
        "import os\nprint('| a | b |')\nprint(os.environ['SKMTL_BENCH_OUTPUT'])\n"
    )
    bad = tmp_path / "bench_bad.py"
    bad.write_text("raise SystemExit('boom')\n")
    missing = ROOT / "benchmarks" / "bench_does_not_exist.py"

    line, out = run_module.run_script(good, tmp_path, timeout=60)
    assert line.startswith("ran in") and "| a | b |" in out
    assert str(tmp_path) in out  # the output folder is passed on
    assert (tmp_path / "bench_good.txt").is_file()
    line, _ = run_module.run_script(bad, tmp_path, timeout=60)
    assert line.startswith("FAILED (exit 1") and "boom" in line
    killed = tmp_path / "bench_killed.py"
    killed.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n")
    line, _ = run_module.run_script(killed, tmp_path, timeout=60)
    assert line.startswith("FAILED (killed by signal 15")
    line, out = run_module.run_script(missing, tmp_path, timeout=60)
    assert line.startswith("skipped") and out == ""


def test_main_writes_results(run_module, tmp_path, monkeypatch, capsys):
    fake = tmp_path / "bench_fake.py"
    fake.write_text("print('| solver | ms |')\n")
    monkeypatch.setattr(run_module, "SCRIPTS", ("bench_missing",))
    monkeypatch.setattr(
        run_module, "_scripts", lambda only: [ROOT / "benchmarks" / "x.py", fake]
    )
    status = run_module.main(
        ["--parts", "scripts", "--output-dir", str(tmp_path / "out")]
    )
    assert status == 0
    text = (tmp_path / "out" / "results.md").read_text()
    assert "cpu_count" in text and "date" in text
    assert "skipped: " in text and "| solver | ms |" in text


def test_known_scripts_are_listed(run_module):
    names = [p.stem for p in run_module._scripts(None)]
    assert names[:4] == list(run_module.SCRIPTS)
    assert run_module._scripts(["bench_tpgd"])[0].stem == "bench_tpgd"


def test_script_arguments(run_module, tmp_path):
    quick = tmp_path / "bench_q.py"
    quick.write_text('import sys\nprint(sys.argv[1:])  # "--quick"\n')
    plain = tmp_path / "bench_p.py"
    plain.write_text("import sys\nprint(sys.argv[1:])\n")
    assert run_module.script_args(quick, quick=True) == ["--quick"]
    assert run_module.script_args(plain, quick=True) == []
    args = run_module.script_args(plain, extra={"bench_p": "--part 'a b'"})
    assert args == ["--part", "a b"]
    _, out = run_module.run_script(quick, tmp_path, timeout=60, args=["--quick"])
    assert out.strip() == "['--quick']"
