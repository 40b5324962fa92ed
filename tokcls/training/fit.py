"""The steps train and fine-tune share: data module, label statistics, Trainer.fit, the archive, the test split."""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from lightning_fabric.utilities.exceptions import MisconfigurationException

from tokcls.core.errors import InputError
from tokcls.data.datamodule import DataModule
from tokcls.model.archive import save_archive
from tokcls.training.experiment import archive_path, build_trainer, copy_files, mark_finished, resume_checkpoint
from tokcls.training.timing import FitTimer, write_train_results

log = logging.getLogger("tokcls")


def prepare_data(config, tokenizer, labels: list[str], results: Path, task):
    """The data module of `task` (tasks/base.py), with both splits read and tokenized."""
    data = DataModule(config, tokenizer, labels, task, config.seed, cache_fallback_dir=results / "cache")
    data.prepare()
    return data


def fit_and_archive(
    config,
    archive_config,
    results: Path,
    model,
    data,
    tokenizer,
    key: str | None,
    finish=None,
    test_split=None,
    callbacks: tuple = (),
) -> Path:
    """Train the LightningModule `model`; put the best checkpoint's weights (by the monitored metric) or the
    last ones into the archive. `finish(network)` runs on the final weights before they are archived (text
    multi-label: thresholds tuned on the validation split); `test_split(network)` scores the test split after
    (the program's own: each task reads its test split its way)."""
    copy_files(config.exp_manager, results)
    trainer, checkpoint = build_trainer(config, results, callbacks)
    resume_from = resume_checkpoint(config, results)
    mark_finished(config, results, False)  # a run in progress: not finished until fit returns
    fit(trainer, model, data, resume_from)
    path = archive_path(config, results)
    if not trainer.is_global_zero:  # one archive, written by one process
        return path
    timer = next(c for c in trainer.callbacks if isinstance(c, FitTimer))
    timing = write_train_results(results, timer, trainer, len(data.train_examples))
    log.info(
        "Trained %d steps in %.1f s without validation (%s sentences/s); validation %.1f s",
        timing["optimizer_steps"],
        timing["train_seconds"],
        timing["train_sentences_per_second"],
        timing["validation_seconds"],
    )
    for optimizer in trainer.optimizers:  # its moments (twice the weights) are not needed any more
        optimizer.state.clear()
    best = checkpoint.best_model_path if checkpoint is not None else ""
    if best and config.exp_manager.checkpoint_callback_params.save_best_model:
        # Memory-mapped: only the weights are read, not the optimizer state the checkpoint also holds.
        state = torch.load(best, map_location="cpu", weights_only=True, mmap=True)
        model.load_state_dict(state["state_dict"])
        del state
        log.info(
            "Best %s %.4f at %s: its weights go into the archive", checkpoint.monitor, checkpoint.best_model_score, best
        )
        if checkpoint.best_model_score is not None:
            model.network.measured["validation"] = {checkpoint.monitor: float(checkpoint.best_model_score)}
    else:
        log.info(
            "The archive holds the weights of the last step (exp_manager.checkpoint_callback_params.save_best_model=%s)",
            config.exp_manager.checkpoint_callback_params.save_best_model,
        )
    if finish is not None:
        finish(model.network)
    archive = save_archive(path, model.network, archive_config, tokenizer, key=key)
    # Only now is the run finished: a kill while the archive was written leaves it unfinished, and the same command
    # with exp_manager.resume_if_exists=true resumes at the end of training and writes the archive.
    mark_finished(config, results, True, trainer)
    print(f"Model archive: {archive}{' (encrypted with -k)' if key else ''}")
    if test_split is not None:
        test_split(model.network)
    return archive


def fit(trainer, model, data, resume_from: str | None) -> None:
    """Trainer.fit, with Lightning's complaints about settings (found only once the data is known, such
    as a val_check_interval above the batches in an epoch) turned into errors that name them."""
    try:
        trainer.fit(model, datamodule=data, ckpt_path=resume_from)
    except InputError:
        raise
    except (MisconfigurationException, ValueError) as e:
        raise InputError(
            f"Lightning refused the settings: {str(e).strip().splitlines()[0]}",
            "change the trainer.* or exp_manager.* key it names",
        ) from None
