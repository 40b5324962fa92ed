"""End to end: `tune` on the tiny encoder and tiny data: the search, pruning, a killed and re-run study, two processes
on one study, and the spec checks before any training."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from tests.conftest import write_ner_dataset
from tests.test_train import scalars
from tokcls.cli import main

FAST = [
    "model.language_model.pretrained_model_name=splade-tiny",
    "model.head.decoder=argmax",
    "trainer.max_epochs=2",
    "training_ds.batch_size=16",
    "trainer.enable_progress_bar=false",
    "trainer.log_every_n_steps=1",
]


def spec(path, **search) -> str:
    """A tune spec searching the two learning rates, with `search` keys on top."""
    body = {
        "search": {
            "params": {"optim.lr": "loguniform(1e-4, 5e-3)", "optim.head_lr": "loguniform(1e-4, 5e-3)"},
            **search,
        }
    }
    path.write_text(yaml.safe_dump(body))
    return str(path)


def trials(results) -> list[dict]:
    with open(results / "trials.csv", newline="") as f:
        return list(csv.DictReader(f))


def tune_argv(tmp_path, data, results, *overrides, **search):
    return [
        "tune",
        "-e",
        spec(tmp_path / f"{results.name}.yaml", **search),
        "-r",
        str(results),
        f"data_dir={data}",
        *FAST,
        *overrides,
    ]


@pytest.fixture
def data(tmp_path):
    return write_ner_dataset(tmp_path / "data", n_train=120, n_dev=20)


def test_four_trials_find_the_best_and_its_spec_trains_to_the_same_metric(tmp_path, data, tiny_encoder, capsys):
    results = tmp_path / "tune"
    monitor = "exp_manager.checkpoint_callback_params.monitor=val_loss"  # a loss: never saturated on tiny data
    assert main(tune_argv(tmp_path, data, results, monitor, n_trials=4, pruner="none")) == 0
    rows = trials(results)
    assert [r["state"] for r in rows] == ["COMPLETE"] * 4
    best = min(rows, key=lambda r: float(r["value"]))
    out = capsys.readouterr().out
    assert f"Best trial {best['trial']}: val_loss={float(best['value']):.4f}" in out
    for row in rows:  # one line per trial in the table
        assert f"\n{int(row['trial']):>5}  COMPLETE" in out
    # the best archive is kept once, at RESULTS/best.tcls; the trials keep their logs, specs and events, not archives
    assert (results / "best.tcls").is_file()
    assert not list((results / "trials").rglob("*.tcls")) and not list((results / "trials").rglob("*.ckpt"))
    for row in rows:
        folder = results / "trials" / row["trial"]
        assert (folder / "train_log.txt").is_file() and (folder / "train_spec.yaml").is_file()
        assert (folder / "tensorboard").is_dir()
    for plot in ("optimization_history.png", "param_importances.png"):
        assert (results / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    best_spec = yaml.safe_load((results / "best_spec.yaml").read_text())
    assert best_spec["optim"]["lr"] == pytest.approx(float(best["optim.lr"]), rel=1e-12)
    assert best_spec["exp_manager"]["explicit_log_dir"] is None
    # `train` on best_spec.yaml reproduces the best trial's metric
    again = tmp_path / "again"
    assert main(["train", "-e", str(results / "best_spec.yaml"), "-r", str(again)]) == 0
    assert min(scalars(again, "val_loss")) == pytest.approx(float(best["value"]), abs=1e-6)


def test_a_trial_worse_than_the_median_is_pruned_after_its_first_validation(tmp_path, data, tiny_encoder):
    results = tmp_path / "tune"
    enqueue = [{"optim.lr": 5e-3, "optim.head_lr": 5e-3}, {"optim.lr": 1e-4, "optim.head_lr": 1e-4}]
    assert (
        main(
            tune_argv(
                tmp_path,
                data,
                results,
                "trainer.max_epochs=4",
                "exp_manager.checkpoint_callback_params.monitor=val_loss",
                n_trials=2,
                pruner="median",
                pruner_startup_trials=1,
                enqueue=enqueue,
            )
        )
        == 0
    )
    first, second = trials(results)
    assert (first["state"], first["validations"]) == ("COMPLETE", "4")
    assert (second["state"], second["validations"]) == ("PRUNED", "1")  # stopped after 1 of its 4 epochs
    assert float(second["optim.lr"]) == 1e-4
    assert "pruned after validation 1" in (results / "trials" / "1" / "train_log.txt").read_text()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"optim.lrr": "loguniform(1e-5, 1e-3)"}, "optim.lrr is not a key of the train spec"),
        ({"model.head.num_fc_layers": "uniform(1, 3)"}, "1.0 does not fit the key"),
        ({"model.head.fc_dropout": "uniform(0.2, 1.5)"}, "model.head.fc_dropout=1.5 is out of range"),
        ({"optim.lr": "loguniform(0, 1e-3)"}, "loguniform needs low > 0"),
        ({"optim.lr": "lognormal(1e-5, 1e-3)"}, "unknown distribution lognormal"),
        ({"optim": "choice(1, 2)"}, "a section cannot be searched"),
        ({"exp_manager.explicit_log_dir": "choice('a', 'b')"}, "tune sets this key itself"),
    ],
)
def test_a_bad_search_space_fails_before_any_training(tmp_path, data, capsys, params, message):
    results = tmp_path / "tune"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"search": {"params": params}}))
    assert main(["tune", "-e", str(path), "-r", str(results), f"data_dir={data}"]) == 2
    err = capsys.readouterr().err
    assert message in err and f"search.params.{next(iter(params))}" in err
    assert not (results / "trials").exists() and not (results / "study.db").exists()


def test_an_enqueued_value_outside_the_space_and_a_second_study_in_one_folder_are_refused(
    tmp_path, data, tiny_encoder, capsys
):
    argv = tune_argv(tmp_path, data, tmp_path / "r", n_trials=1, enqueue=[{"optim.lr": 0.5}])
    assert main(argv) == 2
    assert "search.enqueue[0].optim.lr=0.5 is not a value of loguniform(1e-4, 5e-3)" in capsys.readouterr().err
    assert main(tune_argv(tmp_path, data, tmp_path / "r", "trainer.max_epochs=1", n_trials=1)) == 0
    assert main(tune_argv(tmp_path, data, tmp_path / "r", "trainer.max_epochs=1", n_trials=1, study_name="other")) == 2
    assert "this folder holds the trials of study 'tokcls'" in capsys.readouterr().err


def test_grid_needs_listed_values(tmp_path, data, capsys):
    argv = ["tune", "-e", spec(tmp_path / "g.yaml", sampler="grid"), "-r", str(tmp_path / "r"), f"data_dir={data}"]
    assert main(argv) == 2
    assert "search.sampler=grid needs choice(...) or int(...) values" in capsys.readouterr().err


def run_tune_process(argv, log):
    return subprocess.Popen([sys.executable, "-m", "tokcls", *argv], stdout=log, stderr=subprocess.STDOUT)


def slow_args(tmp_path, data, results, n_trials, epochs=6):
    """Trials of a few seconds each, so that a process can be caught in the middle of one."""
    return tune_argv(
        tmp_path,
        data,
        results,
        f"trainer.max_epochs={epochs}",
        "training_ds.batch_size=8",
        n_trials=n_trials,
        pruner="none",
    )


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_stopped_mid_study_a_rerun_completes_exactly_n_trials(tmp_path, tiny_encoder, stop):
    data = write_ner_dataset(tmp_path / "data", n_train=120, n_dev=20)
    results = tmp_path / "tune"
    argv = slow_args(tmp_path, data, results, 3)
    with open(tmp_path / "first.log", "w") as log:
        process = run_tune_process(argv, log)
        deadline = time.monotonic() + 300
        log = results / "trials" / "1" / "train_log.txt"
        while not (log.exists() and "Validation after epoch 0" in log.read_text()):  # trial 1 is in its 2nd of 6 epochs
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "first.log").read_text()
            time.sleep(0.05)
        os.kill(process.pid, stop)  # SIGKILL: a crash, nothing runs after it; SIGINT: Ctrl-C
        assert process.wait(timeout=120) == (130 if stop == signal.SIGINT else -signal.SIGKILL)
    assert main(argv) == 0
    rows = trials(results)
    numbers = [r["trial"] for r in rows]
    assert len(numbers) == len(set(numbers))
    assert sum(r["state"] in ("COMPLETE", "PRUNED") for r in rows) == 3
    failed = [r for r in rows if r["state"] == "FAIL"]
    assert [r["trial"] for r in failed] == ["1"]
    retry = [r for r in rows if r["retry_of"] == "1"]
    assert len(retry) == 1 and retry[0]["state"] == "COMPLETE"
    assert retry[0]["optim.lr"] == failed[0]["optim.lr"]  # the killed trial's values, run again


def test_two_processes_share_one_study_without_duplicates(tmp_path, tiny_encoder):
    import optuna

    data = write_ner_dataset(tmp_path / "data", n_train=120, n_dev=20)
    results = tmp_path / "tune"
    argv = slow_args(tmp_path, data, results, 4, epochs=3)
    logs = [open(tmp_path / f"worker{i}.log", "w") for i in range(2)]
    processes = [run_tune_process(argv, log) for log in logs]
    codes = [p.wait(timeout=600) for p in processes]
    for log in logs:
        log.close()
    assert codes == [0, 0], [(tmp_path / f"worker{i}.log").read_text()[-2000:] for i in range(2)]
    rows = trials(results)
    assert sorted(int(r["trial"]) for r in rows) == [0, 1, 2, 3]
    assert all(r["state"] == "COMPLETE" for r in rows)
    study = optuna.load_study(study_name="tokcls", storage=f"sqlite:///{results / 'study.db'}")
    assert len({t.user_attrs["pid"] for t in study.trials}) == 2  # both processes ran trials


def test_text_classification_tunes_its_default_space_and_never_looks_at_test(tmp_path, tiny_encoder, capsys):
    from tests.tasks.text.data import CONVERT_OPTIONS, write_source
    from tokcls.cli import text_main
    from tokcls.tasks import get_task

    TEXT_SPACE = get_task("text_classification").default_search_space

    write_source(tmp_path / "src", "single")
    assert (
        text_main(
            [
                "dataset_convert",
                "-r",
                str(tmp_path / "c"),
                f"source_data_dir={tmp_path / 'src'}",
                f"target_data_dir={tmp_path / 'data'}",
                "stats_tokenizer=null",
                *CONVERT_OPTIONS["single"],
            ]
        )
        == 0
    )
    results = tmp_path / "tune"
    assert (
        text_main(
            [
                "tune",
                "-r",
                str(results),
                f"data_dir={tmp_path / 'data'}",
                "search.n_trials=2",
                "model.language_model.pretrained_model_name=splade-tiny",
                "model.dataset.max_seq_length=64",
                "model.dataset.stride=16",
                "trainer.max_epochs=2",
                "training_ds.batch_size=8",
                "trainer.enable_progress_bar=false",
                "test_ds.file_path=dev.tsv",
                "exp_manager.checkpoint_callback_params.monitor=val_accuracy",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "search.params is empty: searching optim.lr: loguniform(1e-5, 2e-4)" in out
    rows = trials(results)
    assert [r["state"] for r in rows] == ["COMPLETE"] * 2
    assert set(TEXT_SPACE) <= set(rows[0])
    assert "Test split" not in (results / "trials" / "0" / "train_log.txt").read_text()
    best_spec = yaml.safe_load((results / "best_spec.yaml").read_text())
    assert best_spec["test_ds"]["file_path"] == "dev.tsv"  # training the best spec scores the test split as asked
    assert (
        text_main(
            [
                "evaluate",
                "-r",
                str(tmp_path / "eval"),
                "-m",
                str(results / "best.tcls"),
                f"data_dir={tmp_path / 'data'}",
                "test_ds.file_path=dev.tsv",
            ]
        )
        == 0
    )
