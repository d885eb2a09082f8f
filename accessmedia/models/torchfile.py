"""Read a PyTorch checkpoint (a zip of a pickle and raw storages) into numpy arrays, without torch.

Only what a state dict holds is accepted: tensors, dicts, lists, tuples and
plain values. Any other object the pickle names is refused, so reading a
checkpoint can never run code.
"""

from __future__ import annotations

import collections
import functools
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np

from accessmedia.core.errors import AccessMediaError

_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class _StorageType:
    def __init__(self, name: str):
        self.dtype = np.dtype(_DTYPES[name])


MAX_ELEMENTS = 1 << 34  # no real tensor is larger; a larger claim is a crafted file


def _rebuild_tensor(storage, offset, size, stride, *_rest, copy: bool = True):
    """A tensor as a copy of the part of its storage it covers; sizes, strides and offset are checked against the
    storage first, so a crafted checkpoint cannot make it read beyond the storage (as_strided would)."""
    if not isinstance(storage, np.ndarray):
        raise pickle.UnpicklingError("a tensor without a storage")
    ints = (offset, *size, *stride)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in ints) or len(size) != len(stride):
        raise pickle.UnpicklingError("a tensor's size, stride or offset is not whole numbers")
    if offset < 0 or any(s < 0 for s in size) or any(s < 0 for s in stride) or np.prod(size, dtype=object) > MAX_ELEMENTS:
        raise pickle.UnpicklingError("a tensor's size, stride or offset is out of range")
    if not size:
        if offset >= storage.size:
            raise pickle.UnpicklingError("a tensor lies beyond its storage")
        return storage[offset:offset + 1].reshape(()).copy()
    if 0 in size:
        return np.zeros(tuple(size), dtype=storage.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))  # the furthest element the tensor reads
    if last >= storage.size:
        raise pickle.UnpicklingError(f"a tensor reaches element {last} of a storage of {storage.size}")
    itemsize = storage.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=tuple(size), strides=tuple(s * itemsize for s in stride)
    )
    return np.array(view) if copy else view


def _rebuild_parameter(data, *_rest):
    return data


class _Unpickler(pickle.Unpickler):
    def __init__(self, fh, archive: zipfile.ZipFile, prefix: str, path: Path | None = None):
        super().__init__(fh)
        self._archive = archive
        self._prefix = prefix
        self._path = path  # given: storages stored uncompressed are mapped from the file, not read into memory
        self._loaded: dict[str, np.ndarray] = {}

    def find_class(self, module: str, name: str):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor if self._path is None else functools.partial(_rebuild_tensor, copy=False)
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in _DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"a checkpoint may not name {module}.{name}")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, _numel = pid
        if kind != "storage" or not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unexpected storage record {kind!r}")
        if key not in self._loaded:
            member = f"{self._prefix}data/{key}"
            mapped = _mapped(self._path, self._archive.getinfo(member), storage_type.dtype) if self._path else None
            self._loaded[key] = mapped if mapped is not None else np.frombuffer(self._archive.read(member), dtype=storage_type.dtype)
        return self._loaded[key]


def _mapped(path: Path, info: zipfile.ZipInfo, dtype: np.dtype) -> np.ndarray | None:
    """An uncompressed member's bytes as a copy-on-write memory map (torch stores its storages so); None for a
    compressed one. The data start is read from the member's local header, and must lie within the file."""
    if info.compress_type != zipfile.ZIP_STORED or info.file_size % dtype.itemsize:
        return None
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise pickle.UnpicklingError(f"{info.filename}: no local header")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    if start + info.file_size > path.stat().st_size:
        raise pickle.UnpicklingError(f"{info.filename} reaches beyond the end of the file")
    if info.file_size == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="c", offset=start, shape=(info.file_size // dtype.itemsize,))


def load_state_dict(path: str | Path, mmap: bool = False) -> dict[str, np.ndarray]:
    """The tensors of a torch checkpoint by name, as numpy arrays; with `mmap`, views of the file mapped
    copy-on-write (the file must stay while they are used), so a checkpoint larger than memory can be read."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            pkl = next((n for n in archive.namelist() if n.endswith("data.pkl")), None)
            if pkl is None:
                raise AccessMediaError(f"{path} is not a PyTorch checkpoint (no data.pkl)", "reinstall the model")
            prefix = pkl[: -len("data.pkl")]
            with archive.open(pkl) as fh:
                state = _Unpickler(fh, archive, prefix, path if mmap else None).load()
    except (zipfile.BadZipFile, pickle.UnpicklingError, KeyError, ValueError, EOFError) as exc:
        raise AccessMediaError(f"{path} could not be read as a PyTorch checkpoint ({exc})", "reinstall the model") from exc
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise AccessMediaError(f"{path} holds no state dict", "reinstall the model")
    return {str(k): v for k, v in state.items() if isinstance(v, np.ndarray)}
