import pytest

from conversion.columns import ColumnFormat, Delimiter, read_column_file
from conversion.errors import ConversionError
from tests.conftest import write_columns

SENTENCES = [[("EU", "B-ORG"), ("rejects", "O"), ("#", "O")], [("Peter", "B-PER")]]


def words_and_tags(column_file):
    return [list(zip(s.words, s.tags)) for s in column_file.sentences]


@pytest.mark.parametrize("sep", [" ", "\t", "   ", " \t "])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_separators_line_endings_and_bom(tmp_path, sep, newline, bom):
    path = write_columns(tmp_path / "train.txt", SENTENCES, sep=sep, newline=newline, bom=bom)
    assert words_and_tags(read_column_file(path)) == SENTENCES


def test_blank_and_whitespace_only_lines_between_sentences(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("\n \t\n\nA O\nB O\n\n\n  \n\u3000\nC B-X\n\n\n", encoding="utf-8")
    column_file = read_column_file(path)
    assert words_and_tags(column_file) == [[("A", "O"), ("B", "O")], [("C", "B-X")]]
    assert [s.first_line for s in column_file.sentences] == [4, 10]


def test_docstart_lines_are_dropped_and_mark_documents(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("-DOCSTART- -X- -X- O\n\nA NN B-NP O\n\nB NN B-NP O\n-DOCSTART- -X- -X- O\n\nC NN B-NP B-PER\n")
    column_file = read_column_file(path)
    assert column_file.has_documents
    assert [(s.words, s.document) for s in column_file.sentences] == [(["A"], 1), (["B"], 1), (["C"], 2)]
    assert column_file.sentences[2].tags == ["B-PER"]


def test_token_and_tag_columns_are_configurable(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("Dogs NNS NOUN\nbark VBP VERB\n")
    column_file = read_column_file(path, ColumnFormat(token_column=0, tag_column=1))
    assert words_and_tags(column_file) == [[("Dogs", "NNS"), ("bark", "VBP")]]


def test_encoding_is_configurable(tmp_path):
    path = tmp_path / "train.txt"
    path.write_bytes("café O\n".encode("latin-1"))
    assert read_column_file(path, ColumnFormat(encoding="latin-1")).sentences[0].words == ["café"]


def error_for(path, fmt: ColumnFormat | None = None) -> ConversionError:
    with pytest.raises(ConversionError) as info:
        read_column_file(path, fmt or ColumnFormat())
    return info.value


def test_line_without_tag_column(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("A O\nB O\n\nlonely\n")
    error = error_for(path)
    assert (error.path, error.line) == (str(path), 4)
    assert "columns" in error.problem and error.fix


def test_first_line_without_tag_column(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("lonely\n")
    error = error_for(path)
    assert error.line == 1 and "no tag column" in error.problem


def test_token_with_space_in_tab_separated_file(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("A\tO\nNew York\tB-LOC\n")
    error = error_for(path)
    assert error.line == 2 and "'New York'" in error.problem and "'_'" in error.fix


def test_token_with_space_in_space_separated_file_changes_column_count(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("A O\nNew York B-LOC\n")
    error = error_for(path)
    assert error.line == 2 and "3 columns" in error.problem and "space" in error.fix


def test_token_with_unicode_whitespace(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("A O\nNew\u00a0York B-LOC\n", encoding="utf-8")
    error = error_for(path)
    assert error.line == 2 and "U+00A0" in error.problem


def test_empty_column_in_tab_separated_file(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("A\tx\tO\nB\t\tO\n")
    assert error_for(path, ColumnFormat(tag_column=1)).line == 2


def test_undecodable_bytes_name_the_line(tmp_path):
    path = tmp_path / "train.txt"
    path.write_bytes(b"A O\n\nB O\ncaf\xe9 O\n")
    error = error_for(path)
    assert error.line == 4 and "utf-8" in error.problem and "encoding=" in error.fix


def test_unknown_encoding(tmp_path):
    path = write_columns(tmp_path / "train.txt", SENTENCES)
    assert "unknown encoding" in error_for(path, ColumnFormat(encoding="no-such-codec")).problem


def test_column_index_out_of_range(tmp_path):
    path = write_columns(tmp_path / "train.txt", SENTENCES)
    error = error_for(path, ColumnFormat(tag_column=5))
    assert "tag_column=5" in error.problem and error.line == 1


def test_missing_file(tmp_path):
    assert "not found" in error_for(tmp_path / "nope.txt").problem


def test_explicit_space_delimiter_splits_tabs_too(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("A \tO\n")
    assert words_and_tags(read_column_file(path, ColumnFormat(delimiter=Delimiter.space))) == [[("A", "O")]]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_streamed_reading_is_the_same_whatever_the_chunk_size(tmp_path, monkeypatch, chunk):
    from conversion import columns

    path = tmp_path / "train.txt"
    path.write_bytes("\ufeffÄpfel B-X\r\nsüß O\n\n-DOCSTART- O\n\n日本 B-LOC\nend O".encode("utf-8"))
    monkeypatch.setattr(columns, "CHUNK", chunk)  # multi-byte characters and the BOM split across reads
    column_file = read_column_file(path)
    assert words_and_tags(column_file) == [[("Äpfel", "B-X"), ("süß", "O")], [("日本", "B-LOC"), ("end", "O")]]
    assert [s.first_line for s in column_file.sentences] == [1, 6] and column_file.has_documents


def test_undecodable_bytes_name_their_line_across_chunks(tmp_path, monkeypatch):
    from conversion import columns

    path = tmp_path / "train.txt"
    path.write_bytes(b"A O\nB O\n\nC \xff O\n")
    monkeypatch.setattr(columns, "CHUNK", 4)
    assert error_for(path).line == 4


def test_with_delimiter_space_a_tab_inside_a_token_on_the_first_line_is_blamed_on_it(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("EU\tx B-ORG\nrejects O\n")
    error = error_for(path, ColumnFormat(delimiter=Delimiter.space))
    assert error.line == 1 and "a tab inside a token?" in error.problem
