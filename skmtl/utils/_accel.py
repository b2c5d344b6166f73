"""Optional compiled kernels: numba when it is installed, numpy otherwise.

Every kernel here has a numpy route in its caller, so skmtl runs (and is
tested) without numba; with numba (a dependency of skmtl, but an environment
may lack it) the passes over large dense data are fused into single loops.
numba is imported when a kernel first runs, not with skmtl; kernels compile on
first use and are cached on disk (``cache=True``), so only the first fit in a
fresh environment pays the compilation (a few seconds).

The compiled route is used when numba is importable, the environment variable
``SKMTL_NUMBA`` is not ``0``, and the data are large enough for the call to pay
(:data:`MIN_SIZE` elements; small problems keep the numpy route and never
compile anything). ``SKMTL_NUMBA_MIN_SIZE=0`` forces the compiled route
everywhere (the test suite runs that way once in CI).
"""

import importlib.util
import os
import sys

import numpy as np

__all__ = [
    "MIN_SIZE",
    "c_rows",
    "have_numba",
    "jit",
    "numba_loaded",
    "sum_of_squares",
    "use_numba",
]

#: smallest number of array elements for which a compiled kernel is used
#: (``SKMTL_NUMBA_MIN_SIZE`` overrides it; 0 sends every call to the kernels).
#: The first compiled call of a process costs about 0.3 s (numba's import and
#: the cached kernels' load; about 4 s of compilation the very first time), so
#: below a million entries, where a fit saves at most a few milliseconds, the
#: numpy route is kept.
MIN_SIZE = int(os.environ.get("SKMTL_NUMBA_MIN_SIZE", 1_000_000))

_HAVE_NUMBA = importlib.util.find_spec("numba") is not None


def have_numba():
    """Whether numba is installed (it is imported only when a kernel first runs)."""
    return _HAVE_NUMBA


def numba_loaded():
    """Whether numba is already imported in this process (no import cost left)."""
    return "numba" in sys.modules


def use_numba(size=None):
    """Whether the compiled route is available (and pays for ``size`` elements)."""
    if not _HAVE_NUMBA or os.environ.get("SKMTL_NUMBA", "1") == "0":
        return False
    return size is None or size >= MIN_SIZE


class _Kernel:
    """A function compiled by ``numba.njit`` on its first call.

    Importing skmtl does not import numba (a third of a second); the first
    kernel call does, and compiles (or loads from the on-disk cache). Without
    numba the plain Python function runs (callers check :func:`use_numba`
    first, so only tests do that, on small arrays).
    """

    def __init__(self, func, options):
        self.py_func = func
        self.options = options
        self.dispatcher = None
        self.__name__ = func.__name__
        self.__doc__ = func.__doc__

    def compile(self):
        """The numba dispatcher (compiled lazily by numba on first call).

        Kernels that this one calls (other ``jit`` functions named in its
        code) are compiled first and their module globals replaced by their
        dispatchers, which numba can call from compiled code (and Python as
        before).
        """
        if self.dispatcher is None:
            import numba

            namespace = self.py_func.__globals__
            for name in self.py_func.__code__.co_names:
                called = namespace.get(name)
                if isinstance(called, _Kernel):
                    namespace[name] = called.compile()
            self.dispatcher = numba.njit(cache=True, nogil=True, **self.options)(
                self.py_func
            )
        return self.dispatcher

    def __call__(self, *args):
        if self.dispatcher is None and not _HAVE_NUMBA:  # pragma: no cover
            return self.py_func(*args)
        return self.compile()(*args)


def jit(**options):
    """``numba.njit(cache=True, nogil=True, **options)``, applied lazily."""

    def decorate(func):
        return _Kernel(func, options)

    return decorate


def c_rows(A):
    """``(B, width)``: a C-contiguous 2-D array whose rows start where A's do.

    A row-contiguous view (X without its task column: unit column stride, row
    stride larger than its width) is re-described as a C-contiguous array of
    ``row stride / itemsize`` columns of which the first ``width`` are A's;
    numba then compiles unit-stride inner loops, which vectorise. Kernels must
    only read columns ``< width`` (the others belong to neighbouring data or,
    in the last row, lie past the buffer). Returns None when A's rows are not
    contiguous.
    """
    if A.ndim != 2 or A.shape[0] == 0:
        return None
    if A.flags.c_contiguous:
        return A, A.shape[1]
    item = A.itemsize
    if A.strides[1] != item or A.strides[0] % item or A.strides[0] < A.shape[1] * item:
        return None
    full = np.lib.stride_tricks.as_strided(
        A, shape=(A.shape[0], A.strides[0] // item), strides=(A.strides[0], item)
    )
    return full, A.shape[1]


# reassoc lets the reductions vectorise; NaN and inf must still propagate, so
# no 'nnan' / 'ninf' flags here
@jit(fastmath={"reassoc", "contract"})
def _sum_of_squares_2d(A, width):  # pragma: no cover - compiled
    total = 0.0
    for i in range(A.shape[0]):
        row = A[i]
        acc = 0.0
        for j in range(width):
            v = row[j]
            acc += v * v
        total += acc
    return total


def sum_of_squares(A):
    """Sum of squares of a 2-D array, one pass and no copy (NaN/inf propagate).

    Rows are read contiguously, so a view of X without its task column costs
    the same as a contiguous array.
    """
    rows = c_rows(A) if A.ndim == 2 else None
    if rows is None and A.ndim == 2:
        rows = c_rows(A.T)  # column-major: its columns are contiguous rows
    if rows is None:
        flat = np.ravel(A)
        return float(np.dot(flat, flat))
    return float(_sum_of_squares_2d(*rows))
