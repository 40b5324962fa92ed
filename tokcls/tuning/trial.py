"""One trial: an ordinary training run in RESULTS/trials/<number>/ (its spec, log, TensorBoard events, archive), with
its metric reported to Optuna after every validation so that the pruner can stop it."""

from __future__ import annotations

import logging
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import optuna
from omegaconf import OmegaConf
from pytorch_lightning.callbacks import Callback

from tokcls.config.experiment import monitor_mode
from tokcls.core.lock import LOCK_FILE, folder_lock
from tokcls.core.logfile import log_records_to_stdout, log_to_file
from tokcls.training.experiment import checkpoint_dir
from tokcls.tuning.search_space import trial_spec


class Reporter(Callback):
    """Reports the monitored metric after each validation; stops the trial when the pruner says so."""

    def __init__(self, trial: optuna.Trial, monitor: str):
        self.trial, self.monitor, self.values = trial, monitor, []

    def on_validation_end(self, trainer, pl_module) -> None:
        if trainer.sanity_checking or self.monitor not in trainer.callback_metrics:
            return
        value = float(trainer.callback_metrics[self.monitor])
        self.trial.report(value, len(self.values))
        self.values.append(value)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned after validation {len(self.values)}: {self.monitor}={value:.4f}")


@dataclass(frozen=True)
class TrialRun:
    """What every trial of a tune run shares."""

    tune_config: object  # the tune spec
    train_schema: type
    train: object  # the program's train command: run(config, ctx) -> archive path
    ctx: object  # tune's Context: results dir, key, program
    test_key: str  # test_ds.text_file or test_ds.file_path: emptied in trials

    def folder(self, number: int) -> Path:
        return self.ctx.results_dir / "trials" / str(number)

    def spec(self, values: dict):
        """The trial's train spec as a user would train it (best_spec.yaml is the best trial's): -r says where."""
        config = trial_spec(self.train_schema, self.tune_config, values)
        config.exp_manager.explicit_log_dir = None  # the command line set it to tune's results folder
        return config

    def run(self, trial: optuna.Trial, values: dict) -> tuple[float, Path, int]:
        """Train; the metric (the best validation's when the archive holds the best checkpoint, else the last's),
        the archive and the number of validations."""
        folder = self.folder(trial.number)
        config = self.spec(values)
        config.exp_manager.explicit_log_dir = str(folder)
        config.exp_manager.resume_if_exists = False  # a re-run trial starts afresh (as a new trial)
        # The test split is never looked at while choosing: the choice would overstate its result.
        OmegaConf.update(config, f"test_ds.{self.test_key}", None, merge=False)
        params = config.exp_manager.checkpoint_callback_params
        reporter = Reporter(trial, params.monitor)
        ctx = replace(self.ctx, command="train", results_dir=folder, callbacks=(reporter,))
        try:
            with folder_lock(folder, f"tune trial {trial.number}"), quiet_log(clear(folder) / "train_log.txt"):
                print(
                    f"Trial {trial.number} of study {trial.study.study_name}: {values}\n"
                    f"Resolved train spec:\n{OmegaConf.to_yaml(config)}"
                )
                OmegaConf.save(config, folder / "train_spec.yaml")
                try:
                    archive = self.train(config, ctx)
                except optuna.TrialPruned as e:
                    print(f"\nTrial {trial.number} {e} (search.pruner)")
                    raise
        finally:
            remove_checkpoints(config, folder)
        if not reporter.values:  # e.g. max_steps shorter than an epoch at this trial's batch size: this trial fails
            raise NoValidation(
                f"the trial ran no validation, so it has no metric (values {values}: trainer.max_steps "
                "shorter than an epoch at this batch size, or check_val_every_n_epoch > max_epochs?)"
            )
        best = max if monitor_mode(params) == "max" else min
        value = best(reporter.values) if params.save_best_model else reporter.values[-1]
        return value, Path(archive), len(reporter.values)


class NoValidation(RuntimeError):
    """A trial that ended without a validation: it fails alone, the search goes on (other values may validate)."""


def clear(folder: Path) -> Path:
    """A number is given once per study: anything in its folder is left from a study since deleted."""
    for child in folder.iterdir():
        if child.name != LOCK_FILE:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    return folder


def remove_checkpoints(config, folder: Path) -> None:
    """Checkpoints are for resuming a run; a trial is never resumed (a re-run is a new trial), and they hold the
    optimizer's state too (three times the weights): the archive is what a trial keeps."""
    for path in checkpoint_dir(config, folder).glob("*.ckpt"):
        path.unlink(missing_ok=True)


def _console_handlers() -> list[logging.StreamHandler]:
    """The log handlers that write to the console (the libraries' own, such as transformers' load report)."""
    loggers = [logging.getLogger()] + [
        v for v in logging.Logger.manager.loggerDict.values() if isinstance(v, logging.Logger)
    ]
    consoles = (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)
    return [
        h
        for lg in loggers
        for h in lg.handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler) and h.stream in consoles
    ]


class quiet_log:
    """While a trial trains, what it prints and logs goes to its own log only: the console shows tune's table."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self._moved = [(h, h.stream) for h in _console_handlers()]
        self._log = log_to_file(self.path, echo=False)
        self._log.__enter__()
        for handler, _ in self._moved:
            handler.setStream(sys.stderr)
        log_records_to_stdout()
        return self

    def __exit__(self, *exc):
        try:
            return self._log.__exit__(*exc)
        finally:
            for handler, stream in self._moved:
                handler.setStream(stream)
            log_records_to_stdout()
