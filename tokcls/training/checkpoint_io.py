"""How every checkpoint is written and read back: whole or not at all.

Lightning saves through a file in the system's temporary folder and then moves it; when that folder is
on another file system (a tmpfs /tmp, results on a disk) the move is a copy into the final name, so a
kill mid-copy left a 0-byte last.ckpt and a full disk a truncated one. Here each checkpoint goes to a
temporary file in its own folder, is flushed to disk, and is renamed over the old one: the rename is
atomic, so the previous checkpoint stays whole until the new one is.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import torch
from pytorch_lightning.callbacks import ModelCheckpoint
from pytorch_lightning.plugins.io import TorchCheckpointIO

TEMPORARY = ".*.ckpt.*.tmp"  # what a write killed midway leaves behind


class AtomicCheckpointIO(TorchCheckpointIO):
    def save_checkpoint(self, checkpoint: dict, path, storage_options=None) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                torch.save(checkpoint, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException as e:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(e, RuntimeError):  # torch's writer reports a failed write (a full disk) this way
                cause = e.__context__ if isinstance(e.__context__, OSError) else e
                raise OSError(
                    getattr(cause, "errno", None) or errno.EIO,
                    f"the checkpoint could not be written ({cause}); the previous one is intact",
                    str(path),
                ) from None
            raise


class CurrentLastCheckpoint(ModelCheckpoint):
    """Lightning's ModelCheckpoint, with last.ckpt kept current. Lightning writes last.ckpt only when it has just written
    a top-k checkpoint at that step, so after a validation that found no new best it stayed behind: 8 epochs with
    every_n_train_steps=0 left it at step 6 of 24, and a finished run extended with resume_past_end went back there.
    Here last.ckpt is written wherever ModelCheckpoint considers saving (the end of each validation, or of each epoch
    where it saves there) and nothing was written at that step."""

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        super().on_train_epoch_end(trainer, pl_module)
        if self._should_save_on_train_epoch_end(trainer):
            self._keep_last_current(trainer)

    def on_validation_end(self, trainer, pl_module) -> None:
        super().on_validation_end(trainer, pl_module)
        if not self._should_save_on_train_epoch_end(trainer):
            self._keep_last_current(trainer)

    def _keep_last_current(self, trainer) -> None:
        # skipped in the sanity check, outside fit, and when this step was saved already (a new best and its last)
        if self.save_last and not self._should_skip_saving_checkpoint(trainer):
            self._save_last_checkpoint(trainer, self._monitor_candidates(trainer))


def is_intact(path: Path) -> bool:
    """Whether a checkpoint reads back (memory-mapped: its tensors are not loaded)."""
    try:
        torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        return True
    except Exception:  # truncated, empty or garbage: torch raises several kinds
        return False


def newest_intact(folder: Path, besides: Path) -> Path | None:
    candidates = sorted(
        (p for p in Path(folder).glob("*.ckpt") if p != besides), key=lambda p: p.stat().st_mtime, reverse=True
    )
    return next((p for p in candidates if is_intact(p)), None)


def remove_leftovers(folder: Path, pattern: str = TEMPORARY) -> None:
    """Temporary files of writes that a kill interrupted (the folder is locked: no write is running)."""
    for leftover in Path(folder).glob(pattern):
        leftover.unlink(missing_ok=True)
