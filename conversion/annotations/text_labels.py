"""Text labels from the annotation tools, for text_classification dataset_convert: Label Studio's `choices` and
Prodigy's text classification sessions. (doccano's text classification JSONL, {"text", "label": ["pos"]}, is read
by format=jsonl with label_column=label.)

- Label Studio, JSON export: per task the first annotation not cancelled, its `choices` result(s); a task without
  one is skipped and counted.
- Prodigy: {"text", "accept": [labels]} (choice interface), or {"text", "label", "answer"} (binary: accept means
  the label applies); answers other than accept are skipped and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from conversion.annotations.readers import FIX
from conversion.annotations.records import read_json, read_json_lines, text_field
from conversion.errors import ConversionError


def _row(text: str, labels: list[str], where: str) -> tuple:
    """(text, the label, or the label list of a multi-label text, where): a text_sources.Row's fields."""
    return text, labels[0] if len(labels) == 1 else labels, where


def label_studio_choices(path: Path, text_key: str | None = None) -> Iterator:
    tasks = read_json(path, FIX["label_studio"])
    if not isinstance(tasks, list):
        raise ConversionError("a Label Studio export is a JSON list of tasks", FIX["label_studio"], path)
    skipped: Counter = Counter()
    for number, task in enumerate(tasks, start=1):
        where = f"{path}, task {number}"
        text = text_field(task.get("data") or {}, text_key, where, "set text_column to the data field of the text")
        chosen = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        labels = [
            choice
            for result in (chosen[0].get("result") or [] if chosen else [])
            if result.get("type") == "choices"
            for choice in (result.get("value") or {}).get("choices") or []
        ]
        if not labels:
            skipped["tasks without a choice"] += 1
            continue
        yield _row(text, labels, where)
    _report(path, skipped)


def prodigy_choices(path: Path, text_key: str | None = None) -> Iterator:
    skipped: Counter = Counter()
    for number, value in read_json_lines(path, FIX["prodigy"]):
        where = f"{path}, line {number}"
        answer = value.get("answer", "accept")
        if answer != "accept":
            skipped[f"answer {answer!r}"] += 1
            continue
        text = text_field(value, text_key, where, FIX["prodigy"])
        labels: list = value["accept"] if isinstance(value.get("accept"), list) else [value.get("label")]
        if not labels or any(not isinstance(label, str) for label in labels):
            skipped["accepted with no label"] += 1
            continue
        yield _row(text, labels, where)
    _report(path, skipped)


def _report(path: Path, skipped: Counter) -> None:
    if skipped:
        print(f"{path}: skipped " + ", ".join(f"{n:,} {reason}" for reason, n in sorted(skipped.items())))
