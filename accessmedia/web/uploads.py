"""Recordings uploaded in chunks, safely: one writer per file at a time (a lock on its `.part`), a chunk only at
the offset the server has (else 409 with what it has), the `.part` opened without following a symbolic link, a
chunk written as it arrives (never held in memory) and kept whole or not at all, a stalled chunk given up after a
minute, the free space checked against what the file still needs, and `.part` files nobody has touched for a day
removed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import stat
import time
from pathlib import Path
from typing import AsyncIterator, Iterator

from accessmedia.api import AccessMediaError, ConflictError

STALL = 60.0  # seconds a chunk may send nothing before it is given up
ABANDONED = 24 * 3600  # seconds after which an untouched .part is removed
SPARE = 256 << 20  # bytes of disk left free beyond the upload


class TooLargeChunk(Exception):
    pass


def received(part: Path) -> int:
    """How many bytes of the upload arrived (0: none; a symbolic link counts as nothing of ours)."""
    try:
        st = os.lstat(part)
    except FileNotFoundError:
        return 0
    return st.st_size if stat.S_ISREG(st.st_mode) else 0


@contextlib.contextmanager
def writer(part: Path, name: str) -> Iterator[int]:
    """The `.part` open for appending, locked for this request alone; a second writer gets 409."""
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError:
        raise AccessMediaError(f"{name}: its upload file cannot be opened (a link or not a file)",
                               "remove the recordings folder's hidden .part files, then upload again") from None
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not POSIX: one process, one writer by the offset check alone
            pass
        except OSError:
            raise ConflictError(f"{name}: another upload of this file is under way", "wait for it to finish, or reload the page",
                                {"received": os.fstat(fd).st_size}) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise AccessMediaError(f"{name}: its upload file is not a plain file", "remove it, then upload again")
        yield fd
    finally:
        os.close(fd)


def check_space(folder: Path, name: str, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if needed + SPARE > free:
        raise AccessMediaError(f"{name}: not enough disk space ({free >> 20} MB free, {needed >> 20} MB still to come)",
                               "free some space on the studio's disk, then upload again")


async def append(fd: int, stream: AsyncIterator[bytes], limit: int) -> int:
    """Write the request's body to `fd` as it arrives: at most `limit` bytes, all of them or none (a chunk that is
    cut off, too large or stalls is taken back, and the page sends it again)."""
    start = os.fstat(fd).st_size
    written = 0
    pieces = stream.__aiter__()
    try:
        while True:
            try:
                piece = await asyncio.wait_for(pieces.__anext__(), STALL)
            except StopAsyncIteration:
                break
            except asyncio.TimeoutError:
                raise AccessMediaError("the upload stalled", "upload the file again: it goes on from where it stopped") from None
            if written + len(piece) > limit:
                raise TooLargeChunk
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view):]
            written += len(piece)
    except BaseException:
        os.ftruncate(fd, start)
        raise
    return written


def remove_abandoned(folder: Path, now: float | None = None) -> list[str]:
    """Remove `.NAME.part` uploads untouched for a day (and not being written now)."""
    removed = []
    now = time.time() if now is None else now
    for part in Path(folder).glob(".*.part"):
        try:
            st = os.lstat(part)
        except FileNotFoundError:
            continue
        if now - st.st_mtime < ABANDONED:
            continue
        if stat.S_ISREG(st.st_mode):
            try:
                with writer(part, part.name):
                    part.unlink()
            except AccessMediaError:  # being written: not abandoned
                continue
        else:
            part.unlink()
        removed.append(part.name)
    return removed
