"""Test set-up of the neural estimators.

* torch runs single-threaded: tiny nets are faster that way and pytest-xdist
  workers would otherwise oversubscribe the cores.
* ``SKMTL_TEST_DEVICE=cuda pytest skmtl/neural`` runs these tests on a GPU:
  every neural estimator built without an explicit ``device`` trains there
  (an explicit ``device='cpu'``, a CPU reference, stays on the CPU).
"""

import functools
import inspect
import os

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

TEST_DEVICE = os.environ.get("SKMTL_TEST_DEVICE", "").strip() or None


def _device_default(cls, device):
    """``cls.__init__`` with ``device`` as the default device."""
    init = cls.__init__

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("device", device)
        init(self, *args, **kwargs)

    __init__.__signature__ = inspect.signature(init)
    return __init__


@pytest.fixture(autouse=True)
def _test_device(monkeypatch):
    if TEST_DEVICE is None:
        yield None
        return
    if TEST_DEVICE.startswith("cuda") and not torch.cuda.is_available():
        pytest.fail(f"SKMTL_TEST_DEVICE={TEST_DEVICE!r} but CUDA is not available")
    import skmtl.neural as neural

    for name in neural.__all__:
        cls = getattr(neural, name)
        if "device" in inspect.signature(cls.__init__).parameters:
            monkeypatch.setattr(cls, "__init__", _device_default(cls, TEST_DEVICE))
    yield TEST_DEVICE
