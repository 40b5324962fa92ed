"""NeMo's own config layout (model.dataset.data_dir, model.train_ds, model.optim, ...) loads and trains."""

import pytest

from tests.conftest import write_ner_dataset
from tokcls.cli import main
from tokcls.commands import SCHEMAS
from tokcls.config.loading import SpecError, load_spec
from tokcls.tasks.spec_checks import check_spec

NEMO_CONFIG = """
pretrained_model: null
trainer:
  devices: 1
  num_nodes: 1
  max_epochs: 1
  max_steps: 2
  accumulate_grad_batches: 1
  gradient_clip_val: 0.0
  precision: 32
  accelerator: cpu
  enable_checkpointing: false
  logger: false
  log_every_n_steps: 1
  val_check_interval: 1.0
  resume_from_checkpoint: null
exp_manager:
  exp_dir: null
  name: token_classification_model
  create_tensorboard_logger: true
  create_checkpoint_callback: true
model:
  label_ids: null
  class_labels:
    class_labels_file: label_ids.csv
  dataset:
    data_dir: {data}
    class_balancing: null
    max_seq_length: 128
    pad_label: O
    ignore_extra_tokens: false
    ignore_start_end: true
    use_cache: false
    num_workers: 0
    pin_memory: false
    drop_last: false
  train_ds:
    text_file: text_train.txt
    labels_file: labels_train.txt
    shuffle: true
    num_samples: -1
    batch_size: 16
  validation_ds:
    text_file: text_dev.txt
    labels_file: labels_dev.txt
    shuffle: false
    num_samples: -1
    batch_size: 16
  test_ds:
    text_file: text_dev.txt
    labels_file: labels_dev.txt
    shuffle: false
    num_samples: -1
    batch_size: 16
  tokenizer:
    tokenizer_name: ${{model.language_model.pretrained_model_name}}
    vocab_file: null
    tokenizer_model: null
    special_tokens: null
  language_model:
    pretrained_model_name: splade-tiny
    lm_checkpoint: null
    config_file: null
    config: null
  head:
    num_fc_layers: 2
    fc_dropout: 0.5
    activation: relu
    use_transformer_init: true
  optim:
    name: adam
    lr: 5e-5
    weight_decay: 0.00
    sched:
      name: WarmupAnnealing
      warmup_steps: null
      warmup_ratio: 0.1
      last_epoch: -1
      monitor: val_loss
      reduce_on_plateau: false
hydra:
  run:
    dir: .
"""


def test_nemo_own_config_layout_loads_and_trains(tmp_path, tiny_encoder):
    data = write_ner_dataset(tmp_path / "data", n_train=40, n_dev=10)
    spec = tmp_path / "token_classification_config.yaml"
    spec.write_text(NEMO_CONFIG.format(data=data))
    notes = []
    config = load_spec(SCHEMAS["train"], spec, [], notes)
    assert config.data_dir == str(data) and config.training_ds.batch_size == 16 and config.optim.name.value == "adam"
    assert config.model.dataset.label_all_subwords is True  # ignore_extra_tokens: false
    assert "NeMo key model.train_ds.batch_size read as training_ds.batch_size" in notes
    assert "NeMo key model.optim.sched.name read as optim.sched.name" in notes
    assert len([n for n in notes if n.startswith("NeMo section hydra")]) == 1
    assert main(["train", "-e", str(spec), "-r", str(tmp_path / "run"), "trainer.enable_progress_bar=false"]) == 0
    log = (tmp_path / "run" / "train_log.txt").read_text()
    assert "NeMo key model.dataset.data_dir read as data_dir" in log and "Test summary" in log
    assert (tmp_path / "run" / "checkpoints" / "token_classification_model.tcls").exists()


def test_nemo_keys_that_cannot_be_honoured_are_refused_with_the_reason(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(
            SCHEMAS["train"],
            None,
            ["data_dir=x", "model.dataset.drop_last=true", "+pretrained_model=ner_en_bert", "trainer.logger=true"],
        )
    check = str(info.value)
    assert "model.dataset.drop_last=True cannot be honoured: every training sentence" in check
    assert "pretrained_model=ner_en_bert cannot be honoured" in check
    config = load_spec(SCHEMAS["train"], None, ["data_dir=x", "trainer.logger=true"])
    with pytest.raises(SpecError, match="exp_manager makes the loggers"):
        check_spec("train", config)


def test_taos_riva_export_is_refused_with_the_reason():
    with pytest.raises(SpecError, match="RIVA's .riva files need NVIDIA's own tooling"):
        load_spec(SCHEMAS["export"], None, ["export_format=RIVA"])
    assert load_spec(SCHEMAS["export"], None, ["export_format=ONNX"]).format.value == "onnx"
