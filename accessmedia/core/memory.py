"""A process's heap over hours: freed memory given back to the system, and glibc's allocator set up so that a
long-running command's footprint stays flat. Linux with glibc only; elsewhere these do nothing."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

M_MMAP_THRESHOLD = -3  # mallopt parameters, from glibc's malloc.h
M_ARENA_MAX = -8
ARENAS = 2  # heaps shared by all threads (glibc's default is 8 per core)
LARGE = 512 * 1024  # bytes from which a block is mapped on its own and unmapped when freed


def _load_libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None  # glibc only


_libc = _load_libc()


def give_back_memory() -> None:
    """Return freed heap to the system between blocks, so a long recording's footprint stays flat.

    Blocks allocate and free large, differently sized arrays; glibc keeps the
    freed pages unless asked, and the process would creep upward for hours.
    """
    gc.collect()
    if _libc is not None:
        _libc.malloc_trim(0)


def keep_heap_small() -> bool:
    """For a command that runs for hours with several threads (live captions): at most ARENAS heaps, and blocks
    of LARGE bytes or more mapped on their own. glibc gives each thread that allocates its own heap (the input
    reader, the translators, the model libraries' worker threads) and keeps a freed block's pages in the heap it
    came from, where a small block still in use pins them; and it raises the size from which blocks are mapped
    on their own each time a large one is freed, until a decoding window's arrays (1 to 2 MB) land in those
    heaps too. Call before the threads start: the limit holds for heaps made after it. True where it was set."""
    if _libc is None:
        return False
    return bool(_libc.mallopt(M_ARENA_MAX, ARENAS)) and bool(_libc.mallopt(M_MMAP_THRESHOLD, LARGE))
