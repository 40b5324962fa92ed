"""evaluate: score a model archive on a labelled split; write reports, a confusion matrix, predictions."""
from __future__ import annotations

import json
from pathlib import Path

from conversion.atomic import atomic_files
from tokcls.archive import load_model
from tokcls.data.examples import read_examples
from tokcls.data.features import WindowSettings
from tokcls.data.labels import check_labels_known
from tokcls.metrics.plots import plot_confusion_matrix
from tokcls.metrics.reports import all_reports, format_reports
from tokcls.model.predict import predict
from tokcls.model.runtime import inference_model


def run(config, args) -> dict:
    model, tokenizer, trained = load_model(args.model, getattr(args, "key", None))
    data_dir = Path(config.data_dir)
    labels_file = data_dir / config.test_ds.labels_file
    examples = read_examples(data_dir / config.test_ds.text_file, labels_file, config.test_ds.num_samples)
    check_labels_known(examples, model.labels, labels_file)
    settings = WindowSettings(config.max_seq_length or trained.data.max_seq_length,
                              trained.data.stride if config.stride is None else config.stride)

    model = inference_model(model, config.runtime, config.onnx_file, config.quantize)
    pred, _ = predict(model, tokenizer, examples, settings, config.test_ds.batch_size, progress=True)
    gold = [e.labels for e in examples]
    reports = all_reports(gold, pred, model.labels, model.outside_label)
    text = format_reports(reports)
    print(text)

    results = Path(args.results_dir)
    split = Path(config.test_ds.text_file).stem.removeprefix("text_")
    with atomic_files(results) as out:
        with out.open("evaluation_report.txt") as f:
            f.write(text + "\n")
        with out.open("evaluation_report.json") as f:
            json.dump(reports, f, indent=2)
        with out.open(f"predictions_{split}.txt") as f:  # CoNLL columns for error analysis
            for example, predicted in zip(examples, pred):
                f.writelines(f"{w} {g} {p}\n" for w, g, p in zip(example.words, example.labels, predicted))
                f.write("\n")
        with out.open("confusion_matrix.png", "wb") as f:
            plot_confusion_matrix(gold, pred, model.labels, f)
    print(f"\nWrote evaluation_report.txt/.json, predictions_{split}.txt and confusion_matrix.png to {results}")
    return reports
