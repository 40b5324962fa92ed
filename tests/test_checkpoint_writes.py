"""Checkpoints are written whole or not at all, and resume survives a damaged last.ckpt."""

import errno
import os
import subprocess

import pytest
import torch

from tests.conftest import write_ner_dataset
from tokcls.cli import main
from tokcls.training import checkpoint_io

FAST = [
    "model.language_model.pretrained_model_name=splade-tiny",
    "optim.lr=3e-3",
    "training_ds.batch_size=8",
    "trainer.enable_progress_bar=false",
]


def train(results, data, *overrides):
    return main(["train", "-r", str(results), f"data_dir={data}", *FAST, *overrides])


def test_every_checkpoint_is_renamed_into_place_from_its_own_folder(tmp_path, tiny_encoder, monkeypatch):
    """Independent of where the system's temporary folder is: nothing crosses a file system."""
    data = write_ner_dataset(tmp_path / "data", n_train=24, n_dev=8)
    elsewhere = tmp_path / "system_tmp"
    elsewhere.mkdir()
    monkeypatch.setenv("TMPDIR", str(elsewhere))
    monkeypatch.setattr("tempfile.tempdir", str(elsewhere))
    renames, real_replace = [], os.replace
    monkeypatch.setattr(
        os, "replace", lambda src, dst: (renames.append((str(src), str(dst))), real_replace(src, dst))[1]
    )
    assert (
        train(
            tmp_path / "run",
            data,
            "trainer.max_epochs=2",
            "exp_manager.checkpoint_callback_params.every_n_train_steps=1",
        )
        == 0
    )
    folder = tmp_path / "run" / "checkpoints"
    written = {dst for src, dst in renames if dst.endswith(".ckpt")}
    assert {str(p) for p in folder.glob("*.ckpt")} <= written
    assert all(os.path.dirname(src) == os.path.dirname(dst) for src, dst in renames if dst.endswith(".ckpt"))
    assert not list(elsewhere.rglob("*.ckpt*"))


@pytest.fixture
def small_disk(tmp_path):
    """A 100 MB tmpfs: room for one checkpoint of the tiny model with its optimizer state (53 MB), not two."""
    mount = tmp_path / "small_disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=100M", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_full_disk_leaves_no_truncated_checkpoint(tmp_path, small_disk, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=40, n_dev=8)
    assert train(small_disk / "run", data, "trainer.max_epochs=2") == 2
    assert "No space left on device" in capsys.readouterr().err
    folder = small_disk / "run" / "checkpoints"
    assert (folder / "last.ckpt").exists() or list(folder.glob("*.ckpt"))
    assert all(checkpoint_io.is_intact(p) for p in folder.glob("*.ckpt"))  # whole, or not there at all
    assert not list(folder.glob(checkpoint_io.TEMPORARY))


def test_a_failed_write_leaves_the_previous_last_ckpt_whole(tmp_path, tiny_encoder, monkeypatch, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=40, n_dev=8)
    real_save, saves = torch.save, []

    def disk_fills_on_the_third_save(obj, f, *args, **kwargs):
        saves.append(1)
        if len(saves) == 3:
            f.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(checkpoint_io.torch, "save", disk_fills_on_the_third_save)
    assert (
        train(
            tmp_path / "run",
            data,
            "trainer.max_epochs=1",
            "exp_manager.checkpoint_callback_params.every_n_train_steps=1",
        )
        == 2
    )
    assert "No space left on device" in capsys.readouterr().err
    folder = tmp_path / "run" / "checkpoints"
    assert checkpoint_io.is_intact(folder / "last.ckpt")  # the second save's, untouched
    assert torch.load(folder / "last.ckpt", weights_only=True)["global_step"] == 2
    assert not list(folder.glob(checkpoint_io.TEMPORARY))


def test_resume_falls_back_from_a_damaged_last_ckpt(tmp_path, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=24, n_dev=8)
    run = tmp_path / "run"
    assert train(run, data, "trainer.max_epochs=1") == 0
    (run / "checkpoints" / "last.ckpt").write_bytes(b"")  # a copy killed before its first byte
    resume = ["exp_manager.resume_if_exists=true", "exp_manager.resume_past_end=true"]
    assert train(run, data, "trainer.max_epochs=2", *resume) == 0
    log = (run / "train_log.txt").read_text()
    assert "last.ckpt is damaged (a write was cut short): resuming from the newest intact checkpoint" in log
    assert "Validation after epoch 1" in log
    for ckpt in (run / "checkpoints").glob("*.ckpt"):
        ckpt.write_bytes(b"garbage")
    assert train(run, data, "trainer.max_epochs=3", *resume) == 2
    assert "no other checkpoint in the folder reads back" in capsys.readouterr().err


def test_last_ckpt_follows_every_validation_not_only_new_bests(tmp_path, tiny_encoder):
    """Lightning rewrote last.ckpt only with a new best: once dev F1 reached 100 at step 6, 8 epochs left last.ckpt
    at step 6 of 24, and resuming (or extending a finished run) went back there."""
    data = write_ner_dataset(tmp_path / "data", n_train=24, n_dev=8)
    only_validation = "exp_manager.checkpoint_callback_params.every_n_train_steps=0"  # no periodic last.ckpt
    assert train(tmp_path / "run", data, "trainer.max_epochs=8", only_validation) == 0
    folder = tmp_path / "run" / "checkpoints"
    steps = {p.name: torch.load(p, weights_only=True, map_location="cpu")["global_step"] for p in folder.glob("*.ckpt")}
    assert steps.pop("last.ckpt") == 24  # 3 steps an epoch
    ((best, step),) = steps.items()  # the best keeps its own step
    assert f"step={step}-" in best and step < 24
