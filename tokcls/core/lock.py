"""One command at a time per output folder: two runs writing into one folder corrupt each other
(one run's archive beside the other's spec; one conversion's text files beside another's labels)."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tokcls.core.errors import InputError

LOCK_FILE = ".tokcls.lock"


@contextmanager
def folder_lock(folder: str | Path, holder: str) -> Iterator[None]:
    """Hold `folder` for the duration; a second holder stops at once, told who holds it. The lock is the
    kernel's (flock), so it goes with the process: a killed command leaves no stale lock behind."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        current = os.pread(fd, 500, 0).decode("utf-8", errors="replace").strip() or "another process"
        os.close(fd)
        raise InputError(
            f"the folder is in use by {current}", "wait until it finishes, or write to another folder", folder
        ) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} ({holder})".encode(), 0)
        yield
    finally:
        os.ftruncate(fd, 0)
        os.close(fd)  # releases the lock
