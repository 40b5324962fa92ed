"""One annotated text as the annotation tools export it: the raw text, its character-offset spans, and where it came
from (file and record, for every message about it). Each reader (label_studio.py, prodigy.py, doccano.py, brat.py)
yields these; sentences.py turns them into words and tags."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from conversion.errors import ConversionError
from tokcls.core.input_files import open_regular


@dataclass
class Record:
    text: str
    spans: list[tuple[int, int, str]]  # [start, end) in code points, and the label
    where: str  # "FILE, line N" (JSON Lines) or "FILE, task N" (a JSON array), for messages
    document: str  # records of one document share it (a brat file); else the record's own `where`


@dataclass
class Skipped:
    """Records a reader left out on purpose (a rejected Prodigy answer, a Label Studio task nobody annotated), counted
    by reason; never silently."""

    reasons: Counter = field(default_factory=Counter)


def read_json_lines(path: Path, fix: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) of each non-blank line; a line that is not a JSON object is refused by number."""
    with open_regular(path, "annotation file", fix) as f:
        for number, raw in enumerate(f, start=1):
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8", errors="strict").strip()
            if not line:
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise ConversionError(f"line {number} is not JSON ({error.msg})", fix, path, number) from None
            if not isinstance(value, dict):
                raise ConversionError(
                    f"line {number} is a JSON {type(value).__name__}, not an object", fix, path, number
                )
            yield number, value


def read_json(path: Path, fix: str):
    with open_regular(path, "annotation file", fix) as f:
        raw = f.read()
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConversionError(f"not a JSON file ({error})", fix, path) from None


def text_field(value: dict, key: str | None, where: str, fix: str) -> str:
    """The record's text: `key`, or else "text", or else its only string field."""
    if key is not None:
        text = value.get(key)
    elif "text" in value:
        text = value["text"]
    else:
        strings = [k for k, v in value.items() if isinstance(v, str)]
        text = value[strings[0]] if len(strings) == 1 else None
    if not isinstance(text, str):
        raise ConversionError(f"{where}: no text field", fix)
    return text


def checked_span(start, end, label, where: str) -> tuple[int, int, str]:
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(label, str) and label):
        raise ConversionError(
            f"{where}: a span needs integer start and end offsets and a label, not {[start, end, label]!r}",
            "each span is [start, end, label] with character offsets",
        )
    return start, end, label
