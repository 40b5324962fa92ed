"""infer's records written again for an annotation tool (annotations.format): read back from the finished JSON Lines
one record at a time and written whole or not at all (conversion/annotations/writers.py holds the formats)."""

from __future__ import annotations

import json
from pathlib import Path

from tokcls.core.errors import InputError

SUFFIX = {"label_studio": "json", "prodigy": "jsonl", "doccano": "jsonl"}


def write_for_tool(records_file: Path, annotations, results_dir: Path, model_name: str) -> Path:
    from conversion.annotations import writers
    from tokcls.core.atomic import atomic_files

    fmt = getattr(annotations.format, "value", annotations.format)
    name = annotations.file or f"predictions_{fmt}.{SUFFIX[fmt]}"
    names = writers.LabelStudio(annotations.from_name, annotations.to_name, model_name)
    with atomic_files(results_dir) as out, out.open(name) as sink, records_file.open(encoding="utf-8") as records:
        if fmt == "label_studio":
            sink.write("[\n")
        for number, line in enumerate(records):
            item = _tool_record(json.loads(line), fmt, names, writers)
            text = json.dumps(item, ensure_ascii=False)
            sink.write(
                (",\n" if number and fmt == "label_studio" else "") + text + ("" if fmt == "label_studio" else "\n")
            )
        if fmt == "label_studio":
            sink.write("\n]\n")
    print(f"Wrote the predictions for {fmt.replace('_', ' ').title()} to {results_dir / name}")
    return results_dir / name


def _tool_record(record: dict, fmt: str, names, writers) -> dict:
    text = record["text"] + (f"\t{record['text_b']}" if "text_b" in record else "")
    if "entities" in record:
        entities = record["entities"]
        return {
            "label_studio": lambda: writers.label_studio_entities(text, entities, names),
            "prodigy": lambda: writers.prodigy_entities(text, entities),
            "doccano": lambda: writers.doccano_entities(text, entities),
        }[fmt]()
    if "value" in record:
        raise InputError("a regression model's values have no annotation-tool format", "leave annotations.format=null")
    labels = record["labels"] if "labels" in record else [record["label"]]
    probabilities = record.get("probabilities", {})
    score = min((probabilities.get(label, 0.0) for label in labels), default=0.0)
    return {
        "label_studio": lambda: writers.label_studio_choices(text, labels, score, names),
        "prodigy": lambda: writers.prodigy_choices(text, labels, score),
        "doccano": lambda: writers.doccano_choices(text, labels),
    }[fmt]()
