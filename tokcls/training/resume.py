"""Surviving interruptions: what a checkpoint must hold to resume exactly, and a clean Ctrl-C.

Lightning restores weights, optimizer, schedule, loop counters and (through ResumableLoader) the
position in the epoch. Two things it leaves out are added here: the random generators' states, so
that dropout after a resume draws what it would have drawn, and a stop at a step boundary on
SIGINT/SIGTERM with a checkpoint and the command that resumes.
"""

from __future__ import annotations

import random
import signal
import sys
import threading
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Callback


class RandomState(Callback):
    """Saves and restores the Python, NumPy, torch and CUDA generators with every checkpoint."""

    def state_dict(self) -> dict:
        kind, keys, pos, has_gauss, gauss = np.random.get_state()
        # Plain lists and tensors only: Lightning reads checkpoints with weights_only=True.
        state = {
            "python": _to_lists(random.getstate()),
            "numpy": [kind, keys.tolist(), pos, has_gauss, gauss],
            "torch": torch.get_rng_state(),
        }
        if torch.cuda.is_available():  # dropout on a GPU draws from the CUDA generators
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def load_state_dict(self, state: dict) -> None:
        random.setstate(_to_tuples(state["python"]))
        kind, keys, pos, has_gauss, gauss = state["numpy"]
        np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss))
        torch.set_rng_state(state["torch"])
        if "cuda" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda"])


def _to_lists(value):
    return [_to_lists(v) for v in value] if isinstance(value, (tuple, list)) else value


def _to_tuples(value):
    return tuple(_to_tuples(v) for v in value) if isinstance(value, list) else value


class PeriodicCheckpoint(Callback):
    """Rewrites last.ckpt every `every_n_steps` optimizer steps, mid-epoch included: what a run
    killed with SIGKILL resumes from. (CurrentLastCheckpoint writes last.ckpt after each validation.)"""

    def __init__(self, last_checkpoint: Path, every_n_steps: int, weights_only: bool = False):
        self.last_checkpoint = Path(last_checkpoint)
        self.every_n_steps = every_n_steps
        self.weights_only = weights_only
        self.saved_step = -1

    def on_train_start(self, trainer, pl_module) -> None:
        self.saved_step = trainer.global_step  # a resumed run starts where its checkpoint was

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module, outputs, batch, batch_idx) -> None:
        # global_step moves only on the batch that steps the optimizer: with gradient accumulation the
        # following micro-batches see the same step and must not save half-accumulated state.
        step = trainer.global_step
        if step % self.every_n_steps == 0 and step != self.saved_step:
            trainer.save_checkpoint(self.last_checkpoint, weights_only=self.weights_only)
            self.saved_step = step


# Set by GracefulInterrupt when a stop signal arrived: a run whose training ended anyway (the signal came during its
# last validation) still finishes normally, and a caller running several (tune) learns that it was asked to stop.
STOP_REQUESTED = threading.Event()


class GracefulInterrupt(Callback):
    """The first SIGINT (Ctrl-C) or SIGTERM (a scheduler's stop) ends training after the current
    step: it saves `last.ckpt`, prints how to resume and exits with status 130. Stopping between
    steps, never inside one, keeps the weights and the optimizer consistent. A second signal stops
    at once."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, last_checkpoint: Path):
        self.last_checkpoint = Path(last_checkpoint)
        self.received: int | None = None
        self._previous: dict = {}

    def _request(self, signum, frame) -> None:
        if self.received is not None:
            raise KeyboardInterrupt
        self.received = signum
        STOP_REQUESTED.set()
        print(
            f"\n{signal.Signals(signum).name} received: stopping after this step (again to stop at once)",
            file=sys.stderr,
            flush=True,
        )

    def on_train_start(self, trainer, pl_module) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers can only be set from the main thread
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._request)

    def on_train_end(self, trainer, pl_module) -> None:
        self._restore()

    def on_exception(self, trainer, pl_module, exception) -> None:
        self._restore()

    def _restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.received is None:
            return
        trainer.save_checkpoint(self.last_checkpoint)
        if trainer.is_global_zero:
            print(
                f"\nTraining interrupted at step {trainer.global_step}; checkpoint saved to {self.last_checkpoint}.\n"
                "Resume with the same command plus exp_manager.resume_if_exists=true",
                file=sys.stderr,
                flush=True,
            )
        self._restore()
        raise TrainingInterrupted(trainer.global_step)


class TrainingInterrupted(SystemExit):
    """Raised out of Trainer.fit once the checkpoint is written: the command ends with status 130,
    the shell's code for "ended by SIGINT", and writes no model archive."""

    def __init__(self, step: int):
        super().__init__(130)
        self.step = step
