"""Score a span model on a labelled split (evaluate, and train's test_ds): its examples, predictions and reports."""

from __future__ import annotations

from pathlib import Path

from tokcls.core.errors import InputError
from tokcls.data.documents import docs_file, read_documents
from tokcls.tasks.span.data import check_types_known, too_long
from tokcls.tasks.span.examples import read_span_examples


def score_split(predictor, data_dir: str | Path, split_cfg, progress: bool = True):
    """(examples, prediction, reports): exact-span reports per type, with `summary` and the test loss."""
    data_dir = Path(data_dir)
    model = predictor.model
    labels_file = data_dir / split_cfg.labels_file
    max_width = model.decoder.max_width
    examples = read_span_examples(data_dir / split_cfg.text_file, labels_file, split_cfg.num_samples, max_width)
    if not any(example.words for example in examples):
        raise InputError(
            "the split has no words (the file is empty or holds blank lines only)",
            "point the split at a file with sentences (dataset_convert writes text_<split>.txt)",
            data_dir / split_cfg.text_file,
        )
    check_types_known(examples, model.labels, labels_file)
    for type_, count in sorted(too_long(examples, max_width).items()):  # as SpanMarker says it: lost before scoring
        total = sum(1 for e in examples for *_, t in e.spans or () if t == type_)
        print(
            f"{count} of {total} gold {type_} entities are longer than max_entity_length={max_width}: never predicted"
        )
    documents = None
    if predictor.context == "document":
        text_file = data_dir / split_cfg.text_file
        documents = read_documents(docs_file(text_file), len(examples))
        if documents is None:
            print(f"No {docs_file(text_file).name} beside {text_file.name}: sentence mode (context=document needs it)")
    prediction = predictor.run(examples, progress, shuffle=split_cfg.shuffle, documents=documents)
    reports = predictor.task.reports(predictor.task.gold(examples), prediction.labels, model)
    reports["summary"]["test_loss"] = prediction.loss
    return examples, prediction, reports
