"""Read CoNLL-style column files: one token per line, a blank line between sentences."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from conversion.errors import ConversionError

DOCSTART = "-DOCSTART-"
_SPACE_RUN = re.compile(r"[ \t]+")
_WHITESPACE = re.compile(r"\s")  # the characters str.isspace() accepts


class Delimiter(str, Enum):
    auto = "auto"  # tab when the file has a tab anywhere, else runs of spaces
    tab = "tab"  # exactly one tab between columns; spaces inside a column are an error
    space = "space"  # any run of spaces and tabs


@dataclass
class Sentence:
    words: list[str]
    tags: list[str]
    first_line: int  # 1-based line of the first word; word i sits on line first_line + i
    document: int  # number of -DOCSTART- lines read before this sentence


@dataclass
class ColumnFile:
    path: Path
    sentences: list[Sentence]
    has_documents: bool


@dataclass(frozen=True)
class ColumnFormat:
    token_column: int = 0
    tag_column: int = -1
    delimiter: Delimiter = Delimiter.auto
    encoding: str = "utf-8"


def _decode(path: Path, encoding: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConversionError("file not found", "check source_data_dir and the split's file name", path) from None
    except OSError as e:
        raise ConversionError(f"cannot read the file ({e.strerror})", "check the path and its permissions", path) from None
    try:
        text = raw.decode(encoding)
    except LookupError:
        raise ConversionError(
            f"unknown encoding {encoding!r}", "set encoding to a Python codec name such as utf-8, latin-1 or cp1252", path
        ) from None
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ConversionError(
            f"bytes {raw[e.start:e.end]!r} are not valid {encoding} ({e.reason})",
            f"re-save the file as {encoding}, or set encoding=<the file's real encoding> (e.g. latin-1, cp1252)",
            path,
            line,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _column_name(index: int) -> str:
    return f"{index} (last)" if index == -1 else str(index)


def _refuse_value(path: Path, number: int, fmt: ColumnFormat, token: str, tag: str) -> None:
    for what, index, value in (("token", fmt.token_column, token), ("tag", fmt.tag_column, tag)):
        if not value:
            raise ConversionError(
                f"the {what} column ({_column_name(index)}) is empty",
                "remove the stray separator or fill in the value",
                path,
                number,
            )
        bad = _WHITESPACE.search(value)
        if bad:
            raise ConversionError(
                f"{what} {value!r} contains whitespace U+{ord(bad.group()):04X}; words are separated by spaces "
                "in the output, so it would split into several words",
                f"replace the whitespace inside the {what} with '_' or split it into one {what} per line",
                path,
                number,
            )


def read_column_file(path: str | Path, fmt: ColumnFormat = ColumnFormat()) -> ColumnFile:
    """All sentences of one file; raises ConversionError naming the file and line of any bad line."""
    path = Path(path)
    # split("\n"), not splitlines(): tokens may legitimately hold U+2028, U+0085 and friends.
    lines = _decode(path, fmt.encoding).split("\n")
    delimiter = Delimiter(fmt.delimiter)
    first_tab = next((n for n, line in enumerate(lines, start=1) if "\t" in line.strip()), None)
    chose_tab = delimiter is Delimiter.auto and first_tab is not None
    if delimiter is Delimiter.auto:
        delimiter = Delimiter.tab if first_tab is not None else Delimiter.space

    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    first_line = 0
    documents = 0
    n_columns: int | None = None

    def end_sentence() -> None:
        nonlocal words, tags
        if words:
            sentences.append(Sentence(words, tags, first_line, documents))
            words, tags = [], []

    for number, line in enumerate(lines, start=1):
        if not line.strip():  # blank or whitespace-only: sentence boundary
            end_sentence()
            continue
        if chose_tab and "\t" not in line.strip() and " " in line.strip():
            raise ConversionError(
                f"line has no tab, but line {first_tab} has one, so the file was read as tab-separated (delimiter=auto)",
                "set delimiter=space if the columns are separated by spaces (and remove the stray tab), "
                "or separate every column with a tab",
                path,
                number,
            )
        if delimiter is Delimiter.tab:
            fields = [field.strip(" \r") for field in line.strip(" \t\r").split("\t")]
        else:
            fields = _SPACE_RUN.split(line.strip(" \t\r"))
        if fields[0] == DOCSTART:
            end_sentence()
            documents += 1
            continue
        if n_columns is None:
            n_columns = len(fields)
            if n_columns < 2:
                raise ConversionError(
                    f"line has a single column {fields[0]!r}: there is no tag column",
                    "every token line needs a token and a tag separated by a space or a tab",
                    path,
                    number,
                )
            for key, index in (("token_column", fmt.token_column), ("tag_column", fmt.tag_column)):
                if not -n_columns <= index < n_columns:
                    raise ConversionError(
                        f"{key}={index} but lines have {n_columns} columns",
                        f"set {key} to a value from 0 to {n_columns - 1} (or -1 for the last column)",
                        path,
                        number,
                    )
        elif len(fields) != n_columns:
            hint = (
                "a token or tag containing a space? replace spaces inside tokens with '_', or use tab-separated columns"
                if len(fields) > n_columns
                else "is the tag column missing on this line? every token line needs the same columns"
            )
            raise ConversionError(
                f"line has {len(fields)} columns, the file's first token line has {n_columns}", hint, path, number
            )
        token, tag = fields[fmt.token_column], fields[fmt.tag_column]
        if not token or not tag or _WHITESPACE.search(token) or _WHITESPACE.search(tag):
            _refuse_value(path, number, fmt, token, tag)
        if not words:
            first_line = number
        words.append(token)
        tags.append(tag)
    end_sentence()
    return ColumnFile(path, sentences, documents > 0)
