"""Records (raw text + character spans) -> the sentences dataset_convert writes: words, IOB2 tags, the document, and
every span (nested and overlapping ones kept) for the span task's file.

A record's text is cut at its line breaks: each non-blank line is a sentence, and the record is one document (its
sentences share a number in docs_<split>.txt, for model.dataset.context=document). A span may not cross a line break.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from conversion.annotations.readers import READERS
from conversion.annotations.records import Record, Skipped
from conversion.annotations.words import Changes, iob2, resolve_overlaps, split_record, whitespace_words, word_spans
from conversion.columns import Sentence
from conversion.errors import ConversionError
from tokcls.core.word_split import split_words

FORMATS = ("label_studio", "prodigy", "doccano", "brat")
WORD_SPLITS = {"infer": split_words, "whitespace": whitespace_words}


def detect(path: Path) -> str:
    """The format of a split's file: "conll" (columns) unless it is a brat folder, a Label Studio JSON export or
    JSON Lines whose first record shows Prodigy's spans or doccano's labels."""
    if path.is_dir():
        return "brat"
    if path.suffix in (".conllu", ".parquet"):
        return {".conllu": "conllu", ".parquet": "hf"}[path.suffix]
    if not path.is_file():
        return "conll"  # the column reader names the missing file
    with path.open("rb") as f:
        raw = f.read(1 << 16).decode("utf-8-sig", errors="replace")
    head = raw.lstrip()
    if head.startswith("[") and _is_task_list(path):  # a JSON list of objects: Label Studio's export
        return "label_studio"
    first = _json_object(head.splitlines()[0] if head else "")
    if first is None:  # not JSON: columns (a first token may well be "{" or "[")
        return "conll"
    if "spans" in first or "answer" in first:
        return "prodigy"
    if {"tokens", "words"} & set(first):
        return "hf"
    if {"label", "labels", "entities"} & set(first):
        return "doccano"
    line = raw[: len(raw) - len(head)].count("\n") + 1
    raise ConversionError(
        "JSON Lines whose first record has neither Prodigy's 'spans', doccano's 'label' nor 'tokens'",
        "set format= to the tool that wrote it (label_studio, prodigy, doccano, brat, conllu, hf)",
        path,
        line,
    )


def _is_task_list(path: Path) -> bool:
    """Whether the file is a JSON list of objects (read whole, as its reader will: only files starting with "[")."""
    try:
        value = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def _json_object(line: str) -> dict | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def annotated_sentences(path: Path, fmt: str, options, changes: Changes, skipped: Skipped) -> Iterator[Sentence]:
    """Every sentence of every record of a split's file, with its word spans."""
    documents: dict[str, int] = {}
    records: Iterator[Record] = READERS[fmt](path, options, changes, skipped)
    for number, record in enumerate(records, start=1):
        lines = list(split_record(record.text, WORD_SPLITS[getattr(options.word_split, "value", options.word_split)]))
        if not lines:
            skipped.reasons["record without a word"] += 1
            continue
        words = [w for *_, ws in lines for w in ws]
        line_of = [i for i, (*_, ws) in enumerate(lines) for _ in ws]
        first_word = [sum(len(ws) for *_, ws in lines[:i]) for i in range(len(lines))]
        per_line: list[list] = [[] for _ in lines]
        for start, end, label in word_spans(record.text, record.spans, words, record.where, options.boundary, changes):
            line = line_of[start]
            if line_of[end - 1] != line:
                raise ConversionError(
                    f"{record.where}: the span {' '.join(w.text for w in words[start:end])!r} ({label}) crosses a "
                    "line break; each line of a text is a sentence",
                    "join the lines in the tool, or split the span",
                )
            per_line[line].append((start - first_word[line], end - first_word[line], label))
        document = documents.setdefault(record.document, len(documents) + 1)
        for (*_, ws), spans in zip(lines, per_line):
            tokens = [w.text for w in ws]
            kept = resolve_overlaps(spans, record.where, tokens, changes)
            tags = iob2(len(ws), kept, options.outside_label)
            yield Sentence(tokens, tags, number, document, record.where, [list(span) for span in sorted(spans)])
