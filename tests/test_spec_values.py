"""Spec values that once passed silently or ended in a traceback: each is now a clear error (exit 2) naming the key,
or does what it says. No model is loaded here: every case stops (or is read) in the spec layer."""

from pathlib import Path

import pytest

from tokcls.cli import main
from tokcls.config.loading import load_spec
from tokcls.tasks.token.specs import TrainConfig

TRAIN = ["train", "data_dir=/nonexistent"]


def error_of(argv, capsys, program="token_classification") -> str:
    code = main(argv, program)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    "override, message",
    [
        ("optim.lr=inf", "optim.lr=inf is out of range"),
        ("optim.lr=1e400", "optim.lr=inf is out of range"),
        ("optim.head_lr=-inf", "optim.head_lr=-inf is out of range"),
        ("optim.sched.min_lr=inf", "optim.sched.min_lr=inf is out of range"),
        ("trainer.gradient_clip_val=inf", "trainer.gradient_clip_val=inf is out of range"),
        ("seed=-1", "seed=-1 is out of range: it must be ≥ 0 and ≤ 4294967295"),
        ("seed=1099511627776", "seed=1099511627776 is out of range"),
        ("optim.betas=[0.9]", "optim.betas=[0.9] has 1 value(s): it must have 2 values"),
        ("optim.betas=[0.9,0.99,0.999]", "has 3 value(s)"),
        ("trainer.precision=64", "double precision is not supported"),
        ("trainer.devices=[0.5,1.2]", "a list of devices holds distinct device ids"),
        ("trainer.devices=1.5", "trainer.devices=1.5: a number of devices, a list of device ids, or auto"),
        ("exp_manager.checkpoint_callback_params.prefix=../../x", "prefix='../../x' is a file name"),
        ("exp_manager.checkpoint_callback_params.postfix=/../../x", "postfix='/../../x' is the archive's extension"),
        ("exp_manager.checkpoint_callback_params.postfix=tcls", "postfix='tcls' is the archive's extension"),
        ("exp_manager.name=a/b", "exp_manager.name='a/b' is a file name"),
        ("exp_manager.version=..", "exp_manager.version='..' is a file name"),
        ("model.tokenizer.special_tokens={sep_token:'[XX]'}", "new special tokens would need embeddings"),
        ("restore_from=a.tcls", "train starts from model.language_model"),
        ("optim.lr=${oc.env:HOME}", "optim.lr: cannot resolve an interpolation"),
        ("model.task=${oc.env:HOME}", "model.task: cannot resolve an interpolation"),  # read for the task's defaults
        ("optim.lr=${nope.key}", "Interpolation key 'nope.key' not found"),
        ("optim.lr=${optim.lr}", "Recursive interpolation"),
    ],
)
def test_values_no_key_means_are_refused_with_the_key(override, message, capsys):
    assert message in error_of([*TRAIN, override], capsys)


@pytest.mark.parametrize(
    "override, message",
    [
        ("model.tokenizer.special_tokens={sep_token:'[XX]'}", "new special tokens would need embeddings"),
        ("optim.lr=inf", "optim.lr=inf is out of range"),
        ("seed=-5", "seed=-5 is out of range"),
    ],
)
def test_the_text_program_refuses_them_too(override, message, capsys):
    assert message in error_of(["train", override], capsys, "text_classification")


def test_a_tilde_restores_the_default_over_the_spec(tmp_path):
    spec = tmp_path / "train.yaml"
    spec.write_text("optim:\n  lr: 0.001\n  head_lr: 0.002\n")
    config = load_spec(TrainConfig, spec, ["data_dir=d", "~optim.lr"])
    assert config.optim.lr == 5e-5 and config.optim.head_lr == 0.002
    assert load_spec(TrainConfig, spec, ["data_dir=d", "~optim"]).optim.head_lr == 5e-4


def test_interpolations_resolve_to_their_values():
    config = load_spec(TrainConfig, None, ["data_dir=d", "optim.head_lr=${optim.lr}", "optim.lr=0.01"])
    assert config.optim.head_lr == 0.01 and "${" not in str(config)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"# caf\xe9\nseed: 1\n", ":1: bytes b'\\xe9' are not valid UTF-8"),
        (b"5\n", "a spec is a mapping of keys to values (key: value lines), not a YAML int"),
        (b"[1, 2]\n", "not a YAML list"),
        (
            b"a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
            "more than 100,000 values once its YAML aliases are expanded",
        ),
    ],
)
def test_spec_files_that_are_not_specs_are_named(tmp_path, capsys, content, message):
    spec = tmp_path / "bad.yaml"
    spec.write_bytes(content)
    err = error_of(["train", "-e", str(spec), "data_dir=d"], capsys)
    assert f"{spec}" in err and message in err


def test_a_folder_or_a_device_as_the_spec_is_named(tmp_path, capsys):
    assert f"{tmp_path}: spec file is a folder, not a file" in error_of(
        ["train", "-e", str(tmp_path), "data_dir=d"], capsys
    )
    assert "/dev/zero: spec file is a character device" in error_of(["train", "-e", "/dev/zero", "data_dir=d"], capsys)


def test_the_tao_train_spec_with_restore_from_unset_loads(tmp_path):
    spec = tmp_path / "train.yaml"  # TAO's printed spec log begins so
    spec.write_text("restore_from: ???\ndata_dir: ???\ntrainer:\n  max_epochs: 2\n")
    config = load_spec(TrainConfig, spec, ["data_dir=d"])
    assert config.restore_from is None and config.trainer.max_epochs == 2


def test_nemo_and_tao_paths_that_disagree_are_refused_and_agreeing_ones_noted(tmp_path, capsys):
    spec = tmp_path / "train.yaml"
    spec.write_text("training_ds:\n  batch_size: 4\nmodel:\n  train_ds:\n    batch_size: 16\n")
    err = error_of(["train", "-e", str(spec), "data_dir=d"], capsys)
    assert "training_ds.batch_size=4 and model.train_ds.batch_size=16 both set training_ds.batch_size" in err
    spec.write_text("training_ds:\n  batch_size: 4\nmodel:\n  train_ds:\n    batch_size: 4\n")
    notes = []
    assert load_spec(TrainConfig, spec, ["data_dir=d"], notes).training_ds.batch_size == 4
    assert "training_ds.batch_size and model.train_ds.batch_size both set training_ds.batch_size=4" in notes


def test_hugging_face_flags_are_answered_with_their_keys(capsys):
    err = error_of(
        [
            "train",
            "--data_dir",
            "D",
            "--learning_rate",
            "1e-3",
            "--num_train_epochs=3",
            "--fp16",
            "--per_device_train_batch_size",
            "8",
            "--output_dir",
            "out",
        ],
        capsys,
    )
    for expected in (
        "data_dir=D",
        "optim.lr=1e-3",
        "trainer.max_epochs=3",
        "trainer.precision=16-mixed",
        "training_ds.batch_size=8",
        "-r out",
    ):
        assert expected in err


@pytest.mark.parametrize("after", [0.15, 0.5, 1.5])
def test_ctrl_c_early_in_a_command_exits_130(after, tmp_path):
    """SIGINT while the program's modules, torch or the model load: 130, never death by the signal (-2) or a traceback."""
    import shutil
    import signal
    import subprocess
    import sys
    import time

    script = shutil.which("token_classification", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [script, "infer", "-r", str(tmp_path / "r"), "-m", str(tmp_path / "m.tcls")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    # before 1 s it is still importing (torch alone takes longer); later it may have reached its error (no archive): 2
    assert process.returncode == 130 if after < 1 else process.returncode in (130, 2), err
    assert "Traceback" not in err


def test_an_empty_label_separator_is_refused(tmp_path, capsys):
    source = tmp_path / "src"
    source.mkdir()
    for split in ("train", "dev"):
        (source / f"{split}.tsv").write_text("a text\tx,y\n")
    err = error_of(
        [
            "dataset_convert",
            f"source_data_dir={source}",
            f"target_data_dir={tmp_path / 'out'}",
            "problem_type=multi_label_classification",
            "label_separator=",
        ],
        capsys,
        "text_classification",
    )
    assert "label_separator is empty" in err
