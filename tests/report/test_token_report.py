"""evaluate's report.html of a token model: valid, self-contained, and its counts equal the JSON report's and
nervaluate's on the predictions evaluate wrote; with two archives, their disagreements."""

import json

import pytest
from nervaluate import Evaluator

from conversion.schemes import read_entities
from tests.report.pages import data, external_references, headers, number, parse, tables
from tokcls.cli import main


def _predictions(path):
    """(words, gold, predicted) per sentence of a predictions_<split>.txt."""
    sentences = [
        [line.split() for line in block.splitlines()] for block in path.read_text().split("\n\n") if block.strip()
    ]
    return (
        [[r[0] for r in s] for s in sentences],
        [[r[1] for r in s] for s in sentences],
        [[r[2] for r in s] for s in sentences],
    )


def test_page_is_valid_html_and_fetches_nothing(evaluated):
    text = (evaluated / "report.html").read_text(encoding="utf-8")
    parse(evaluated / "report.html")  # strict: raises on any HTML error
    assert external_references(text) == []
    assert '<img class="plot" alt="reliability diagram" src="data:image/png;base64,' in text


def test_counts_equal_the_json_report_and_nervaluate(evaluated):
    tree = parse(evaluated / "report.html")
    found = tables(tree)
    report = json.loads((evaluated / "evaluation_report.json").read_text())
    words, gold, pred = _predictions(evaluated / "predictions_test.txt")

    headline = found["headline"][0]
    assert float(headline[1]) == pytest.approx(100 * report["entity"]["micro avg"]["f1"], abs=0.005)
    per_type = {row[0]: row for row in found["scores-default"]}
    for type_, row in report["entity"].items():
        if not type_.endswith(" avg"):
            assert float(per_type[type_][3]) == pytest.approx(100 * row["f1"], abs=0.005)
            assert number(per_type[type_][4]) == row["support"]

    def dicts(seqs):
        return [[{"label": e.type, "start": e.start, "end": e.end - 1} for e in read_entities(s)] for s in seqs]

    strict = Evaluator(dicts(gold), dicts(pred), tags=["PER", "LOC"], loader="dict").evaluate()["overall"]["strict"]
    columns = headers(tree, "error-kinds")
    total = dict(zip(columns, found["error-kinds"][-1]))
    assert number(total["correct"]) == strict.correct and number(total["missed"]) == strict.missed
    assert number(total["spurious (predicted type)"]) == strict.spurious
    assert (
        sum(number(total[k]) for k in ("wrong type", "wrong boundary", "wrong type and boundary")) == strict.incorrect
    )
    assert number(total["gold total"]) == report["entity"]["micro avg"]["support"]
    assert number(total["predicted total"]) == sum(len(read_entities(p)) for p in pred)
    for row in found["error-kinds"][:-1]:  # each type's kinds add up to its gold total
        cells = dict(zip(columns, row))
        kinds = ("correct", "wrong type", "wrong boundary", "wrong type and boundary", "missed")
        assert (
            sum(number(cells[k]) for k in kinds) == number(cells["gold total"]) == report["entity"][row[0]]["support"]
        )
    schemes = {row[0]: row for row in found["schemes"]}
    assert number(schemes["strict"][1]) == strict.correct

    # the entity confusion's rows add to the gold totals, its 'none' column holds the missed entities
    confusion = {row[0]: row[1:] for row in found["entity-confusion"]}
    kinds = {row[0]: dict(zip(columns, row)) for row in found["error-kinds"]}
    for type_ in ("PER", "LOC"):
        assert number(confusion[type_][-1]) == report["entity"][type_]["support"]
        assert number(confusion[type_][-2] or "0") == number(kinds[type_]["missed"])
    # the token confusion counts every word once
    assert sum(number(row[-1]) for row in found["token-confusion"][:-1]) == sum(len(s) for s in words)

    items = data(tree)["lists"][0]["items"]
    wrong = [i for i, (g, p) in enumerate(zip(gold, pred)) if g != p]
    assert sorted(it["n"] for it in items) == wrong  # every sentence with an error, no other
    assert all(it["w"] == words[it["n"]] for it in items)  # whole sentences, every word
    errors = [len([k for e in it["g"] for k in [e[3]] if k]) + len([e for e in it["p"] if e[3] == 5]) for it in items]
    assert errors == sorted(errors, reverse=True)  # worst first


def test_two_archives_show_where_they_disagree(trained, tmp_path):
    data_dir, archive, root = trained
    other = tmp_path / "other"
    assert (
        main(
            [
                "train",
                "-r",
                str(other),
                f"data_dir={data_dir}",
                "model.language_model.pretrained_model_name=splade-tiny",
                "trainer.max_epochs=1",
                "optim.lr=1e-3",
                "training_ds.batch_size=16",
                "trainer.enable_progress_bar=false",
                "model.head.decoder=argmax",
                "test_ds.text_file=null",
                "-k",
                "key1",
            ]
        )
        == 0
    )
    b = other / "checkpoints" / "tokcls.tcls"
    assert main(["evaluate", "-r", str(tmp_path / "a"), "-m", str(archive), "-k", "key1", f"data_dir={data_dir}"]) == 0
    assert main(["evaluate", "-r", str(tmp_path / "b"), "-m", str(b), "-k", "key1", f"data_dir={data_dir}"]) == 0
    assert (
        main(
            [
                "evaluate",
                "-r",
                str(tmp_path / "ab"),
                "-m",
                str(archive),
                "-m",
                str(b),
                "-k",
                "key1",
                f"data_dir={data_dir}",
            ]
        )
        == 0
    )
    _, gold, pred_a = _predictions(tmp_path / "a" / "predictions_test.txt")
    _, _, pred_b = _predictions(tmp_path / "b" / "predictions_test.txt")
    differ = [i for i, (a, b_) in enumerate(zip(pred_a, pred_b)) if a != b_]
    assert differ, "the one-epoch model should disagree somewhere"
    tree = parse(tmp_path / "ab" / "report.html")
    compare = next(x for x in data(tree)["lists"] if x["id"] == "compare-list")
    assert [it["n"] for it in compare["items"]] == differ
    counts = tables(tree)["disagreement-counts"][0]
    assert [number(c) for c in counts] == [
        len(differ),
        sum(pred_a[i] == gold[i] for i in differ),
        sum(pred_b[i] == gold[i] and pred_a[i] != gold[i] for i in differ),
        sum(gold[i] not in (pred_a[i], pred_b[i]) for i in differ),
    ]
    assert [row[0] for row in tables(tree)["headline"]] == [str(archive), str(b)]


def test_a_second_archive_is_refused_outside_evaluate(trained, tmp_path, capsys):
    data_dir, archive, _ = trained
    assert main(["infer", "-r", str(tmp_path), "-m", str(archive), "-m", str(archive), "-k", "key1"]) == 2
    assert "only evaluate takes a second archive" in capsys.readouterr().err
