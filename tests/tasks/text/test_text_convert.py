"""text_classification dataset_convert: every source format, the written format, and errors that name file:line."""

import json

import pytest

from conversion.errors import ConversionError
from conversion.text_dataset import ProblemType, TextConvertOptions, convert_texts
from tests.tasks.text.data import CONVERT_OPTIONS, write_source
from tokcls.cli import text_main


def options(src, dst, **kw):
    return TextConvertOptions(source_data_dir=str(src), target_data_dir=str(dst), stats_tokenizer=None, **kw)


def test_tsv_with_header_by_column_name(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "train.tsv").write_text("id\tsentence\tlabel\n1\tgood film\tpos\n2\tbad film\tneg\n")
    (tmp_path / "s" / "dev.tsv").write_text("id\tsentence\tlabel\n3\tfine film\tpos\n")
    stats = convert_texts(options(tmp_path / "s", tmp_path / "d", text_column="sentence"))
    assert (tmp_path / "d" / "label_ids.csv").read_text() == "neg\npos\n"
    assert (tmp_path / "d" / "train.tsv").read_text() == "good film\t1\nbad film\t0\n"
    assert stats["splits"]["train"]["rows"] == 2 and stats["splits"]["dev"]["labels"]["pos"]["count"] == 1


def test_csv_quoting_columns_by_index_and_breaks_normalised(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "train.csv").write_text('spam,"win, now\nclick\there"\nham,"see you ""soon"""\n')
    (tmp_path / "s" / "dev.csv").write_text("ham,ok\n")
    convert_texts(options(tmp_path / "s", tmp_path / "d", text_column="1", label_column="0"))
    # the comma and the quotes kept, the line break and the tab each one space: nothing dropped
    assert (tmp_path / "d" / "train.tsv").read_text() == 'win, now click here\t1\nsee you "soon"\t0\n'


def test_jsonl_multi_label_and_folder_per_class(tmp_path):
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "train.jsonl").write_text('{"t": "a b", "y": ["x", "z"]}\n{"t": "c", "y": []}\n')
    (tmp_path / "j" / "dev.jsonl").write_text('{"t": "d", "y": ["z"]}\n')
    convert_texts(
        options(
            tmp_path / "j",
            tmp_path / "d1",
            text_column="t",
            label_column="y",
            problem_type=ProblemType.multi_label_classification,
        )
    )
    assert (tmp_path / "d1" / "train.tsv").read_text() == "a b\t0,1\nc\t\n"
    for split in ("train", "dev"):
        for label, text in (("pos", "nice\r\nday"), ("neg", "awful")):
            (tmp_path / "f" / split / label).mkdir(parents=True, exist_ok=True)
            (tmp_path / "f" / split / label / "1.txt").write_text(text)
    convert_texts(options(tmp_path / "f", tmp_path / "d2"))
    assert (tmp_path / "d2" / "train.tsv").read_text() == "awful\t0\nnice  day\t1\n"


@pytest.mark.parametrize(
    "content, where, words",
    [
        ("sentence\tlabel\nfine\tpos\n\tneg\n", 3, "empty text"),
        ("sentence\tlabel\nfine\n", 2, "column"),
        ("sentence\tlabel\nfine\tpos\nbad\tneg with space\n", 3, "whitespace"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(tmp_path, content, where, words):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "train.tsv").write_text(content)
    (tmp_path / "s" / "dev.tsv").write_text("sentence\tlabel\nok\tpos\n")
    with pytest.raises(ConversionError) as error:
        convert_texts(options(tmp_path / "s", tmp_path / "d", text_column="sentence"))
    assert f"train.tsv:{where}:" in str(error.value) and words in str(error.value) and "fix:" in str(error.value)
    assert not (tmp_path / "d").exists() or not any((tmp_path / "d").iterdir())


def test_broken_json_unseen_labels_and_non_numbers_are_refused(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "train.jsonl").write_text('{"text": "a", "label": "x"}\n{"text": "b", "label": "y"}\n{"text": \n')
    (tmp_path / "s" / "dev.jsonl").write_text('{"text": "a", "label": "x"}\n')
    with pytest.raises(ConversionError, match=r"train.jsonl:3: not a JSON object"):
        convert_texts(options(tmp_path / "s", tmp_path / "d"))
    (tmp_path / "s" / "train.jsonl").write_text('{"text": "a", "label": "x"}\n{"text": "b", "label": "y"}\n')
    (tmp_path / "s" / "dev.jsonl").write_text('{"text": "a", "label": "w"}\n')
    with pytest.raises(ConversionError, match=r"absent from the training split: w \(dev\)"):
        convert_texts(options(tmp_path / "s", tmp_path / "d"))
    (tmp_path / "s" / "train.jsonl").write_text('{"text": "a", "label": 1.5}\n{"text": "b", "label": "-2"}\n')
    (tmp_path / "s" / "dev.jsonl").write_text('{"text": "a", "label": "nan"}\n')
    with pytest.raises(ConversionError, match=r"dev.jsonl:1: label 'nan' is not a finite number"):
        convert_texts(options(tmp_path / "s", tmp_path / "d", problem_type=ProblemType.regression))


@pytest.mark.parametrize("kind", ["single", "pairs", "multi", "regression"])
def test_the_command_converts_each_kind_with_subtoken_statistics(tmp_path, kind):
    write_source(tmp_path / "src", kind)
    assert (
        text_main(
            [
                "dataset_convert",
                "-r",
                str(tmp_path / "log"),
                f"source_data_dir={tmp_path / 'src'}",
                f"target_data_dir={tmp_path / 'd'}",
                "stats_tokenizer=splade-tiny",
                *CONVERT_OPTIONS[kind],
            ]
        )
        == 0
    )
    stats = json.loads((tmp_path / "d" / "dataset_stats.json").read_text())
    assert stats["splits"]["train"]["rows"] == 90 and "length_subtokens" in stats["splits"]["train"]
    fields = (tmp_path / "d" / "train.tsv").read_text().splitlines()[0].split("\t")
    assert len(fields) == (3 if kind == "pairs" else 2)
    assert (tmp_path / "d" / "label_ids.csv").exists() == (kind != "regression")
