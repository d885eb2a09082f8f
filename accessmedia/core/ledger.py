"""Which files accessmedia wrote, so that a person's edit is never overwritten.

Every output folder keeps a ledger (.accessmedia/written.json) of the hashes
of the files accessmedia wrote there. A file whose hash the ledger does not
know was changed by someone, and is not overwritten. The hashes are recorded
*before* the files are written, and a few earlier hashes are kept, so a crash
or `kill -9` between the two writes leaves files the ledger knows (the old
version or the new one): resuming never mistakes half-finished work for a
person's correction.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable, Mapping

from accessmedia.core.errors import AccessMediaError
from accessmedia.core.fsutil import sha256_file, write_atomic

KEEP = 4  # hashes remembered per file


class EditedOutputError(AccessMediaError):
    """An output file was changed by someone after accessmedia wrote it."""


class Ledger:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / ".accessmedia" / "written.json"

    def _load(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def edited(self, path: Path) -> bool:
        """True when `path` exists and is not a version accessmedia wrote."""
        path = Path(path)
        return path.exists() and sha256_file(path) not in self._load().get(path.name, [])

    def refuse_edits(self, paths: Iterable[Path]) -> None:
        for path in paths:
            if self.edited(path):
                raise EditedOutputError(
                    f"{path} was changed after accessmedia wrote it (corrections?) and would be overwritten",
                    "move it away first, or pass --force to replace it",
                )

    def write(self, files: Mapping[str, str | bytes]) -> None:
        """Record, then write, files named relative to the folder; each write is atomic."""
        known = self._load()
        for name, data in files.items():
            digest = hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
            previous = [h for h in known.get(name, []) if h != digest]
            known[name] = (previous + [digest])[-KEEP:]
        write_atomic(self.path, json.dumps(known, indent=1, sort_keys=True) + "\n")
        for name, data in files.items():
            write_atomic(self.folder / name, data)

