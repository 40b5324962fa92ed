"""Score a text model on a labelled file: its examples, the predictions and the reports (evaluate, and train's
test_ds)."""

from __future__ import annotations

from pathlib import Path

from tokcls.tasks.text.examples import read_text_examples


def score_text_split(predictor, path: str | Path, num_samples: int = -1, shuffle: bool = False, progress: bool = True):
    """(examples, prediction, reports) of a labelled text-classification file (text_classification evaluate, and
    train's test_ds): scikit-learn's / scipy's reports of the task, with `summary` and the test_loss."""
    model = predictor.model
    examples = read_text_examples(path, model.labels, model.decoder.problem_type, num_samples=num_samples)
    prediction = predictor.run(examples, progress, shuffle=shuffle)
    reports = predictor.task.reports(predictor.task.gold(examples), prediction.labels, model)
    reports["summary"]["test_loss"] = prediction.loss
    return examples, prediction, reports
