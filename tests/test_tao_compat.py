"""A TAO user's spec files and the documented command lines run unchanged; NeMo's own layout loads."""

import json
import re
import shlex

import pytest
import torch
import yaml
from safetensors.torch import load as load_tensors

from tests.conftest import REPO, write_ner_dataset
from tests.test_train import scalars
from tokcls.cli import main
from tokcls.data.labels import class_weights, read_label_ids
from tokcls.model.archive_files import read_archive
from tokcls.tasks.token.examples import read_examples

ENCODER = "model.language_model.pretrained_model_name=splade-tiny"  # the one override this machine needs

# Every key of the documentation's train spec table and of the train spec TAO prints, with TAO's values.
TAO_TRAIN = """
trainer:
  max_epochs: 5
model:
  label_ids: null
  tokenizer:
    tokenizer_name: ${model.language_model.pretrained_model_name}
    vocab_file: null
    tokenizer_model: null
    special_tokens: null
  language_model:
    pretrained_model_name: bert-base-uncased
    lm_checkpoint: null
    config_file: null
    config: null
  head:
    num_fc_layers: 2
    fc_dropout: 0.5
    activation: relu
    use_transformer_init: true
  class_balancing: null
data_dir: ???
training_ds:
  text_file: text_train.txt
  labels_file: labels_train.txt
  shuffle: true
  num_samples: -1
  batch_size: 64
validation_ds:
  text_file: text_dev.txt
  labels_file: labels_dev.txt
  shuffle: false
  num_samples: -1
  batch_size: 64
test_ds:
  text_file: text_test.txt
  labels_file: labels_test.txt
  shuffle: false
  num_samples: -1
  batch_size: 64
optim:
  name: adam
  lr: 5e-5
  weight_decay: 0.00
  sched:
    name: WarmupAnnealing
    warmup_ratio: 0.1
    last_epoch: -1
exp_manager:
  explicit_log_dir: null
  exp_dir: null
  name: trained-model
  version: null
  use_datetime_version: true
  resume_if_exists: true
  resume_past_end: false
  resume_ignore_no_checkpoint: true
  create_tensorboard_logger: true
  summary_writer_kwargs: null
  create_wandb_logger: false
  wandb_logger_kwargs: null
  create_checkpoint_callback: true
  checkpoint_callback_params:
    filepath: null
    monitor: val_loss
    verbose: true
    save_last: true
    save_top_k: 3
    save_weights_only: false
    mode: auto
    period: 1
    prefix: null
    postfix: .tlt
    save_best_model: false
  files_to_copy: null
"""
TAO_EVALUATE = """
restore_from: {archive}
data_dir: ???
test_ds:
  text_file: text_test.txt
  labels_file: labels_test.txt
  batch_size: 1
  shuffle: true
  num_samples: -1
"""
TAO_FINETUNE = """
restore_from: {archive}
trainer:
  max_epochs: 1
data_dir: ???
training_ds:
  text_file: text_train.txt
  labels_file: labels_train.txt
  shuffle: true
  num_samples: -1
  batch_size: 64
validation_ds:
  text_file: text_dev.txt
  labels_file: labels_dev.txt
  shuffle: false
  num_samples: -1
  batch_size: 64
optim:
  name: adam
  lr: 5e-5
  weight_decay: 0.00
"""
TAO_INFER = """
restore_from: {archive}
input_batch:
  - 'We bought four shirts from the Nvidia gear store in Santa Clara.'
  - 'Nvidia is a company.'
"""


def run(command_line: str) -> int:
    return main(shlex.split(command_line)[1:])


@pytest.fixture(scope="module")
def brown(tmp_path_factory):
    """Real data: the bundled Brown POS sample, converted as TAO users convert theirs."""
    root = tmp_path_factory.mktemp("tao")
    assert (
        main(
            [
                "dataset_convert",
                f"source_data_dir={REPO / 'tokcls/demo_data/en_brown_pos_sample'}",
                f"target_data_dir={root / 'data'}",
            ]
        )
        == 0
    )
    return root


def test_tao_specs_and_documented_command_lines_train_evaluate_and_infer(brown, tiny_encoder, capsys):
    D, R = brown / "data", brown / "train"
    (brown / "train.yaml").write_text(TAO_TRAIN)
    archive = R / "checkpoints" / "trained-model.tlt"
    (brown / "evaluate.yaml").write_text(TAO_EVALUATE.format(archive=archive))
    (brown / "infer.yaml").write_text(TAO_INFER.format(archive=archive))
    (brown / "finetune.yaml").write_text(TAO_FINETUNE.format(archive=archive))
    documented = (
        f"token_classification train -e {brown}/train.yaml -r {R} -g 1 -k KEY data_dir={D} "
        f"model.label_ids={D}/label_ids.csv trainer.max_epochs=5 training_ds.num_samples=-1 validation_ds.num_samples=-1"
    )
    assert run(f"{documented} {ENCODER} trainer.max_epochs=2") == 0
    log = (R / "train_log.txt").read_text()
    assert "Nothing to resume" in log  # resume_if_exists with resume_ignore_no_checkpoint on a first run
    assert "Three most popular labels in train:" in log and "Label frequencies and class weights" in log
    assert "Optimizer config = Adam (" in log and "Scheduler WarmupAnnealing will be used" in log
    assert "The archive holds the weights of the last step" in log  # save_best_model: false
    assert re.search(
        r"Test summary .*\n  entity_f1 .*\n  entity_precision .*\n  entity_recall .*\n  token_macro_f1 .*\n"
        r"  test_loss ",
        log,
    )
    assert archive.exists() and b"model.safetensors" not in archive.read_bytes()  # -k: encrypted
    assert read_archive(archive, "KEY")["label_ids.csv"].decode().split() == read_label_ids(D / "label_ids.csv")
    ranked = [p.name for p in (R / "checkpoints").glob("trained-model--*.ckpt")]
    assert len(ranked) == 2 and all("val_loss=" in name for name in ranked)

    assert (
        run(f"token_classification evaluate -e {brown}/evaluate.yaml -r {brown}/evaluate -g 1 -k KEY data_dir={D}") == 0
    )
    report = json.loads((brown / "evaluate" / "evaluation_report.json").read_text())
    summary = report["summary"]
    assert set(summary) == {"entity_f1", "entity_precision", "entity_recall", "token_macro_f1", "test_loss"}
    assert summary["test_loss"] > 0
    # TAO's "f1" is the token table's macro average (its document's 7.0182 is that row): printed under its own name
    assert summary["token_macro_f1"] == pytest.approx(100 * report["token"]["macro avg"]["f1"])
    assert "test_loss" in capsys.readouterr().out

    assert run(f"token_classification infer -e {brown}/infer.yaml -r {brown}/infer -g 1 -k KEY") == 0
    rows = [json.loads(line) for line in (brown / "infer" / "infer_results.jsonl").read_text().splitlines()]
    assert [r["text"] for r in rows] == yaml.safe_load(TAO_INFER)["input_batch"]
    assert all(len(r["labels"]) == len(r["words"]) for r in rows)

    # TAO's command is `finetune`; training_ds.num_samples is the size override this machine needs
    assert (
        run(
            f"token_classification finetune -e {brown}/finetune.yaml -r {brown}/finetune -g 1 -k KEY data_dir={D} "
            "trainer.max_epochs=1 training_ds.num_samples=64"
        )
        == 0
    )
    assert read_archive(brown / "finetune" / "checkpoints" / "tokcls_finetuned.tcls", "KEY")

    (brown / "export.yaml").write_text(
        f"restore_from: {archive}\nexport_to: exported-model.onnx\nexport_format: ONNX\n"
    )
    assert run(f"token_classification export -e {brown}/export.yaml -r {brown}/export -k KEY") == 0
    assert (brown / "export" / "exported-model.onnx").stat().st_size > 0


def test_evaluate_and_infer_take_g(trained, tmp_path, capsys):
    data, archive, _ = trained
    assert (
        main(["evaluate", "-r", str(tmp_path / "e"), "-m", str(archive), "-k", "key1", "-g", "2", f"data_dir={data}"])
        == 2
    )
    assert (
        "trainer.devices=2 is out of range: it must be ≥ 0 and ≤ 1 (-g sets it: 1 runs on one device"
        in capsys.readouterr().err
    )
    assert main(["infer", "-r", str(tmp_path / "i"), "-m", str(archive), "-k", "key1", "-g", "0"]) == 0
    assert "trainer:\n  accelerator: auto\n  devices: 0" in (tmp_path / "i" / "infer_log.txt").read_text()


def test_monitor_val_loss_keeps_the_lowest_loss_epoch(tmp_path, tiny_encoder):
    """Silent bug: mode max (the old default) with val_loss archived the epoch with the highest loss."""
    data, results = write_ner_dataset(tmp_path / "data", n_train=60, n_dev=20), tmp_path / "run"
    assert (
        main(
            [
                "train",
                "-r",
                str(results),
                f"data_dir={data}",
                ENCODER,
                "trainer.max_epochs=3",
                "optim.lr=3e-3",
                "training_ds.batch_size=16",
                "trainer.enable_progress_bar=false",
                "exp_manager.checkpoint_callback_params.monitor=val_loss",
            ]
        )
        == 0
    )
    log = (results / "train_log.txt").read_text()
    losses = [
        float(x)
        for x in re.findall(r"val_loss=(\d+\.\d+)\.ckpt", " ".join(p.name for p in (results / "checkpoints").iterdir()))
    ]
    best = float(re.search(r"Best val_loss (\d+\.\d+)", log).group(1))
    epochs = scalars(results, "val_loss")
    assert len(epochs) == 3 and epochs[0] > min(epochs)  # so keeping the highest loss would keep another epoch
    assert len(losses) == 1 and best == pytest.approx(min(epochs), abs=1e-4) == pytest.approx(losses[0], abs=1e-4)
    best_checkpoint = next((results / "checkpoints").glob("tokcls--*.ckpt"))
    state = torch.load(best_checkpoint, map_location="cpu", weights_only=True)["state_dict"]
    archived = load_tensors(read_archive(results / "checkpoints" / "tokcls.tcls")["model.safetensors"])
    assert torch.equal(archived["head.layers.1.weight"], state["network.head.layers.1.weight"])


@pytest.mark.parametrize("mode, monitor", [("max", "val_loss"), ("min", "val_entity_f1")])
def test_a_monitor_against_its_mode_is_refused_at_start_up(mode, monitor, capsys):
    key = "exp_manager.checkpoint_callback_params"
    assert main(["train", "data_dir=x", f"{key}.monitor={monitor}", f"{key}.mode={mode}"]) == 2
    assert f"would keep the worst checkpoint. Set {key}.mode=" in capsys.readouterr().err


def test_a_misspelled_pair_of_keys_is_reported_in_one_error(tmp_path, capsys):
    spec = tmp_path / "train.yaml"
    spec.write_text("data_dir: x\nmodel:\n  head:\n    num_fc_layer: 2\ntraining_ds:\n  batchsize: 8\n")
    assert main(["train", "-e", str(spec), "optim.lrr=1", "trainer.max_epochs=three"]) == 2
    err = capsys.readouterr().err
    assert "4 problems, nothing was run" in err
    assert "unknown key 'model.head.num_fc_layer'. Did you mean 'num_fc_layers'?" in err
    assert "unknown key 'training_ds.batchsize'. Did you mean 'batch_size'?" in err
    assert "unknown key 'optim.lrr'. Did you mean 'lr'?" in err and "trainer.max_epochs" in err


def test_class_weights_follow_num_samples(tmp_path, tiny_encoder):
    """Silent bug: after a num_samples run, a full run reused the subset's cached class weights."""
    data = write_ner_dataset(tmp_path / "data", n_train=120, n_dev=10)
    full = read_examples(data / "text_train.txt", data / "labels_train.txt")
    labels = read_label_ids(data / "label_ids.csv")
    for name, samples in (("subset", 7), ("full", -1)):
        assert (
            main(
                [
                    "train",
                    "-r",
                    str(tmp_path / name),
                    f"data_dir={data}",
                    ENCODER,
                    "trainer.max_steps=1",
                    f"training_ds.num_samples={samples}",
                    "model.class_balancing=weighted_loss",
                    "trainer.enable_progress_bar=false",
                ]
            )
            == 0
        )
    log = (tmp_path / "full" / "train_log.txt").read_text()
    logged = {
        m.group(1): float(m.group(2)) for m in re.finditer(r"^  (\S+) +\d+ +[\d.]+%  weight ([\d.]+)$", log, re.M)
    }
    assert logged == pytest.approx(dict(zip(labels, class_weights(full, labels))), abs=1e-4)
    assert len(list(data.glob("label_stats_*.json"))) == 2
