"""The document of each sentence of a split: data_dir/docs_<split>.txt beside text_<split>.txt, one document id a line
(dataset_convert writes it from -DOCSTART- lines). What a task packs into one unit with it is the task's (pack)."""

from __future__ import annotations

from pathlib import Path

from tokcls.core.errors import InputError
from tokcls.core.input_files import decode_utf8, read_bytes


def docs_file(text_file: Path) -> Path:
    """text_<split>.txt -> docs_<split>.txt beside it (written by dataset_convert from -DOCSTART- lines)."""
    return text_file.with_name("docs_" + text_file.name.removeprefix("text_"))


def read_documents(path: Path, count: int) -> list[str] | None:
    """The document of each of the first `count` sentences, or None when there is no docs file."""
    if not path.is_file():
        return None
    fix = "re-create it with dataset_convert, or set model.dataset.context=sentence"
    documents = decode_utf8(read_bytes(path, "documents file", fix), path, fix).split("\n")[:count]
    if len(documents) < count:
        raise InputError(
            f"{len(documents)} document ids for {count} sentences",
            f"re-create {path.name} with dataset_convert, or set model.dataset.context=sentence",
            path,
        )
    return documents
