"""Score a token model on a labelled split: its examples (text and labels files, docs_<split>.txt for document
context), the predictions and the reports (evaluate, and train's test_ds)."""

from __future__ import annotations

from pathlib import Path

from tokcls.core.errors import InputError
from tokcls.data.documents import docs_file, read_documents
from tokcls.data.labels import check_labels_known
from tokcls.tasks.token.examples import read_examples


def check_has_words(data_dir: str | Path, split_cfg) -> None:
    """The split's text file holds a word (checked before a model loads: an empty split stops at once, whichever of the
    program's tasks the archive is; the text file is theirs alike)."""
    text_file = Path(data_dir) / split_cfg.text_file
    if not any(example.words for example in read_examples(text_file, None, split_cfg.num_samples)):
        raise InputError(
            "the split has no words (the file is empty or holds blank lines only)",
            "point the split at a file with sentences (dataset_convert writes text_<split>.txt)",
            text_file,
        )


def read_split(data_dir: str | Path, split_cfg) -> list:
    """A labelled token split's examples."""
    data_dir = Path(data_dir)
    examples = read_examples(data_dir / split_cfg.text_file, data_dir / split_cfg.labels_file, split_cfg.num_samples)
    if not any(example.words for example in examples):  # nothing to score: no report is no success
        raise InputError(
            "the split has no words (the file is empty or holds blank lines only)",
            "point the split at a file with sentences (dataset_convert writes text_<split>.txt)",
            data_dir / split_cfg.text_file,
        )
    return examples


def score_split(predictor, data_dir: str | Path, split_cfg, progress: bool = True, examples=None):
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
