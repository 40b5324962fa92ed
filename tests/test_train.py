"""End to end: `token_classification train` on tiny data written here."""

import json

import pytest
import yaml
from safetensors.torch import load as load_tensors
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tests.conftest import write_ner_dataset
from tokcls.cli import main
from tokcls.model.archive_files import read_archive

FAST = [
    "trainer.max_epochs=4",
    "optim.lr=3e-3",
    "training_ds.batch_size=16",
    "trainer.log_every_n_steps=1",
    "trainer.enable_progress_bar=false",
]


def train(tmp_path, name, *overrides, data=None, flags=()):
    data = data or write_ner_dataset(tmp_path / "data")
    results = tmp_path / name
    code = main(
        [
            "train",
            "-r",
            str(results),
            *flags,
            f"data_dir={data}",
            "model.language_model.pretrained_model_name=splade-tiny",
            *FAST,
            *overrides,
        ]
    )
    assert code == 0
    return results


def scalars(results, tag):
    events = EventAccumulator(str(results / "tensorboard"))
    events.Reload()
    return [e.value for e in events.Scalars(tag)]


def test_train_writes_the_experiment_directory_and_learns(tmp_path, tiny_encoder):
    results = train(tmp_path, "run")
    assert (results / "train_spec.yaml").exists()
    log = (results / "train_log.txt").read_text()
    assert "Validation after epoch 3" in log and "Entity level (seqeval, default mode)" in log
    assert "B-PER (label_id: 2)" in log and "longer than max_seq_length" in log
    checkpoints = sorted(p.name for p in (results / "checkpoints").iterdir())
    assert "last.ckpt" in checkpoints and "tokcls.tcls" in checkpoints
    assert any(name.startswith("tokcls--epoch=") and "val_entity_f1=" in name for name in checkpoints)
    timing = json.loads((results / "train_results.json").read_text())
    assert timing["epochs"] == 4 and timing["optimizer_steps"] > 0
    assert 0 < timing["train_seconds"] < timing["fit_seconds"] and timing["validation_seconds"] > 0
    assert timing["train_sentences_per_second"] == pytest.approx(
        timing["train_sentences"] * 4 / timing["train_seconds"], rel=0.01
    )

    loss = scalars(results, "train_loss")
    assert sum(loss[-5:]) / 5 < 0.5 * sum(loss[:5]) / 5
    assert scalars(results, "val_entity_f1")[-1] > 0.8
    assert len(scalars(results, "lr-AdamW/pg1")) > 10  # encoder weights; pg3/pg4 are the head

    files = read_archive(results / "checkpoints" / "tokcls.tcls")
    assert files["label_ids.csv"].decode().split() == ["O", "B-LOC", "B-PER", "I-PER"]
    assert "tokenizer/tokenizer.json" in files and "encoder/config.json" in files
    weights = load_tensors(files["model.safetensors"])
    assert weights["head.layers.1.weight"].shape == (4, 128 + 16)  # the encoder's state and the word's shape
    assert weights["head.shapes.weight"].shape == (9, 16)  # a 16-dim embedding per word shape (the default)
    assert all(k.startswith(("encoder.", "head.")) for k in weights)
    assert b"splade-tiny" in files["config.yaml"]


def test_same_spec_twice_gives_the_same_model(tmp_path, tiny_encoder):
    data = write_ner_dataset(tmp_path / "data", n_train=60, n_dev=20)
    first = train(tmp_path, "a", "trainer.max_epochs=2", data=data)
    second = train(tmp_path, "b", "trainer.max_epochs=2", data=data)
    assert scalars(first, "val_entity_f1") == scalars(second, "val_entity_f1")
    weights = [
        load_tensors(read_archive(r / "checkpoints" / "tokcls.tcls")["model.safetensors"]) for r in (first, second)
    ]
    assert all((weights[0][k] == weights[1][k]).all() for k in weights[0])


def test_resume_if_exists_continues_from_last(tmp_path, tiny_encoder):
    data = write_ner_dataset(tmp_path / "data", n_train=32, n_dev=8)
    results = train(tmp_path, "run", "trainer.max_epochs=1", data=data)
    train(
        tmp_path,
        "run",
        "trainer.max_epochs=2",
        "exp_manager.resume_if_exists=true",
        "exp_manager.resume_past_end=true",
        data=data,
    )
    log = (results / "train_log.txt").read_text()
    assert "Resuming from" in log and "Validation after epoch 1" in log
    assert len(scalars(results, "val_entity_f1")) == 2


def test_weighted_loss_deeper_head_and_encrypted_archive(tmp_path, tiny_encoder):
    results = train(
        tmp_path,
        "run",
        "trainer.max_epochs=1",
        "model.class_balancing=weighted_loss",
        "model.head.num_fc_layers=2",
        "model.dataset.label_all_subwords=true",
        flags=("-k", "s3cret"),
    )
    assert "Class weights applied to the loss" in (results / "train_log.txt").read_text()
    assert list((tmp_path / "data").glob("label_stats_*.json"))
    archive = results / "checkpoints" / "tokcls.tcls"
    assert b"model.safetensors" not in archive.read_bytes()  # encrypted, names included
    weights = load_tensors(read_archive(archive, key="s3cret")["model.safetensors"])
    layers = (weights["head.layers.1.weight"].shape, weights["head.layers.4.weight"].shape)
    assert layers == ((144, 144), (4, 144))  # 128 of the encoder and 16 of the word shape, then to the labels


def test_default_packaged_encoder_trains_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    data = write_ner_dataset(tmp_path / "data", n_train=16, n_dev=4)
    results = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "-r",
                str(results),
                f"data_dir={data}",
                "trainer.max_steps=2",
                "trainer.enable_progress_bar=false",
            ]
        )
        == 0
    )
    weights = load_tensors(read_archive(results / "checkpoints" / "tokcls.tcls")["model.safetensors"])
    assert weights["head.layers.1.weight"].shape == (4, 384 + 16)  # MiniLM's hidden size, and the word shapes


@pytest.mark.parametrize(
    "override, message",
    [
        ("model.head.num_fc_layer=2", "Did you mean 'num_fc_layers'?"),
        ("optim.sched.name=poly", "expected one of [linear, WarmupAnnealing, cosine, constant]"),
        ("trainer.max_epochs=three", "trainer.max_epochs"),
    ],
)
def test_spec_errors_stop_before_any_model_loads(tmp_path, capsys, override, message):
    assert main(["train", "-r", str(tmp_path / "r"), "data_dir=x", override]) == 2
    assert message in capsys.readouterr().err


def test_without_r_the_log_dir_follows_exp_manager(tmp_path, capsys):
    """NeMo's rules: exp_dir/name/version (version_N, or a date), explicit_log_dir, and -r winning over it."""
    base = ["train", "data_dir=nowhere", f"exp_manager.exp_dir={tmp_path}", "exp_manager.name=ner"]
    for expected in ("version_0", "version_1"):
        assert main([*base, "exp_manager.use_datetime_version=false"]) == 2  # the data is missing: stops after the spec
        spec = yaml.safe_load((tmp_path / "ner" / expected / "train_spec.yaml").read_text())
        assert spec["exp_manager"]["explicit_log_dir"] == str(tmp_path / "ner" / expected)
    assert main([*base, "exp_manager.resume_if_exists=true", "exp_manager.resume_ignore_no_checkpoint=true"]) == 2
    assert (tmp_path / "ner" / "train_log.txt").exists()  # resuming: no version folder, so a rerun finds it
    assert main(["train", "data_dir=nowhere", f"exp_manager.explicit_log_dir={tmp_path / 'x'}"]) == 2
    assert (tmp_path / "x" / "train_spec.yaml").exists()
    assert (
        main(["train", "-r", str(tmp_path / "r"), "data_dir=nowhere", f"exp_manager.explicit_log_dir={tmp_path / 'x'}"])
        == 2
    )
    assert (
        f"-r {tmp_path / 'r'} wins over exp_manager.explicit_log_dir" in (tmp_path / "r" / "train_log.txt").read_text()
    )
    assert "nowhere: data_dir not found" in capsys.readouterr().err
