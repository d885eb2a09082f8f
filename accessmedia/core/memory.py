"""A process's heap over hours: freed memory given back to the system, so that a long-running command's footprint
stays flat. Linux with glibc only; elsewhere it does nothing."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc


def _load_libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # glibc only


_libc = _load_libc()


def give_back_memory() -> None:
    """Return freed heap to the system between blocks, so a long recording's footprint stays flat.

    Blocks allocate and free large, differently sized arrays; glibc keeps the
    freed pages unless asked, and the process would creep upward for hours.
    """
    gc.collect()
    if _libc is not None:
        _libc.malloc_trim(0)
