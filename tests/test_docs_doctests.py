"""The ``>>>`` examples of the documentation pages run and give what they show."""

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(
    p
    for p in DOCS.rglob("*.rst")
    if "_build" not in p.parts and "generated" not in p.parts and ">>>" in p.read_text()
)


def test_pages_found():
    names = {p.name for p in PAGES}
    assert {"custom_penalty.rst", "data.rst", "model_evaluation.rst"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_doctests(page):
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
        raise_on_error=False,
        verbose=False,
        report=True,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {page.name}"
