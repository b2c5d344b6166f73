"""Lazy imports of optional dependencies with an error that names the extra."""

import importlib

__all__ = ["import_optional"]


def import_optional(name, extra):
    """Import module ``name`` or raise an ImportError naming the pip extra.

    Parameters
    ----------
    name : str
        Module to import, e.g. ``"torch"``.
    extra : str
        The skmtl extra that installs it, e.g. ``"neural"``.

    Returns
    -------
    module : module
        The imported module.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"{name} is required for this part of skmtl but is not installed. "
            f'Install it with: pip install "skmtl[{extra}]"'
        ) from exc
