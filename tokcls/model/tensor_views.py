"""The tensors of a safetensors file held in memory, as views of its bytes rather than copies.

The safetensors library reads a file by name or copies every tensor out of a bytes object; an archive's weights
are a member at some offset inside the archive, which load_model has read into memory once. This reads the format
(an 8-byte little-endian header length, a JSON header of name -> dtype, shape, data offsets, then the data) and
makes each tensor a view of those bytes: no further copy of the weights is made. Anything that does not add up
(offsets outside the data, a size that does not fit the shape, an unknown dtype) is a ValueError, as the library's
own reader raises for a damaged file.
"""

from __future__ import annotations

import json
import math

import torch

DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}


def tensor_views(buffer: memoryview) -> dict[str, torch.Tensor]:
    """Every tensor of the safetensors file in `buffer` (which must be writable: torch refuses to view read-only
    memory without a warning), sharing its memory."""
    if len(buffer) < 8:
        raise ValueError("shorter than a safetensors header")
    header_length = int.from_bytes(buffer[:8], "little")
    if header_length > len(buffer) - 8:
        raise ValueError(f"header length {header_length} runs past the end of the file")
    try:
        header = json.loads(bytes(buffer[8 : 8 + header_length]))
    except ValueError as e:
        raise ValueError(f"unreadable header ({e})") from None
    start_of_data, size_of_data = 8 + header_length, len(buffer) - 8 - header_length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise ValueError(f"tensor {name!r} has an unknown dtype {entry.get('dtype')!r}")
        begin, end = entry["data_offsets"]
        count = math.prod(entry["shape"])
        if not 0 <= begin <= end <= size_of_data or end - begin != count * dtype.itemsize:
            raise ValueError(f"tensor {name!r}: offsets {begin}..{end} do not hold shape {entry['shape']}")
        offset = start_of_data + begin
        if count == 0:
            tensors[name] = torch.empty(entry["shape"], dtype=dtype)
        elif offset % dtype.itemsize:  # a misaligned view would be slow or refused: copy this one
            tensors[name] = torch.frombuffer(bytearray(buffer[offset : offset + end - begin]), dtype=dtype)
        else:
            tensors[name] = torch.frombuffer(buffer, dtype=dtype, count=count, offset=offset)
        tensors[name] = tensors[name].view(entry["shape"])
    return tensors
