"""evaluate: score a model archive on a labelled split; write reports, a confusion matrix, predictions."""
from __future__ import annotations

import json
from pathlib import Path

from conversion.atomic import atomic_files
from tokcls.metrics.plots import plot_confusion_matrix
from tokcls.metrics.reports import format_reports
from tokcls.model.runtime import load_for_inference
from tokcls.model.scoring import format_summary, score_split


def run(config, args) -> dict:
    model, tokenizer, settings, device = load_for_inference(args, config)
    examples, pred, reports = score_split(model, tokenizer, config.data_dir, config.test_ds, settings, device)
    text = format_reports(reports) + "\n\n" + format_summary(reports["summary"])
    print(text)

    results = Path(args.results_dir)
    split = Path(config.test_ds.text_file).stem.removeprefix("text_")
    gold = [e.labels for e in examples]
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
