"""evaluate on a model trained here: reports equal seqeval on the written predictions, every word kept."""

import json

import pytest
from seqeval.metrics import classification_report

from tokcls.cli import main


def test_evaluate_writes_reports_equal_to_seqeval(trained):
    data, archive, root = trained
    results = root / "eval"
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
                "model.dataset.max_seq_length=32",
                "model.dataset.stride=8",
            ]
        )
        == 0
    )
    rows = [line.split() for line in (results / "predictions_test.txt").read_text().split("\n")]
    sentences, current = [], []
    for row in rows:
        if row:
            current.append(row)
        elif current:
            sentences.append(current)
            current = []
    gold_text = (data / "text_test.txt").read_text().splitlines()
    assert [[w for w, _, _ in s] for s in sentences] == [line.split() for line in gold_text]  # every word, in order
    gold = [[g for _, g, _ in s] for s in sentences]
    pred = [[p for _, _, p in s] for s in sentences]
    report = json.loads((results / "evaluation_report.json").read_text())
    expected = classification_report(gold, pred, output_dict=True, zero_division=0)
    assert report["entity"]["micro avg"]["f1"] == pytest.approx(expected["micro avg"]["f1-score"])
    assert (
        report["entity"]["micro avg"]["support"]
        == expected["micro avg"]["support"]
        == sum(lab.count("B-") for lab in (data / "labels_test.txt").read_text().split())
    )
    assert report["entity"]["micro avg"]["f1"] > 0.8
    assert "B-PER (label_id: 2)" in (results / "evaluation_report.txt").read_text()
    assert (results / "confusion_matrix.png").read_bytes().startswith(b"\x89PNG")


def test_evaluate_refuses_a_wrong_key_and_a_missing_model(trained, tmp_path, capsys):
    data, archive, _ = trained
    assert main(["evaluate", "-r", str(tmp_path), "-m", str(archive), "-k", "nope", f"data_dir={data}"]) == 2
    assert "wrong key" in capsys.readouterr().err
    assert main(["evaluate", "-r", str(tmp_path), f"data_dir={data}"]) == 2
    assert "-m MODEL.tcls is required" in capsys.readouterr().err
