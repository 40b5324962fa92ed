"""fine-tune a model trained here: unknown labels refused or added without changing old predictions."""

import random

from omegaconf import OmegaConf

from tests.conftest import write_ner_dataset
from tokcls.cli import main
from tokcls.commands.token_classification.finetune import new_label_bias
from tokcls.data.windows import WindowSettings
from tokcls.inference.predictor import Predictor
from tokcls.model.archive import load_model
from tokcls.model.archive_files import read_archive
from tokcls.tasks import get_task
from tokcls.tasks.token.examples import read_examples
from tokcls.tasks.token.specs import FineTuneConfig
from tokcls.training.fit import prepare_data

FAST = ["trainer.max_epochs=2", "optim.lr=3e-3", "training_ds.batch_size=16", "trainer.enable_progress_bar=false"]


def with_organisations(directory):
    """The synthetic set, plus ORG entities (google, siemens) the trained model has never seen."""
    data = write_ner_dataset(directory, n_train=80, n_dev=20, seed=3)
    rng = random.Random(0)
    for split in ("train", "dev"):
        texts = (data / f"text_{split}.txt").read_text().splitlines()
        labels = (data / f"labels_{split}.txt").read_text().splitlines()
        texts = [f"{t} at {rng.choice(['google', 'siemens'])}" for t in texts]
        labels = [f"{lab} O B-ORG" for lab in labels]
        (data / f"text_{split}.txt").write_text("\n".join(texts) + "\n")
        (data / f"labels_{split}.txt").write_text("\n".join(labels) + "\n")
    (data / "label_ids.csv").write_text("O\nB-LOC\nB-ORG\nB-PER\nI-PER\n")
    return data


def test_unknown_labels_are_listed(trained, tmp_path, capsys):
    _, archive, _ = trained
    data = with_organisations(tmp_path / "data")
    assert (
        main(["fine-tune", "-r", str(tmp_path / "r"), "-m", str(archive), "-k", "key1", f"data_dir={data}", *FAST]) == 2
    )
    err = capsys.readouterr().err
    assert "labels the model lacks: B-ORG" in err and "model.extend_labels=true" in err


def test_extended_labels_keep_old_predictions_at_step_zero(trained, tmp_path):
    _, archive, _ = trained
    data = with_organisations(tmp_path / "data")
    model, tokenizer, trained_cfg = load_model(archive, "key1")
    examples = read_examples(data / "text_dev.txt")
    before, _ = Predictor(model, tokenizer, WindowSettings(128, 32)).predict(examples)
    config = OmegaConf.merge(OmegaConf.structured(FineTuneConfig), {"data_dir": str(data)})
    prepared = prepare_data(config, tokenizer, model.labels + ["B-ORG"], tmp_path, get_task(model.task))
    predictor = Predictor(model, tokenizer, WindowSettings(128, 32))
    model.extend_labels(["B-ORG"], bias=new_label_bias(predictor, prepared.train_examples))
    after, _ = Predictor(model, tokenizer, WindowSettings(128, 32)).predict(examples)
    assert after == before and model.labels[-1] == "B-ORG"


def test_fine_tune_with_extend_labels_learns_the_new_label(trained, tmp_path):
    _, archive, _ = trained
    data = with_organisations(tmp_path / "data")
    results = tmp_path / "ft"
    assert (
        main(
            [
                "fine-tune",
                "-r",
                str(results),
                "-m",
                str(archive),
                "-k",
                "key1",
                f"data_dir={data}",
                "model.extend_labels=true",
                "optim.head_lr=3e-2",
                *FAST,
            ]
        )
        == 0
    )
    files = read_archive(results / "checkpoints" / "tokcls_finetuned.tcls", key="key1")
    assert files["label_ids.csv"].decode().split() == ["O", "B-LOC", "B-PER", "I-PER", "B-ORG"]
    model, tokenizer, _ = load_model(results / "checkpoints" / "tokcls_finetuned.tcls", "key1")
    labels, _ = Predictor(model, tokenizer, WindowSettings(128, 32)).predict(read_examples(data / "text_dev.txt"))
    assert sum(sentence[-1] == "B-ORG" for sentence in labels) >= 0.9 * len(labels)
