"""Which files of a hub repository to download for a translation model, and checking them against the catalogue.

A catalogue entry may list the files of its repository as the hub's model page publishes them (`files`: path,
size in MB as the page rounds it, and the SHA256 of large files); after download each listed file is checked
(size first, then its hash), so a repository that changed under its name is refused before anything is
converted or installed. `checked` names the page the list was read from; an entry without it is shown as
unconfirmed by `accessmedia models list`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from accessmedia.core.errors import AccessMediaError
from accessmedia.models.catalog import CatalogEntry, hub_download

TOKENIZER = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
             "vocab.json", "source.spm", "target.spm", "sentencepiece.bpe.model", "spiece.model"]
SAFETENSORS = ["model.safetensors", "model-*-of-*.safetensors", "model.safetensors.index.json"]
PYTORCH = ["pytorch_model.bin", "pytorch_model-*-of-*.bin", "pytorch_model.bin.index.json"]


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
                               "check the network, or download the model elsewhere and run `accessmedia models add FOLDER`") from None


def download(entry: CatalogEntry, repo: str, patterns: list[str], folder: Path) -> Path:
    """The files of `repo` matching `patterns` into `folder`, each one the catalogue lists checked."""
    own = repo == entry.source.partition(":")[2]
    hub_download(repo, patterns, folder, entry.revision if own else None)
    if own:
        check(entry, folder)
    return folder


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
