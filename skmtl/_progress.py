"""A progress bar: tqdm when it is installed, a plain text bar otherwise."""

import sys

__all__ = ["progress"]


class _TextBar:
    """Minimal stand-in for tqdm: ``[#####.....] 5/10 label``."""

    def __init__(self, total, desc, file, width=30):
        self.total, self.desc, self.file, self.width = total, desc, file, width
        self.n = 0
        self._draw()

    def _draw(self):
        filled = int(self.width * self.n / max(self.total, 1))
        bar = "#" * filled + "." * (self.width - filled)
        self.file.write(f"\r{self.desc} [{bar}] {self.n}/{self.total}")
        self.file.flush()

    def update(self, n=1):
        self.n += n
        self._draw()

    def close(self):
        self.file.write("\n")
        self.file.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def progress(total, desc, *, enabled=True, file=None):
    """A progress bar over ``total`` steps, used as a context manager.

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
    bar : object with ``update(n=1)`` and ``close()``
    """
    if not enabled:
        return _NoBar()
    file = sys.stderr if file is None else file
    try:
        from tqdm import tqdm
    except ImportError:
        return _TextBar(total, desc, file)
    return tqdm(total=total, desc=desc, file=file, leave=False)
