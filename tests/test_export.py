"""export to Hugging Face and ONNX: both agree with tokcls on a model trained here."""

import json

import torch

from tokcls.cli import main
from tokcls.data.windows import WindowSettings
from tokcls.inference.predictor import Predictor
from tokcls.model.archive import load_model
from tokcls.tasks.token.examples import Example

SENTENCES = ["mary visited berlin", "john smith went to paris and then rome"]


def test_hf_export_loads_offline_and_agrees(trained, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _, archive, _ = trained
    out = tmp_path / "hf"
    assert main(["export", "-r", str(out), "-m", str(archive), "-k", "key1", "format=hf"]) == 0
    assert "Largest score difference" in capsys.readouterr().out
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    model, tokenizer, _ = load_model(archive, "key1")
    ours, _ = Predictor(model, tokenizer, WindowSettings(128, 32)).predict(
        [Example(s.split(), None) for s in SENTENCES]
    )

    hf_model, hf_tokenizer = AutoModelForTokenClassification.from_pretrained(out), AutoTokenizer.from_pretrained(out)
    for sentence, labels in zip(SENTENCES, ours):
        encoded = hf_tokenizer(sentence.split(), is_split_into_words=True, return_tensors="pt")
        predicted = hf_model(**encoded).logits[0].argmax(-1).tolist()
        firsts = {}
        for position, word in enumerate(encoded.word_ids()):
            if word is not None:
                firsts.setdefault(word, position)
        assert [hf_model.config.id2label[predicted[firsts[w]]] for w in range(len(labels))] == labels

    tagger = pipeline("token-classification", model=str(out), aggregation_strategy="first", device="cpu")
    for sentence, labels in zip(SENTENCES, ours):
        words = sentence.split()
        spans = [(label[2:], " ".join(words[i:j])) for label, i, j in _entities(labels)]
        assert [(e["entity_group"], e["word"]) for e in tagger(sentence)] == spans


def _entities(labels):
    from conversion.schemes import read_entities

    return [(f"B-{e.type}", e.start, e.end) for e in read_entities(labels)]


def test_onnx_export_runs_in_infer_with_the_same_labels(trained, tmp_path):
    _, archive, _ = trained
    out = tmp_path / "onnx"
    assert main(["export", "-r", str(out), "-m", str(archive), "-k", "key1", "format=onnx"]) == 0
    results = {}
    for runtime in ("pytorch", "onnx"):
        assert (
            main(
                [
                    "infer",
                    "-r",
                    str(tmp_path / runtime),
                    "-m",
                    str(archive),
                    "-k",
                    "key1",
                    f"runtime={runtime}",
                    f"onnx_file={out / 'model.onnx'}",
                    f"input_batch=[{','.join(SENTENCES)}]",
                ]
            )
            == 0
        )
        results[runtime] = [
            json.loads(lab)["labels"] for lab in (tmp_path / runtime / "infer_results.jsonl").read_text().splitlines()
        ]
    assert results["onnx"] == results["pytorch"]


def test_deeper_heads_are_refused_by_hf_export_with_the_reason(tmp_path, tiny_encoder, capsys):
    from tests.conftest import write_ner_dataset

    data = write_ner_dataset(tmp_path / "data", n_train=16, n_dev=4)
    assert (
        main(
            [
                "train",
                "-r",
                str(tmp_path / "t"),
                f"data_dir={data}",
                "model.language_model.pretrained_model_name=splade-tiny",
                "model.head.num_fc_layers=2",
                "trainer.max_steps=1",
                "trainer.enable_progress_bar=false",
                "model.head.decoder=argmax",
            ]
        )
        == 0
    )
    assert main(["export", "-r", str(tmp_path / "hf"), "-m", str(tmp_path / "t" / "checkpoints" / "tokcls.tcls")]) == 2
    assert "export format=onnx" in capsys.readouterr().err


def test_int8_runtimes_quantize_and_score_close_to_float32(trained, tmp_path):
    """quantize=int8 really runs integer layers (PyTorch and onnxruntime) and costs little F1."""
    from tokcls.inference.runtime import inference_model

    data, archive, _ = trained
    model, _, _ = load_model(archive, "key1")
    quantized = inference_model(model, "pytorch", None, "int8")
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in quantized.modules())
    assert not any(type(m) is torch.nn.Linear for m in quantized.modules())
    # one scale per output row: a single scale per matrix cost 1.8 F1 points on CoNLL-2003
    int8_layers = [m for m in quantized.modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]
    assert all(m.weight().qscheme() == torch.per_channel_affine for m in int8_layers)

    out = tmp_path / "onnx"
    assert main(["export", "-r", str(out), "-m", str(archive), "-k", "key1", "format=onnx"]) == 0
    onnx_int8 = inference_model(model, "onnx", str(out / "model.onnx"), "int8")
    graph_ops = {node.op_type for node in __import__("onnx").load(str(out / "model.onnx")).graph.node}
    assert "DynamicQuantizeLinear" not in graph_ops  # the exported file stays float32; int8 is a copy
    assert onnx_int8.session is not None

    f1 = {}
    for runtime, quantize in [("pytorch", "none"), ("pytorch", "int8"), ("onnx", "int8")]:
        results = tmp_path / f"{runtime}_{quantize}"
        assert (
            main(
                [
                    "evaluate",
                    "-r",
                    str(results),
                    "-m",
                    str(archive),
                    "-k",
                    "key1",
                    f"data_dir={data}",
                    f"runtime={runtime}",
                    f"quantize={quantize}",
                    f"onnx_file={out / 'model.onnx'}",
                ]
            )
            == 0
        )
        f1[runtime, quantize] = json.loads((results / "evaluation_report.json").read_text())["entity"]["micro avg"][
            "f1"
        ]
    assert f1["pytorch", "none"] > 0.5
    assert abs(f1["pytorch", "int8"] - f1["pytorch", "none"]) < 0.05
    assert abs(f1["onnx", "int8"] - f1["pytorch", "none"]) < 0.05


def test_unknown_quantize_is_refused_naming_the_choices(trained, tmp_path, capsys):
    data, archive, _ = trained
    assert (
        main(["evaluate", "-r", str(tmp_path), "-m", str(archive), "-k", "key1", f"data_dir={data}", "quantize=int4"])
        == 2
    )
    assert "int8" in capsys.readouterr().err
