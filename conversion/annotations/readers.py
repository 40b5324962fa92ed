"""The annotation tools' NER exports, read into Records. Offsets are code points (Python string indices) in Prodigy,
doccano and brat; Label Studio stores code points since its frontend 1.x and UTF-16 code units (JavaScript string
indices) before: each Label Studio span carries its text, so the reader checks it and converts UTF-16 offsets when
they are what matches (counted).

- Label Studio, JSON export: a list of tasks {"data": {"text": ...}, "annotations": [{"result": [{"type": "labels",
  "value": {"start", "end", "text", "labels": [...]}}], "was_cancelled": false}]}; the first annotation not cancelled
  is read; a task without one is skipped and counted (label_studio_predictions=true reads its first prediction
  instead, e.g. infer's pre-annotations not yet reviewed).
- Prodigy, JSON Lines: {"text", "spans": [{"start", "end", "label"}], "answer": "accept"}; answers other than
  accept are skipped and counted.
- doccano, JSON Lines: {"text", "label": [[start, end, "TYPE"], ...]} (also "labels", and "entities" of
  {"start_offset", "end_offset", "label"}).
- brat standoff: a folder of NAME.txt + NAME.ann; text-bound annotations "T1<TAB>TYPE START END<TAB>text";
  discontinuous ones (START END;START END) are skipped and counted; relations, events, attributes and notes are not
  entities and are counted as ignored. Each .txt is one document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from conversion.annotations.records import (
    Record,
    Skipped,
    checked_span,
    read_json,
    read_json_lines,
    text_field,
)
from conversion.annotations.words import Changes, utf16_to_code_points
from conversion.errors import ConversionError

FIX = {
    "label_studio": "export the project as JSON (Export -> JSON) and pass that file",
    "prodigy": "export with `prodigy db-out DATASET > FILE.jsonl`",
    "doccano": "export the project as JSONL from doccano",
    "brat": "give the folder that holds the .txt and .ann files of the split",
}


def label_studio(path: Path, options, changes: Changes, skipped: Skipped) -> Iterator[Record]:
    tasks = read_json(path, FIX["label_studio"])
    if not isinstance(tasks, list):
        raise ConversionError("a Label Studio export is a JSON list of tasks", FIX["label_studio"], path)
    for number, task in enumerate(tasks, start=1):
        where = f"{path}, task {number}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise ConversionError(f"{where}: a task is an object with a 'data' object", FIX["label_studio"])
        text = text_field(task["data"], options.text_key, where, "set text_key to the data field that holds the text")
        chosen = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        if not chosen and options.label_studio_predictions and task.get("predictions"):
            chosen = task["predictions"][:1]  # a model's pre-annotation, read as asked (label_studio_predictions)
            skipped.reasons["Label Studio task read from its prediction (no annotation)"] += 1
        if not chosen:
            skipped.reasons["Label Studio task without annotation"] += 1
            continue
        if len(chosen) > 1:
            skipped.reasons["Label Studio task with several annotations: the first was read"] += 1
        spans = []
        for result in chosen[0].get("result") or []:
            value = result.get("value") or {}
            if result.get("type") not in ("labels", None) or "start" not in value:
                continue  # choices, relations, ratings: not entities
            for label in value.get("labels") or []:
                start, end = _label_studio_offsets(text, value, where, changes)
                spans.append(checked_span(start, end, label, where))
        yield Record(text, spans, where, where)


def _label_studio_offsets(text: str, value: dict, where: str, changes: Changes) -> tuple:
    start, end, covered = value.get("start"), value.get("end"), value.get("text")
    if not isinstance(start, int) or not isinstance(end, int) or covered is None or text[start:end] == covered:
        return start, end
    converted = utf16_to_code_points(text, start), utf16_to_code_points(text, end)
    if text[converted[0] : converted[1]] == covered:
        changes.utf16_offsets += 1
        return converted
    raise ConversionError(
        f"{where}: the span [{start}, {end}) says it covers {covered!r}, but the text there is {text[start:end]!r}",
        "the task's text was changed after annotating, or the export is damaged: re-export it",
    )


def prodigy(path: Path, options, changes: Changes, skipped: Skipped) -> Iterator[Record]:
    for number, value in read_json_lines(path, FIX["prodigy"]):
        where = f"{path}, line {number}"
        answer = value.get("answer", "accept")
        if answer != "accept":
            skipped.reasons[f"Prodigy answer {answer!r}"] += 1
            continue
        text = text_field(value, options.text_key, where, FIX["prodigy"])
        spans = [
            checked_span(span.get("start"), span.get("end"), span.get("label"), where)
            for span in value.get("spans") or []
        ]
        yield Record(text, spans, where, where)


def doccano(path: Path, options, changes: Changes, skipped: Skipped) -> Iterator[Record]:
    for number, value in read_json_lines(path, FIX["doccano"]):
        where = f"{path}, line {number}"
        text = text_field(value, options.text_key, where, FIX["doccano"])
        listed = value.get("label", value.get("labels"))
        spans = []
        if listed is not None:
            if not isinstance(listed, list) or any(not isinstance(item, list) or len(item) != 3 for item in listed):
                raise ConversionError(
                    f"{where}: 'label' holds {listed!r}, not [[start, end, label], ...]",
                    "a sequence-labelling project's export is needed (a text classification one holds label names: "
                    "convert it with text_classification dataset_convert)",
                )
            spans = [checked_span(item[0], item[1], item[2], where) for item in listed]
        for entity in value.get("entities") or []:
            spans.append(checked_span(entity.get("start_offset"), entity.get("end_offset"), entity.get("label"), where))
        yield Record(text, spans, where, where)


def brat(path: Path, options, changes: Changes, skipped: Skipped) -> Iterator[Record]:
    if not path.is_dir():
        raise ConversionError("brat standoff is a folder of .txt and .ann files", FIX["brat"], path)
    texts = sorted(path.glob("*.txt"))
    if not texts:
        raise ConversionError("no .txt files", FIX["brat"], path)
    for text_file in texts:
        ann = text_file.with_suffix(".ann")
        if not ann.exists():
            raise ConversionError(f"{text_file.name} has no {ann.name}", "brat writes one .ann beside each .txt", path)
        with text_file.open(encoding="utf-8", newline="") as f:  # brat counts a CRLF as two characters
            text = f.read()
        spans = []
        for number, line in enumerate(ann.read_text(encoding="utf-8").splitlines(), start=1):
            where = f"{ann}, line {number}"
            if not line.strip():
                continue
            if not line.startswith("T"):
                skipped.reasons[f"brat {line[0]} annotation (not an entity)"] += 1
                continue
            parts = line.split("\t")
            if len(parts) < 2 or len(parts[1].split(" ", 1)) < 2:
                raise ConversionError(f"{where}: not 'T<id><TAB>TYPE START END<TAB>text'", "correct the line")
            label, offsets = parts[1].split(" ", 1)
            if ";" in offsets:
                changes.discontinuous[label] += 1
                changes.note("discontinuous", where, f"{line!r} (a brat fragment list: skipped)")
                continue
            try:
                start, end = (int(n) for n in offsets.split())
            except ValueError:
                raise ConversionError(
                    f"{where}: offsets {offsets!r} are not two integers", "correct the line"
                ) from None
            if len(parts) > 2 and text[start:end] != parts[2]:
                raise ConversionError(
                    f"{where}: the span [{start}, {end}) says it covers {parts[2]!r}, the text there is "
                    f"{text[start:end]!r}",
                    f"check that {text_file.name} is the text this .ann was made on (same bytes, same line ends)",
                )
            spans.append(checked_span(start, end, label, where))
        yield Record(text, spans, str(text_file), text_file.name)


READERS = {"label_studio": label_studio, "prodigy": prodigy, "doccano": doccano, "brat": brat}
