"""The weights and tokenizer of a Hugging Face checkpoint folder, read without torch or transformers.

Weights come from `model.safetensors` (opened with the safetensors package, which checks the file; each tensor
then mapped from its byte range, bfloat16 widened to float32) or from a PyTorch `pytorch_model.bin`
(torchfile.py's restricted reader, which never runs code; its uncompressed storages mapped too), either one
whole or sharded with an index (`*.index.json`). Mapped copy-on-write, the weights are read from disk as the
converter reaches them: a checkpoint larger than memory converts, and what stays in memory is the int8 model.

The vocabulary is the tokenizer's, in id order, as transformers' `tokenizer.get_vocab()` gives it: from
tokenizer.json where there is one (the fast tokenizer's), else from vocab.json (OPUS-MT), else rebuilt from
the SentencePiece model with the family's own rules (NLLB's fairseq ids, its language codes after the pieces).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from accessmedia.core.errors import AccessMediaError
from accessmedia.models import torchfile

SAFETENSORS = ("model.safetensors", "model.safetensors.index.json")
PYTORCH = ("pytorch_model.bin", "pytorch_model.bin.index.json")


def is_checkpoint(folder: Path) -> bool:
    """A folder as the hub publishes a transformers model: config.json and weights, no model.bin."""
    return (folder / "config.json").is_file() and not (folder / "model.bin").is_file() and any(
        (folder / name).is_file() for name in SAFETENSORS + PYTORCH)


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AccessMediaError(f"{path} cannot be read ({exc})", "download the model again") from None
    if not isinstance(data, dict):
        raise AccessMediaError(f"{path} is not a JSON object", "download the model again")
    return data


class Weights:
    """Tensors by name, read one at a time from the checkpoint's files."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._bin: dict[str, dict[str, np.ndarray]] = {}
        self._headers: dict[str, tuple[dict, int]] = {}  # per safetensors file: its header and its size, read once
        index = next((folder / n for n in (SAFETENSORS[1], PYTORCH[1]) if (folder / n).is_file()), None)
        single = next((folder / n for n in (SAFETENSORS[0], PYTORCH[0]) if (folder / n).is_file()), None)
        if (folder / SAFETENSORS[0]).is_file() or (index is None and single is not None):
            self.files = {name: single.name for name in self._names(single)}
        elif index is not None:
            weight_map = read_json(index).get("weight_map")
            if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
                raise AccessMediaError(f"{index} has no weight_map", "download the model again")
            for file in set(weight_map.values()):
                if Path(file).name != file or not (folder / file).is_file():
                    raise AccessMediaError(f"{index} names {file!r}, which is not in {folder}", "download every shard of the model")
            self.files = dict(weight_map)
        else:
            raise AccessMediaError(f"{folder} holds no weights (model.safetensors or pytorch_model.bin)",
                                   "download the model's weights too")

    def _names(self, path: Path) -> list[str]:
        if path.suffix == ".safetensors":
            return list(self._header(path)[0])
        self._bin[path.name] = torchfile.load_state_dict(path, mmap=True)
        return list(self._bin[path.name])

    def _header(self, path: Path) -> tuple[dict, int]:
        """A safetensors file's header, opened once with the safetensors package (which checks it against the file's
        size) and read once for the byte ranges the tensors are mapped from."""
        if path.name not in self._headers:
            from safetensors import safe_open

            try:
                with safe_open(str(path), framework="np"):
                    pass
            except Exception as exc:  # safetensors raises its own SafetensorError on a damaged file
                raise AccessMediaError(f"{path.name} cannot be read ({exc})", "download the model again") from None
            self._headers[path.name] = _safetensors_header(path)
        return self._headers[path.name]

    def __contains__(self, name: str) -> bool:
        return name in self.files

    def get(self, name: str, *fallbacks: str) -> np.ndarray:
        """The tensor called `name` (or the first of `fallbacks` the checkpoint has: tied weights are stored once)."""
        for candidate in (name, *fallbacks):
            if candidate in self.files:
                return self._read(candidate)
        raise AccessMediaError(f"{self.folder}: the checkpoint has no tensor {name}",
                               "is it a complete checkpoint of an OPUS-MT, NLLB-200 or MADLAD-400 model?")

    def _read(self, name: str) -> np.ndarray:
        file = self.files[name]
        if file.endswith(".safetensors"):
            return _safetensor(self.folder / file, name, *self._header(self.folder / file))
        if name not in self._bin.get(file, {}):  # a shard not read yet (one is kept at a time), or a tensor asked again
            self._bin = {file: torchfile.load_state_dict(self.folder / file, mmap=True)}
        return self._bin[file].pop(name)  # handed over: the converter holds the only copy


def _safetensors_header(path: Path) -> tuple[dict, int]:
    """(the tensors' entries by name, the header's size in bytes)."""
    try:
        with open(path, "rb") as fh:
            (size,) = struct.unpack("<Q", fh.read(8))
            if size > 100 << 20:
                raise ValueError("header larger than 100 MB")
            header = json.loads(fh.read(size))
    except (OSError, struct.error, ValueError) as exc:
        raise AccessMediaError(f"{path} is not a safetensors file ({exc})", "download the model again") from None
    header.pop("__metadata__", None)
    return header, size


_NUMPY = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32, "I16": np.int16,
          "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_, "BF16": np.uint16}


def _safetensor(path: Path, name: str, header: dict, size: int) -> np.ndarray:
    """One tensor, mapped copy-on-write from the file (so a checkpoint larger than memory converts: pages are read
    as the converter reaches them and can be dropped again); bfloat16 widened to float32."""
    info = header[name]
    kind = str(info.get("dtype"))
    start, end = (int(x) for x in info["data_offsets"])
    shape = tuple(int(n) for n in info["shape"])
    dtype = np.dtype(_NUMPY.get(kind, np.uint8))
    count = int(np.prod(shape, dtype=np.int64))
    if kind not in _NUMPY or end - start != count * dtype.itemsize or 8 + size + end > path.stat().st_size:
        raise AccessMediaError(f"{path.name}: tensor {name} ({kind}, {shape}) does not fit its bytes", "download the model again")
    if count == 0:
        return np.zeros(shape, dtype=np.float32 if kind == "BF16" else dtype)
    array = np.memmap(path, dtype=dtype, mode="c", offset=8 + size + start, shape=shape)
    if kind == "BF16":  # float32's upper half: widened exactly
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array


# -- the tokenizer's vocabulary -------------------------------------------------------------------------

def vocabulary(folder: Path, model_type: str) -> list[str]:
    """The tokenizer's tokens in id order (a gap in the ids is an error: the model's rows would shift)."""
    if (folder / "tokenizer.json").is_file():
        from tokenizers import Tokenizer

        try:
            by_id = Tokenizer.from_file(str(folder / "tokenizer.json")).get_vocab(with_added_tokens=True)
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise AccessMediaError(f"{folder / 'tokenizer.json'} cannot be read ({exc})", "download the model again") from None
    elif (folder / "vocab.json").is_file():
        by_id = read_json(folder / "vocab.json")
    elif model_type == "m2m_100" and (folder / "sentencepiece.bpe.model").is_file():
        return _nllb_from_sentencepiece(folder)
    elif (folder / "spiece.model").is_file():
        return _pieces(folder / "spiece.model")
    else:
        raise AccessMediaError(f"{folder}: no tokenizer (tokenizer.json, vocab.json or a SentencePiece model)",
                               "download the model's tokenizer files too")
    tokens = [t for t, _ in sorted(by_id.items(), key=lambda item: item[1])]
    if sorted(by_id.values()) != list(range(len(tokens))):
        raise AccessMediaError(f"{folder}: the tokenizer's ids are not 0..{len(tokens) - 1}", "download the model again")
    return tokens


def _pieces(path: Path) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(path))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _nllb_from_sentencepiece(folder: Path) -> list[str]:
    """NllbTokenizer's ids: <s> <pad> </s> <unk>, the SentencePiece pieces after its own three specials (fairseq's
    offset of one), then the language codes in the order the tokenizer lists them, then <mask>."""
    tokens = ["<s>", "<pad>", "</s>", "<unk>"] + _pieces(folder / "sentencepiece.bpe.model")[3:]
    config = {}
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        if (folder / name).is_file():
            config = {**read_json(folder / name), **config}
    codes = config.get("additional_special_tokens") or config.get("extra_special_tokens") or []
    codes = [c["content"] if isinstance(c, dict) else c for c in codes]
    if not codes:
        raise AccessMediaError(f"{folder}: the tokenizer lists no language codes", "download tokenizer.json or tokenizer_config.json too")
    return tokens + [c for c in codes if c not in tokens] + ["<mask>"]


def special_tokens(folder: Path) -> dict[str, str]:
    """The tokenizer's eos, unk, bos and pad tokens (transformers' defaults where the files do not say)."""
    found: dict[str, str] = {}
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        if (folder / name).is_file():
            for key, value in read_json(folder / name).items():
                if key.endswith("_token") and key not in found:
                    value = value.get("content") if isinstance(value, dict) else value
                    if isinstance(value, str):
                        found[key] = value
    return found
