"""The log directory's contents (NeMo's exp_manager, built from Lightning's parts): loggers, checkpoints,
the archive's path, resuming, and the Lightning Trainer writing them."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytorch_lightning as pl
from lightning_fabric.utilities.exceptions import MisconfigurationException
from pytorch_lightning.callbacks import LearningRateMonitor, ModelCheckpoint, TQDMProgressBar
from pytorch_lightning.loggers import TensorBoardLogger

from tokcls.config.experiment import monitor_mode
from tokcls.core.errors import InputError
from tokcls.training.checkpoint_io import (
    AtomicCheckpointIO,
    CurrentLastCheckpoint,
    is_intact,
    newest_intact,
    remove_leftovers,
)
from tokcls.training.resume import GracefulInterrupt, PeriodicCheckpoint, RandomState
from tokcls.training.timing import FitTimer

FINISHED = "run_finished.json"  # in the checkpoint folder: a run that ended normally (exp_manager.resume_past_end)


def checkpoint_dir(config, results_dir: Path) -> Path:
    params = config.exp_manager.checkpoint_callback_params
    folder = params.dirpath or (str(Path(params.filepath).parent) if params.filepath else None)
    return Path(folder) if folder else Path(results_dir) / "checkpoints"


def archive_path(config, results_dir: Path) -> Path:
    """NeMo's <dirpath>/<prefix><postfix>, the prefix defaulting to exp_manager.name."""
    params = config.exp_manager.checkpoint_callback_params
    return checkpoint_dir(config, results_dir) / f"{params.prefix or config.exp_manager.name}{params.postfix}"


def resume_checkpoint(config, results_dir: Path) -> str | None:
    """The checkpoint this run continues from (trainer.resume_from_checkpoint, or exp_manager.resume_*)."""
    explicit = config.trainer.resume_from_checkpoint
    if explicit:
        if not Path(explicit).is_file() or not is_intact(Path(explicit)):
            raise InputError("checkpoint not found or damaged", "check trainer.resume_from_checkpoint", explicit)
        print(f"Resuming from {explicit}")
        return str(explicit)
    exp, folder = config.exp_manager, checkpoint_dir(config, results_dir)
    if not exp.resume_if_exists:
        return None
    remove_leftovers(folder)
    remove_leftovers(archive_path(config, results_dir).parent, f".{archive_path(config, results_dir).name}.*.tmp")
    last = folder / "last.ckpt"
    if not last.exists():
        if exp.resume_ignore_no_checkpoint:
            print(f"Nothing to resume in {folder}: starting a new run (exp_manager.resume_ignore_no_checkpoint=true)")
            return None
        raise InputError(
            "exp_manager.resume_if_exists=true, but there is no checkpoint to resume",
            "set exp_manager.resume_ignore_no_checkpoint=true to start afresh when there is none, "
            "or point -r at the run to resume",
            last,
        )
    if (folder / FINISHED).exists() and archive_path(config, results_dir).is_file() and not exp.resume_past_end:
        raise InputError(
            "the run in this folder already finished",
            "set exp_manager.resume_past_end=true to continue it from its end (with a larger "
            "trainer.max_epochs), or train into another -r",
            folder,
        )
    if not is_intact(last):
        fallback = newest_intact(folder, besides=last)
        if fallback is None:
            raise InputError(
                "last.ckpt is damaged and no other checkpoint in the folder reads back",
                "start afresh with exp_manager.resume_if_exists=false (or train into another -r)",
                last,
            )
        print(f"{last} is damaged (a write was cut short): resuming from the newest intact checkpoint, {fallback}")
        return str(fallback)
    print(f"Resuming from {last}")
    return str(last)


def mark_finished(config, results_dir: Path, finished: bool, trainer: pl.Trainer | None = None) -> None:
    marker = checkpoint_dir(config, results_dir) / FINISHED
    if not finished:
        marker.unlink(missing_ok=True)
    else:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"epochs": trainer.current_epoch, "optimizer_steps": trainer.global_step}))


def copy_files(exp, results_dir: Path) -> None:
    for name in exp.files_to_copy or ():
        if not Path(name).is_file():
            raise InputError("file not found", "check exp_manager.files_to_copy", name)
        shutil.copy2(name, Path(results_dir) / Path(name).name)


def _reachable(host: str) -> bool:
    try:
        socket.create_connection((host, 443), timeout=3).close()
        return True
    except OSError:
        return False


def wandb_logger(exp, results_dir: Path):
    try:
        import wandb  # noqa: F401
    except ImportError:
        raise InputError(
            "exp_manager.create_wandb_logger=true needs the wandb package",
            "pip install wandb, or set exp_manager.create_wandb_logger=false",
        ) from None
    from pytorch_lightning.loggers import WandbLogger

    kwargs = dict(exp.wandb_logger_kwargs or {})
    kwargs.setdefault("save_dir", str(results_dir))
    if "offline" not in kwargs and "WANDB_MODE" not in os.environ and not _reachable("api.wandb.ai"):
        print(
            f"api.wandb.ai is not reachable: W&B logs offline into {results_dir}/wandb (`wandb sync` uploads it later)"
        )
        kwargs["offline"] = True
    return WandbLogger(**kwargs)


def loggers(exp, results_dir: Path) -> list:
    made = []
    if exp.create_tensorboard_logger:
        made.append(
            TensorBoardLogger(str(results_dir), name="tensorboard", version="", **(exp.summary_writer_kwargs or {}))
        )
    if exp.create_wandb_logger:
        made.append(wandb_logger(exp, results_dir))
    return made


def build_trainer(config, results_dir: Path, extra_callbacks: tuple = ()) -> tuple[pl.Trainer, ModelCheckpoint | None]:
    exp, t = config.exp_manager, config.trainer
    params = exp.checkpoint_callback_params
    last = checkpoint_dir(config, results_dir) / "last.ckpt"
    callbacks = [RandomState(), GracefulInterrupt(last), FitTimer(), *extra_callbacks]
    checkpoint = None
    if exp.create_checkpoint_callback:
        checkpoint = CurrentLastCheckpoint(
            dirpath=checkpoint_dir(config, results_dir),
            filename=params.filename
            or (
                Path(params.filepath).name
                if params.filepath
                else f"{exp.name}--{{epoch}}-{{step}}-{{{params.monitor}:.4f}}"
            ),
            monitor=params.monitor,
            mode=monitor_mode(params),
            save_top_k=params.save_top_k,
            save_last=params.save_last,
            save_weights_only=params.save_weights_only,
            every_n_epochs=params.period,
            verbose=params.verbose,
            auto_insert_metric_name=True,
            enable_version_counter=False,  # last.ckpt is also rewritten by PeriodicCheckpoint: overwrite, no last-v1
        )
        callbacks.insert(0, checkpoint)
        if params.save_last and params.every_n_train_steps > 0:
            callbacks.append(PeriodicCheckpoint(last, params.every_n_train_steps, params.save_weights_only))
    if t.enable_progress_bar:
        callbacks.append(TQDMProgressBar(refresh_rate=max(1, t.log_every_n_steps // 10)))
    made_loggers = loggers(exp, results_dir)
    if made_loggers:
        callbacks.append(LearningRateMonitor(logging_interval="step"))
    try:
        trainer = pl.Trainer(
            default_root_dir=str(results_dir),
            max_epochs=t.max_epochs,
            max_steps=t.max_steps,
            accelerator=t.accelerator,
            devices=t.devices,
            strategy=t.strategy,
            num_nodes=t.num_nodes,
            precision=t.precision,
            accumulate_grad_batches=t.accumulate_grad_batches,
            gradient_clip_val=t.gradient_clip_val or None,
            log_every_n_steps=t.log_every_n_steps,
            val_check_interval=t.val_check_interval,
            check_val_every_n_epoch=t.check_val_every_n_epoch,
            num_sanity_val_steps=t.num_sanity_val_steps,
            deterministic=t.deterministic,
            enable_progress_bar=t.enable_progress_bar,
            enable_checkpointing=checkpoint is not None,
            logger=made_loggers or False,
            callbacks=callbacks,
            plugins=[AtomicCheckpointIO()],
            # Each process takes its own shard in BucketBatchSampler; Lightning cannot wrap a batch sampler.
            use_distributed_sampler=False,
        )
    except (MisconfigurationException, ValueError, TypeError, RuntimeError) as e:
        raise InputError(
            f"the trainer settings do not work on this machine: {str(e).splitlines()[0]}",
            "check trainer.accelerator, trainer.devices (-g), trainer.precision and trainer.strategy",
        ) from None
    return trainer, checkpoint
