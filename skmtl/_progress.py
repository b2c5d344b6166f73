"""Progress bars (tqdm) with skmtl's defaults."""

import sys

from tqdm import tqdm

__all__ = ["progress"]


def progress(total, desc, *, enabled=True, file=None):
    """A tqdm progress bar over ``total`` steps, used as a context manager.

    Parameters
    ----------
    total : int
        Number of steps.
    desc : str
        Label.
    enabled : bool, default=True
        False gives a bar that prints nothing.
    file : file-like, default=None
        Where to draw (default ``sys.stderr``, so that tables on stdout stay
        clean).

    Returns
    -------
    bar : tqdm
        With ``update(n=1)`` and ``close()``; the bar is cleared when closed.
    """
    file = sys.stderr if file is None else file
    return tqdm(total=total, desc=desc, file=file, leave=False, disable=not enabled)
