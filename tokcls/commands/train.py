"""train: spec -> data -> model -> Lightning Trainer -> checkpoints and the model archive."""
from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl

from tokcls.data.labels import read_label_ids
from tokcls.model.encoder import load_encoder, load_tokenizer
from tokcls.model.module import TokenClassificationModel
from tokcls.training.fit import class_weights, fit_and_archive, prepare_data


def run(config, args) -> Path:
    results = Path(args.results_dir)
    pl.seed_everything(config.seed, workers=True, verbose=False)
    labels = read_label_ids(config.model.label_ids or Path(config.data_dir) / "label_ids.csv")
    tokenizer = load_tokenizer(config.model)
    data = prepare_data(config, tokenizer, labels, results)
    model = TokenClassificationModel(load_encoder(config.model), labels, config.model.head, config.optim,
                                     class_weights(config, data, labels), config.model.dataset.pad_label)
    return fit_and_archive(config, config, results, model, data, tokenizer, getattr(args, "key", None))
