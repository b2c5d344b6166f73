"""The documentation builds without a warning (the README's command)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


COMMAND = "python -m sphinx -W --keep-going -b html docs docs/_build/html"


def test_readme_documents_the_build_command_and_ci_runs_it():
    assert COMMAND in README.read_text()
    assert COMMAND in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_docs_build_warning_free(tmp_path):
    for module in ("sphinx", "sphinx_gallery", "numpydoc"):
        pytest.importorskip(module)
    out = tmp_path / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
         "-d", str(tmp_path / "doctrees"), "docs", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    assert (out / "index.html").is_file()
    assert (out / "api.html").is_file()
    assert (out / "generated" / "skmtl.linear.MultiTaskGroupLasso.html").is_file()
    gallery = out / "auto_examples"
    assert (gallery / "plot_group_lasso_path.html").is_file()
    # the gallery ran: each example produced its figures
    images = list((out / "_images").glob("sphx_glr_plot_*_001.png"))
    assert len(images) >= 2, images
    text = (out / "user_guide" / "data.html").read_text()
    assert re.search(r"task_column", text)
