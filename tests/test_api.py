"""The Python API (tokcls.load): the same records as infer, for every task; picklable; light to import."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

import tokcls
from tests.infer_records import infer_records
from tokcls.cli import main, text_main

TEXTS = ["paris and john smith went to london .", "", "  mary   visited rome", "Zürich 😀 is nice, isn't it?"]


def test_a_token_model_answers_as_infer_does(trained, tmp_path):
    _, archive, _ = trained
    model = tokcls.load(archive, "key1")
    assert model.predict(TEXTS) == infer_records(main, archive, tmp_path, TEXTS, "-k", "key1")
    assert model.task == "token_classification" and model.program == "token_classification"
    assert "B-LOC" in model.labels and model.describe()["archive_sha256"]
    one = model.predict(TEXTS[0])
    assert isinstance(one, dict) and one["text"] == TEXTS[0]


def test_pre_split_words_are_labelled_as_given(trained):
    _, archive, _ = trained
    model = tokcls.load(archive, "key1")
    words = ["paris", "and", "john", "smith", "isn't", "here"]
    (record,) = model.predict([words])
    assert record["words"] == words and record["text"] == " ".join(words)
    assert [record["text"][s:e] for s, e in record["offsets"]] == words
    raw = model.predict("paris and john smith")
    assert model.predict([words[:4]])[0]["labels"] == raw["labels"]


def test_a_text_model_answers_as_infer_does(text_trained, tmp_path):
    _, archive = text_trained
    model = tokcls.load(archive)
    texts = ["goal match team today", "bank market shares", "", "a pair\twith its second text"]
    assert model.predict(texts) == infer_records(text_main, archive, tmp_path, texts)
    assert model.program == "text_classification"


def test_a_span_model_answers_as_infer_does_nested_entities_included(span_trained, tmp_path):
    _, _, archive = span_trained
    model = tokcls.load(archive)
    texts = ["john visited the bank of paris today", "bank of rome and mary"]
    records = model.predict(texts)
    assert records == infer_records(main, archive, tmp_path, texts)
    assert model.task == "span_classification"
    flat = tokcls.load(archive, overrides={"model.span.decoder": "flat"}).predict(texts)
    assert flat == infer_records(main, archive, tmp_path / "flat", texts, "model.span.decoder=flat")


def test_a_pickled_model_carries_its_path_not_its_weights(trained):
    _, archive, _ = trained
    model = tokcls.load(archive, "key1", batch_size=8)
    shipped = pickle.dumps(model)
    assert len(shipped) < 2000  # the path and the options; a worker loads the archive again
    again = pickle.loads(shipped)
    assert again.predict(TEXTS) == model.predict(TEXTS) and again.predictor.batch_size == 8


def test_bad_calls_are_answered_with_what_to_give(trained):
    _, archive, _ = trained
    model = tokcls.load(archive, "key1")
    with pytest.raises(TypeError, match="string or a list"):
        model.predict(42)
    with pytest.raises(TypeError, match="not a mix"):
        model.predict(["text", ["two", "words"]])
    with pytest.raises(ValueError, match="whitespace"):
        model.predict([["two words"]])
    with pytest.raises(KeyError, match="model.head.decoder"):
        tokcls.load(archive, "key1", overrides={"model.head.decodr": "argmax"})
    with pytest.raises(ValueError, match="device"):
        tokcls.load(archive, "key1", device="tpu")


def test_the_api_loads_neither_lightning_nor_hydra(trained):
    _, archive, _ = trained
    code = (
        "import sys, tokcls; assert 'torch' not in sys.modules, 'import tokcls loaded torch'; "
        f"m = tokcls.load({str(archive)!r}, 'key1'); m.predict('paris and john'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pytorch_lightning', 'lightning', 'lightning_fabric', 'hydra', 'optuna', 'tokcls')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names = eval(loaded)  # noqa: S307 - our own subprocess's printed list
    assert not [n for n in names if not n.startswith("tokcls")], names
    assert not [n for n in names if n.startswith(("tokcls.training", "tokcls.tuning", "tokcls.commands"))], names


def test_the_api_reference_is_current():
    from tests.conftest import REPO
    from tokcls.api_reference import render

    assert (REPO / "docs" / "python_api_reference.md").read_text() == render(), (
        "regenerate: python -m tokcls.api_reference > docs/python_api_reference.md"
    )
