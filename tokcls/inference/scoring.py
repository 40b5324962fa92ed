"""Score a model on a labelled split: predictions, the reports and the test summary (evaluate, and train's test_ds)."""
from __future__ import annotations

from pathlib import Path

from tokcls.data.documents import docs_file, read_documents
from tokcls.data.examples import read_examples
from tokcls.data.labels import check_labels_known
from tokcls.inference.predictor import Predictor


def score_split(predictor: Predictor, data_dir: str | Path, split_cfg, progress: bool = True):
    """(examples, predicted labels, reports): the task's reports, with `summary` (for tokens: entity-level f1,
    precision, recall in %, as seqeval computes them) and the test_loss."""
    data_dir = Path(data_dir)
    labels_file = data_dir / split_cfg.labels_file
    model = predictor.model
    text_file = data_dir / split_cfg.text_file
    examples = read_examples(text_file, labels_file, split_cfg.num_samples)
    check_labels_known(examples, model.labels, labels_file)
    documents = None
    if predictor.context == "document":
        documents = read_documents(docs_file(text_file), len(examples))
        if documents is None:
            print(f"No {docs_file(text_file).name} beside {text_file.name}: sentence mode (model.dataset.context=document "
                  "needs it; dataset_convert writes it from -DOCSTART- lines)")
    prediction = predictor.run(examples, progress, shuffle=split_cfg.shuffle, documents=documents)
    reports = predictor.task.reports([e.labels for e in examples], prediction.labels, model.labels, model.outside_label)
    reports["summary"]["test_loss"] = prediction.loss
    return examples, prediction.labels, reports


def format_summary(summary: dict) -> str:
    """The closing table, in the shape of Lightning's test summary that NeMo prints."""
    rows = [f"  {name:<12}{value:>12.4f}" if name == "test_loss" else f"  {name:<12}{value:>12.2f}"
            for name, value in summary.items() if value is not None]
    return "Test summary (entity level, seqeval):\n" + "\n".join(rows)
