"""The text_classification specs: shipped files and reference current, TAO's text-classification spec layout accepted."""

import pytest
from omegaconf import OmegaConf

from tests.conftest import REPO
from tokcls.cli import text_main
from tokcls.commands import REGISTRIES, TEXT
from tokcls.config.loading import SpecError, load_spec
from tokcls.config.reference import render_reference, render_yaml
from tokcls.tasks.spec_checks import check_spec

REGISTRY = REGISTRIES[TEXT]
REQUIRED = {"dataset_convert": ["source_data_dir=a", "target_data_dir=b"]}
REGENERATE = (
    "regenerate: text_classification download_specs -r /tmp/specs_log -o specs/text_classification overwrite=true && "
    "python -m tokcls.commands text_classification > docs/text_spec_reference.md"
)

# TAO's text_classification train spec, as its documentation shows it (values of the example)
TAO_TRAIN = """
trainer:
  max_epochs: 2
model:
  class_labels:
    class_labels_file: null
  dataset:
    num_classes: 2
    do_lower_case: false
    max_seq_length: 128
    class_balancing: weighted_loss
    use_cache: false
  infer_samples:
    - by the end of no such thing the audience , like beatrice , has a watchful affection for the monster .
  language_model:
    pretrained_model_name: bert-base-uncased
    lm_checkpoint: null
    config_file: null
    config: null
  classifier_head:
    num_output_layers: 2
    fc_dropout: 0.1
training_ds:
  file_path: train.tsv
  batch_size: 64
  shuffle: true
  num_samples: -1
  num_workers: 3
  drop_last: false
  pin_memory: false
validation_ds:
  file_path: dev.tsv
  batch_size: 64
  shuffle: false
  num_samples: -1
  num_workers: 3
  drop_last: false
  pin_memory: false
optim:
  name: adam
  lr: 2e-5
  betas: [0.9, 0.999]
  weight_decay: 0.01
  sched:
    name: WarmupAnnealing
    warmup_steps: null
    warmup_ratio: 0.1
    last_epoch: -1
    monitor: val_loss
    reduce_on_plateau: false
"""


@pytest.mark.parametrize("command", REGISTRY.spec_files)
def test_shipped_text_spec_is_current_and_loads_to_the_defaults(command):
    path = REPO / "specs" / "text_classification" / f"{command}.yaml"
    schema = REGISTRY.schemas[command]
    assert path.read_text() == render_yaml(schema), REGENERATE
    required = REQUIRED.get(command, [])
    assert OmegaConf.to_container(load_spec(schema, path, required)) == OmegaConf.to_container(
        load_spec(schema, None, required)
    )


def test_text_spec_reference_is_current():
    assert (REPO / "docs" / "text_spec_reference.md").read_text() == render_reference(REGISTRY.schemas, TEXT), (
        REGENERATE
    )


def test_taos_text_classification_spec_loads_with_its_keys_at_their_paths(tmp_path):
    spec = tmp_path / "train.yaml"
    spec.write_text(TAO_TRAIN)
    notes = []
    config = load_spec(REGISTRY.schemas["train"], spec, [], notes)
    check_spec("train", config, TEXT)
    assert config.model.dataset.class_balancing.value == "weighted_loss" and config.model.dataset.num_classes == 2
    assert config.training_ds.num_workers == 3 and config.model.classifier_head.num_output_layers == 2
    assert any("optim.sched.reduce_on_plateau" in note for note in notes)


def test_settings_that_contradict_the_problem_type_are_refused_all_at_once():
    config = load_spec(
        REGISTRY.schemas["train"],
        None,
        [
            "model.dataset.problem_type=regression",
            "model.dataset.class_balancing=weighted_loss",
            "exp_manager.checkpoint_callback_params.monitor=val_accuracy",
            "training_ds.drop_last=true",
        ],
    )
    with pytest.raises(SpecError) as error:
        check_spec("train", config, TEXT)
    message = str(error.value)
    assert (
        "3 problems" in message
        and "class_balancing" in message
        and "val_accuracy" in message
        and "drop_last" in message
    )


def test_a_token_model_is_refused_by_text_commands_with_the_fix(trained, tmp_path, capsys):
    _, archive, _ = trained
    assert text_main(["infer", "-r", str(tmp_path), "-m", str(archive), "-k", "key1"]) == 2
    assert "a token_classification model, but this is text_classification" in capsys.readouterr().err


def test_num_classes_must_match_the_label_file(tmp_path, capsys):
    (tmp_path / "label_ids.csv").write_text("a\nb\n")
    (tmp_path / "train.tsv").write_text("x\t0\ny\t1\n")
    (tmp_path / "dev.tsv").write_text("x\t0\n")
    code = text_main(["train", "-r", str(tmp_path / "r"), f"data_dir={tmp_path}", "model.dataset.num_classes=3"])
    assert code == 2 and "num_classes=3, but the label file has 2 classes" in capsys.readouterr().err
