"""How long training took, without the validations, written to RESULTS/train_results.json.

Lightning's Timer keeps only the last validation's time; this sums them, so train sentences/s
compare with Hugging Face's `train_samples_per_second` (its Trainer validates nothing by default).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytorch_lightning as pl

from tokcls.core.atomic import atomic_files


class FitTimer(pl.Callback):
    def __init__(self):
        self.fit_seconds = 0.0
        self.validation_seconds = 0.0
        self._fit_start = self._validation_start = 0.0

    def on_fit_start(self, trainer, pl_module):
        self._fit_start = time.perf_counter()

    def on_fit_end(self, trainer, pl_module):
        self.fit_seconds = time.perf_counter() - self._fit_start

    def on_validation_start(self, trainer, pl_module):
        self._validation_start = time.perf_counter()

    def on_validation_end(self, trainer, pl_module):
        self.validation_seconds += time.perf_counter() - self._validation_start


def write_train_results(results_dir: Path, timer: FitTimer, trainer: pl.Trainer, train_sentences: int) -> dict:
    """Timings of this process's fit (a resumed run counts from its resume)."""
    train_seconds = timer.fit_seconds - timer.validation_seconds
    epochs = trainer.current_epoch  # epochs completed when fit returns
    results = {
        "train_seconds": round(train_seconds, 2),
        "validation_seconds": round(timer.validation_seconds, 2),
        "fit_seconds": round(timer.fit_seconds, 2),
        "optimizer_steps": trainer.global_step,
        "epochs": epochs,
        "train_sentences": train_sentences,
        "train_sentences_per_second": round(train_sentences * epochs / train_seconds, 2) if train_seconds > 0 else None,
    }
    with atomic_files(results_dir) as out, out.open("train_results.json") as f:
        json.dump(results, f, indent=2)
    return results
