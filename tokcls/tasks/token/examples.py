"""Read text_*.txt / labels_*.txt: one sentence per line, one label per word."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tokcls.core.errors import InputError
from tokcls.core.input_files import read_text_lines


@dataclass
class Example:
    words: list[str]
    labels: list[str] | None  # None when there is no labels file (inference)


def read_lines(path: Path) -> list[str]:
    return read_text_lines(
        path,
        "check data_dir and the text_file/labels_file keys of training_ds, validation_ds or test_ds",
        "re-create it with token_classification dataset_convert",
    )


def read_examples(text_file: str | Path, labels_file: str | Path | None = None, num_samples: int = -1) -> list[Example]:
    """Sentences of a text file (words split on whitespace), each with its labels when a labels file is given."""
    text_file = Path(text_file)
    texts = read_lines(text_file)
    if labels_file is None:
        examples = [Example(line.split(), None) for line in texts]
    else:
        labels_file = Path(labels_file)
        labels = read_lines(labels_file)
        if len(labels) != len(texts):
            raise InputError(
                f"{len(texts)} lines in {text_file} but {len(labels)} in {labels_file}",
                "the two files must have one line per sentence each; re-create them with dataset_convert",
                labels_file,
            )
        examples = []
        for number, (text, label_line) in enumerate(zip(texts, labels), start=1):
            words, word_labels = text.split(), label_line.split()
            if len(words) != len(word_labels):
                raise InputError(
                    f"{len(words)} words in {text_file} but {len(word_labels)} labels here",
                    "every word needs exactly one label on the same line number of the labels file",
                    labels_file,
                    number,
                )
            examples.append(Example(words, word_labels))
    return examples if num_samples is None or num_samples < 0 else examples[:num_samples]
