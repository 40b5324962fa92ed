"""Interrupted training: a crash, kill -9 or Ctrl-C mid-epoch loses nothing and resumes exactly."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
import torch
from pytorch_lightning.callbacks import Callback
from safetensors.torch import load as load_tensors

from tests.conftest import write_ner_dataset
from tests.test_train import scalars, train
from tokcls.model.archive_files import read_archive
from tokcls.training import fit
from tokcls.training.resume import TrainingInterrupted

# 60 sentences in batches of 16: 4 steps an epoch, 12 in all; last.ckpt every 3 steps.
RUN = ["trainer.max_epochs=3", "exp_manager.checkpoint_callback_params.every_n_train_steps=3"]


def archived_weights(results):
    return load_tensors(read_archive(results / "checkpoints" / "tokcls.tcls")["model.safetensors"])


class CrashAt(Callback):
    def __init__(self, step):
        self.step = step

    def on_train_batch_end(self, trainer, *args):
        if trainer.global_step == self.step:
            raise RuntimeError("simulated crash")


def with_callback(monkeypatch, callback):
    build = fit.build_trainer

    def build_with_callback(*args, **kwargs):
        trainer, checkpoint = build(*args, **kwargs)
        trainer.callbacks.insert(0, callback)
        return trainer, checkpoint

    monkeypatch.setattr(fit, "build_trainer", build_with_callback)


@pytest.mark.parametrize("crash_step, resumed_from", [(7, 6), (5, 4)], ids=["mid-epoch", "epoch-end"])
def test_a_crash_resumes_to_exactly_the_uninterrupted_model(
    tmp_path, tiny_encoder, monkeypatch, crash_step, resumed_from
):
    data = write_ner_dataset(tmp_path / "data", n_train=60, n_dev=20)
    whole = train(tmp_path, "whole", *RUN, data=data)

    # Step 6 is mid-epoch 1 (periodic checkpoint); step 4 ends epoch 0 (checkpoint after validation).
    with monkeypatch.context() as patch:
        with_callback(patch, CrashAt(crash_step))
        with pytest.raises(RuntimeError, match="simulated crash"):
            train(tmp_path, "crashed", *RUN, data=data)
    crashed = tmp_path / "crashed"
    assert torch.load(crashed / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == resumed_from
    train(tmp_path, "crashed", *RUN, "exp_manager.resume_if_exists=true", data=data)

    assert scalars(crashed, "val_entity_f1")[-1] == scalars(whole, "val_entity_f1")[-1]
    assert torch.load(crashed / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == 12
    resumed, uninterrupted = archived_weights(crashed), archived_weights(whole)
    assert all(torch.equal(resumed[k], uninterrupted[k]) for k in uninterrupted)


def test_sigint_saves_a_checkpoint_at_a_step_boundary_and_exits_130(tmp_path, tiny_encoder, monkeypatch, capsys):
    class CtrlCAt(Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            if trainer.global_step == 6:
                os.kill(os.getpid(), signal.SIGINT)  # arrives mid-step: the step must still finish

    data = write_ner_dataset(tmp_path / "data", n_train=60, n_dev=20)
    with monkeypatch.context() as patch:
        with_callback(patch, CtrlCAt())
        with pytest.raises(TrainingInterrupted) as stopped:
            train(tmp_path, "run", *RUN, data=data)
    assert stopped.value.code == 130 and stopped.value.step == 7
    err = capsys.readouterr().err
    assert "SIGINT received" in err and "exp_manager.resume_if_exists=true" in err
    checkpoints = tmp_path / "run" / "checkpoints"
    assert torch.load(checkpoints / "last.ckpt", weights_only=True)["global_step"] == 7
    assert not (checkpoints / "tokcls.tcls").exists()  # no archive from an unfinished run
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers put back

    train(tmp_path, "run", *RUN, "exp_manager.resume_if_exists=true", data=data)
    assert torch.load(checkpoints / "last.ckpt", weights_only=True)["global_step"] == 12


def cli(*args):
    return [
        sys.executable,
        "-m",
        "tokcls.cli",
        "train",
        *args,
        "model.language_model.pretrained_model_name=splade-tiny",
        "optim.lr=3e-3",
        "training_ds.batch_size=16",
        "trainer.enable_progress_bar=false",
        "exp_manager.checkpoint_callback_params.every_n_train_steps=1",
    ]


def global_step(checkpoint):
    try:
        return torch.load(checkpoint, weights_only=True)["global_step"]
    except Exception:  # being replaced at this moment
        return -1


@pytest.mark.slow
def test_kill_9_at_a_random_step_then_the_same_command_finishes_like_an_uninterrupted_run(tmp_path, tiny_encoder):
    data = write_ner_dataset(tmp_path / "data", n_train=200, n_dev=40)
    steps = 13 * 4  # 200 sentences in batches of 16, 4 epochs
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    common = [f"data_dir={data}", "trainer.max_epochs=4"]
    subprocess.run(cli("-r", str(whole), *common), check=True, capture_output=True)

    kill_after = random.Random().randrange(3, steps - 3)
    print(f"killing after step {kill_after}")
    process = subprocess.Popen(cli("-r", str(killed), *common), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = killed / "checkpoints" / "last.ckpt"
    while process.poll() is None and not (last.exists() and global_step(last) >= kill_after):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert not (killed / "checkpoints" / "tokcls.tcls").exists()

    subprocess.run(
        cli("-r", str(killed), *common, "exp_manager.resume_if_exists=true"), check=True, capture_output=True
    )
    assert global_step(last) == global_step(whole / "checkpoints" / "last.ckpt") == steps
    # Generators, optimizer, schedule and position in the epoch are all restored: the same model.
    assert scalars(killed, "val_entity_f1")[-1] == scalars(whole, "val_entity_f1")[-1]
    resumed, uninterrupted = archived_weights(killed), archived_weights(whole)
    assert all(torch.equal(resumed[k], uninterrupted[k]) for k in uninterrupted)


def test_a_crash_in_document_mode_resumes_to_exactly_the_uninterrupted_model(tmp_path, tiny_encoder, monkeypatch):
    """The same with document context: the windows of packed documents, resumed mid-epoch."""
    from tests.tasks.token.test_document_context import write_context_dataset

    data = write_context_dataset(
        tmp_path / "data", 120, seed=4
    )  # 120 one-window documents: about 8 batches of 16 an epoch
    run = [
        "model.dataset.context=document",
        "trainer.max_epochs=2",
        "exp_manager.checkpoint_callback_params.every_n_train_steps=3",
    ]
    whole = train(tmp_path, "whole", *run, data=data)
    with monkeypatch.context() as patch:
        with_callback(patch, CrashAt(7))
        with pytest.raises(RuntimeError, match="simulated crash"):
            train(tmp_path, "crashed", *run, data=data)
    crashed = tmp_path / "crashed"
    assert torch.load(crashed / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == 6
    train(tmp_path, "crashed", *run, "exp_manager.resume_if_exists=true", data=data)
    final = torch.load(whole / "checkpoints" / "last.ckpt", weights_only=True)["global_step"]
    assert torch.load(crashed / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == final > 7
    resumed, uninterrupted = archived_weights(crashed), archived_weights(whole)
    assert all(torch.equal(resumed[k], uninterrupted[k]) for k in uninterrupted)
