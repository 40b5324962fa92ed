"""A span model on a set only nested decoding can solve: banks named after their city (ORG) hold the city (LOC)."""

from __future__ import annotations

import json

import pytest

from tokcls.cli import main

TEST = ["test_ds.text_file=text_dev.txt", "test_ds.labels_file=spans_dev.jsonl"]


@pytest.fixture(scope="module")
def nested(span_trained):
    return span_trained


def _evaluate(root, data, archive, name, *extra) -> dict:
    assert main(["evaluate", "-r", str(root / name), "-m", str(archive), f"data_dir={data}", *TEST, *extra]) == 0
    return json.loads((root / name / "evaluation_report.json").read_text())


def test_nested_decoding_solves_what_flat_decoding_cannot(nested):
    root, data, archive = nested
    as_nested = _evaluate(root, data, archive, "eval_nested")
    as_flat = _evaluate(root, data, archive, "eval_flat", "model.span.decoder=flat")
    assert as_nested["summary"]["entity_f1"] >= 90 and as_nested["nesting"]["share"] >= 0.9
    # flat keeps one span of each nested pair at most: half of the nested gold spans is its ceiling
    assert as_flat["nesting"]["share"] <= 0.5 and as_flat["summary"]["entity_f1"] < as_nested["summary"]["entity_f1"]
    page = (root / "eval_nested" / "report.html").read_text()
    assert "Error kinds" in page and "[<b>ORG</b>" in page or as_nested["summary"]["entity_f1"] == 100


def test_the_archive_round_trips_every_tensor(nested, tmp_path):
    import torch

    from tokcls.model.archive import load_model, save_archive

    _, _, archive = nested
    network, tokenizer, config = load_model(archive)
    copy = save_archive(tmp_path / "copy.tcls", network, config, tokenizer)
    again, _, _ = load_model(copy)
    ours, theirs = network.state_dict(), again.state_dict()
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)
    assert again.describe() == network.describe()


def test_onnx_and_infer_give_the_nested_entities_with_offsets(nested, tmp_path):
    root, data, archive = nested
    assert main(["export", "-r", str(tmp_path / "x"), "-m", str(archive), "format=onnx"]) == 0
    onnx = ["runtime=onnx", f"onnx_file={tmp_path / 'x' / 'model.onnx'}"]
    text = "john saw the bank of rome today"
    records = {}
    for runtime, extra in (("pytorch", []), ("onnx", onnx)):
        _evaluate(tmp_path, data, archive, f"eval_{runtime}", *extra)
        assert main(["infer", "-r", str(tmp_path / runtime), "-m", str(archive), f"input_batch=[{text}]", *extra]) == 0
        records[runtime] = (tmp_path / runtime / "infer_results.jsonl").read_text()
    assert records["onnx"] == records["pytorch"]
    assert (tmp_path / "eval_onnx" / "predictions_dev.jsonl").read_text() == (
        tmp_path / "eval_pytorch" / "predictions_dev.jsonl"
    ).read_text()
    entities = json.loads(records["pytorch"])["entities"]
    found = {(e["type"], e["text"]) for e in entities}
    assert {("ORG", "bank of rome"), ("LOC", "rome"), ("PER", "john")} <= found
    for entity in entities:
        assert text[entity["start"] : entity["end"]] == entity["text"]


def test_a_span_archive_refuses_the_hugging_face_export_with_the_reason(nested, tmp_path, capsys):
    _, _, archive = nested
    assert main(["export", "-r", str(tmp_path / "hf"), "-m", str(archive), "format=hf"]) == 2
    assert "no Hugging Face model class" in capsys.readouterr().err


def test_a_span_archive_is_compared_with_a_crf_archive_on_the_same_entities(tmp_path, tiny_encoder, capsys):
    from tests.conftest import write_ner_dataset

    data = write_ner_dataset(tmp_path / "data", n_train=120, n_dev=20)
    tiny = ["model.language_model.pretrained_model_name=splade-tiny", "trainer.enable_progress_bar=false"]
    for name, keys in (("span", ["model.task=span_classification"]), ("crf", ["model.head.decoder=crf"])):
        argv = ["train", "-r", str(tmp_path / name), f"data_dir={data}", "trainer.max_epochs=2", "optim.lr=3e-3"]
        assert main(argv + keys + tiny) == 0
    span, crf = (str(tmp_path / name / "checkpoints" / "tokcls.tcls") for name in ("span", "crf"))
    test = ["test_ds.text_file=text_dev.txt", "test_ds.labels_file=labels_dev.txt"]
    assert main(["evaluate", "-r", str(tmp_path / "both"), "-m", span, "-m", crf, f"data_dir={data}", *test]) == 0
    page = (tmp_path / "both" / "report.html").read_text()
    assert "Where the two models disagree" in page and page.count(crf) >= 1
    # the other order: the token page compares word labels, so it names the order that works instead of failing
    assert main(["evaluate", "-r", str(tmp_path / "other"), "-m", crf, "-m", span, f"data_dir={data}", *test]) == 2
    assert "give the span archive first" in capsys.readouterr().err
    assert not (tmp_path / "other" / "report.html").exists()


def test_tune_searches_a_span_model_and_its_best_archive_is_one(tmp_path, tiny_encoder):
    from tests.conftest import write_ner_dataset
    from tokcls.model.archive import load_model

    data = write_ner_dataset(tmp_path / "data", n_train=60, n_dev=12)
    argv = [
        "tune",
        "-r",
        str(tmp_path / "t"),
        f"data_dir={data}",
        "model.task=span_classification",
        "search.n_trials=2",
    ]
    argv += ["model.language_model.pretrained_model_name=splade-tiny", "trainer.max_epochs=1"]
    assert main(argv + ["trainer.enable_progress_bar=false"]) == 0
    network, _, _ = load_model(tmp_path / "t" / "best.tcls")
    assert network.task == "span_classification" and network.labels == ["O", "LOC", "PER"]
