"""infer's predictions in the annotation tools' own formats, so the loop pre-annotate -> correct -> retrain closes:
Label Studio tasks with predictions (importable as tasks, each region with its score), Prodigy JSON Lines (spans,
as `prodigy db-in` and the `ner.manual` recipe read them) and doccano JSONL (the file its import reads). Offsets are
code points, as every reader of conversion/annotations/ reads them.

An entity is {"type", "start", "end", "confidence"} (infer's records); a text prediction is its label(s) and score.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelStudio:
    """The names of the labelling interface's tags: <Labels name="label" toName="text"> (the NER template's)."""

    from_name: str = "label"
    to_name: str = "text"
    model_version: str = "tokcls"


def label_studio_entities(text: str, entities: list[dict], names: LabelStudio) -> dict:
    results = [
        {
            "id": f"r{i}",
            "from_name": names.from_name,
            "to_name": names.to_name,
            "type": "labels",
            "value": {"start": e["start"], "end": e["end"], "text": text[e["start"] : e["end"]], "labels": [e["type"]]},
            "score": e["confidence"],
        }
        for i, e in enumerate(entities)
    ]
    score = min((e["confidence"] for e in entities), default=1.0)  # the task's weakest region: sort by it to review
    return {
        "data": {names.to_name: text},
        "predictions": [{"model_version": names.model_version, "score": score, "result": results}],
    }


def label_studio_choices(text: str, labels: list[str], score: float, names: LabelStudio) -> dict:
    result = {
        "id": "r0",
        "from_name": names.from_name,
        "to_name": names.to_name,
        "type": "choices",
        "value": {"choices": labels},
        "score": score,
    }
    return {
        "data": {names.to_name: text},
        "predictions": [{"model_version": names.model_version, "score": score, "result": [result]}],
    }


def prodigy_entities(text: str, entities: list[dict]) -> dict:
    spans = [{"start": e["start"], "end": e["end"], "label": e["type"], "score": e["confidence"]} for e in entities]
    return {"text": text, "spans": spans}


def prodigy_choices(text: str, labels: list[str], score: float) -> dict:
    return {"text": text, "accept": labels, "meta": {"score": score}}


def doccano_entities(text: str, entities: list[dict]) -> dict:
    return {"text": text, "label": [[e["start"], e["end"], e["type"]] for e in entities]}


def doccano_choices(text: str, labels: list[str]) -> dict:
    return {"text": text, "label": labels}
