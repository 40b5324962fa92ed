"""A set only nested decoding can solve: banks named after their city (ORG) hold the city (LOC)."""

from __future__ import annotations

import json
import random
from pathlib import Path

CITIES = ["paris", "london", "berlin", "madrid", "rome", "vienna", "oslo", "dublin"]
NAMES = ["john", "mary", "peter", "anna"]
FILLER = ["the", "a", "visited", "saw", "and", "then", "went", "to", "with", "today"]


def write_nested_dataset(directory: Path, n_train: int = 240, n_dev: int = 40, seed: int = 0) -> Path:
    """text_<split>.txt and spans_<split>.jsonl: 'bank of <city>' is an ORG holding a LOC; cities and names alone."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)

    def sentence():
        words, spans = [], []
        for _ in range(rng.randint(2, 4)):
            kind = rng.random()
            if kind < 0.35:
                city = rng.choice(CITIES)
                spans += [[len(words), len(words) + 3, "ORG"], [len(words) + 2, len(words) + 3, "LOC"]]
                words += ["bank", "of", city]
            elif kind < 0.5:
                spans.append([len(words), len(words) + 1, "LOC"])
                words.append(rng.choice(CITIES))
            elif kind < 0.65:
                spans.append([len(words), len(words) + 1, "PER"])
                words.append(rng.choice(NAMES))
            else:
                words.append(rng.choice(FILLER))
        return words, spans

    for split, n in (("train", n_train), ("dev", n_dev)):
        rows = [sentence() for _ in range(n)]
        (directory / f"text_{split}.txt").write_text("".join(" ".join(w) + "\n" for w, _ in rows))
        (directory / f"spans_{split}.jsonl").write_text("".join(json.dumps(s) + "\n" for _, s in rows))
    (directory / "label_ids.csv").write_text("O\nLOC\nORG\nPER\n")
    return directory


SPLITS = ["training_ds.labels_file=spans_train.jsonl", "validation_ds.labels_file=spans_dev.jsonl"]


def train_nested(root: Path) -> tuple[Path, Path, Path]:
    """(root, data dir, archive): a nested-decoding span model of the tiny encoder trained on write_nested_dataset."""
    from tokcls.cli import main

    data = write_nested_dataset(root / "data")
    argv = ["train", "-r", str(root / "train"), f"data_dir={data}", *SPLITS, "model.task=span_classification"]
    argv += ["model.span.decoder=nested", "model.span.max_entity_length=4", "trainer.max_epochs=6", "optim.lr=3e-3"]
    argv += ["model.language_model.pretrained_model_name=splade-tiny", "trainer.enable_progress_bar=false"]
    assert main(argv) == 0
    return root, data, root / "train" / "checkpoints" / "tokcls.tcls"
