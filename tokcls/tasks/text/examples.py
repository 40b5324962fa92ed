"""Read NeMo's text-classification files: one example a line, `text<TAB>label` (pairs: `text<TAB>text_b<TAB>label`).

The label is the class id in label_ids.csv; for multi-label data the ids joined by commas (none: an empty
field), for regression a number. dataset_convert writes these files; hand-made ones are checked line by line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from tokcls.core.errors import InputError
from tokcls.core.input_files import read_text_lines
from tokcls.data.labels import read_label_ids

REMAKE = "re-create it with text_classification dataset_convert"


@dataclass
class TextExample:
    text: str
    text_b: str | None = None
    labels: list[str] | None = None  # class names (one for single-label); None without gold labels
    value: float | None = None  # regression's gold value


FIX = "one example a line: text, a tab, the label id (pairs: text, tab, text_b, tab, label); re-create it with dataset_convert"


def _label(
    field_text: str, labels: list[str], problem: str, path: Path, number: int
) -> tuple[list[str] | None, float | None]:
    if problem == "regression":
        try:
            value = float(field_text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InputError(
                f"label {field_text!r} is not a finite number", "regression needs a number per line", path, number
            )
        return None, value
    ids = [p for p in field_text.split(",") if p.strip()] if problem == "multi_label_classification" else [field_text]
    names = []
    for raw in ids:
        if not raw.strip().isdigit() or int(raw) >= len(labels):
            raise InputError(
                f"label {raw!r} is not a class id of label_ids.csv (0 to {len(labels) - 1})", FIX, path, number
            )
        names.append(labels[int(raw)])
    return names, None


def read_text_examples(
    path: str | Path, labels: list[str] | None, problem: str, pairs: bool | None = None, num_samples: int = -1
) -> list[TextExample]:
    """Examples of a converted file; `labels` None reads texts only (a file without a label column).
    `pairs` None: decided by the first line's number of fields."""
    path = Path(path)
    lines = read_text_lines(path, "check training_ds/validation_ds/test_ds.file_path (and data_dir)", REMAKE)
    if num_samples is not None and num_samples >= 0:
        lines = lines[:num_samples]
    labelled = labels is not None
    examples = []
    for number, line in enumerate(lines, start=1):
        fields = line.split("\t")
        if pairs is None:
            pairs = len(fields) == (3 if labelled else 2)
        wanted = 1 + pairs + labelled
        if len(fields) != wanted:
            raise InputError(f"{len(fields)} tab-separated field(s), expected {wanted}", FIX, path, number)
        if not fields[0].strip() or (pairs and not fields[1].strip()):
            raise InputError("empty text", "remove the line or give it its text", path, number)
        text_b = fields[1] if pairs else None
        if labelled:
            names, value = _label(fields[-1], labels, problem, path, number)
            examples.append(TextExample(fields[0], text_b, names, value))
        else:
            examples.append(TextExample(fields[0], text_b))
    if labelled and not examples:
        raise _empty(path)
    return examples


def _empty(path: Path) -> InputError:
    return InputError(
        "the file has no texts (it is empty)",
        "point the split at a file with one text per line (dataset_convert writes <split>.tsv)",
        path,
    )


def check_text_file(path: str | Path) -> None:
    """The file is there and holds a line (checked before a model loads; its fields are read with the model's labels)."""
    if not read_text_lines(Path(path), "check test_ds.file_path (and data_dir)", REMAKE):
        raise _empty(Path(path))


def split_path(data_dir, split_cfg) -> Path:
    """A split's file_path, read from data_dir when it is relative and data_dir is set."""
    path = Path(split_cfg.file_path)
    return Path(data_dir) / path if data_dir and not path.is_absolute() else path


def text_labels(config) -> list[str]:
    """The class names: model.class_labels.class_labels_file, else label_ids.csv in data_dir or beside the training
    file; a regression model has one output, named "value". Checked against model.dataset.num_classes when set."""
    dataset = config.model.dataset
    if getattr(dataset.problem_type, "value", dataset.problem_type) == "regression":
        return ["value"]
    given = config.model.class_labels.class_labels_file
    path = (
        Path(given)
        if given
        else (Path(config.data_dir) if config.data_dir else split_path(None, config.training_ds).parent)
        / "label_ids.csv"
    )
    labels = read_label_ids(path)
    if dataset.num_classes is not None and dataset.num_classes != len(labels):
        raise InputError(
            f"model.dataset.num_classes={dataset.num_classes}, but the label file has {len(labels)} classes",
            "set model.dataset.num_classes to the number of classes (or null to take it from the file)",
            path,
        )
    return labels
