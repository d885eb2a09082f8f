"""Which files of a hub repository to download for a translation model, and checking them against the catalogue.

A catalogue entry may list the files of its repository as the hub's model page publishes them (`files`: path,
size in MB as the page rounds it, and the SHA256 of large files); after download each listed file is checked
(size first, then its hash), so a repository that changed under its name is refused before anything is
converted or installed. `checked` names the page the list was read from; an entry without it is shown as
unconfirmed by `accessmedia models list`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import shutil
import time
from pathlib import Path
from typing import Callable

from accessmedia.core.errors import AccessMediaError
from accessmedia.models.catalog import CatalogEntry, hub_download

TOKENIZER = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
             "vocab.json", "source.spm", "target.spm", "sentencepiece.bpe.model", "spiece.model"]
SAFETENSORS = ["model.safetensors", "model-*-of-*.safetensors", "model.safetensors.index.json"]
PYTORCH = ["pytorch_model.bin", "pytorch_model-*-of-*.bin", "pytorch_model.bin.index.json"]
CTRANSLATE2 = ["model.bin", "config.json", "*vocabulary*", "*.spm", "*.model", "tokenizer_config.json"]


def patterns_for(entry: CatalogEntry) -> list[str]:
    """What is downloaded of the entry's repository: a CTranslate2 copy, or a checkpoint's tokenizer and weights."""
    return checkpoint_patterns(entry, entry.source.partition(":")[2]) if entry.format == "checkpoint" else CTRANSLATE2


def download_mb(entry: CatalogEntry) -> float:
    """The download's size as the catalogue lists the files (else its size_mb): one copy of the weights."""
    if not entry.files:
        return float(entry.size_mb)
    return listed_mb(entry, patterns_for(entry))


def listed_mb(entry: CatalogEntry, patterns: list[str]) -> float:
    """The size of the catalogue's listed files that `patterns` download (0 where it lists none)."""
    return sum(mb for path, mb, _ in entry.files if any(fnmatch.fnmatch(path, p) for p in patterns))


def checkpoint_patterns(entry: CatalogEntry, repo: str) -> list[str]:
    """The tokenizer and one copy of the weights: safetensors where the repository has them (no pickle, read
    lazily), else PyTorch's .bin (read by a reader that refuses anything but tensors)."""
    names = [path for path, _, _ in entry.files] or _listing(repo)
    safe = any(n.endswith(".safetensors") for n in names)
    return TOKENIZER + (SAFETENSORS if safe else PYTORCH)


def _listing(repo: str) -> list[str]:
    try:
        from huggingface_hub import list_repo_files

        return list_repo_files(repo)
    except Exception as exc:  # huggingface_hub raises HTTP, offline and OS errors of many kinds
        raise AccessMediaError(f"could not list {repo} on the Hugging Face hub ({type(exc).__name__})",
                               "check the network, or download the model elsewhere and run `accessmedia models add FOLDER`",
                               code="download_failed") from None


def download(entry: CatalogEntry, repo: str, patterns: list[str], folder: Path,
             progress: Callable[[str], None] | None = None, tries: int = 3) -> Path:
    """The files of `repo` matching `patterns` into `folder`, each one the catalogue lists checked. A connection
    that drops after bytes came is tried again (twice, after 2 and 4 s), each time going on from the bytes already
    there (huggingface_hub resumes a file from its .incomplete part); what was downloaded stays in `folder` for
    the next run if every try fails."""
    own = repo == entry.source.partition(":")[2]
    listed = listed_mb(entry, patterns) if own else 0
    if progress:
        size = f", {listed:,.0f} MB" if listed else ""
        progress(f"downloading {repo}{'@' + entry.revision[:7] if own and entry.revision else ''}{size} into {folder}")
    for attempt in range(1, tries + 1):
        before = _bytes(folder)
        try:
            hub_download(repo, patterns, folder, entry.revision if own else None)
            break
        except AccessMediaError:
            if attempt == tries or _bytes(folder) <= before:  # offline, or nothing came: trying again would not help
                raise
            if progress:
                progress(f"the download stopped; trying again ({attempt + 1} of {tries}), from where it stopped")
            time.sleep(2 * attempt)
    if own:
        try:
            check(entry, folder)
        except AccessMediaError:
            shutil.rmtree(folder, ignore_errors=True)  # not the files the catalogue names: nothing kept to resume
            raise
    return folder


def check_space(entry: CatalogEntry, patterns: list[str], folder: Path, converted: bool) -> None:
    """Refuse before downloading when the disk cannot hold the download (and, for a checkpoint, its conversion,
    at most as large as what it converts), less what an earlier, interrupted run already has."""
    size_mb = listed_mb(entry, patterns) or float(entry.size_mb)
    have_mb = _bytes(folder) / 1e6
    need_mb = max(size_mb - have_mb, 0) + (size_mb if converted else 0) + 100
    probe = folder if folder.exists() else folder.parent
    probe.mkdir(parents=True, exist_ok=True)
    free_mb = free_bytes(probe) / 1e6
    if free_mb < need_mb:
        raise AccessMediaError(f"{entry.name} needs {need_mb / 1e3:,.1f} GB free on the disk of {probe}, which has "
                               f"{free_mb / 1e3:,.1f} GB; nothing was downloaded",
                               "free some space, or set ACCESSMEDIA_MODELS to a folder on a larger disk", code="no_space")


def _bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.is_dir() else 0


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def check(entry: CatalogEntry, folder: Path) -> None:
    """Every downloaded file the catalogue lists has its published size (within the page's rounding) and SHA256."""
    for path, size_mb, sha256 in entry.files:
        file = folder / path
        if not file.is_file():
            continue  # another copy of the weights, not downloaded
        actual = file.stat().st_size / 1e6
        if size_mb and abs(actual - size_mb) > max(0.01 * size_mb, 0.05):
            raise AccessMediaError(f"{entry.name}: {path} is {actual:.1f} MB, the hub's page says {size_mb} MB",
                                   "the repository has changed since the catalogue was checked; nothing was installed")
        if sha256 and sha256_of(file) != sha256:
            raise AccessMediaError(f"{entry.name}: {path} does not have the SHA256 the hub's page publishes",
                                   "the download is damaged or the repository has changed; nothing was installed")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
