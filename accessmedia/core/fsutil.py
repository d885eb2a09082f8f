"""Writing files so that a crash never leaves half a file or loses finished work."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def staging_dir(final: Path) -> Iterator[Path]:
    """A temporary folder beside `final`; on success it replaces `final` in one rename."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a published folder must be readable by the web server
    try:
        yield tmp
        if final.exists():
            old = final.with_name(f".{final.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ensure_writable(folder: Path, hint: str = "choose another folder with -o") -> None:
    """Create `folder` if needed and prove it takes files, before any work is done."""
    from accessmedia.core.errors import AccessMediaError

    try:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".accessmedia-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise AccessMediaError(f"cannot write to {folder}: {exc.strerror}", hint) from None


def remove_leftovers(folder: Path) -> None:
    """Delete the temporary files and folders (`.NAME.*.part`, `.NAME.old`) that a killed run left behind.

    Call it only while holding the folder's run lock: then nobody is writing them.
    """
    for parent in (Path(folder), Path(folder) / ".accessmedia"):
        if not parent.is_dir():
            continue
        for entry in parent.iterdir():
            if entry.name.startswith(".") and (entry.name.endswith(".part") or entry.name.endswith(".old")):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        entry.unlink()


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """Hold FOLDER/.accessmedia.lock for the length of a run, so that two runs never write one folder.

    The kernel lets go of the lock when the process ends, however it ends (kill -9 included).
    """
    from accessmedia.core.errors import AccessMediaError

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".accessmedia.lock"
    fh = open(path, "a+")
    try:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not a POSIX system: no lock
            pass
        except OSError:
            fh.seek(0)
            holder = fh.read().strip()
            raise AccessMediaError(
                f"another accessmedia run is writing to {folder}" + (f" ({holder})" if holder else ""),
                "wait for it to finish, or choose another output folder",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        yield
    finally:
        fh.close()
