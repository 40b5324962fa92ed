"""report.html of text models, built from the same template: classes, label sets and values; two models."""

import random

import pytest

from tests.report.pages import data, external_references, headers, number, parse, tables
from tokcls.report.page import Meta, Run
from tokcls.tasks.text.examples import TextExample
from tokcls.tasks.text.metrics import text_reports
from tokcls.tasks.text.report_page import text_report_page

LABELS = ["business", "sport", "tech"]


def _page(tmp_path, problem, n=200, seed=3):
    rng = random.Random(seed)
    if problem == "regression":
        examples = [TextExample(f"text {i}", value=rng.random()) for i in range(n)]
        runs = [
            [round(e.value + rng.gauss(0, 0.1), 3) if rng.random() < 0.9 else e.value for e in examples] for _ in "ab"
        ]
        probabilities = [[[] for _ in examples]] * 2
    else:
        size = 1 if problem == "single_label_classification" else 2
        examples = [
            TextExample(f"text {i} <b>&", labels=sorted(rng.sample(LABELS, rng.randint(1, size)))) for i in range(n)
        ]
        probabilities = [[[rng.random() for _ in LABELS] for _ in examples] for _ in "ab"]
        runs = [
            [sorted(rng.sample(LABELS, rng.randint(1, size))) if rng.random() < 0.3 else e.labels for e in examples]
            for _ in "ab"
        ]
        if size == 1:
            probabilities = [[[p / sum(ps) for p in ps] for ps in run] for run in probabilities]
            runs = [
                [[max(zip(ps, LABELS))[1]] if rng.random() < 0.3 else e.labels for e, ps in zip(examples, run)]
                for run in probabilities
            ]
    gold = [e.value if e.value is not None else e.labels for e in examples]
    made = [
        Run(name, pred, conf, text_reports(gold, pred, LABELS, problem) | {"summary": {}})
        for name, pred, conf in zip(("a.tcls", "b.tcls"), runs, probabilities)
    ]
    path = tmp_path / "report.html"
    path.write_text(text_report_page(examples, made, LABELS, problem, Meta("dev.tsv", "today")), encoding="utf-8")
    return path, gold, runs


@pytest.mark.parametrize("problem", ["single_label_classification", "multi_label_classification", "regression"])
def test_text_page_counts(tmp_path, problem):
    path, gold, (a, b) = _page(tmp_path, problem)
    tree = parse(path)
    assert external_references(path.read_text(encoding="utf-8")) == []
    lists = {x["id"]: x["items"] for x in data(tree)["lists"]}
    wrong = [i for i, (g, p) in enumerate(zip(gold, a)) if g != p]
    assert sorted(it["n"] for it in lists["text-list"]) == wrong
    differ = [i for i in range(len(gold)) if a[i] != b[i]]
    assert len(lists["compare-list"]) == number(tables(tree)["disagreement-counts"][0][0]) == len(differ)
    found = tables(tree)
    if problem == "single_label_classification":
        assert sum(number(row[-1]) for row in found["class-confusion"][:-1]) == len(gold)
        confidences = [it["c"] for it in lists["text-list"]]
        assert confidences == sorted(confidences, reverse=True)  # most confident errors first
        rows = found["confident-errors"]
        assert {r[0] for r in rows} <= set(LABELS) and all(r[0] != r[1] for r in rows)
        assert number(tables(tree)["disagreement-counts"][0][1]) == sum(a[i] == gold[i] for i in differ)
    if problem == "multi_label_classification":
        columns = headers(tree, "label-confusion")
        for row in found["label-confusion"]:
            cells = dict(zip(columns, row))
            assert number(cells["right (gold and predicted)"]) + number(cells["gold, missed"]) == sum(
                row[0] in g for g in gold
            )
    if problem == "regression":
        assert 'id="calibration"' not in path.read_text()  # no confidences for values
        mse = sum((g - p) ** 2 for g, p in zip(gold, a)) / len(gold)
        assert float(dict(zip(headers(tree, "headline"), found["headline"][0]))["MSE"]) == pytest.approx(mse, abs=1e-4)
