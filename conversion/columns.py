"""Read CoNLL-style column files: one token per line, a blank line between sentences."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterator

from conversion.errors import ConversionError
from tokcls.core.errors import InputError
from tokcls.core.input_files import open_regular

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
    first_line: int  # 1-based line of the first word; word i sits on line first_line + i (columns), the record's number
    document: int  # number of -DOCSTART- lines read before this sentence; an annotation record's document number
    where: str | None = None  # an annotation record's "FILE, line N" / "FILE, task N" (conversion/annotations/)
    spans: list | None = None  # an annotation record's word spans, overlapping ones included (the span task's file)


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


CHUNK = 1 << 20  # bytes decoded at a time: a file of any size is read in constant memory


def iter_lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """(number, line) of a text file, split on \\n only (tokens may hold U+2028, U+0085 and friends), streamed; a
    UTF-8 byte-order mark is removed. Undecodable bytes are an error naming the line."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise ConversionError(
            f"unknown encoding {encoding!r}",
            "set encoding to a Python codec name such as utf-8, latin-1 or cp1252",
            path,
        ) from None
    number, rest, first = 0, "", True
    try:
        f = open_regular(path, "file", "check source_data_dir and the split's file name")
    except ConversionError:
        raise
    except InputError as e:  # not found, a folder, a FIFO or a device: the converter's own error type
        raise ConversionError(e.problem, e.fix, e.path, e.line) from None
    except OSError as e:
        raise ConversionError(
            f"cannot read the file ({e.strerror})", "check the path and its permissions", path
        ) from None
    with f:
        while True:
            chunk = f.read(CHUNK)
            final = not chunk
            try:
                text = rest + decoder.decode(chunk, final=final)
            except UnicodeDecodeError as e:
                # the lines yielded, then the line breaks before the bad bytes in what the decoder was given
                line = number + e.object.count(b"\n", 0, max(e.start, 0)) + 1
                raise ConversionError(
                    f"bytes {e.object[e.start : e.end]!r} are not valid {encoding} ({e.reason})",
                    f"re-save the file as {encoding}, or set encoding=<the file's real encoding> (e.g. latin-1, cp1252)",
                    path,
                    line,
                ) from None
            if first and text:
                text, first = text.removeprefix("\ufeff"), False
            lines = text.split("\n")
            rest = lines.pop()  # the line still being read (at the end: the last line, if it has no \\n)
            if final and rest:
                lines.append(rest)
            for line in lines:
                number += 1
                yield number, line
            if final:
                return


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


def first_tab_line(path: Path, encoding: str) -> int | None:
    """The first line with a tab between its columns (delimiter=auto reads the file as tab-separated then)."""
    return next((n for n, line in iter_lines(path, encoding) if "\t" in line.strip()), None)


def iter_sentences(path: str | Path, fmt: ColumnFormat = ColumnFormat()) -> Iterator[Sentence]:
    """The sentences of one file, streamed (a file of any size in constant memory); raises ConversionError naming the
    file and line of any bad line."""
    path = Path(path)
    delimiter = Delimiter(fmt.delimiter)
    first_tab = first_tab_line(path, fmt.encoding) if delimiter is Delimiter.auto else None
    chose_tab = delimiter is Delimiter.auto and first_tab is not None
    if delimiter is Delimiter.auto:
        delimiter = Delimiter.tab if first_tab is not None else Delimiter.space

    words: list[str] = []
    tags: list[str] = []
    first_line = 0
    documents = 0
    n_columns: int | None = None
    count_line = (0, "")  # the line that set n_columns

    for number, line in iter_lines(path, fmt.encoding):
        if not line.strip():  # blank or whitespace-only: sentence boundary
            if words:
                yield Sentence(words, tags, first_line, documents)
                words, tags = [], []
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
            if words:
                yield Sentence(words, tags, first_line, documents)
                words, tags = [], []
            documents += 1
            continue
        if n_columns is None:
            n_columns, count_line = len(fields), (number, line)
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
            first_number, first_text = count_line
            if delimiter is Delimiter.space and "\t" in first_text.strip() and "\t" not in line.strip():
                raise ConversionError(  # the line that set the column count is the odd one: blame it, not this one
                    f"line has {n_columns} columns where line {number} has {len(fields)}: a tab inside a token? "
                    "(delimiter=space splits at tabs too)",
                    "remove the tab from the token, or set delimiter=tab if the columns are tab-separated",
                    path,
                    first_number,
                )
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
    if words:
        yield Sentence(words, tags, first_line, documents)


def read_column_file(path: str | Path, fmt: ColumnFormat = ColumnFormat()) -> ColumnFile:
    """All sentences of one file, in memory (small files; dataset_convert streams with iter_sentences)."""
    sentences = list(iter_sentences(path, fmt))
    return ColumnFile(Path(path), sentences, any(s.document > 0 for s in sentences))
