import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from sklearn.metrics import f1_score

from tokcls.metrics.class_table import class_report, format_class_report
from tokcls.tasks.token.metrics import entity_report, format_entity_report

GOLD = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG", "I-ORG", "I-ORG"], ["B-LOC"]]
PRED = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "I-ORG", "I-ORG", "O"], ["B-LOC"]]
LABELS = ["O", "B-LOC", "B-ORG", "B-PER", "I-ORG", "I-PER"]


def seqeval(gold, pred, **kwargs):
    return classification_report(gold, pred, output_dict=True, zero_division=0, **kwargs)


def same(ours, theirs):
    assert set(ours) == set(theirs)
    for name, row in theirs.items():
        assert ours[name]["precision"] == pytest.approx(row["precision"], nan_ok=True)
        assert ours[name]["recall"] == pytest.approx(row["recall"], nan_ok=True)
        assert ours[name]["f1"] == pytest.approx(row["f1-score"], nan_ok=True)
        assert ours[name]["support"] == row["support"]


def test_entity_report_equals_seqeval_default_and_strict():
    same(entity_report(GOLD, PRED), seqeval(GOLD, PRED))
    same(entity_report(GOLD, PRED, strict=True), seqeval(GOLD, PRED, mode="strict", scheme=IOB2))
    # "O I-ORG I-ORG O" is an ORG to the default mode, nothing to strict IOB2
    assert entity_report(GOLD, PRED)["ORG"]["recall"] == 0.0
    assert entity_report(GOLD, PRED, strict=True)["ORG"]["precision"] == 0.0


TAGS = st.sampled_from(["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-MISC"])


@settings(max_examples=200)
@given(st.lists(st.lists(st.tuples(TAGS, TAGS), min_size=1, max_size=8), min_size=1, max_size=6))
def test_entity_report_equals_seqeval_on_random_predictions(pairs):
    gold = [[g for g, _ in s] for s in pairs]
    pred = [[p for _, p in s] for s in pairs]
    same(entity_report(gold, pred), seqeval(gold, pred))


def test_token_report_matches_sklearn_and_keeps_nemo_layout():
    report = class_report(GOLD, PRED, LABELS)
    flat_gold = [t for s in GOLD for t in s]
    flat_pred = [t for s in PRED for t in s]
    assert report["micro avg"]["f1"] == pytest.approx(f1_score(flat_gold, flat_pred, average="micro"))
    assert report["macro avg"]["f1"] == pytest.approx(f1_score(flat_gold, flat_pred, average="macro"))
    assert report["B-ORG"] == pytest.approx({"id": 2, "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1})
    table = format_class_report(report)
    assert "B-PER (label_id: 3)" in table and "weighted avg" in table and "support" in table.splitlines()[0]


def test_plain_tags_score_each_word_as_its_own_entity():
    gold, pred = [["DT", "NN", "VBZ"]], [["DT", "NN", "NN"]]
    report = entity_report(gold, pred)
    assert report["NN"]["precision"] == 0.5 and report["VBZ"]["recall"] == 0.0
    assert report["micro avg"]["f1"] == pytest.approx(2 / 3)  # = token accuracy
    assert "micro avg" in format_entity_report(report, "title")
