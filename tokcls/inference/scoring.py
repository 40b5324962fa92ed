"""Score a model on a labelled split: predictions, the reports and the test summary (evaluate, and train's test_ds)."""

from __future__ import annotations

from pathlib import Path

from tokcls.core.errors import InputError
from tokcls.data.documents import docs_file, read_documents
from tokcls.data.examples import read_examples
from tokcls.data.labels import check_labels_known
from tokcls.data.text_examples import read_text_examples
from tokcls.inference.predictor import Predictor


def read_split(data_dir: str | Path, split_cfg) -> list:
    """A labelled token split's examples (read before a model loads, so that a missing or empty split stops at once)."""
    data_dir = Path(data_dir)
    examples = read_examples(data_dir / split_cfg.text_file, data_dir / split_cfg.labels_file, split_cfg.num_samples)
    if not any(example.words for example in examples):  # nothing to score: no report is no success
        raise InputError(
            "the split has no words (the file is empty or holds blank lines only)",
            "point the split at a file with sentences (dataset_convert writes text_<split>.txt)",
            data_dir / split_cfg.text_file,
        )
    return examples


def score_split(predictor: Predictor, data_dir: str | Path, split_cfg, progress: bool = True, examples=None):
    """(examples, prediction, reports): the task's reports, with `summary` (for tokens: entity-level f1,
    precision, recall in %, as seqeval computes them) and the test_loss."""
    data_dir = Path(data_dir)
    labels_file = data_dir / split_cfg.labels_file
    model = predictor.model
    text_file = data_dir / split_cfg.text_file
    examples = examples if examples is not None else read_split(data_dir, split_cfg)
    check_labels_known(examples, model.labels, labels_file)
    documents = None
    if predictor.context == "document":
        documents = read_documents(docs_file(text_file), len(examples))
        if documents is None:
            print(
                f"No {docs_file(text_file).name} beside {text_file.name}: sentence mode (model.dataset.context=document "
                "needs it; dataset_convert writes it from -DOCSTART- lines)"
            )
    prediction = predictor.run(examples, progress, shuffle=split_cfg.shuffle, documents=documents)
    reports = predictor.task.reports(predictor.task.gold(examples), prediction.labels, model)
    reports["summary"]["test_loss"] = prediction.loss
    return examples, prediction, reports


def score_text_split(
    predictor: Predictor, path: str | Path, num_samples: int = -1, shuffle: bool = False, progress: bool = True
):
    """(examples, prediction, reports) of a labelled text-classification file (text_classification evaluate, and
    train's test_ds): scikit-learn's / scipy's reports of the task, with `summary` and the test_loss."""
    model = predictor.model
    examples = read_text_examples(path, model.labels, model.decoder.problem_type, num_samples=num_samples)
    prediction = predictor.run(examples, progress, shuffle=shuffle)
    reports = predictor.task.reports(predictor.task.gold(examples), prediction.labels, model)
    reports["summary"]["test_loss"] = prediction.loss
    return examples, prediction, reports


def format_summary(summary: dict, source: str = "entity level, seqeval") -> str:
    """The closing table, in the shape of Lightning's test summary that NeMo prints."""
    # losses and correlations in [-1, 1] with 4 decimals; scores in % with 2
    exact = ("test_loss", "pearson", "spearman", "mse")
    rows = [
        f"  {name:<18}{value:>12.4f}" if name in exact else f"  {name:<18}{value:>12.2f}"
        for name, value in summary.items()
        if value is not None
    ]
    if "token_macro_f1" in summary:
        rows.append("  (token_macro_f1 is the macro avg row of the token table: the value TAO prints as f1)")
    return f"Test summary ({source}):\n" + "\n".join(rows)
