"""Carrying models to a machine without internet access: `models export DIR` writes every installed model
(speech, speaker, overlap, translation) with a manifest of checksums; `models add DIR` on the other
machine verifies every file before it installs anything, then installs them all.

DIR/models.json (schema accessmedia.models-export/1): {"models": [{"kind", "name", "source", "sha256",
"files": {relative path: {"sha256", "size"}}}]}; each model's files are in DIR/<kind>/<name>/.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from accessmedia.core.errors import AccessMediaError
from accessmedia.core.fsutil import sha256_file, staging_dir, write_atomic
from accessmedia.models.catalog import MANIFEST, catalog, install_target, installed, model_folder

SCHEMA = "accessmedia.models-export/1"
INDEX = "models.json"


@dataclass(frozen=True)
class Carried:
    kind: str
    name: str
    files: int
    bytes: int
    skipped: bool = False  # already installed, the same


def export(dest: str | Path) -> list[Carried]:
    """Every installed model into `dest` (a new or empty folder), with checksums."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise AccessMediaError(f"{dest} is not empty", "export into a new folder")
    found = installed()
    if not found:
        raise AccessMediaError("no models are installed here", "install them first (`accessmedia models list` shows them)")
    entries, out = [], []
    with staging_dir(dest) as tmp:
        for m in found:
            files = {}
            for path in sorted(p for p in m.path.rglob("*") if p.is_file()):
                rel = path.relative_to(m.path).as_posix()
                target = tmp / m.kind / m.name / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                files[rel] = {"sha256": sha256_file(target), "size": target.stat().st_size}
            entries.append({"kind": m.kind, "name": m.name, "source": m.source, "sha256": m.sha256, "files": files})
            out.append(Carried(m.kind, m.name, len(files), sum(f["size"] for f in files.values())))
        write_atomic(tmp / INDEX, json.dumps({"schema": SCHEMA, "models": entries}, indent=1) + "\n")
    return out


def is_export(folder: Path) -> bool:
    return (Path(folder) / INDEX).is_file()


def _safe(kind: str, name: str) -> tuple[str, str]:
    """A kind and name from an export's index, checked as every install checks them (models.catalog.model_folder)."""
    try:
        model_folder(kind, name)
    except AccessMediaError:
        raise AccessMediaError(f"{INDEX} names a model {kind}/{name}, which is not a kind and plain name", "export the models again") from None
    return kind, name


def _linked(base: Path, rel: str) -> bool:
    """Whether any step from `base` to the file `rel` is a symbolic link (a link could bring in any file of the system)."""
    path = base
    for part in PurePosixPath(rel).parts:
        path = path / part
        if path.is_symlink():
            return True
    return False


def add_export(folder: str | Path, accept_licence: str | None = None) -> list[Carried]:
    """Install every model of an export, each checked file by file (size and sha256) before any is installed;
    a model under a non-commercial licence needs that licence accepted by name, as when it was installed."""
    from accessmedia.models.translation import licence_gate
    folder = Path(folder)
    try:
        index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AccessMediaError(f"{folder / INDEX} cannot be read ({exc})", "export the models again") from None
    if not isinstance(index, dict) or index.get("schema") != SCHEMA or not isinstance(index.get("models"), list):
        raise AccessMediaError(f"{folder / INDEX} is not an accessmedia model export", "make one with `accessmedia models export DIR`")
    plan = []
    for m in index["models"]:
        if not isinstance(m, dict):
            raise AccessMediaError(f"{folder / INDEX} is not an accessmedia model export", "export the models again")
        kind, name = _safe(str(m.get("kind", "")), str(m.get("name", "")))  # before any file is read
        files = m.get("files") or {}
        if not isinstance(files, dict) or MANIFEST not in files or not all(
                isinstance(f, dict) and isinstance(f.get("size"), int) and isinstance(f.get("sha256"), str) for f in files.values()):
            raise AccessMediaError(f"model {kind}/{name} in the export has no {MANIFEST} or no size and sha256 per file",
                                   "export the models again")
        for rel in files:  # every path first: nothing outside the export is even looked at
            parts = PurePosixPath(rel).parts
            if not parts or any(p in ("", ".", "..") for p in parts) or PurePosixPath(rel).is_absolute() or "\\" in rel:
                raise AccessMediaError(f"model {kind}/{name}: the path {rel!r} leaves its folder", "export the models again")
        for rel, meta in files.items():
            path = folder / kind / name / rel
            if (folder / kind).is_symlink() or (folder / kind / name).is_symlink() or _linked(folder / kind / name, rel):
                raise AccessMediaError(f"model {kind}/{name}: {rel} is a symbolic link", "copy the files themselves; nothing was installed")
            if not path.is_file():
                raise AccessMediaError(f"model {kind}/{name}: {rel} is missing from the export", "copy the whole export folder")
            if path.stat().st_size != meta.get("size") or sha256_file(path) != meta.get("sha256"):
                raise AccessMediaError(f"model {kind}/{name}: {rel} is not the file that was exported (size or sha256 differ)",
                                       "copy the export again; nothing was installed")
        try:
            own = json.loads((folder / kind / name / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            own = None
        if not isinstance(own, dict) or own.get("name") != name or own.get("kind") != kind:
            raise AccessMediaError(f"model {kind}/{name}: its {MANIFEST} does not describe it", "export the models again")
        entry = catalog().get(name)
        if entry is not None and entry.sha256 and not any(f["sha256"] == entry.sha256 for f in files.values()):
            raise AccessMediaError(f"model {kind}/{name} is named like the catalogue's {name} but is not that model (sha256)",
                                   "export the models again; nothing was installed")
        licence_gate(name, str(own.get("licence", "")), accept_licence)
        plan.append((kind, name, files))
    out = []
    for kind, name, files in plan:
        target = install_target(kind, name)
        mine = target / MANIFEST
        if mine.is_file() and sha256_file(mine) == files[MANIFEST]["sha256"] and all(
                (target / rel).is_file() and (target / rel).stat().st_size == meta["size"] for rel, meta in files.items()):
            out.append(Carried(kind, name, len(files), sum(f["size"] for f in files.values()), skipped=True))
            continue
        with staging_dir(target) as tmp:
            for rel in files:
                dest = tmp / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(folder / kind / name / rel, dest)
        out.append(Carried(kind, name, len(files), sum(f["size"] for f in files.values())))
    return out
