"""Property tests of the text/labels reader on arbitrary input: every word comes back, or a clear error."""

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tokcls.core.errors import InputError
from tokcls.tasks.token.examples import read_examples

# Lines of any characters but \n (the line separator), \r and whitespace of every kind included.
lines = st.lists(st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",))), max_size=8)


def write(directory: Path, name: str, content: bytes) -> Path:
    path = directory / name
    path.write_bytes(content)
    return path


@given(text_lines=lines, label_lines=st.one_of(st.none(), lines), newline=st.sampled_from(["\n", "\r\n"]))
def test_every_word_comes_back_with_its_label_or_the_error_names_the_file(text_lines, label_lines, newline):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        text_file = write(tmp, "text.txt", "".join(line + newline for line in text_lines).encode())
        labels_file = (
            None
            if label_lines is None
            else write(tmp, "labels.txt", "".join(lab + newline for lab in label_lines).encode())
        )
        try:
            examples = read_examples(text_file, labels_file)
        except InputError as e:
            assert labels_file is not None and str(labels_file) in str(e)
            counts = (
                [len(t.rstrip("\r").split()) for t in text_lines],
                [len(lab.rstrip("\r").split()) for lab in label_lines],
            )
            assert len(text_lines) != len(label_lines) or counts[0] != counts[1]
            return
        assert len(examples) == len(text_lines)
        for example, line in zip(examples, text_lines):
            assert example.words == line.split()  # every non-space character, in order, none dropped
            assert "".join(example.words) == "".join(c for c in line if not c.isspace())
            if labels_file is not None:
                assert len(example.labels) == len(example.words)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_read_or_refused_as_not_utf8(content):
    with tempfile.TemporaryDirectory() as tmp:
        text_file = write(Path(tmp), "text.txt", content)
        try:
            examples = read_examples(text_file)
        except InputError as e:
            assert "not valid UTF-8" in str(e) and str(text_file) in str(e)
            return
        assert sum(len(e.words) for e in examples) == len(content.decode("utf-8").split())
