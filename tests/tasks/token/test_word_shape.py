"""Word shapes: the casing an uncased encoder never sees, given to the token head (model.head.shape_embedding_dim)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tokcls.cli import main
from tokcls.data.word_shape import SHAPES, word_shape

ENCODER = "model.language_model.pretrained_model_name=splade-tiny"  # lower-cases its input, as every packaged one
FILLER = ["we", "saw", "the", "river", "near", "town", "today", "again", "with", "friends"]
NAMES = ["jordan", "chester", "lincoln", "austin", "kent", "bradford"]


@pytest.mark.parametrize(
    "word, shape",
    [
        ("paris", "lower"),
        ("Paris", "capitalised"),
        ("A", "capitalised"),
        ("EU", "all_caps"),
        ("U.S.", "all_caps"),
        ("iPhone", "mixed_case"),
        ("McDonald", "mixed_case"),
        ("1996", "digits"),
        ("3-1", "has_digit"),
        ("B52", "has_digit"),
        (".", "punctuation"),
        ("--", "punctuation"),
        ("東京", "other"),
    ],
)
def test_word_shapes(word, shape):
    assert SHAPES[word_shape(word)] == shape


def test_each_word_start_carries_its_shape_in_every_window_that_holds_it(tiny_tokenizer):
    import numpy as np

    from tokcls.data.windows import WindowSettings
    from tokcls.tasks.token.examples import Example
    from tokcls.tasks.token.features import encode

    words = ["Paris", "is", "NICE", "in", "1996", "McDonaldsonville", "."] * 6  # several windows of 16 sub-tokens
    on, _ = encode([Example(words, None)], tiny_tokenizer, None, WindowSettings(16, 4, word_shapes=True))
    off, _ = encode([Example(words, None)], tiny_tokenizer, None, WindowSettings(16, 4))
    assert off.word_shape is None and on.word_shape is not None and len(on.word_shape) == len(on.input_ids)
    assert len(on) > 2
    for i in range(len(on)):
        window = on.window(i)
        owned = np.flatnonzero(window["word_index"] >= 0)
        assert [int(window["word_shape"][p]) for p in owned] == [
            word_shape(words[window["word_index"][p]]) for p in owned
        ]
        assert window["word_shape"][0] == 0 and window["word_shape"][-1] == 0  # [CLS] and [SEP] are no word
    pieces = sum(len(tiny_tokenizer(w, add_special_tokens=False)["input_ids"]) for w in words)
    assert pieces > len(words)  # some words have later sub-tokens, which carry no shape ...
    assert np.count_nonzero(on.word_shape) > len(words)  # ... and the words in two windows carry it in both


def write_casing_dataset(directory: Path, n: int, seed: int) -> Path:
    """Sentences of lower-case words and one name: capitalised it is a person (B-PER), lower-case it is not. An
    uncased encoder sees both as the same sub-tokens: only the word's shape tells them apart."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for split, count in (("train", n), ("dev", n // 4)):
        text, labels = [], []
        for _ in range(count):
            words = rng.sample(FILLER, 5)
            person = rng.random() < 0.5
            name = rng.choice(NAMES)
            at = rng.randrange(1, 5)
            words.insert(at, name.capitalize() if person else name)
            text.append(" ".join(words))
            labels.append(" ".join("B-PER" if i == at and person else "O" for i in range(len(words))))
        (directory / f"text_{split}.txt").write_text("\n".join(text) + "\n")
        (directory / f"labels_{split}.txt").write_text("\n".join(labels) + "\n")
    (directory / "label_ids.csv").write_text("O\nB-PER\n")
    return directory


@pytest.fixture(scope="module")
def casing_runs(tmp_path_factory, tiny_encoder):
    root = tmp_path_factory.mktemp("casing")
    data = write_casing_dataset(root / "data", 240, seed=0)
    scores = {}
    for name, dim in (("plain", 0), ("shapes", 8)):
        argv = ["train", "-r", str(root / name), f"data_dir={data}", ENCODER, "trainer.max_epochs=6", "optim.lr=3e-3"]
        argv += ["optim.head_lr=1e-2", "training_ds.batch_size=8", "trainer.enable_progress_bar=false"]
        assert main([*argv, f"model.head.shape_embedding_dim={dim}"]) == 0
        archive = root / name / "checkpoints" / "tokcls.tcls"
        dev = ["test_ds.text_file=text_dev.txt", "test_ds.labels_file=labels_dev.txt"]
        assert main(["evaluate", "-r", str(root / f"eval_{name}"), "-m", str(archive), f"data_dir={data}", *dev]) == 0
        report = json.loads((root / f"eval_{name}" / "evaluation_report.json").read_text())
        scores[name] = report["summary"]["entity_f1"]
    return root, scores


def test_shapes_tell_what_an_uncased_encoder_cannot(casing_runs):
    _, scores = casing_runs
    assert scores["shapes"] >= 95, scores
    assert scores["plain"] <= 80, scores  # "Jordan" and "jordan" are the same sub-tokens to it: a guess


def test_infer_onnx_and_the_archive_keep_the_shapes(casing_runs, tmp_path, capsys):
    root, _ = casing_runs
    archive = str(root / "shapes" / "checkpoints" / "tokcls.tcls")
    batch = "input_batch=[we saw Jordan today,we saw jordan today]"
    assert main(["infer", "-r", str(tmp_path / "pt"), "-m", archive, batch]) == 0
    rows = [json.loads(line) for line in (tmp_path / "pt" / "infer_results.jsonl").read_text().splitlines()]
    assert rows[0]["labels"][2] == "B-PER" and rows[1]["labels"][2] == "O"
    assert main(["export", "-r", str(tmp_path / "x"), "-m", archive, "format=onnx"]) == 0
    onnx = ["runtime=onnx", f"onnx_file={tmp_path / 'x' / 'model.onnx'}"]
    assert main(["infer", "-r", str(tmp_path / "ox"), "-m", archive, batch, *onnx]) == 0
    assert (tmp_path / "ox" / "infer_results.jsonl").read_text() == (
        tmp_path / "pt" / "infer_results.jsonl"
    ).read_text()
    capsys.readouterr()
    assert main(["export", "-r", str(tmp_path / "hf"), "-m", archive, "format=hf"]) == 2
    assert "model.head.shape_embedding_dim" in capsys.readouterr().err


def test_a_span_model_reads_the_shapes_too(tmp_path, tiny_encoder):
    data = write_casing_dataset(tmp_path / "data", 240, seed=0)
    argv = ["train", "-r", str(tmp_path / "r"), f"data_dir={data}", ENCODER, "model.task=span_classification"]
    argv += ["trainer.max_epochs=6", "optim.lr=3e-3", "optim.head_lr=1e-2", "training_ds.batch_size=8"]
    assert main([*argv, "model.head.shape_embedding_dim=8", "trainer.enable_progress_bar=false"]) == 0
    archive = str(tmp_path / "r" / "checkpoints" / "tokcls.tcls")
    batch = "input_batch=[we saw Jordan today,we saw jordan today]"
    assert main(["infer", "-r", str(tmp_path / "pt"), "-m", archive, batch]) == 0
    rows = [json.loads(line) for line in (tmp_path / "pt" / "infer_results.jsonl").read_text().splitlines()]
    assert [e["text"] for e in rows[0]["entities"]] == ["Jordan"] and rows[1]["entities"] == []
    assert main(["export", "-r", str(tmp_path / "x"), "-m", archive, "format=onnx"]) == 0  # checked against the archive
    onnx = ["runtime=onnx", f"onnx_file={tmp_path / 'x' / 'model.onnx'}"]
    assert main(["infer", "-r", str(tmp_path / "ox"), "-m", archive, batch, *onnx]) == 0
    assert (tmp_path / "ox" / "infer_results.jsonl").read_text() == (
        tmp_path / "pt" / "infer_results.jsonl"
    ).read_text()
