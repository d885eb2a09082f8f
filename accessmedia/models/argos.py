"""Argos Translate packages: verify, install (from a file, or the Argos index when online), find routes.

An .argosmodel is a zip of one folder with metadata.json, model/ (CTranslate2)
and sentencepiece.model (or bpe.model). Before anything is extracted the zip
is checked: a real zip, no path that escapes the target folder, no links, the
expected files present, and sizes within limits. Installed packages live in
`models_home()/translate/<from>-<to>/`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from accessmedia.core import languages
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.fsutil import sha256_file, staging_dir, write_atomic
from accessmedia.models.catalog import MANIFEST, install_target, models_home

MAX_UNPACKED = 4 << 30  # bytes; the largest Argos models are under 1 GB
MAX_ENTRIES = 10_000
MAX_RATIO = 200  # unpacked/packed size of one entry: beyond this it is a zip bomb
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")  # Argos codes: en, nb, zt, pt_BR ...
PIVOT = "en"  # Argos translates most pairs through English (mt_routes.py chooses the routes)


@dataclass(frozen=True)
class PackageInfo:
    from_code: str
    to_code: str
    version: str
    top: str  # the folder inside the zip


@dataclass(frozen=True)
class InstalledPackage:
    from_code: str
    to_code: str
    path: Path  # the package folder (metadata.json, model/, sentencepiece.model)
    version: str
    sha256: str

    @property
    def pair(self) -> str:
        return f"{self.from_code}-{self.to_code}"


def _refuse(path: Path, why: str) -> AccessMediaError:
    return AccessMediaError(f"{path.name} is not a usable Argos package: {why}", "nothing was installed; get the package again")


def verify_package(path: str | os.PathLike) -> PackageInfo:
    """Check an .argosmodel file without extracting it."""
    path = Path(path)
    if not path.is_file():
        raise AccessMediaError(f"{path}: no such file", "check the path")
    if not zipfile.is_zipfile(path):
        raise _refuse(path, "not a zip archive")
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        if not infos:
            raise _refuse(path, "the archive is empty")
        if len(infos) > MAX_ENTRIES:
            raise _refuse(path, f"{len(infos)} entries, more than {MAX_ENTRIES}")
        total = 0
        tops = set()
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name).parts
            if name.startswith(("/", "\\")) or ".." in parts or "\\" in name or (parts and ":" in parts[0]):
                raise _refuse(path, f"entry '{name}' would be written outside the package folder")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _refuse(path, f"entry '{name}' is a symbolic link")
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 20:
                raise _refuse(path, f"entry '{name}' unpacks to {info.file_size} bytes from {info.compress_size}")
            tops.add(parts[0])
        if total > MAX_UNPACKED:
            raise _refuse(path, f"it unpacks to {total >> 20} MB, more than {MAX_UNPACKED >> 20} MB")
        if len(tops) != 1:
            raise _refuse(path, "it must hold exactly one folder")
        top = tops.pop()
        names = {i.filename for i in infos}
        missing = [f for f in ("metadata.json", "model/model.bin", "model/config.json") if f"{top}/{f}" not in names]
        if f"{top}/sentencepiece.model" not in names and f"{top}/bpe.model" not in names:
            missing.append("sentencepiece.model")
        if not any(n.startswith(f"{top}/model/") and "vocabulary" in n for n in names):
            missing.append("model/*vocabulary*")
        if missing:
            raise _refuse(path, f"missing {', '.join(missing)}")
        try:
            meta = json.loads(z.read(f"{top}/metadata.json").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _refuse(path, f"metadata.json is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or not meta.get("from_code") or not meta.get("to_code"):
        raise _refuse(path, "metadata.json names no from_code and to_code")
    if meta.get("type", "translate") != "translate":
        raise _refuse(path, f"it is a '{meta.get('type')}' package, not a translation")
    for key in ("from_code", "to_code"):  # they name the folder it is installed in: language codes and nothing else
        if not isinstance(meta[key], str) or not LANGUAGE_CODE.fullmatch(meta[key]):
            raise _refuse(path, f"metadata.json's {key} {str(meta[key])[:40]!r} is not a language code")
    return PackageInfo(str(meta["from_code"]), str(meta["to_code"]), str(meta.get("package_version", "")), top)


def install_file(path: str | os.PathLike, source: str | None = None) -> InstalledPackage:
    """Verify and install an .argosmodel file; an installed package of the same pair is replaced whole."""
    path = Path(path)
    info = verify_package(path)
    digest = sha256_file(path)
    target = install_target("translate", f"{info.from_code}-{info.to_code}")
    with staging_dir(target) as tmp:
        with zipfile.ZipFile(path) as z:
            for member in z.infolist():
                relative = PurePosixPath(member.filename).relative_to(info.top)
                dest = tmp.joinpath(*relative.parts) if relative.parts else tmp
                if member.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                with z.open(member) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
        _load(tmp)  # refuse a package whose model does not load, before it replaces anything
        meta = {
            "name": f"{info.from_code}-{info.to_code}",
            "kind": "translate",
            "source": source or f"file:{path.resolve()}",
            "sha256": digest,
            "version": info.version,
            "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        write_atomic(tmp / MANIFEST, json.dumps(meta, indent=1) + "\n")
    return _read(target)


def _load(folder: Path) -> None:
    import ctranslate2

    try:
        ctranslate2.Translator(str(folder / "model"), device="cpu")
    except Exception as exc:  # CTranslate2 raises RuntimeError, ValueError or IndexError for broken files
        raise AccessMediaError(f"the package's model does not load: {exc}", "nothing was installed; get the package again") from None


def _read(folder: Path) -> InstalledPackage:
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return InstalledPackage(meta["from_code"], meta["to_code"], folder, str(meta.get("package_version", "")), manifest["sha256"])


def installed() -> dict[tuple[str, str], InstalledPackage]:
    found = {}
    for manifest in sorted((models_home() / "translate").glob(f"*/{MANIFEST}")):
        try:
            pkg = _read(manifest.parent)
        except (OSError, KeyError, json.JSONDecodeError):
            continue
        found[(pkg.from_code, pkg.to_code)] = pkg
    return found


def install_from_index(codes: list[str], source: str = "nb") -> list[InstalledPackage]:
    """Download and install what translating `source` into each code needs (online)."""
    try:
        from argostranslate import package as argos_package
    except ImportError as exc:  # a dependency
        raise AccessMediaError("argostranslate is missing", "pip install argos-translate-lt") from exc
    wanted: list[tuple[str, str]] = []
    for code in codes:
        code = languages.normalize(code)
        for pair in ([(source, code)] if code == PIVOT else [(source, PIVOT), (PIVOT, code)]):
            if pair not in wanted:
                wanted.append(pair)
    # the index is fetched here, not by argostranslate: offline, its update prints every error and its
    # get_available_packages() then calls itself until Python's recursion limit
    from argostranslate import settings as argos_settings

    try:
        with urllib.request.urlopen(argos_settings.remote_package_index, timeout=30) as response:
            index = response.read()
        json.loads(index)
    except (OSError, ValueError) as exc:  # no network, no answer, or not the index
        reason = getattr(exc, "reason", None) or exc
        raise AccessMediaError(
            f"could not reach the Argos package index ({type(reason).__name__}: {str(reason)[:80]})",
            "check the network, or download .argosmodel files elsewhere and run `accessmedia models add FILE`", code="download_failed",
        ) from None
    write_atomic(Path(argos_settings.local_package_index), index)
    available = argos_package.get_available_packages()
    done = []
    for src, tgt in wanted:
        match = next((p for p in available if p.from_code == src and p.to_code == tgt), None)
        if match is None:
            continue  # reported as a missing route, not an error: other languages may still work
        try:
            downloaded = Path(match.download())
        except Exception as exc:
            raise AccessMediaError(f"could not download the {src}->{tgt} package ({type(exc).__name__})", "check the network and try again") from exc
        done.append(install_file(downloaded, source=f"argos-index:{src}-{tgt}"))
    return done
