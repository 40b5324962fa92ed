"""NeMo's exp_manager keys do what NeMo does with them, built from Lightning's parts."""

import json

import pytest

from tests.conftest import write_ner_dataset
from tests.test_train import scalars
from tokcls.cli import main
from tokcls.model.archive_files import read_archive

FAST = [
    "model.language_model.pretrained_model_name=splade-tiny",
    "optim.lr=3e-3",
    "training_ds.batch_size=16",
    "trainer.enable_progress_bar=false",
    "trainer.log_every_n_steps=1",
]
EXP = "exp_manager"
PARAMS = "exp_manager.checkpoint_callback_params"


@pytest.fixture
def data(tmp_path):
    return write_ner_dataset(tmp_path / "data", n_train=32, n_dev=8)


def train(results, data, *overrides):
    return main(["train", "-r", str(results), f"data_dir={data}", *FAST, *overrides])


def test_checkpoint_places_names_and_copied_files(tmp_path, data, tiny_encoder):
    notes = tmp_path / "README.txt"
    notes.write_text("about this data\n")
    assert (
        train(
            tmp_path / "run",
            data,
            "trainer.max_epochs=2",
            f"{PARAMS}.dirpath={tmp_path / 'ckpt'}",
            f"{PARAMS}.prefix=ner-model",
            f"{PARAMS}.postfix=.tlt",
            f"{PARAMS}.save_top_k=2",
            f"{PARAMS}.filename='best-{{epoch}}'",
            f"+{EXP}.summary_writer_kwargs.flush_secs=1",
            f"{EXP}.files_to_copy=[{notes}]",
        )
        == 0
    )
    names = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert names == ["best-epoch=0.ckpt", "best-epoch=1.ckpt", "last.ckpt", "ner-model.tlt", "run_finished.json"]
    assert read_archive(tmp_path / "ckpt" / "ner-model.tlt")["label_ids.csv"]
    assert (tmp_path / "run" / "README.txt").read_text() == "about this data\n"
    assert len(scalars(tmp_path / "run", "val_entity_f1")) == 2


def test_without_checkpoint_callback_the_archive_holds_the_last_weights(tmp_path, data, tiny_encoder):
    assert (
        train(
            tmp_path / "run",
            data,
            "trainer.max_epochs=1",
            f"{EXP}.create_checkpoint_callback=false",
            f"{EXP}.create_tensorboard_logger=false",
        )
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir()) == ["run_finished.json", "tokcls.tcls"]
    assert "weights of the last step" in (tmp_path / "run" / "train_log.txt").read_text()
    assert not (tmp_path / "run" / "tensorboard").exists()


def test_resume_rules(tmp_path, data, tiny_encoder, capsys):
    run = tmp_path / "run"
    assert train(run, data, "trainer.max_epochs=1", f"{EXP}.resume_if_exists=true") == 2  # nothing to resume
    assert "resume_ignore_no_checkpoint=true" in capsys.readouterr().err
    assert (
        train(
            run, data, "trainer.max_epochs=1", f"{EXP}.resume_if_exists=true", f"{EXP}.resume_ignore_no_checkpoint=true"
        )
        == 0
    )
    assert train(run, data, "trainer.max_epochs=2", f"{EXP}.resume_if_exists=true") == 2  # it finished
    err = capsys.readouterr().err
    assert "already finished" in err and "resume_past_end=true" in err
    assert train(run, data, "trainer.max_epochs=2", f"{EXP}.resume_if_exists=true", f"{EXP}.resume_past_end=true") == 0
    assert len(scalars(run, "val_entity_f1")) == 2
    other = tmp_path / "other"
    assert (
        train(
            other, data, "trainer.max_epochs=2", f"trainer.resume_from_checkpoint={run / 'checkpoints' / 'last.ckpt'}"
        )
        == 0
    )
    assert "Resuming from" in (other / "train_log.txt").read_text()
    assert json.loads((other / "train_results.json").read_text())["epochs"] == 2  # started where `run` ended


def test_wandb_without_the_package_names_it(tmp_path, data, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "wandb", None)  # as if not installed
    assert train(tmp_path / "run", data, f"{EXP}.create_wandb_logger=true") == 2
    assert "needs the wandb package" in capsys.readouterr().err


def test_weights_only_checkpoints_cannot_be_resumed(capsys):
    assert main(["train", "data_dir=x", f"{PARAMS}.save_weights_only=true", f"{EXP}.resume_if_exists=true"]) == 2
    assert "cannot resume from" in capsys.readouterr().err
