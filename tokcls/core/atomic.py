"""Write a group of files so that either all of them appear or none does.

Every file is written under a temporary name in its final directory and renamed only once all
of them were written; a failure midway removes the temporaries and leaves earlier files intact.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class AtomicFiles:
    def __init__(self, directory: Path, overwrite: bool = True):
        self.directory = Path(directory)
        self.overwrite = overwrite
        self._pending: dict[Path, Path] = {}

    def open(self, name: str, mode: str = "w", encoding: str = "utf-8"):
        """A file to write ("w" text, "wb" bytes); it becomes `directory/name` when the group commits."""
        final = self.directory / name
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.directory)
        self._pending[final] = Path(tmp)
        if "b" in mode:
            return os.fdopen(fd, mode)
        # newline="\n": the same bytes on every platform, whatever the input's line endings were.
        return os.fdopen(fd, mode, encoding=encoding, newline="\n")

    def _commit(self) -> None:
        if not self.overwrite:
            refuse_existing(list(self._pending), self.directory)
        umask = os.umask(0)
        os.umask(umask)
        for final, tmp in self._pending.items():
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
            _fsync(tmp)  # on disk before the rename, so a power cut cannot leave an empty file
            os.replace(tmp, final)
        self._pending.clear()

    def _discard(self) -> None:
        for tmp in self._pending.values():
            tmp.unlink(missing_ok=True)
        self._pending.clear()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def refuse_existing(finals: list[Path], directory: Path) -> None:
    """Stop before replacing anything when one of `finals` already exists (the caller was not told to overwrite)."""
    existing = sorted(p.relative_to(directory).as_posix() for p in finals if p.exists())
    if existing:
        from tokcls.core.errors import InputError

        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise InputError(
            f"would replace {shown}", "set overwrite=true to replace them, or write to another folder", directory
        )


@contextmanager
def atomic_files(directory: str | Path, overwrite: bool = True) -> Iterator[AtomicFiles]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    group = AtomicFiles(directory, overwrite)
    try:
        yield group
        group._commit()
    except BaseException:
        group._discard()
        raise


@contextmanager
def staged_directory(directory: str | Path, overwrite: bool = True) -> Iterator[Path]:
    """A scratch folder inside `directory` for writers that make whole folders of files (Hugging
    Face save_pretrained, ONNX export). On success each file is renamed into `directory`; on failure
    the scratch folder is removed and `directory` keeps what it had, with no half-written file."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging.", dir=directory))
    try:
        yield stage
        staged = sorted(p for p in stage.rglob("*") if p.is_file())
        if not overwrite:
            refuse_existing([directory / f.relative_to(stage) for f in staged], directory)
        for file in staged:
            final = directory / file.relative_to(stage)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, final)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
