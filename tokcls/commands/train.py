"""train: spec -> data -> model -> Lightning Trainer -> checkpoints and the model archive."""
from __future__ import annotations

import logging
from pathlib import Path

import pytorch_lightning as pl
import torch

from tokcls.archive import save_archive
from tokcls.data.datamodule import TokenClassificationDataModule
from tokcls.data.labels import cached_class_weights, read_label_ids
from tokcls.model.encoder import load_encoder, load_tokenizer
from tokcls.model.module import TokenClassificationModel
from tokcls.training.experiment import build_trainer, checkpoint_dir, resume_checkpoint

log = logging.getLogger("tokcls")


def run(config, args) -> Path:
    results = Path(args.results_dir)
    pl.seed_everything(config.seed, workers=True, verbose=False)
    data_dir = Path(config.data.data_dir)
    labels = read_label_ids(config.model.label_ids or data_dir / "label_ids.csv")
    tokenizer = load_tokenizer(config.model)

    data = TokenClassificationDataModule(config.data, tokenizer, labels, config.seed, cache_fallback_dir=results / "cache")
    data.prepare()
    weights = None
    if config.model.class_balancing.value == "weighted_loss":
        labels_file = data_dir / config.data.train_ds.labels_file
        weights = cached_class_weights(data.train_examples, labels, labels_file, data_dir)
        log.info("Class weights: %s", ", ".join(f"{l} {w:.3f}" for l, w in zip(labels, weights)))

    model = TokenClassificationModel(load_encoder(config.model), labels, config.model.head, config.optim,
                                     weights, config.data.pad_label)
    trainer, checkpoint = build_trainer(config, results)
    trainer.fit(model, datamodule=data, ckpt_path=resume_checkpoint(config, results))

    if checkpoint.best_model_path:  # the archive holds the best weights by the monitored metric
        best = torch.load(checkpoint.best_model_path, map_location="cpu", weights_only=True)
        model.load_state_dict(best["state_dict"])
        log.info("Best %s %.4f at %s", checkpoint.monitor, checkpoint.best_model_score, checkpoint.best_model_path)
    archive = save_archive(checkpoint_dir(results) / f"{config.exp_manager.name}.tcls", model, config, tokenizer,
                           key=getattr(args, "key", None))
    print(f"Model archive: {archive}{' (encrypted with -k)' if getattr(args, 'key', None) else ''}")
    return archive
