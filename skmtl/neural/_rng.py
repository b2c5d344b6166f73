"""Seeding torch inside a block without touching the global random state."""

import contextlib

from ..utils import import_optional

__all__ = ["torch_rng"]


@contextlib.contextmanager
def torch_rng(device="cpu"):
    """Fork torch's generators for a block and yield ``seed(s)``.

    On leaving the block the global random state is what it was. ``seed(s)``
    seeds the CPU generator, and CUDA's when ``device`` is a CUDA device (their
    states are forked too). ``torch.manual_seed`` would also queue a seeding of
    every lazily initialised accelerator backend, each with a stack trace:
    about 0.6 ms a call on a CPU-only machine, and a list that keeps growing.

    Parameters
    ----------
    device : str or torch.device, default='cpu'
        The device the block computes on.
    """
    torch = import_optional("torch", "neural")
    cuda = str(device).startswith("cuda")
    devices = list(range(torch.cuda.device_count())) if cuda else []

    def seed(s):
        torch.default_generator.manual_seed(int(s))
        if cuda:
            torch.cuda.manual_seed_all(int(s))

    with torch.random.fork_rng(devices=devices):
        yield seed
