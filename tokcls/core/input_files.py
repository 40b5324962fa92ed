"""The one way to open a file the user names: what is not a regular file is refused, and reads are bounded.

A device (/dev/zero), a FIFO or a socket given as a data file, a model or an input would be read
without end (until the kernel's OOM killer stops the process) or block forever. The file is opened
without blocking, checked with fstat on the open descriptor (so nothing can swap it between the
check and the read), and only then read.
"""

from __future__ import annotations

import mmap
import os
import stat
from pathlib import Path
from typing import BinaryIO

from tokcls.core.errors import InputError

KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in KINDS if test(mode)), "not a regular file")


def open_regular(path: str | Path, what: str, fix: str) -> BinaryIO:
    """`path` opened for reading in binary mode; an InputError naming it when it is missing or not a regular file."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: opening a FIFO with no writer returns at once
    except FileNotFoundError:
        raise InputError(f"{what} not found", fix, path) from None
    except IsADirectoryError:
        raise InputError(f"{what} is a folder, not a file", fix, path) from None
    except PermissionError:
        raise InputError(f"{what} cannot be read (permission denied)", "check the file's permissions", path) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InputError(f"{what} is a folder, not a file", fix, path)
        raise InputError(f"{what} is {_kind(mode)}, not a regular file: reading it might never end", fix, path)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def check_regular(path: str | Path, what: str, fix: str) -> Path:
    """Refuse `path` unless it is a regular file, for readers that open it themselves (safetensors, onnxruntime)."""
    open_regular(path, what, fix).close()
    return Path(path)


def _size_within(f, path: str | Path, what: str, fix: str, limit: int) -> int:
    """The open file's size; an InputError when it is over `limit` bytes, before anything is read."""
    size = os.fstat(f.fileno()).st_size
    if size > limit:
        raise InputError(f"{what} is {size:,} bytes, more than the {limit:,} a {what} may have", fix, path)
    return size


def read_bytes(path: str | Path, what: str, fix: str, limit: int | None = None) -> bytes:
    """The whole file; with `limit`, a file larger than `limit` bytes is refused before it is read."""
    with open_regular(path, what, fix) as f:
        if limit is None:
            return f.read()
        _size_within(f, path, what, fix, limit)
        return f.read(limit + 1)[:limit]


def read_into_memory(path: str | Path, what: str, fix: str, limit: int) -> mmap.mmap:
    """The whole file in one writable buffer (anonymous memory, also a file object), read with one pass: what is
    kept can be viewed in place (a model's weights) rather than copied out. Larger than `limit` bytes or empty is
    refused.

    Not a mapping of the file, on purpose: a mapped file copied over in place (`cp new.tcls model.tcls` truncates
    and rewrites the same file) would change a running server's weights under it, or kill it with SIGBUS."""
    with open_regular(path, what, fix) as f:
        return filled(_size_within(f, path, what, fix, limit), f.readinto, what, fix, path)  # type: ignore[attr-defined]


def filled(size: int, read_into, what: str, fix: str, path: str | Path) -> mmap.mmap:
    """`size` bytes of anonymous memory (zero pages handed out as they are first written: no memset of our own, 10 ms
    less than a bytearray for a 91 MB archive) filled by `read_into(view)` calls, each returning the bytes it wrote.
    Nothing to fill (an empty file) is refused: there is no model in it, and mmap takes no empty buffer."""
    if size == 0:
        raise InputError(f"{what} is empty", fix, path)
    buffer = mmap.mmap(-1, size)
    with memoryview(buffer) as view:
        done = 0
        while done < size:
            read = read_into(view[done:])
            if not read:  # the file shrank while it was read
                raise InputError(f"{what} changed while it was read", "run the command again", path)
            done += read
    return buffer


def decode_utf8(raw: bytes, path: str | Path, fix: str) -> str:
    """UTF-8 text; undecodable bytes are an InputError naming the line and the bytes."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise InputError(f"bytes {raw[e.start : e.end]!r} are not valid UTF-8 ({e.reason})", fix, path, line) from None


def read_text_lines(path: Path, where: str, remake: str) -> list[str]:
    """The lines of a UTF-8 file, split on \\n only; a missing or undecodable file is an InputError (`where`: the keys
    to check; `remake`: how to write the file again)."""
    # Bytes decoded by hand: read_text's universal newlines would take a lone \r inside a line
    # for a line break and shift every later sentence against its labels.
    text = decode_utf8(read_bytes(path, "file", where), path, remake)
    # split("\n"), not splitlines(): words may hold U+2028 and other line-like characters.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]
