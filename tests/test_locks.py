"""Two commands never write into one folder at once: the second stops at once, naming the first."""

import os
import signal
import subprocess
import sys
import time

from tests.conftest import REPO, write_columns, write_ner_dataset
from tokcls.cli import main


def hold(folder):
    """Another process holding `folder` through tokcls's lock."""
    code = (
        "import sys, time; from tokcls.core.lock import folder_lock\n"
        f"with folder_lock({str(folder)!r}, 'a test holder'):\n    print('held', flush=True); time.sleep(120)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_training_into_a_running_ones_folder_stops_naming_it(tmp_path, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=400, n_dev=8)
    results = tmp_path / "run"
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tokcls",
            "train",
            "-r",
            str(results),
            f"data_dir={data}",
            "model.language_model.pretrained_model_name=splade-tiny",
            "trainer.max_epochs=50",
            "trainer.enable_progress_bar=false",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 120
        while not (results / "train_spec.yaml").exists():
            assert time.time() < deadline and first.poll() is None
            time.sleep(0.2)
        assert main(["train", "-r", str(results), f"data_dir={data}", "seed=7"]) == 2
        assert f"the folder is in use by pid {first.pid} (token_classification train)" in capsys.readouterr().err
        assert "seed: 42" in (results / "train_spec.yaml").read_text()  # the first run's spec, untouched
    finally:
        first.kill()
        first.wait()


def test_a_conversion_into_a_held_target_writes_nothing_and_a_killed_holder_leaves_no_lock(tmp_path, capsys):
    source = tmp_path / "src"
    write_columns(source / "train.txt", [[("Peter", "B-PER")]])
    write_columns(source / "dev.txt", [[("Ann", "B-PER")]])
    target = tmp_path / "out"
    holder = hold(target)
    argv = ["dataset_convert", f"source_data_dir={source}", f"target_data_dir={target}"]
    try:
        assert main(argv) == 2
        assert f"pid {holder.pid} (a test holder)" in capsys.readouterr().err
        assert sorted(p.name for p in target.iterdir()) == [".tokcls.lock"]
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert main(argv) == 0  # the kernel dropped the killed holder's lock
    assert (target / "labels_train.txt").read_text() == "B-PER\n"


def test_the_other_processes_of_a_multi_process_run_share_the_first_ones_folder(tmp_path, monkeypatch):
    """srun starts every rank with the same command line: only rank 0 locks, or ranks 1+ would stop."""
    source = tmp_path / "src"
    write_columns(source / "train.txt", [[("Peter", "B-PER")]])
    write_columns(source / "dev.txt", [[("Ann", "B-PER")]])
    holder = hold(tmp_path / "out")
    try:
        monkeypatch.setenv("SLURM_PROCID", "1")
        assert main(["dataset_convert", f"source_data_dir={source}", f"target_data_dir={tmp_path / 'out'}"]) == 0
    finally:
        holder.kill()
        holder.wait()
