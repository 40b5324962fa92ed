"""Two CPU processes (DDP over gloo): training runs, and validation scores every word exactly once."""

import json
import subprocess
import sys

import pytest

from tests.conftest import write_ner_dataset
from tests.test_train import scalars

COMMON = [
    "model.language_model.pretrained_model_name=splade-tiny",
    "optim.lr=3e-3",
    "trainer.enable_progress_bar=false",
]


def test_ddp_on_two_processes_validates_exactly_like_one_process_evaluate(tmp_path, tiny_encoder):
    # 21 dev sentences in batches of 5: 5 batches, 3 for one process and 2 for the other.
    data = write_ner_dataset(tmp_path / "data", n_train=60, n_dev=21)
    # 60 sentences in batches of 16 = 4 batches: 2 optimizer steps an epoch on each process.
    ddp_equals_evaluate(tmp_path, data, [], "Validation after epoch 1, step 4:")


def test_ddp_validation_in_document_mode_equals_evaluate(tmp_path, tiny_encoder):
    """Document context: each process scores a shard of the document windows; the sentences come back whole."""
    from tests.tasks.token.test_document_context import write_context_dataset

    # 48 training documents of 2 sentences, one window each; 12 dev documents in batches of 5 split over the processes
    data = write_context_dataset(tmp_path / "data", 48, seed=3)
    ddp_equals_evaluate(tmp_path, data, ["model.dataset.context=document"], "Validation after epoch 1, step")


def ddp_equals_evaluate(tmp_path, data, extra: list[str], validation_line: str) -> None:
    results = tmp_path / "ddp"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tokcls.cli",
            "train",
            "-r",
            str(results),
            f"data_dir={data}",
            *COMMON,
            "training_ds.batch_size=16",
            "validation_ds.batch_size=5",
            "trainer.max_epochs=2",
            "trainer.accelerator=cpu",
            "trainer.devices=2",
            "trainer.strategy=ddp",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "GLOBAL_RANK: 1, MEMBER: 2/2" in run.stdout + run.stderr
    assert validation_line in run.stdout

    evaluated = tmp_path / "eval"
    code = subprocess.run(
        [
            sys.executable,
            "-m",
            "tokcls.cli",
            "evaluate",
            "-r",
            str(evaluated),
            "-m",
            str(results / "checkpoints" / "tokcls.tcls"),
            f"data_dir={data}",
            "test_ds.text_file=text_dev.txt",
            "test_ds.labels_file=labels_dev.txt",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert code.returncode == 0, code.stderr[-3000:]
    report = json.loads((evaluated / "evaluation_report.json").read_text())
    token_support = report["token"]["micro avg"]["support"]
    assert token_support == len((data / "text_dev.txt").read_text().split())  # every dev word, once
    # The validation of the archived (best) epoch, 2 processes each scoring a shard, equals evaluate's
    # 1 process scoring every batch.
    f1 = scalars(results, "val_entity_f1")
    best = f1.index(max(f1))
    for tag, section, metric in [
        ("val_entity_f1", "entity", "f1"),
        ("val_entity_precision", "entity", "precision"),
        ("val_entity_recall", "entity", "recall"),
        ("val_token_f1", "token", "f1"),
    ]:
        assert scalars(results, tag)[best] == pytest.approx(report[section]["micro avg"][metric], abs=1e-6), tag
