"""Keep torch single-threaded in the tests: tiny nets are faster that way and
pytest-xdist workers would otherwise oversubscribe the cores."""

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)
