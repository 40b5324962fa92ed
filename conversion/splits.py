"""A split's source as dataset_convert reads it: CoNLL columns, or an annotation tool's export (conversion/
annotations/), each read in two streamed passes (a scan: checks, counts, the scheme; then the conversion)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Iterator

from conversion.annotations.records import Skipped
from conversion.annotations.sentences import FORMATS, annotated_sentences, detect
from conversion.annotations.word_sources import conllu_sentences, hf_sentences
from conversion.annotations.words import Changes
from conversion.columns import ColumnFormat, Sentence, iter_sentences
from conversion.errors import ConversionError


class SourceFormat(str, Enum):
    auto = "auto"
    conll = "conll"
    label_studio = "label_studio"
    prodigy = "prodigy"
    doccano = "doccano"
    brat = "brat"
    conllu = "conllu"
    hf = "hf"


class WordSplit(str, Enum):
    infer = "infer"
    whitespace = "whitespace"


class Boundary(str, Enum):
    snap = "snap"
    refuse = "refuse"


@dataclass
class SplitFile:
    """One split's file, read in two streamed passes: a scan (checks, scheme, lengths), then the conversion."""

    split: str
    path: Path
    fmt: ColumnFormat
    source_format: str = "conll"
    options: object = None  # the ConvertOptions, for an annotation format's keys
    sentences: int = 0
    words: int = 0
    documents: set = field(default_factory=set)
    lengths: array = field(default_factory=lambda: array("I"))  # 4 bytes a sentence: the length percentiles
    first_seen: dict = field(default_factory=dict)  # tag -> line of its first occurrence (for errors)
    changes: Changes = field(default_factory=Changes)  # what the last read changed (annotation formats)
    skipped: Skipped = field(default_factory=Skipped)  # what the last read left out on purpose, by reason

    @property
    def annotated(self) -> bool:
        """Character spans over raw text (an annotation tool's export), rather than words with tags."""
        return self.source_format in FORMATS

    def read(self) -> Iterator[Sentence]:
        if self.source_format == "conllu":
            return conllu_sentences(self.path, self.options)
        if self.source_format == "hf":
            return hf_sentences(self.path, self.options)
        if not self.annotated:
            return iter_sentences(self.path, self.fmt)
        self.changes, self.skipped = Changes(), Skipped()  # each pass counts afresh: the last one is reported
        return annotated_sentences(self.path, self.source_format, self.options, self.changes, self.skipped)

    def scan(self) -> Iterator[list[str]]:
        """Every sentence's tags, noting the split's counts on the way (the first pass)."""
        for sentence in self.read():
            self.sentences += 1
            self.words += len(sentence.words)
            self.documents.add(sentence.document)
            self.lengths.append(len(sentence.words))
            for i, tag in enumerate(sentence.tags):
                self.first_seen.setdefault(tag, sentence.where or sentence.first_line + i)
            yield sentence.tags

    @property
    def has_documents(self) -> bool:
        return any(document > 0 for document in self.documents)

    def report(self) -> dict:
        """What the annotation format's reading changed or left out (dataset_stats.json, printed)."""
        return self.changes.as_dict() | {"skipped_records": dict(self.skipped.reasons)} if self.annotated else {}


def split_files(options, fmt: ColumnFormat) -> dict[str, SplitFile]:
    source = Path(options.source_data_dir)
    if not source.is_dir():
        raise ConversionError(
            "source_data_dir is not a directory", "pass source_data_dir=<dir with train/dev files>", source
        )
    files = {}
    for split, name, required in (
        ("train", options.train_file, True),
        ("dev", options.dev_file, True),
        ("test", options.test_file, False),
    ):
        if name is None or (not required and not (source / name).exists()):
            continue
        chosen = getattr(options.format, "value", options.format)
        source_format = detect(source / name) if chosen == "auto" else chosen
        files[split] = SplitFile(split, source / name, fmt, source_format, options)
    return files
