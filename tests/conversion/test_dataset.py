import json
from pathlib import Path

import pytest

from conversion import dataset as dataset_module
from conversion.dataset import ConvertOptions, convert
from conversion.errors import ConversionError
from tests.conftest import write_columns

TRAIN = [
    [("EU", "B-ORG"), ("rejects", "O"), ("German", "B-MISC"), ("call", "O")],
    [("Peter", "B-PER"), ("Blackburn", "I-PER")],
    [("BRUSSELS", "B-LOC"), ("1996-08-22", "O")],
]
DEV = [[("Germany", "B-LOC"), ("'s", "O"), ("Werner", "B-PER")]]
TEST = [[("#", "O"), ("Smith", "I-PER")]]  # '#' is a word; I-PER after O is an IOB2 slip


def make_source(root: Path, train=TRAIN, dev=DEV, test=TEST) -> Path:
    source = root / "src"
    write_columns(source / "train.txt", train)
    write_columns(source / "dev.txt", dev)
    if test is not None:
        write_columns(source / "test.txt", test)
    return source


def run(tmp_path, source=None, **options):
    source = source or make_source(tmp_path)
    return convert(ConvertOptions(source_data_dir=str(source), target_data_dir=str(tmp_path / "out"), **options))


def read_split(out: Path, split: str):
    texts = (out / f"text_{split}.txt").read_text(encoding="utf-8").splitlines()
    labels = (out / f"labels_{split}.txt").read_text(encoding="utf-8").splitlines()
    return [list(zip(t.split(" "), lab.split(" "))) for t, lab in zip(texts, labels, strict=True)]


def test_round_trip_keeps_every_token_and_tag(tmp_path):
    stats = run(tmp_path, output_scheme="keep")
    out = tmp_path / "out"
    assert read_split(out, "train") == TRAIN
    assert read_split(out, "dev") == DEV
    assert read_split(out, "test") == TEST
    assert stats["splits"]["test"]["invalid_transitions"] == 1
    assert stats["splits"]["test"]["tags_changed"] == 0


def test_iob2_output_repairs_slips_and_label_ids_put_o_first(tmp_path):
    stats = run(tmp_path)
    out = tmp_path / "out"
    assert read_split(out, "test") == [[("#", "O"), ("Smith", "B-PER")]]
    assert stats["splits"]["test"]["tags_changed"] == 1
    assert (out / "label_ids.csv").read_text().splitlines() == ["O", "B-LOC", "B-MISC", "B-ORG", "B-PER", "I-PER"]


def test_bioes_output(tmp_path):
    run(tmp_path, output_scheme="bioes", allow_unseen_labels=True)  # dev's lone B-PER becomes S-PER
    assert read_split(tmp_path / "out", "train")[1] == [("Peter", "B-PER"), ("Blackburn", "E-PER")]


def test_stats_file_matches_returned_stats(tmp_path):
    stats = run(tmp_path)
    saved = json.loads((tmp_path / "out" / "dataset_stats.json").read_text())
    assert saved == stats
    train = saved["splits"]["train"]
    assert (train["sentences"], train["words"]) == (3, 8)
    assert train["length"] == {"min": 2, "max": 4, "mean": 2.67, "median": 2, "p75": 3, "p99": 3.96}
    assert train["labels"]["O"] == {"count": 3, "percent": 37.5}
    assert saved["scheme"] == {"detected": "iob2", "written": "iob2"}


def test_test_split_is_optional_and_stale_outputs_are_removed(tmp_path):
    run(tmp_path)
    assert (tmp_path / "out" / "text_test.txt").exists()
    (tmp_path / "src" / "test.txt").unlink()
    stats = run(tmp_path, source=tmp_path / "src")
    assert list(stats["splits"]) == ["train", "dev"]
    assert not (tmp_path / "out" / "text_test.txt").exists()


def test_documents_are_written_when_the_input_has_docstart(tmp_path):
    source = make_source(tmp_path)
    (source / "train.txt").write_text("-DOCSTART- O\n\nA O\n\nB O\n-DOCSTART- O\n\nC O\n")
    stats = run(tmp_path, source=source, allow_unseen_labels=True)
    assert (tmp_path / "out" / "docs_train.txt").read_text().splitlines() == ["0", "0", "1"]
    assert stats["splits"]["train"]["documents"] == 2
    assert not (tmp_path / "out" / "docs_dev.txt").exists()


def test_unseen_dev_labels_are_listed_or_allowed(tmp_path):
    source = make_source(
        tmp_path, dev=[[("Paris", "B-LOC"), ("Inc", "B-CORP")]], test=[[("x", "B-CORP"), ("y", "S-Z")]]
    )
    with pytest.raises(ConversionError) as info:
        run(tmp_path, source=source, output_scheme="keep")
    message = str(info.value)
    assert "'B-CORP' first at" in message and f"{source / 'dev.txt'}:2" in message
    assert "'S-Z'" in message and "allow_unseen_labels=true" in message
    assert not (tmp_path / "out").exists()

    stats = run(tmp_path, source=source, output_scheme="keep", allow_unseen_labels=True)
    assert stats["unseen_labels"] == {"B-CORP": ["dev", "test"], "S-Z": ["test"]}
    assert "B-CORP" in (tmp_path / "out" / "label_ids.csv").read_text().splitlines()


def test_empty_split_is_refused_without_output(tmp_path):
    source = make_source(tmp_path)
    (source / "dev.txt").write_text("\n\n  \n")
    with pytest.raises(ConversionError) as info:
        run(tmp_path, source=source)
    assert "dev split has no sentences" in info.value.problem and info.value.path.endswith("dev.txt")
    assert not (tmp_path / "out").exists()


def test_an_error_in_a_later_file_leaves_earlier_outputs_untouched(tmp_path):
    run(tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    (tmp_path / "src" / "dev.txt").write_text("A O\nB\n")
    with pytest.raises(ConversionError):
        run(tmp_path, source=tmp_path / "src")
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


def test_a_failure_while_writing_leaves_previous_outputs_intact(tmp_path, monkeypatch):
    run(tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dataset_module.json, "dump", disk_full)  # the last file of the group
    write_columns(tmp_path / "src" / "train.txt", TRAIN[1:])
    with pytest.raises(OSError):
        run(tmp_path, source=tmp_path / "src")
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before  # no temporaries left


def test_mixed_tags_name_the_line(tmp_path):
    source = make_source(tmp_path, train=TRAIN + [[("runs", "VERB")]])
    with pytest.raises(ConversionError) as info:
        run(tmp_path, source=source)
    assert info.value.line == 12 and "input_scheme=plain" in info.value.fix


def test_required_directories(tmp_path):
    with pytest.raises(ConversionError, match="source_data_dir is required"):
        convert(ConvertOptions(target_data_dir=str(tmp_path)))
    with pytest.raises(ConversionError, match="not a directory"):
        convert(ConvertOptions(source_data_dir=str(tmp_path / "nope"), target_data_dir=str(tmp_path)))


def test_span_columns_join_into_nested_span_files_and_a_type_list(tmp_path):
    import json

    from conversion.dataset import ConvertOptions, convert

    rows = [
        [("the", "B-NP", "O"), ("bank", "I-NP", "B-ORG"), ("of", "I-NP", "I-ORG"), ("rome", "I-NP", "I-ORG")],
        [("rome", "B-NP", "B-LOC"), ("fell", "B-VP", "O")],
    ]
    for split in ("train", "dev"):
        lines = [" ".join((w, "POS", c, e)) for sentence in rows for (w, c, e) in sentence]
        text, k = [], 0
        for sentence in rows:
            text += lines[k : k + len(sentence)] + [""]
            k += len(sentence)
        (tmp_path / f"{split}.txt").write_text("\n".join(text) + "\n")
    options = ConvertOptions(str(tmp_path), str(tmp_path / "out"), span_columns=[2, 3], span_types=["NP", "ORG", "LOC"])
    stats = convert(options)
    spans = [json.loads(line) for line in (tmp_path / "out" / "spans_dev.jsonl").read_text().splitlines()]
    assert spans == [[[0, 4, "NP"], [1, 4, "ORG"]], [[0, 1, "LOC"], [0, 1, "NP"]]]  # VP left out; ORG nests in NP
    assert (tmp_path / "out" / "span_label_ids.csv").read_text() == "O\nLOC\nNP\nORG\n"
    assert stats["spans"]["dev"] == {"spans": 4, "nested": 3, "same_words_other_type": 1}
    convert(ConvertOptions(str(tmp_path), str(tmp_path / "out")))  # a later conversion without spans
    assert (
        not (tmp_path / "out" / "spans_dev.jsonl").exists() and not (tmp_path / "out" / "span_label_ids.csv").exists()
    )
