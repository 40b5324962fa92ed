"""text_classification dataset_convert: TSV/CSV/JSON Lines/class folders -> NeMo's text-classification format.

Written per split: `<split>.tsv`, one example a line, `text<TAB>label` (pairs: `text_a<TAB>text_b<TAB>label`),
the label being its id in label_ids.csv (multi-label: ids joined by commas; regression: the value);
plus label_ids.csv (one label a line, id = line number from 0) and dataset_stats.json. Every row is
read and checked before anything is written; outputs appear together or not at all.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Callable, Optional

from conversion.errors import ConversionError
from conversion.stats import label_counts, length_stats
from conversion.text_sources import Row, find_source, read_rows, source_format
from tokcls.core.atomic import atomic_files
from tokcls.core.errors import MISSING

# Characters that would end a field or a line of the written format (and what str.splitlines splits on):
# each becomes one space, so no text is cut and the columns stay aligned.
BREAKS = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TO_SPACE = str.maketrans({c: " " for c in BREAKS})


class ProblemType(str, Enum):
    """Hugging Face's names for the three kinds of labels (config.problem_type)."""

    single_label_classification = "single_label_classification"
    multi_label_classification = "multi_label_classification"
    regression = "regression"


class TextFormat(str, Enum):
    auto = "auto"
    tsv = "tsv"
    csv = "csv"
    jsonl = "jsonl"
    folder = "folder"
    label_studio = "label_studio"
    prodigy = "prodigy"


def _help(text: str) -> dict:
    return {"help": text}


@dataclass
class TextConvertOptions:
    """text_classification dataset_convert -e specs/text_classification/dataset_convert.yaml source_data_dir=SRC target_data_dir=DST"""

    source_data_dir: str = field(default=MISSING, metadata=_help("Folder holding the labelled texts of each split."))
    target_data_dir: str = field(
        default=MISSING,
        metadata=_help(
            "Folder to write {split}.tsv, label_ids.csv and dataset_stats.json into (outputs appear only when the whole "
            "conversion succeeded)."
        ),
    )
    train_file: str = field(
        default="train",
        metadata=_help(
            "The training split in source_data_dir: a file name, a name without its extension (train.tsv, train.csv, "
            "train.jsonl are found), or a folder with one folder of texts per class (required)."
        ),
    )
    dev_file: str = field(default="dev", metadata=_help("The development split, found like train_file (required)."))
    test_file: Optional[str] = field(
        default="test", metadata=_help("The test split; skipped when absent, or set it to null.")
    )
    format: TextFormat = field(
        default=TextFormat.auto,
        metadata=_help(
            "auto (from the extension: .tsv/.txt tab-separated, .csv comma-separated, .jsonl/.json JSON Lines, a .json "
            "list Label Studio, JSON Lines with Prodigy's answer field Prodigy; a folder: one folder per class, each file "
            "a text), tsv, csv, jsonl, folder, label_studio (its JSON export: choices) or prodigy (accept sessions)."
        ),
    )
    header: Optional[bool] = field(
        default=None,
        metadata=_help("TSV/CSV: whether the first row names the columns; null: true when a column is given by name."),
    )
    text_column: str = field(
        default="text", metadata=_help("The text: a column name (header or JSON field) or a 0-based index.")
    )
    text_b_column: Optional[str] = field(
        default=None,
        metadata=_help("The second text of a sentence pair (encoded as text [SEP] text_b); null: single texts."),
    )
    label_column: str = field(default="label", metadata=_help("The label: a column name or a 0-based index."))
    problem_type: ProblemType = field(
        default=ProblemType.single_label_classification,
        metadata=_help(
            "single_label_classification (one class per text), multi_label_classification (any number of labels per "
            "text: a JSON list, or names joined by label_separator) or regression (a number per text)."
        ),
    )
    label_separator: str = field(
        default=",", metadata=_help("Multi-label: what separates the labels of one text in a text column.")
    )
    encoding: str = field(
        default="utf-8",
        metadata=_help("Text encoding of the input (a Python codec name); a UTF-8 byte-order mark is removed."),
    )
    allow_unseen_labels: bool = field(
        default=False,
        metadata=_help(
            "Dev/test labels absent from train stop the conversion with a list of them; true adds them to label_ids.csv."
        ),
    )
    stats_tokenizer: Optional[str] = field(
        default="sentence-transformers/all-MiniLM-L6-v2",
        metadata=_help(
            "The encoder whose tokenizer measures text lengths in sub-tokens for the statistics (what max_seq_length "
            "counts); null: lengths in words only."
        ),
    )


@dataclass
class TextRecord:
    text: str
    text_b: Optional[str]
    labels: list[str]  # one for single-label, any number for multi-label, none for regression
    value: Optional[float]  # regression


def _text(value, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConversionError(f"{key} is {type(value).__name__}, not text", f"give {key} as a string", where)
    text = value.translate(_TO_SPACE).strip()
    if not text:
        raise ConversionError(f"empty {key}", "remove the row, or give it its text", where)
    return text


def _labels(value, problem: str, separator: str, where: str) -> tuple[list[str], Optional[float]]:
    if problem == "regression":
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if isinstance(value, bool) or not math.isfinite(number):
            raise ConversionError(
                f"label {value!r} is not a finite number", "regression needs a number per text", where
            )
        return [], number
    if problem == "multi_label_classification":
        names = value if isinstance(value, list) else str(value).split(separator) if str(value).strip() else []
    else:
        if isinstance(value, (list, dict)) or value is None:
            raise ConversionError(
                f"label {value!r} is not one class name",
                "single-label data needs one label per text (problem_type=multi_label_classification for lists)",
                where,
            )
        names = [value]
    result = []
    for name in names:
        name = str(name).strip()
        if not name or any(c.isspace() for c in name) or "," in name:
            raise ConversionError(
                f"label {name!r} is empty or holds whitespace or a comma",
                "use label names without spaces or commas",
                where,
            )
        result.append(name)
    return result, None


def _read_split(options: TextConvertOptions, name: str) -> tuple[Path, list[TextRecord]]:
    source = Path(options.source_data_dir)
    path = find_source(source, name)
    if path is None:
        raise ConversionError(
            f"no split {name!r} (looked for {name}, {name}.tsv/.csv/.jsonl/.json/.txt and a folder)",
            "set train_file / dev_file / test_file to the files in source_data_dir",
            source,
        )
    fmt = source_format(path, getattr(options.format, "value", options.format))
    columns = (options.text_column, options.text_b_column, options.label_column)
    problem = getattr(options.problem_type, "value", options.problem_type)
    records = []
    for row in read_rows(path, fmt, options.header, columns, options.encoding):
        records.append(_record(row, problem, options.label_separator))
    if not records:
        raise ConversionError("no examples", "check the file and the column options", path)
    return path, records


def _record(row: Row, problem: str, separator: str) -> TextRecord:
    text = _text(row.text, row.where, "text")
    text_b = _text(row.text_b, row.where, "text_b") if row.text_b is not None else None
    labels, value = _labels(row.label, problem, separator, row.where)
    return TextRecord(text, text_b, labels, value)


def convert_texts(
    options: TextConvertOptions, subtoken_lengths: Optional[Callable[[list[str]], list[int]]] = None
) -> dict:
    """Convert every split; returns the statistics also written to dataset_stats.json. `subtoken_lengths`
    (texts -> sub-tokens each) adds length percentiles in the encoder's sub-tokens."""
    for key in ("source_data_dir", "target_data_dir"):
        if getattr(options, key) in (None, MISSING, ""):
            raise ConversionError(f"{key} is required", f"pass {key}=<directory> on the command line or in the spec")
    if not options.label_separator:
        raise ConversionError(
            "label_separator is empty: the labels of a text cannot be separated by nothing",
            "set label_separator to a character such as ',' or '|'",
        )
    names = {"train": options.train_file, "dev": options.dev_file}
    if options.test_file and find_source(Path(options.source_data_dir), options.test_file) is not None:
        names["test"] = options.test_file
    splits = {split: _read_split(options, name) for split, name in names.items()}
    problem = getattr(options.problem_type, "value", options.problem_type)
    counts = {split: Counter(label for r in records for label in r.labels) for split, (_, records) in splits.items()}
    unseen = {
        label: [s for s in counts if label in counts[s]]
        for s in counts
        for label in counts[s]
        if label not in counts["train"]
    }
    if unseen and not options.allow_unseen_labels:
        listed = ", ".join(f"{label} ({', '.join(where)})" for label, where in sorted(unseen.items()))
        raise ConversionError(
            f"labels absent from the training split: {listed}",
            "fix the labels, or set allow_unseen_labels=true to add them to label_ids.csv",
            Path(options.source_data_dir),
        )
    labels = sorted(set().union(*counts.values()))
    if problem == "single_label_classification" and len(labels) < 2:
        raise ConversionError(
            f"only {len(labels)} class(es) in the data",
            "a classifier needs at least two classes",
            Path(options.source_data_dir),
        )
    stats = {
        "source_data_dir": str(Path(options.source_data_dir).resolve()),
        "problem_type": problem,
        "labels": labels,
        "pairs": options.text_b_column is not None,
        "unseen_labels": unseen,
        "splits": {},
    }
    for split, (path, records) in splits.items():
        texts = [r.text if r.text_b is None else f"{r.text} {r.text_b}" for r in records]
        entry = {
            "source": path.name,
            "rows": len(records),
            "length_words": length_stats([len(t.split()) for t in texts]),
            "labels": label_counts(counts[split], labels) if labels else {},
        }
        if subtoken_lengths is not None:
            entry["length_subtokens"] = length_stats(subtoken_lengths(texts))
        if problem == "regression":
            values = sorted(r.value for r in records)
            entry["values"] = {"min": values[0], "max": values[-1], "mean": round(sum(values) / len(values), 4)}
        stats["splits"][split] = entry
    _write(Path(options.target_data_dir), splits, labels, problem, stats)
    return stats


def _label_field(record: TextRecord, index: dict[str, int], problem: str) -> str:
    if problem == "regression":
        return repr(record.value)
    return ",".join(str(index[label]) for label in record.labels)


def _write(target: Path, splits: dict, labels: list[str], problem: str, stats: dict) -> None:
    index = {label: i for i, label in enumerate(labels)}
    with atomic_files(target) as out:
        for split, (_, records) in splits.items():
            with out.open(f"{split}.tsv") as f:
                for r in records:
                    texts = r.text if r.text_b is None else f"{r.text}\t{r.text_b}"
                    f.write(f"{texts}\t{_label_field(r, index, problem)}\n")
        if labels:  # regression has none
            with out.open("label_ids.csv") as f:
                f.writelines(f"{label}\n" for label in labels)
        with out.open("dataset_stats.json") as f:
            json.dump(stats, f, indent=2, ensure_ascii=False)
            f.write("\n")
    for split in ("train", "dev", "test"):  # an earlier conversion's split this data lacks would be read as its own
        if split not in splits:
            (target / f"{split}.tsv").unlink(missing_ok=True)
    if not labels:
        (target / "label_ids.csv").unlink(missing_ok=True)


def format_text_stats(stats: dict) -> str:
    lines = [
        f"Problem type: {stats['problem_type']}{' (sentence pairs)' if stats['pairs'] else ''}",
        f"Labels: {len(stats['labels'])} in label_ids.csv",
    ]
    for split, s in stats["splits"].items():
        lines += [
            "",
            f"[{split}] {s['source']}: {s['rows']:,} texts",
            "  length in words: " + "  ".join(f"{k} {v:g}" for k, v in s["length_words"].items()),
        ]
        if "length_subtokens" in s:
            lines.append("  length in sub-tokens: " + "  ".join(f"{k} {v:g}" for k, v in s["length_subtokens"].items()))
        if "values" in s:
            lines.append("  values: " + "  ".join(f"{k} {v:g}" for k, v in s["values"].items()))
        for label, c in sorted(s["labels"].items(), key=lambda item: -item[1]["count"])[:25]:
            lines.append(f"    {label:<20}  {c['count']:>8,}  {c['percent']:6.2f}%")
    return "\n".join(lines)
