"""The results directory: log file, TensorBoard, checkpoints, and the Lightning Trainer writing them."""
from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
from pytorch_lightning.callbacks import LearningRateMonitor, ModelCheckpoint, TQDMProgressBar
from pytorch_lightning.loggers import TensorBoardLogger

from tokcls.training.resume import GracefulInterrupt, PeriodicCheckpoint, RandomState
from tokcls.training.timing import FitTimer


def checkpoint_dir(results_dir: Path) -> Path:
    return Path(results_dir) / "checkpoints"


def resume_checkpoint(config, results_dir: Path) -> str | None:
    last = checkpoint_dir(results_dir) / "last.ckpt"
    if config.exp_manager.resume_if_exists and last.exists():
        print(f"Resuming from {last}")
        return str(last)
    return None


def build_trainer(config, results_dir: Path) -> tuple[pl.Trainer, ModelCheckpoint]:
    exp, t = config.exp_manager, config.trainer
    params = exp.checkpoint_callback_params
    checkpoint = ModelCheckpoint(
        dirpath=checkpoint_dir(results_dir),
        filename=f"{exp.name}--{{epoch}}-{{step}}-{{{params.monitor}:.4f}}",
        monitor=params.monitor,
        mode=getattr(params.mode, "value", params.mode),
        save_top_k=params.save_top_k,
        save_last=params.save_last,
        auto_insert_metric_name=True,
        enable_version_counter=False,  # last.ckpt is also rewritten by PeriodicCheckpoint: overwrite, no last-v1
    )
    last = checkpoint_dir(results_dir) / "last.ckpt"
    callbacks = [checkpoint, RandomState(), GracefulInterrupt(last), FitTimer()]
    if params.save_last and params.every_n_train_steps > 0:
        callbacks.append(PeriodicCheckpoint(last, params.every_n_train_steps))
    if t.enable_progress_bar:
        callbacks.append(TQDMProgressBar(refresh_rate=max(1, t.log_every_n_steps // 10)))
    loggers = []
    if exp.create_tensorboard_logger:
        loggers.append(TensorBoardLogger(str(results_dir), name="tensorboard", version=""))
        callbacks.append(LearningRateMonitor(logging_interval="step"))
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
        gradient_clip_val=t.gradient_clip_val,
        log_every_n_steps=t.log_every_n_steps,
        val_check_interval=t.val_check_interval,
        check_val_every_n_epoch=t.check_val_every_n_epoch,
        num_sanity_val_steps=t.num_sanity_val_steps,
        deterministic=t.deterministic,
        enable_progress_bar=t.enable_progress_bar,
        logger=loggers or False,
        callbacks=callbacks,
        # Each process takes its own shard in BucketBatchSampler; Lightning cannot wrap a batch sampler.
        use_distributed_sampler=False,
    )
    return trainer, checkpoint
