"""fine-tune: a model archive + new data -> more training (encoder and head) -> a new archive."""
from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
import torch
from omegaconf import OmegaConf

from conversion.errors import InputError
from tokcls.archive import load_model
from tokcls.data.labels import read_label_ids
from tokcls.training.fit import class_weights, fit_and_archive, prepare_data


@torch.no_grad()
def lowest_top_logit(model, data) -> float:
    """The smallest winning logit over the new training words, as the model stands."""
    lowest = float("inf")
    for batch in data.train_dataloader():
        logits = model(batch["input_ids"], batch["attention_mask"])
        owned = batch["word_index"] >= 0
        if owned.any():
            lowest = min(lowest, float(logits[owned].max(-1).values.min()))
    return lowest


def run(config, args) -> Path:
    results = Path(args.results_dir)
    pl.seed_everything(config.seed, workers=True, verbose=False)
    model, tokenizer, trained = load_model(args.model, getattr(args, "key", None), trainable=True)
    label_file = Path(config.model.label_ids or Path(config.data_dir) / "label_ids.csv")
    new_labels = read_label_ids(label_file)
    unknown = [label for label in new_labels if label not in model.labels]
    if unknown and not config.model.extend_labels:
        raise InputError(f"the new data has labels the model lacks: {', '.join(unknown)}",
                         "set model.extend_labels=true to add them to the model, or map them to its labels "
                         f"({', '.join(model.labels)})", label_file)

    data = prepare_data(config, tokenizer, model.labels + unknown, results)
    if unknown:
        model.extend_labels(unknown, bias=min(0.0, lowest_top_logit(model, data)) - 1.0)
        print(f"Added labels {', '.join(unknown)} to the model")
    model.optim_cfg = config.optim
    model.set_class_weights(class_weights(config, data, model.labels))
    model.train()  # the archive loads in eval mode; Lightning keeps module modes

    # The archive keeps the architecture from the original training and records the new run.
    new_run = {k: config[k] for k in ("seed", "data_dir", "training_ds", "validation_ds", "test_ds", "optim", "trainer", "exp_manager")}
    new_run["model"] = {k: config.model[k] for k in ("class_balancing", "dataset")}
    archive_config = OmegaConf.merge(trained, new_run)
    return fit_and_archive(config, archive_config, results, model, data, tokenizer, getattr(args, "key", None))
