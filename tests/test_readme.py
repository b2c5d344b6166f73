"""The README's quick start and main command run as written."""

import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_quick_start_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README has no python block"
    namespace = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)  # noqa: S102
    assert namespace["search"].best_score_ > 0.15


def test_readme_test_command_is_what_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text()
    command = re.search(r"```bash\n(python -m pytest[^\n]*)\n```", README.read_text())
    assert command and command.group(1) in ci


@pytest.mark.slow
def test_school_benchmark_command():
    from skmtl.cli import main

    out = io.StringIO()
    assert main(["benchmark", "--suite", "school", "--n-splits", "2"], out=out) == 0
    text = out.getvalue()
    assert "pooled ridge" in text and "explained variance" in text
