"""Score a model on a labelled split: predictions, the reports and the test summary (evaluate, and train's test_ds)."""
from __future__ import annotations

from pathlib import Path

from tokcls.data.examples import read_examples
from tokcls.data.features import WindowSettings
from tokcls.data.labels import check_labels_known
from tokcls.metrics.reports import all_reports
from tokcls.model.predict import predict_with_loss


def score_split(model, tokenizer, data_dir: str | Path, split_cfg, settings: WindowSettings, device=None, progress: bool = True):
    """(examples, predicted labels, reports): reports hold the token and entity tables and `summary`
    (entity-level f1, precision, recall in %, as seqeval computes them, and test_loss)."""
    data_dir = Path(data_dir)
    labels_file = data_dir / split_cfg.labels_file
    examples = read_examples(data_dir / split_cfg.text_file, labels_file, split_cfg.num_samples)
    check_labels_known(examples, model.labels, labels_file)
    pred, _, loss = predict_with_loss(model, tokenizer, examples, settings, split_cfg.batch_size, progress,
                                      shuffle=split_cfg.shuffle, device=device)
    reports = all_reports([e.labels for e in examples], pred, model.labels, model.outside_label)
    micro = reports["entity"]["micro avg"]
    reports["summary"] = {"f1": 100 * micro["f1"], "precision": 100 * micro["precision"],
                          "recall": 100 * micro["recall"], "test_loss": loss}
    return examples, pred, reports


def format_summary(summary: dict) -> str:
    """The closing table, in the shape of Lightning's test summary that NeMo prints."""
    rows = [f"  {name:<12}{value:>12.4f}" if name == "test_loss" else f"  {name:<12}{value:>12.2f}"
            for name, value in summary.items() if value is not None]
    return "Test summary (entity level, seqeval):\n" + "\n".join(rows)
