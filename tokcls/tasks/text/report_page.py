"""report.html of a text model, from the same template as the token one: scores, the confusion matrix, the most
confident errors per class, calibration, and where two models disagree."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, multilabel_confusion_matrix

from tokcls.report.calibration import reliability, reliability_figure
from tokcls.report.page import Markup, Meta, Page, Run, details, esc, facts, figure, matrix, pct, score_bars, table

HEADLINES = {  # problem type -> the report's numbers shown per model: (key in reports, title, in %)
    "single_label_classification": (("accuracy", "accuracy", True), ("mcc", "Matthews correlation", True)),
    "multi_label_classification": (("subset_accuracy", "subset accuracy", True),),
    "regression": (
        ("pearson", "Pearson", False),
        ("spearman", "Spearman", False),
        ("mse", "MSE", False),
        ("mae", "MAE", False),
    ),
}
TOP_PER_CLASS = 3  # errors per gold class in the static table (the list below has all of them)


def _gold(example):
    return example.value if example.value is not None else example.labels


def summary_section(page: Page, meta: Meta, runs: list[Run], examples, problem: str) -> None:
    headline, heads = [], HEADLINES[problem]
    for run in runs:
        classes = run.reports.get("classes", {})
        averages = [pct(classes[a]["f1"]) for a in ("micro avg", "macro avg") if a in classes]
        numbers = [pct(run.reports[k]) if percent else f"{run.reports[k]:.4f}" for k, _, percent in heads]
        headline.append([run.name, *numbers, *averages, f"{run.reports['summary'].get('test_loss') or 0:.4f}"])
    titles = [t for _, t, _ in heads] + (["micro F1", "macro F1"] if problem != "regression" else [])
    body = facts([("data", meta.dataset), ("texts", str(len(examples))), *meta.facts, ("written", meta.created)])
    body += table(
        ["model", *titles, "test loss"],
        headline,
        "headline",
        "Scores (scikit-learn / scipy)" + (", in %" if problem != "regression" else ""),
    )
    if problem != "regression":
        rows = [(n, r) for n, r in runs[0].reports["classes"].items() if not n.endswith(" avg")]
        body += score_bars(rows, "scores-classes", "Per class", page.color)
    body += "".join(details(title, text) for title, text in meta.specs)
    page.section("summary", "Summary", body)


def confusion_section(page: Page, gold, pred, labels: list[str], problem: str) -> None:
    if problem == "single_label_classification":
        present = [c for c in labels if any(c in g for g in gold) or any(c in p for p in pred)]
        counts = confusion_matrix([g[0] for g in gold], [p[0] for p in pred], labels=present)
        body = matrix(present, present, counts.tolist(), "class-confusion", "Texts: gold class \u00d7 predicted class")
    else:
        counts = multilabel_confusion_matrix(_indicator(gold, labels), _indicator(pred, labels))
        rows = [[label, int(c[1, 1]), int(c[0, 1]), int(c[1, 0]), int(c[0, 0])] for label, c in zip(labels, counts)]
        body = table(
            ["label", "right (gold and predicted)", "predicted, not gold", "gold, missed", "neither"],
            rows,
            "label-confusion",
            "Per label, over texts",
        )
    page.section("confusion", "Confusion matrix", body)


def _indicator(sets, labels):
    return np.array([[label in s for label in labels] for s in sets], dtype=int)


def _confidence(probabilities: list[float], labels: list[str], pred) -> float | None:
    """The probability of the predicted class (single-label); None where it has no single one."""
    if len(pred) == 1 and probabilities:
        return probabilities[labels.index(pred[0])]
    return None


def _ids(names, labels) -> list[int]:
    return [labels.index(n) for n in names]


def error_items(examples, run: Run, labels: list[str], problem: str) -> list[dict]:
    """The wrong texts, most confident first (values: the largest errors first), then in file order."""
    ranked = []
    for i, example in enumerate(examples):
        gold, pred = _gold(example), run.pred[i]
        if problem == "regression":
            if gold != pred:
                ranked.append(
                    (
                        (-abs(gold - pred), i),
                        {"t": example.text, "t2": example.text_b, "g": [], "p": [], "n": i, "v": [gold, pred], "f": {}},
                    )
                )
            continue
        if sorted(gold) == sorted(pred):
            continue
        confidence = _confidence(run.confidences[i], labels, pred)
        item = {
            "t": example.text,
            "t2": example.text_b,
            "g": _ids(gold, labels),
            "p": _ids(pred, labels),
            "n": i,
            "f": {"gold": _ids(gold, labels), "pred": _ids(pred, labels)},
        }
        if confidence is not None:
            item["c"] = round(confidence, 4)
        ranked.append(((-(confidence or 0.0), i), item))
    return [item for _, item in sorted(ranked, key=lambda pair: pair[0])]


def errors_section(page: Page, examples, run: Run, labels: list[str], problem: str) -> None:
    items = error_items(examples, run, labels, problem)
    body = ""
    if problem == "single_label_classification":
        rows = []
        for c, name in enumerate(labels):
            for it in [it for it in items if it["g"] == [c]][:TOP_PER_CLASS]:
                rows.append(
                    [
                        Markup(f'<mark class="cls {page.color(name)}">{esc(name)}</mark>'),
                        Markup(f'<mark class="cls {page.color(labels[it["p"][0]])}">{esc(labels[it["p"][0]])}</mark>'),
                        f"{100 * it['c']:.1f}%",
                        Markup(f'<div class="clamp">{esc(it["t"])}</div>'),
                    ]
                )
        body += table(
            ["gold class", "predicted", "confidence", "text"],
            rows,
            "confident-errors",
            f"The {TOP_PER_CLASS} most confident errors of each gold class",
            numeric_from=2,
        )
    filters = (
        []
        if problem == "regression"
        else [
            {"key": "gold", "title": "gold", "options": list(enumerate(labels))},
            {"key": "pred", "title": "predicted", "options": list(enumerate(labels))},
        ]
    )
    order = "largest error first" if problem == "regression" else "most confident first"
    body += page.item_list(
        "text-list",
        "texts",
        items,
        filters,
        "No text matches.",
        f"{len(items)} of {len(examples)} texts are wrong, {order}.",
    )
    page.section("errors", "Texts with errors", body)


def calibration_section(page: Page, examples, run: Run, labels: list[str], problem: str) -> None:
    if problem == "regression":
        return
    if problem == "single_label_classification":
        confidence = [max(p) for p in run.confidences]
        correct = [_gold(e) == p for e, p in zip(examples, run.pred)]
        unit, axis = "texts", "confidence of the predicted class"
    else:  # every (text, label): its probability against whether the label is gold
        confidence = [p for probabilities in run.confidences for p in probabilities]
        correct = [label in _gold(e) for e in examples for label in labels]
        unit, axis = "text-label pairs", "probability of the label"
    found = reliability(confidence, correct)
    body = figure(reliability_figure(found, unit, axis), "reliability diagram")
    body += f'<p>Expected calibration error: <b id="ece">{100 * found["ece"]:.2f}%</b> over {found["n"]} {unit}.</p>'
    page.section("calibration", "Calibration", body)


def compare_section(page: Page, examples, runs: list[Run], labels: list[str], problem: str) -> None:
    a, b = runs
    items = []
    for i, example in enumerate(examples):
        gold, pa, pb = _gold(example), a.pred[i], b.pred[i]
        if pa == pb:
            continue
        r = 0 if pa == gold else 1 if pb == gold else 2
        if problem == "regression":  # neither is exactly right: the closer one is
            r = 0 if abs(pa - gold) < abs(pb - gold) else 1
        ids = (lambda x: []) if problem == "regression" else (lambda x: _ids(x, labels))
        item = {
            "t": example.text,
            "t2": example.text_b,
            "g": ids(gold),
            "p": ids(pa),
            "b": ids(pb),
            "r": r,
            "n": i,
            "f": {"r": [r]},
        }
        if problem == "regression":
            item["v"] = [gold, pa, pb]
        items.append(item)
    page.compare_section(runs, items, "texts", "texts")


def text_report_page(examples, runs: list[Run], labels: list[str], problem: str, meta: Meta) -> str:
    run = runs[0]
    page = Page(f"Evaluation of {run.name}", f"{meta.dataset} \u00b7 {meta.created}")
    page.set_types(labels)
    page.data["unit"] = "text"  # a text's number in the split
    summary_section(page, meta, runs, examples, problem)
    if problem != "regression":
        confusion_section(page, [_gold(e) for e in examples], run.pred, labels, problem)
    errors_section(page, examples, run, labels, problem)
    calibration_section(page, examples, run, labels, problem)
    if len(runs) == 2:
        compare_section(page, examples, runs, labels, problem)
    return page.render()
