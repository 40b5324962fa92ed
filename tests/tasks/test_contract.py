"""The contract every registered task passes: train tiny -> archive -> load -> predict -> evaluate -> report.html
-> infer -> ONNX export (evaluated the same) -> fine-tune. A new task passes it by being registered and giving its
recipe below (how to write a tiny labelled set, which files its archive and evaluate write); the platform steps
are the same for every task, so nothing here names a task's internals."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from tests.conftest import write_ner_dataset
from tests.tasks.text.data import write_source
from tokcls.cli import main
from tokcls.tasks import REGISTRY, get_task
from tokcls.tasks.base import Decoder, Head

TINY = [
    "model.language_model.pretrained_model_name=splade-tiny",
    "trainer.enable_progress_bar=false",
    "optim.lr=3e-3",
    "training_ds.batch_size=16",
]


def _token_data(root: Path) -> Path:
    return write_ner_dataset(root / "data", n_train=120, n_dev=20)


def _text_data(root: Path) -> Path:
    write_source(root / "src", "single")
    argv = ["dataset_convert", "-r", str(root / "c"), f"source_data_dir={root / 'src'}"]
    argv += [f"target_data_dir={root / 'data'}", "stats_tokenizer=null", "text_column=sentence"]
    assert main(argv, "text_classification") == 0
    return root / "data"


@dataclass(frozen=True)
class Recipe:
    write_data: Callable[[Path], Path]  # a tiny labelled set in the task's converted layout -> data_dir
    train: list[str]  # train keys besides TINY
    test_split: list[str]  # evaluate's keys naming the labelled split
    archive: str  # the file train writes under checkpoints/
    inputs: list[str]  # raw texts infer labels


RECIPES = {
    "token_classification": Recipe(
        _token_data,
        ["trainer.max_epochs=3", "model.head.decoder=crf"],
        ["test_ds.text_file=text_dev.txt", "test_ds.labels_file=labels_dev.txt"],
        "tokcls.tcls",
        ["john smith went to paris", "the band saw mary in rome today"],
    ),
    "span_classification": Recipe(
        _token_data,
        ["trainer.max_epochs=3", "model.task=span_classification", "model.span.max_entity_length=3"],
        ["test_ds.text_file=text_dev.txt", "test_ds.labels_file=labels_dev.txt"],
        "tokcls.tcls",
        ["john smith went to paris", "the band saw mary in rome today"],
    ),
    "text_classification": Recipe(
        _text_data,
        ["trainer.max_epochs=3", "model.dataset.max_seq_length=64", "model.dataset.stride=16"],
        ["test_ds.file_path=dev.tsv"],
        "tokcls_text.tcls",
        ["the team won the match", "the bank raised its profit"],
    ),
}


def test_every_registered_task_has_a_recipe():
    """Registering a task without a recipe here leaves it untested by the contract: refused."""
    assert set(RECIPES) == set(REGISTRY)


@pytest.mark.training
@pytest.mark.parametrize("task_name", sorted(REGISTRY))
def test_a_registered_task_runs_every_command(task_name, tmp_path, tiny_encoder):
    from tokcls.inference.predictor import Predictor
    from tokcls.model.archive import load_model

    recipe, program = RECIPES[task_name], REGISTRY[task_name].program

    def run(*argv: str) -> None:
        assert main(list(argv), program) == 0, f"{program} {' '.join(argv)}"

    data = recipe.write_data(tmp_path)
    run("train", "-r", str(tmp_path / "train"), f"data_dir={data}", *TINY, *recipe.train)
    archive = tmp_path / "train" / "checkpoints" / recipe.archive
    assert archive.is_file()

    # load -> predict, through the task alone: its reader, its windows, the one Predictor
    network, tokenizer, trained = load_model(archive)
    task = get_task(network.task)
    assert network.task == task_name
    assert isinstance(network.head, Head) and isinstance(
        network.head.decoder, Decoder
    )  # the protocols of tasks/base.py
    settings = task.window_settings(trained.model)
    examples, _, _ = task.read_training_split(
        "validation", trained.validation_ds, trained, tokenizer, network.labels, settings, tmp_path / "cache"
    )
    prediction = Predictor(network, tokenizer, settings).run(examples)
    assert len(prediction.labels) == len(examples) and prediction.loss is not None

    # evaluate: reports, the page, predictions; the same through the ONNX export
    run("evaluate", "-r", str(tmp_path / "eval"), "-m", str(archive), f"data_dir={data}", *recipe.test_split)
    report = json.loads((tmp_path / "eval" / "evaluation_report.json").read_text())
    assert report and (tmp_path / "eval" / "report.html").stat().st_size > 10_000
    predictions = sorted(p.name for p in (tmp_path / "eval").glob("predictions_*"))
    assert predictions
    run("export", "-r", str(tmp_path / "onnx"), "-m", str(archive), "format=onnx")
    onnx = ["runtime=onnx", f"onnx_file={tmp_path / 'onnx' / 'model.onnx'}"]
    run(
        "evaluate", "-r", str(tmp_path / "eval_onnx"), "-m", str(archive), f"data_dir={data}", *recipe.test_split, *onnx
    )
    for name in predictions:
        assert (tmp_path / "eval_onnx" / name).read_text() == (tmp_path / "eval" / name).read_text()

    # infer: one record per input, in order
    batch = "input_batch=[" + ",".join(recipe.inputs) + "]"
    run("infer", "-r", str(tmp_path / "infer"), "-m", str(archive), batch)
    records = [json.loads(line) for line in (tmp_path / "infer" / "infer_results.jsonl").read_text().splitlines()]
    assert [record["text"] for record in records] == recipe.inputs

    # fine-tune: a new archive of the same task and labels, which evaluate runs
    run("fine-tune", "-r", str(tmp_path / "ft"), "-m", str(archive), f"data_dir={data}", "trainer.max_epochs=1")
    tuned = next((tmp_path / "ft" / "checkpoints").glob("*finetuned.tcls"))
    tuned_network, _, _ = load_model(tuned)
    assert tuned_network.task == task_name and tuned_network.labels == network.labels
    run("evaluate", "-r", str(tmp_path / "eval_ft"), "-m", str(tuned), f"data_dir={data}", *recipe.test_split)
