"""dataset_convert: CoNLL-style column files -> text_*.txt, labels_*.txt, label_ids.csv, stats.

Everything is read and checked before anything is written, and the outputs appear together or not
at all, so a failed conversion never leaves a half-converted dataset behind.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Optional

from conversion.columns import ColumnFile, ColumnFormat, Delimiter, read_column_file
from conversion.errors import ConversionError
from conversion.schemes import (
    MixedTagsError,
    OutputScheme,
    Scheme,
    convert_tags,
    count_invalid_transitions,
    detect_scheme,
    merged_by_io,
    read_entities,
)
from conversion.stats import label_counts, length_stats
from tokcls.core.atomic import atomic_files
from tokcls.core.errors import MISSING


class InputScheme(str, Enum):
    auto = "auto"
    iob1 = "iob1"
    iob2 = "iob2"
    bioes = "bioes"
    bilou = "bilou"
    io = "io"
    plain = "plain"


def _help(text: str) -> dict:
    return {"help": text}


@dataclass
class ConvertOptions:
    """token_classification dataset_convert -e specs/dataset_convert.yaml source_data_dir=SRC target_data_dir=DST"""

    source_data_dir: str = field(default=MISSING, metadata=_help(
        "Folder holding the CoNLL-style column files (one token per line, blank line between sentences)."))
    target_data_dir: str = field(default=MISSING, metadata=_help(
        "Folder to write text_{split}.txt, labels_{split}.txt, label_ids.csv and dataset_stats.json into "
        "(created if missing; outputs appear only when the whole conversion succeeded)."))
    train_file: str = field(default="train.txt", metadata=_help("Training split file in source_data_dir (required)."))
    dev_file: str = field(default="dev.txt", metadata=_help("Development split file in source_data_dir (required)."))
    test_file: Optional[str] = field(default="test.txt", metadata=_help(
        "Test split file; optional: skipped when the file does not exist, or set it to null."))
    token_column: int = field(default=0, metadata=_help("Column holding the word (0-based; -1 is the last column)."))
    tag_column: int = field(default=-1, metadata=_help("Column holding the tag (0-based; -1 is the last column)."))
    delimiter: Delimiter = field(default=Delimiter.auto, metadata=_help(
        "Column separator: auto (tab when the file has a tab between columns, else runs of spaces), tab "
        "(a space inside a column is an error), or space (any run of spaces and tabs)."))
    encoding: str = field(default="utf-8", metadata=_help(
        "Text encoding of the input files (a Python codec name). A UTF-8 byte-order mark is always removed."))
    input_scheme: InputScheme = field(default=InputScheme.auto, metadata=_help(
        "Tagging scheme of the input: auto (detect), iob1, iob2, bioes, bilou, io, or plain (tags without "
        "B-/I- prefixes such as POS tags; never converted)."))
    output_scheme: OutputScheme = field(default=OutputScheme.iob2, metadata=_help(
        "Scheme of the written labels: iob2, iob1, bioes, bilou, io, or keep (unchanged). Converting repairs "
        "invalid transitions the way seqeval reads them (O I-PER -> O B-PER)."))
    outside_label: str = field(default="O", metadata=_help(
        "The label of words outside any entity; written first in label_ids.csv (id 0)."))
    allow_unseen_labels: bool = field(default=False, metadata=_help(
        "Dev/test labels that never occur in train stop the conversion with a list of them; true adds them "
        "to label_ids.csv instead."))
    write_docs: bool = field(default=True, metadata=_help(
        "Write docs_{split}.txt (the document number of each sentence) when the input has -DOCSTART- lines."))


def _read_splits(options: ConvertOptions, fmt: ColumnFormat) -> dict[str, ColumnFile]:
    source = Path(options.source_data_dir)
    if not source.is_dir():
        raise ConversionError("source_data_dir is not a directory", "pass source_data_dir=<dir with train/dev files>", source)
    splits = {}
    for split, name, required in (
        ("train", options.train_file, True),
        ("dev", options.dev_file, True),
        ("test", options.test_file, False),
    ):
        if name is None or (not required and not (source / name).exists()):
            continue
        column_file = read_column_file(source / name, fmt)
        if not column_file.sentences:
            raise ConversionError(
                f"the {split} split has no sentences",
                f"check that {split}_file names the right file and that it holds token lines",
                column_file.path,
            )
        splits[split] = column_file
    return splits


def _find_tag(splits: dict[str, ColumnFile], tag: str) -> tuple[Path, int]:
    for column_file in splits.values():
        for sentence in column_file.sentences:
            if tag in sentence.tags:
                return column_file.path, sentence.first_line + sentence.tags.index(tag)
    raise AssertionError(f"tag {tag!r} not found")  # only called with tags taken from the files


def _input_scheme(options: ConvertOptions, splits: dict[str, ColumnFile]) -> Scheme:
    if InputScheme(options.input_scheme) is not InputScheme.auto:
        return Scheme(InputScheme(options.input_scheme).value)
    try:
        return detect_scheme(
            (s.tags for f in splits.values() for s in f.sentences), options.outside_label
        )
    except MixedTagsError as e:
        path, line = _find_tag(splits, e.tags[0])
        raise ConversionError(
            f"{e}; cannot tell the tagging scheme",
            "correct the tag, or set input_scheme=plain to keep every tag exactly as it is",
            path,
            line,
        ) from None


def _check_unseen(converted: dict[str, list[list[str]]], splits: dict[str, ColumnFile], allow: bool) -> dict:
    train_labels = {tag for tags in converted["train"] for tag in tags}
    unseen: dict[str, list[str]] = {}
    first_seen: dict[str, str] = {}
    for split, sentences in converted.items():
        for tags, sentence in zip(sentences, splits[split].sentences):
            for i, tag in enumerate(tags):
                if tag not in train_labels:
                    if split not in unseen.setdefault(tag, []):
                        unseen[tag].append(split)
                    first_seen.setdefault(tag, f"{splits[split].path}:{sentence.first_line + i}")
    if unseen and not allow:
        listed = "\n".join(f"    {tag!r} first at {first_seen[tag]}" for tag in sorted(unseen)[:30])
        more = f"\n    ... and {len(unseen) - 30} more" if len(unseen) > 30 else ""
        raise ConversionError(
            f"{len(unseen)} label(s) occur in dev/test but never in train:\n{listed}{more}",
            "set allow_unseen_labels=true to add them to label_ids.csv (a model trained on this train "
            "split will never predict them), or correct those tags",
            splits["train"].path,
        )
    return dict(sorted(unseen.items()))


def convert(options: ConvertOptions) -> dict:
    """Convert a dataset directory; returns the statistics also written to dataset_stats.json."""
    for key in ("source_data_dir", "target_data_dir"):
        if getattr(options, key) in (None, MISSING, ""):
            raise ConversionError(f"{key} is required", f"pass {key}=<directory> on the command line or in the spec")
    fmt = ColumnFormat(options.token_column, options.tag_column, Delimiter(options.delimiter), options.encoding)
    output_scheme = OutputScheme(options.output_scheme)
    outside = options.outside_label
    splits = _read_splits(options, fmt)
    scheme = _input_scheme(options, splits)

    converted = {
        split: [convert_tags(s.tags, scheme, output_scheme, outside) for s in f.sentences]
        for split, f in splits.items()
    }
    unseen = _check_unseen(converted, splits, options.allow_unseen_labels)
    counts = {split: Counter(tag for tags in sentences for tag in tags) for split, sentences in converted.items()}
    all_labels = set().union(*counts.values())
    labels = ([outside] if outside in all_labels else []) + sorted(all_labels - {outside})

    written = scheme.value if output_scheme is OutputScheme.keep or scheme is Scheme.plain else output_scheme.value
    stats = {
        "source_data_dir": str(Path(options.source_data_dir).resolve()),
        "scheme": {"detected": scheme.value, "written": written},
        "labels": labels,
        "unseen_labels": unseen,
        "splits": {},
    }
    for split, column_file in splits.items():
        sentences = column_file.sentences
        stats["splits"][split] = {
            "source": column_file.path.name,
            "sentences": len(sentences),
            "words": sum(len(s.words) for s in sentences),
            "documents": len({s.document for s in sentences}) if column_file.has_documents else 0,
            "invalid_transitions": sum(count_invalid_transitions(s.tags, scheme, outside) for s in sentences),
            "tags_changed": sum(a != b for s, new in zip(sentences, converted[split]) for a, b in zip(s.tags, new)),
            "entities_merged": (
                sum(merged_by_io(read_entities(s.tags, outside)) for s in sentences)
                if output_scheme is OutputScheme.io and scheme is not Scheme.plain
                else 0
            ),
            "length": length_stats([len(s.words) for s in sentences]),
            "labels": label_counts(counts[split], labels),
        }

    _write(options, splits, converted, labels, stats)
    return stats


def _write(options, splits, converted, labels, stats) -> None:
    target = Path(options.target_data_dir)
    produced = {"label_ids.csv", "dataset_stats.json"}
    with atomic_files(target) as out:
        for split, column_file in splits.items():
            with out.open(f"text_{split}.txt") as text, out.open(f"labels_{split}.txt") as tags:
                for sentence, new_tags in zip(column_file.sentences, converted[split]):
                    text.write(" ".join(sentence.words) + "\n")
                    tags.write(" ".join(new_tags) + "\n")
            produced |= {f"text_{split}.txt", f"labels_{split}.txt"}
            if options.write_docs and column_file.has_documents:
                # One line per sentence: its document's number, for document-level context later.
                numbering: dict[int, int] = {}
                with out.open(f"docs_{split}.txt") as docs:
                    for sentence in column_file.sentences:
                        docs.write(f"{numbering.setdefault(sentence.document, len(numbering))}\n")
                produced.add(f"docs_{split}.txt")
        with out.open("label_ids.csv") as f:
            f.writelines(f"{label}\n" for label in labels)
        with out.open("dataset_stats.json") as f:
            json.dump(stats, f, indent=2, ensure_ascii=False)
            f.write("\n")
    # Outputs of an earlier conversion into this directory that this one did not produce (a test
    # split or documents the new data lacks) would be read as part of the new dataset.
    for split in ("train", "dev", "test"):
        for name in (f"text_{split}.txt", f"labels_{split}.txt", f"docs_{split}.txt"):
            if name not in produced:
                (target / name).unlink(missing_ok=True)
