"""Read a CTranslate2 model.bin into its variables (for comparing two conversions tensor by tensor).

The format is CTranslate2's ModelSpec._serialize: a version, the spec's name and revision, the variables (name,
shape, type, bytes) and the aliases (a variable stored once under another name), all little-endian.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16, np.uint16)  # bfloat16 read as its raw 16 bits


def read(path: Path) -> tuple[str, dict[str, np.ndarray], dict[str, str]]:
    """(spec name, variables by name, aliases: name -> the variable it stands for)."""
    data = Path(path).read_bytes()
    at = 0

    def take(fmt: str):
        nonlocal at
        values = struct.unpack_from("<" + fmt, data, at)
        at += struct.calcsize("<" + fmt)
        return values[0] if len(values) == 1 else values

    def string() -> str:
        nonlocal at
        size = take("H")
        text = data[at: at + size - 1].decode("utf-8")
        at += size
        return text

    take("I")  # binary version
    name = string()
    take("I")  # revision
    variables = {}
    for _ in range(take("I")):
        var = string()
        rank = take("B")
        shape = [take("I") for _ in range(rank)]
        dtype = DTYPES[take("B")]
        size = take("I")
        variables[var] = np.frombuffer(data, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=at).reshape(shape)
        at += size
    aliases = {}
    for _ in range(take("I")):
        alias = string()
        aliases[alias] = string()
    return name, variables, aliases
