"""The label map (label_ids.csv) and class weights for a weighted loss, from the labels each example carries
(`example.labels`: a word's label each for tokens, a text's classes for texts)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from tokcls.core.atomic import atomic_files
from tokcls.core.errors import InputError
from tokcls.core.input_files import decode_utf8, read_bytes


def read_label_ids(path: str | Path) -> list[str]:
    """Labels in id order: line number (from 0) = id."""
    path = Path(path)
    fix = "run dataset_convert, or set model.label_ids to the file"
    labels = [line.strip() for line in decode_utf8(read_bytes(path, "label file", fix), path, fix).splitlines()]
    seen: dict[str, int] = {}
    for number, label in enumerate(labels, start=1):
        if not label or any(c.isspace() for c in label):
            raise InputError(
                f"label {label!r} is empty or holds whitespace", "one label per line, nothing else", path, number
            )
        if label in seen:
            raise InputError(f"label {label!r} repeats line {seen[label]}", "list every label once", path, number)
        seen[label] = number
    if not labels:
        raise InputError("no labels", "one label per line; re-create it with dataset_convert", path)
    return labels


def check_labels_known(examples: list, labels: list[str], labels_file: str | Path) -> None:
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


def label_counts(examples: list, labels: list[str]) -> list[int]:
    counts = Counter(label for example in examples for label in example.labels)
    return [counts[label] for label in labels]


def class_weights(examples: list, labels: list[str]) -> list[float]:
    """NeMo's formula, total / (num_classes * count); a label absent from training data weighs 0."""
    counts = label_counts(examples, labels)
    total = sum(counts)
    return [total / (len(labels) * count) if count else 0.0 for count in counts]


def training_label_stats(examples: list, labels: list[str], save_dir: Path) -> dict:
    """Counts, frequencies and class weights of the training labels actually used (after num_samples),
    computed on every run (counting is cheaper than any cache check) and saved in save_dir as
    label_stats_<digest>.json. The digest covers the label map and every training label, so runs on
    different data never share a file; NeMo's cache, keyed by the file name only, served stale weights."""
    digest = hashlib.sha256("\n".join(labels).encode())
    for example in examples:
        digest.update(("\n" + " ".join(example.labels)).encode())
    counts = label_counts(examples, labels)
    total = sum(counts)
    stats = {
        "labels": labels,
        "counts": counts,
        "frequencies": [c / total if total else 0.0 for c in counts],
        "weights": class_weights(examples, labels),
        "sentences": len(examples),
    }
    path = Path(save_dir) / f"label_stats_{digest.hexdigest()[:16]}.json"
    try:
        with atomic_files(path.parent) as out, out.open(path.name) as f:
            json.dump(stats, f, indent=1)
        stats["path"] = str(path)
    except OSError:
        stats["path"] = None  # a read-only data dir: the figures are in the log all the same
    return stats


def format_label_stats(stats: dict, split: str = "train") -> str:
    """The lines NeMo logs: the three most frequent labels, then every label's count, frequency and weight."""
    rows = sorted(zip(stats["labels"], stats["counts"], stats["frequencies"], stats["weights"]), key=lambda r: -r[1])
    lines = [f"Three most popular labels in {split}:"]
    lines += [f"  {label}: {count} ({100 * freq:.2f}%)" for label, count, freq, _ in rows[:3]]
    lines.append(
        f"Total labels: {sum(stats['counts'])}. Label frequencies and class weights (total / (labels * count)):"
    )
    lines += [
        f"  {label:<12} {count:>9} {100 * freq:>7.2f}%  weight {weight:.4f}" for label, count, freq, weight in rows
    ]
    if stats["path"]:
        lines.append(f"Saved to {stats['path']}")
    return "\n".join(lines)
