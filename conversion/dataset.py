"""dataset_convert: CoNLL-style column files -> text_*.txt, labels_*.txt, label_ids.csv, stats.

Each file is streamed twice (a scan that checks every line, then the conversion into temporary files),
so memory does not grow with the input; the outputs appear together or not at all, so a failed
conversion never leaves a half-converted dataset behind.
"""

from __future__ import annotations

import json
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import List, Optional

from conversion.columns import ColumnFormat, Delimiter
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
from conversion.splits import Boundary, SourceFormat, SplitFile, WordSplit, split_files
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
    format: SourceFormat = field(
        default=SourceFormat.auto,
        metadata=_help(
            "What train_file, dev_file and test_file are: conll (token and tag columns), label_studio (its JSON "
            "export), prodigy (db-out JSON Lines), doccano (JSONL export), brat (a folder of .txt + .ann), conllu "
            "(CoNLL-U, tag_field), hf (a Hugging Face dataset's to_json() or parquet: tokens + ner_tags), or auto: a "
            "folder is brat, .conllu CoNLL-U, .parquet hf, a JSON list Label Studio, JSON Lines Prodigy, doccano or "
            "hf by their fields, anything else columns. The tools' character spans become words as infer splits raw "
            "text (docs/dataset_convert.md)."
        ),
    )
    boundary: Boundary = field(
        default=Boundary.snap,
        metadata=_help(
            "A tool's span that starts or ends inside a word: snap (extend it to whole words, counted per label and "
            "reported with examples) or refuse (stop, naming the record)."
        ),
    )
    word_split: WordSplit = field(
        default=WordSplit.infer,
        metadata=_help(
            "How an annotation format's texts become words: infer (the splitter infer uses on raw text, so training "
            "and inference words agree: punctuation apart, a word per Chinese or Japanese character) or whitespace "
            "(at spaces only: texts written from tokens, e.g. joined CoNLL words)."
        ),
    )
    tag_field: Optional[str] = field(
        default=None,
        metadata=_help(
            "conllu: the tag's column (upos, xpos, deprel) or misc:KEY for KEY=TAG in the MISC column (null: "
            "misc:NER); hf: the record's tag list (null: ner_tags, pos_tags, chunk_tags, tags or labels)."
        ),
    )
    label_names: Optional[List[str]] = field(
        default=None,
        metadata=_help("hf: the tag names of tag ids, in id order (the dataset's ClassLabel names)."),
    )
    label_studio_predictions: bool = field(
        default=False,
        metadata=_help(
            "label_studio: a task nobody annotated is read from its first prediction (pre-annotations, e.g. infer's "
            "annotations.format=label_studio) instead of being skipped; counted either way."
        ),
    )
    text_key: Optional[str] = field(
        default=None,
        metadata=_help(
            "The field holding a record's text (Label Studio: a key of data); null: 'text', else the only text field."
        ),
    )


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
            f, at = next((f, f.first_seen[e.tags[0]]) for f in files.values() if e.tags[0] in f.first_seen)
            raise ConversionError(
                f"{e}; cannot tell the tagging scheme",
                "correct the tag, or set input_scheme=plain to keep every tag exactly as it is",
                at if isinstance(at, str) else f.path,  # a record's "FILE, line N", or a column file's line
                None if isinstance(at, str) else at,
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
    files = split_files(options, fmt)
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
    span_types: Counter = Counter()
    with atomic_files(target) as out:
        for split, f in files.items():
            counts[split], invalid, changed, merged = Counter(), 0, 0, 0
            documents = options.write_docs and f.has_documents
            with ExitStack() as opened:
                text = opened.enter_context(out.open(f"text_{split}.txt"))
                labels_out = opened.enter_context(out.open(f"labels_{split}.txt"))
                docs = opened.enter_context(out.open(f"docs_{split}.txt")) if documents else None
                spans = opened.enter_context(out.open(f"spans_{split}.jsonl")) if f.annotated else None
                numbering: dict[int, int] = {}
                for sentence in f.read():
                    new_tags = convert_tags(sentence.tags, scheme, output_scheme, outside)
                    text.write(" ".join(sentence.words) + "\n")
                    labels_out.write(" ".join(new_tags) + "\n")
                    if docs is not None:  # one line per sentence: its document's number, for document context
                        docs.write(f"{numbering.setdefault(sentence.document, len(numbering))}\n")
                    counts[split].update(new_tags)
                    if spans is not None and sentence.spans is not None:  # the tool's spans, overlaps kept
                        spans.write(json.dumps(sentence.spans, ensure_ascii=False) + "\n")
                        span_types.update(label for *_, label in sentence.spans)
                    invalid += count_invalid_transitions(sentence.tags, scheme, outside)
                    changed += sum(a != b for a, b in zip(sentence.tags, new_tags))
                    merged += merged_by_io(read_entities(sentence.tags, outside)) if merge_io else 0
                    if split != "train":
                        for i, tag in enumerate(new_tags):
                            if tag not in counts["train"]:
                                if split not in unseen.setdefault(tag, []):
                                    unseen[tag].append(split)
                                first_unseen.setdefault(tag, sentence.where or f"{f.path}:{sentence.first_line + i}")
            produced |= {f"text_{split}.txt", f"labels_{split}.txt"} | ({f"docs_{split}.txt"} if documents else set())
            produced |= {f"spans_{split}.jsonl"} if f.annotated else set()
            facts[split] = {"invalid_transitions": invalid, "tags_changed": changed, "entities_merged": merged}
            facts[split] |= {"annotations": f.report()} if f.annotated else {}
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
        elif span_types:  # an annotation format's spans: the span task's types
            with out.open("span_label_ids.csv") as ids:
                ids.writelines(f"{label}\n" for label in [outside, *sorted(span_types)])
            produced.add("span_label_ids.csv")
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
