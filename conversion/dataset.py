"""dataset_convert: CoNLL-style column files -> text_*.txt, labels_*.txt, label_ids.csv, stats.

Each file is streamed twice (a scan that checks every line, then the conversion into temporary files),
so memory does not grow with the input; the outputs appear together or not at all, so a failed
conversion never leaves a half-converted dataset behind.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Iterator, List, Optional

from conversion.columns import ColumnFormat, Delimiter, Sentence, iter_sentences
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
from conversion.spans import write_span_files
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

    source_data_dir: str = field(
        default=MISSING,
        metadata=_help(
            "Folder holding the CoNLL-style column files (one token per line, blank line between sentences)."
        ),
    )
    target_data_dir: str = field(
        default=MISSING,
        metadata=_help(
            "Folder to write text_{split}.txt, labels_{split}.txt, label_ids.csv and dataset_stats.json into "
            "(created if missing; outputs appear only when the whole conversion succeeded)."
        ),
    )
    train_file: str = field(default="train.txt", metadata=_help("Training split file in source_data_dir (required)."))
    dev_file: str = field(default="dev.txt", metadata=_help("Development split file in source_data_dir (required)."))
    test_file: Optional[str] = field(
        default="test.txt",
        metadata=_help("Test split file; optional: skipped when the file does not exist, or set it to null."),
    )
    token_column: int = field(default=0, metadata=_help("Column holding the word (0-based; -1 is the last column)."))
    tag_column: int = field(default=-1, metadata=_help("Column holding the tag (0-based; -1 is the last column)."))
    delimiter: Delimiter = field(
        default=Delimiter.auto,
        metadata=_help(
            "Column separator: auto (tab when the file has a tab between columns, else runs of spaces), tab "
            "(a space inside a column is an error), or space (any run of spaces and tabs)."
        ),
    )
    encoding: str = field(
        default="utf-8",
        metadata=_help(
            "Text encoding of the input files (a Python codec name). A UTF-8 byte-order mark is always removed."
        ),
    )
    input_scheme: InputScheme = field(
        default=InputScheme.auto,
        metadata=_help(
            "Tagging scheme of the input: auto (detect), iob1, iob2, bioes, bilou, io, or plain (tags without "
            "B-/I- prefixes such as POS tags; never converted)."
        ),
    )
    output_scheme: OutputScheme = field(
        default=OutputScheme.iob2,
        metadata=_help(
            "Scheme of the written labels: iob2, iob1, bioes, bilou, io, or keep (unchanged). Converting repairs "
            "invalid transitions the way seqeval reads them (O I-PER -> O B-PER)."
        ),
    )
    outside_label: str = field(
        default="O", metadata=_help("The label of words outside any entity; written first in label_ids.csv (id 0).")
    )
    allow_unseen_labels: bool = field(
        default=False,
        metadata=_help(
            "Dev/test labels that never occur in train stop the conversion with a list of them; true adds them "
            "to label_ids.csv instead."
        ),
    )
    write_docs: bool = field(
        default=True,
        metadata=_help(
            "Write docs_{split}.txt (the document number of each sentence) when the input has -DOCSTART- lines."
        ),
    )
    span_columns: Optional[List[int]] = field(
        default=None,
        metadata=_help(
            "Tag columns whose entities, joined, become the span files of model.task=span_classification: "
            "spans_{split}.jsonl (JSON spans per sentence, which may nest) and span_label_ids.csv (docs/span.md). "
            "[2, 3] on CoNLL-2003: its noun-phrase chunks and its entities. null writes none."
        ),
    )
    span_types: Optional[List[str]] = field(
        default=None,
        metadata=_help("The types the span files keep (e.g. [NP, PER, LOC, ORG, MISC]); null keeps every type."),
    )


@dataclass
class SplitFile:
    """One split's file, read in two streamed passes: a scan (checks, scheme, lengths), then the conversion."""

    split: str
    path: Path
    fmt: ColumnFormat
    sentences: int = 0
    words: int = 0
    documents: set = field(default_factory=set)
    lengths: array = field(default_factory=lambda: array("I"))  # 4 bytes a sentence: the length percentiles
    first_seen: dict = field(default_factory=dict)  # tag -> line of its first occurrence (for errors)

    def read(self) -> Iterator[Sentence]:
        return iter_sentences(self.path, self.fmt)

    def scan(self) -> Iterator[list[str]]:
        """Every sentence's tags, noting the split's counts on the way (the first pass)."""
        for sentence in self.read():
            self.sentences += 1
            self.words += len(sentence.words)
            self.documents.add(sentence.document)
            self.lengths.append(len(sentence.words))
            for i, tag in enumerate(sentence.tags):
                self.first_seen.setdefault(tag, sentence.first_line + i)
            yield sentence.tags

    @property
    def has_documents(self) -> bool:
        return any(document > 0 for document in self.documents)


def _split_files(options: ConvertOptions, fmt: ColumnFormat) -> dict[str, SplitFile]:
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
        files[split] = SplitFile(split, source / name, fmt)
    return files


def _scan(options: ConvertOptions, files: dict[str, SplitFile]) -> Scheme:
    """The first pass over every split: each line checked, counts taken, the tagging scheme detected."""
    every_sentence = (tags for f in files.values() for tags in f.scan())
    if InputScheme(options.input_scheme) is not InputScheme.auto:
        for _ in every_sentence:
            pass
        scheme = Scheme(InputScheme(options.input_scheme).value)
    else:
        try:
            scheme = detect_scheme(every_sentence, options.outside_label)
        except MixedTagsError as e:
            where = next((f, f.first_seen[e.tags[0]]) for f in files.values() if e.tags[0] in f.first_seen)
            raise ConversionError(
                f"{e}; cannot tell the tagging scheme",
                "correct the tag, or set input_scheme=plain to keep every tag exactly as it is",
                where[0].path,
                where[1],
            ) from None
    for f in files.values():
        if not f.sentences:
            raise ConversionError(
                f"the {f.split} split has no sentences",
                f"check that {f.split}_file names the right file and that it holds token lines",
                f.path,
            )
    return scheme


def _refuse_unseen(unseen: dict[str, list[str]], first_seen: dict[str, str], train: Path) -> None:
    listed = "\n".join(f"    {tag!r} first at {first_seen[tag]}" for tag in sorted(unseen)[:30])
    more = f"\n    ... and {len(unseen) - 30} more" if len(unseen) > 30 else ""
    raise ConversionError(
        f"{len(unseen)} label(s) occur in dev/test but never in train:\n{listed}{more}",
        "set allow_unseen_labels=true to add them to label_ids.csv (a model trained on this train "
        "split will never predict them), or correct those tags",
        train,
    )


def convert(options: ConvertOptions) -> dict:
    """Convert a dataset directory; returns the statistics also written to dataset_stats.json.

    Two streamed passes over each file (a scan, then the conversion into temporary outputs), so memory stays
    constant in the size of the input; the outputs appear together, and only when every check passed."""
    for key in ("source_data_dir", "target_data_dir"):
        if getattr(options, key) in (None, MISSING, ""):
            raise ConversionError(f"{key} is required", f"pass {key}=<directory> on the command line or in the spec")
    fmt = ColumnFormat(options.token_column, options.tag_column, Delimiter(options.delimiter), options.encoding)
    files = _split_files(options, fmt)
    scheme = _scan(options, files)
    target = Path(options.target_data_dir)
    created = not target.exists()
    try:
        return _convert_and_write(options, files, scheme)
    except BaseException:
        if created and target.is_dir() and not any(target.iterdir()):
            target.rmdir()  # a failed conversion leaves nothing behind, not even the folder it made
        raise


def _convert_and_write(options: ConvertOptions, files: dict[str, SplitFile], scheme: Scheme) -> dict:
    """The second pass: tags converted and written, split by split (train first: its labels decide what is unseen)."""
    output_scheme, outside = OutputScheme(options.output_scheme), options.outside_label
    target = Path(options.target_data_dir)
    counts: dict[str, Counter] = {}
    facts: dict[str, dict] = {}
    unseen: dict[str, list[str]] = {}
    first_unseen: dict[str, str] = {}
    merge_io = output_scheme is OutputScheme.io and scheme is not Scheme.plain
    produced = {"label_ids.csv", "dataset_stats.json"}
    with atomic_files(target) as out:
        for split, f in files.items():
            counts[split], invalid, changed, merged = Counter(), 0, 0, 0
            documents = options.write_docs and f.has_documents
            with ExitStack() as opened:
                text = opened.enter_context(out.open(f"text_{split}.txt"))
                labels_out = opened.enter_context(out.open(f"labels_{split}.txt"))
                docs = opened.enter_context(out.open(f"docs_{split}.txt")) if documents else None
                numbering: dict[int, int] = {}
                for sentence in f.read():
                    new_tags = convert_tags(sentence.tags, scheme, output_scheme, outside)
                    text.write(" ".join(sentence.words) + "\n")
                    labels_out.write(" ".join(new_tags) + "\n")
                    if docs is not None:  # one line per sentence: its document's number, for document context
                        docs.write(f"{numbering.setdefault(sentence.document, len(numbering))}\n")
                    counts[split].update(new_tags)
                    invalid += count_invalid_transitions(sentence.tags, scheme, outside)
                    changed += sum(a != b for a, b in zip(sentence.tags, new_tags))
                    merged += merged_by_io(read_entities(sentence.tags, outside)) if merge_io else 0
                    if split != "train":
                        for i, tag in enumerate(new_tags):
                            if tag not in counts["train"]:
                                if split not in unseen.setdefault(tag, []):
                                    unseen[tag].append(split)
                                first_unseen.setdefault(tag, f"{f.path}:{sentence.first_line + i}")
            produced |= {f"text_{split}.txt", f"labels_{split}.txt"} | ({f"docs_{split}.txt"} if documents else set())
            facts[split] = {"invalid_transitions": invalid, "tags_changed": changed, "entities_merged": merged}
        if unseen and not options.allow_unseen_labels:
            _refuse_unseen(unseen, first_unseen, files["train"].path)
        all_labels = set().union(*counts.values())
        labels = ([outside] if outside in all_labels else []) + sorted(all_labels - {outside})
        stats = _stats(options, files, scheme, labels, dict(sorted(unseen.items())), counts, facts)
        with out.open("label_ids.csv") as ids:
            ids.writelines(f"{label}\n" for label in labels)
        if options.span_columns:
            names, stats["spans"] = write_span_files(options, files, out)
            produced |= names
        with out.open("dataset_stats.json") as written:
            json.dump(stats, written, indent=2, ensure_ascii=False)
            written.write("\n")
    # Outputs of an earlier conversion into this directory that this one did not produce (a test
    # split or documents the new data lacks) would be read as part of the new dataset.
    for split in ("train", "dev", "test"):
        for name in (f"text_{split}.txt", f"labels_{split}.txt", f"docs_{split}.txt", f"spans_{split}.jsonl"):
            if name not in produced:
                (target / name).unlink(missing_ok=True)
    if "span_label_ids.csv" not in produced:
        (target / "span_label_ids.csv").unlink(missing_ok=True)
    return stats


def _stats(options, files, scheme, labels, unseen, counts, facts) -> dict:
    output_scheme = OutputScheme(options.output_scheme)
    written = scheme.value if output_scheme is OutputScheme.keep or scheme is Scheme.plain else output_scheme.value
    stats = {
        "source_data_dir": str(Path(options.source_data_dir).resolve()),
        "scheme": {"detected": scheme.value, "written": written},
        "labels": labels,
        "unseen_labels": unseen,
        "splits": {},
    }
    for split, f in files.items():
        stats["splits"][split] = {
            "source": f.path.name,
            "sentences": f.sentences,
            "words": f.words,
            "documents": len(f.documents) if f.has_documents else 0,
            **facts[split],
            "length": length_stats(f.lengths),
            "labels": label_counts(counts[split], labels),
        }
    return stats
