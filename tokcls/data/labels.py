"""The label map (label_ids.csv) and class weights for a weighted loss."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from conversion.atomic import atomic_files
from conversion.errors import InputError
from tokcls.data.examples import Example


def read_label_ids(path: str | Path) -> list[str]:
    """Labels in id order: line number (from 0) = id."""
    path = Path(path)
    try:
        labels = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except FileNotFoundError:
        raise InputError("label file not found", "run dataset_convert, or set model.label_ids to the file", path) from None
    seen: dict[str, int] = {}
    for number, label in enumerate(labels, start=1):
        if not label or any(c.isspace() for c in label):
            raise InputError(f"label {label!r} is empty or holds whitespace", "one label per line, nothing else", path, number)
        if label in seen:
            raise InputError(f"label {label!r} repeats line {seen[label]}", "list every label once", path, number)
        seen[label] = number
    if not labels:
        raise InputError("no labels", "one label per line; re-create it with dataset_convert", path)
    return labels


def check_labels_known(examples: list[Example], labels: list[str], labels_file: str | Path) -> None:
    known = set(labels)
    for number, example in enumerate(examples, start=1):
        unknown = sorted(set(example.labels or ()) - known)
        if unknown:
            raise InputError(
                f"label(s) {', '.join(unknown)} are not in label_ids.csv",
                "convert all splits together with dataset_convert (allow_unseen_labels=true adds dev/test labels)",
                labels_file,
                number,
            )


def class_weights(examples: list[Example], labels: list[str]) -> list[float]:
    """NeMo's formula, total / (num_classes * count); a label absent from training data weighs 0."""
    counts = Counter(label for example in examples for label in example.labels)
    total = sum(counts.values())
    return [total / (len(labels) * counts[label]) if counts[label] else 0.0 for label in labels]


def cached_class_weights(examples: list[Example], labels: list[str], labels_file: Path, cache_dir: Path) -> list[float]:
    """Class weights, cached under a name that changes whenever the labels file or label map does."""
    digest = hashlib.sha256(Path(labels_file).read_bytes() + "\n".join(labels).encode()).hexdigest()[:16]
    cache = Path(cache_dir) / f"class_weights_{digest}.json"
    if cache.exists():
        return json.loads(cache.read_text())["weights"]
    weights = class_weights(examples, labels)
    try:
        with atomic_files(cache.parent) as out, out.open(cache.name) as f:
            json.dump({"labels": labels, "weights": weights}, f, indent=1)
    except OSError:
        pass  # a read-only data dir only costs recomputing next time
    return weights
