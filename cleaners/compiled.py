"""numba compilation, shared by the modules that compile their inner loops."""

from __future__ import annotations

import numba


def compiled(func):
    """numba-compiled ``func``, kept in numba's on-disk cache (compiling takes ~2 s); compiled once
    per process where no cache folder is writable (a read-only install without a home folder)."""
    try:
        return numba.njit(cache=True, nogil=True)(func)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        return numba.njit(nogil=True)(func)
