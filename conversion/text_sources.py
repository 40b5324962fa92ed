"""Readers of labelled texts for text_classification dataset_convert: TSV/CSV, JSON Lines, a folder per class.

Each reader yields Row(text, text_b, label, line): the fields as found, with the line (or file) they came
from, so that every later complaint names its place. Nothing is normalised or checked here but the
file's own structure (a missing column, a broken JSON line, bytes that are not in the encoding).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Union

from conversion.errors import ConversionError
from tokcls.core.input_files import open_regular

SOURCE_FIX = "check source_data_dir and the split's file name"

Label = Union[str, list, float, int, None]


@dataclass
class Row:
    text: object
    text_b: object
    label: Label
    where: str  # file:line, or the file of a folder-per-class text


def _column(spec: Optional[str], header: Optional[list[str]], path: Path, key: str) -> Optional[int]:
    """A column given by name (needs a header) or by 0-based index."""
    if spec is None:
        return None
    spec = str(spec)
    if spec.lstrip("-").isdigit():
        return int(spec)
    if header is None:
        raise ConversionError(
            f"{key}={spec!r} names a column, but the file is read without a header",
            f"set header=true, or give {key} as a 0-based column index",
            path,
            1,
        )
    if spec not in header:
        raise ConversionError(
            f"no column {spec!r} in the header ({', '.join(header)})",
            f"set {key} to one of the header's names, or to a 0-based index",
            path,
            1,
        )
    return header.index(spec)


def _has_names(*specs) -> bool:
    return any(s is not None and not str(s).lstrip("-").isdigit() for s in specs)


def read_delimited(path: Path, delimiter: str, header: Optional[bool], columns: tuple, encoding: str) -> Iterator[Row]:
    """TSV or CSV with the csv module's quoting ("a, b" holds its comma; "" is a quote)."""
    text_col, text_b_col, label_col = columns
    with_header = _has_names(*columns) if header is None else header
    # newline="": the csv module then keeps line breaks inside quoted fields, as RFC 4180 says.
    with io.TextIOWrapper(open_regular(path, "source file", SOURCE_FIX), encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        try:
            names = next(reader) if with_header else None
            if names is not None:
                names = [n.lstrip("\ufeff").strip() for n in names]
            index = [
                _column(c, names, path, k) for c, k in zip(columns, ("text_column", "text_b_column", "label_column"))
            ]
            for fields in reader:
                line = reader.line_num
                if not fields or fields == [""]:
                    continue  # a blank line separates nothing in these files
                needed = max(i for i in index if i is not None)
                if needed >= len(fields) or any(i is not None and i < -len(fields) for i in index):
                    raise ConversionError(
                        f"{len(fields)} column(s), but column {needed} is needed",
                        "every row needs the text and label columns; check delimiter, quoting and "
                        "text_column/label_column",
                        path,
                        line,
                    )
                yield Row(
                    fields[index[0]],
                    fields[index[1]] if index[1] is not None else None,
                    fields[index[2]],
                    f"{path}:{line}",
                )
        except csv.Error as e:
            raise ConversionError(
                f"not readable as {'TSV' if delimiter == chr(9) else 'CSV'} ({e})",
                "check the quoting: a field with the delimiter or a line break inside must be "
                "quoted, and a quote inside a quoted field doubled",
                path,
                reader.line_num,
            ) from None
        except UnicodeDecodeError as e:
            raise ConversionError(
                f"not valid {encoding} ({e.reason})", "set encoding to the file's encoding", path
            ) from None


def read_jsonl(path: Path, columns: tuple, encoding: str) -> Iterator[Row]:
    """One JSON object a line; fields chosen by name."""
    text_key, text_b_key, label_key = (str(c) if c is not None else None for c in columns)
    with open_regular(path, "source file", SOURCE_FIX) as f:
        for line, raw in enumerate(f, start=1):
            try:
                decoded = raw.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as e:
                raise ConversionError(
                    f"not valid {encoding} ({e.reason})", "set encoding to the file's encoding", path, line
                ) from None
            if not decoded.strip():
                continue
            try:
                record = json.loads(decoded)
            except json.JSONDecodeError as e:
                raise ConversionError(
                    f"not a JSON object ({e.msg})", "write one JSON object per line", path, line
                ) from None
            if not isinstance(record, dict):
                raise ConversionError("not a JSON object", "write one JSON object per line", path, line)
            for key in (text_key, text_b_key, label_key):
                if key is not None and key not in record:
                    raise ConversionError(
                        f"no field {key!r} (fields: {', '.join(record)})",
                        "set text_column / text_b_column / label_column to the field names",
                        path,
                        line,
                    )
            yield Row(record[text_key], record[text_b_key] if text_b_key else None, record[label_key], f"{path}:{line}")


def read_folder(path: Path, encoding: str) -> Iterator[Row]:
    """<split>/<label>/<any file>: each file one text, labelled by its folder's name."""
    classes = sorted(p for p in path.iterdir() if p.is_dir())
    if not classes:
        raise ConversionError("no class folders", "put the texts of each class in a folder named after the class", path)
    for folder in classes:
        for file in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            try:
                text = file.read_bytes().decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as e:
                raise ConversionError(
                    f"not valid {encoding} ({e.reason})", "set encoding to the files' encoding", file
                ) from None
            yield Row(text, None, folder.name, str(file))


FORMATS = {".tsv": "tsv", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".txt": "tsv"}


def find_source(folder: Path, name: str) -> Optional[Path]:
    """The split's source: the exact name, or the name with a known extension, or a folder of that name."""
    exact = folder / name
    if exact.exists():
        return exact
    for extension in FORMATS:
        candidate = folder / f"{name}{extension}"
        if candidate.exists() and not candidate.is_dir():  # a device or FIFO too: the reader refuses it by name
            return candidate
    return None


def source_format(path: Path, wanted: str) -> str:
    if wanted != "auto":
        return wanted
    if path.is_dir():
        return "folder"
    if path.suffix.lower() in (".json", ".jsonl") and path.is_file():
        with path.open("rb") as f:
            head = f.read(4096).decode("utf-8-sig", errors="replace").lstrip()
        if head.startswith("["):
            return "label_studio"
        if head.startswith("{") and '"answer"' in head.splitlines()[0]:
            return "prodigy"
    if path.suffix.lower() not in FORMATS:
        raise ConversionError(
            f"cannot tell the format from the extension {path.suffix!r}",
            "set format to tsv, csv, jsonl or folder",
            path,
        )
    return FORMATS[path.suffix.lower()]


def read_rows(path: Path, fmt: str, header: Optional[bool], columns: tuple, encoding: str) -> Iterator[Row]:
    if fmt in ("label_studio", "prodigy"):
        from conversion.annotations import text_labels

        reader = text_labels.label_studio_choices if fmt == "label_studio" else text_labels.prodigy_choices
        key = None if columns[0] in (None, "text") else str(columns[0])
        return (Row(text, None, label, where) for text, label, where in reader(path, key))
    if fmt == "folder":
        if not path.is_dir():
            raise ConversionError(
                "format=folder needs a folder of class folders", "set format to the file's format", path
            )
        return read_folder(path, encoding)
    if path.is_dir():
        raise ConversionError(
            f"a folder, but format={fmt}", "set format=folder (one folder per class), or name a file", path
        )
    if fmt == "jsonl":
        return read_jsonl(path, columns, encoding)
    return read_delimited(path, "\t" if fmt == "tsv" else ",", header, columns, encoding)
