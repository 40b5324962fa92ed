"""The steps train and fine-tune share: data module, class weights, Trainer.fit, the archive."""
from __future__ import annotations

import logging
from pathlib import Path

import torch

from tokcls.archive import save_archive
from tokcls.data.datamodule import TokenClassificationDataModule
from tokcls.data.labels import cached_class_weights
from tokcls.training.experiment import build_trainer, checkpoint_dir, resume_checkpoint
from tokcls.training.timing import FitTimer, write_train_results

log = logging.getLogger("tokcls")


def prepare_data(config, tokenizer, labels: list[str], results: Path) -> TokenClassificationDataModule:
    data = TokenClassificationDataModule(config.data, tokenizer, labels, config.seed, cache_fallback_dir=results / "cache")
    data.prepare()
    return data


def class_weights(config, data: TokenClassificationDataModule, labels: list[str]) -> list[float] | None:
    if config.model.class_balancing.value != "weighted_loss":
        return None
    data_dir = Path(config.data.data_dir)
    weights = cached_class_weights(data.train_examples, labels, data_dir / config.data.train_ds.labels_file, data_dir)
    log.info("Class weights: %s", ", ".join(f"{l} {w:.3f}" for l, w in zip(labels, weights)))
    return weights


def fit_and_archive(config, archive_config, results: Path, model, data, tokenizer, key: str | None) -> Path:
    """Train, put the best checkpoint's weights (by the monitored metric) into the model archive."""
    trainer, checkpoint = build_trainer(config, results)
    model.set_loss_normalizer(data.train_features.labels, len(data.train_dataloader()))
    trainer.fit(model, datamodule=data, ckpt_path=resume_checkpoint(config, results))
    archive_path = checkpoint_dir(results) / f"{config.exp_manager.name}.tcls"
    if not trainer.is_global_zero:  # one archive, written by one process
        return archive_path
    timer = next(c for c in trainer.callbacks if isinstance(c, FitTimer))
    timing = write_train_results(results, timer, trainer, len(data.train_examples))
    log.info("Trained %d steps in %.1f s without validation (%s sentences/s); validation %.1f s",
             timing["optimizer_steps"], timing["train_seconds"], timing["train_sentences_per_second"],
             timing["validation_seconds"])
    for optimizer in trainer.optimizers:  # its moments (twice the weights) are not needed any more
        optimizer.state.clear()
    if checkpoint.best_model_path:
        # Memory-mapped: only the weights are read, not the optimizer state the checkpoint also holds.
        best = torch.load(checkpoint.best_model_path, map_location="cpu", weights_only=True, mmap=True)
        model.load_state_dict(best["state_dict"])
        del best
        log.info("Best %s %.4f at %s", checkpoint.monitor, checkpoint.best_model_score, checkpoint.best_model_path)
    archive = save_archive(archive_path, model, archive_config, tokenizer, key=key)
    print(f"Model archive: {archive}{' (encrypted with -k)' if key else ''}")
    return archive
