"""The error kinds of entities: each kind on a sentence made for it, and the counts against nervaluate's own."""

import random
from collections import Counter

import pytest
from nervaluate import Evaluator
from seqeval.metrics import classification_report

from conversion.schemes import read_entities
from tokcls.tasks.token.report.breakdowns import by_entity_length, by_sentence_length
from tokcls.tasks.token.report.entity_errors import KINDS, classify, entity_errors, sentence_entities

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


def _entities(tags):
    return sentence_entities(tags, "O", plain=False)


@pytest.mark.parametrize(
    "gold, pred, gold_kinds, pred_kinds",
    [
        (["B-PER", "I-PER", "O"], ["B-PER", "I-PER", "O"], ["correct"], ["correct"]),
        (["B-PER", "I-PER", "O"], ["B-LOC", "I-LOC", "O"], ["wrong_type"], ["wrong_type"]),
        (["B-PER", "I-PER", "O"], ["B-PER", "O", "O"], ["wrong_boundary"], ["wrong_boundary"]),
        (["B-PER", "I-PER", "O"], ["O", "B-LOC", "I-LOC"], ["wrong_both"], ["wrong_both"]),
        (["B-PER", "O", "O"], ["O", "O", "O"], ["missed"], []),
        (["O", "O", "O"], ["O", "B-ORG", "O"], [], ["spurious"]),
        # one prediction over two gold entities: paired with the first, the second is missed
        (["B-PER", "O", "B-PER"], ["B-PER", "I-PER", "I-PER"], ["wrong_boundary", "missed"], ["wrong_boundary"]),
    ],
)
def test_each_kind(gold, pred, gold_kinds, pred_kinds):
    g, p = _entities(gold), _entities(pred)
    assert classify(g, p)[:2] == (gold_kinds, pred_kinds)


def _random_predictions(seed: int, n: int = 1500):
    rng = random.Random(seed)
    gold = [[rng.choice(TAGS) for _ in range(rng.randint(1, 18))] for _ in range(n)]
    pred = [[t if rng.random() < 0.75 else rng.choice(TAGS) for t in s] for s in gold]
    return gold, pred


@pytest.mark.parametrize("seed", [0, 1])
def test_counts_equal_nervaluate_and_seqeval_and_add_up(seed):
    gold, pred = _random_predictions(seed)
    errors = entity_errors(gold, pred, "O", plain=False)
    as_dicts = (
        [[{"label": e.type, "start": e.start, "end": e.end - 1} for e in read_entities(s)] for s in gold],
        [[{"label": e.type, "start": e.start, "end": e.end - 1} for e in read_entities(s)] for s in pred],
    )
    expected = Evaluator(*as_dicts, tags=["PER", "LOC", "ORG"], loader="dict").evaluate()["overall"]
    for scheme, result in expected.items():
        for key in ("correct", "incorrect", "partial", "missed", "spurious", "precision", "recall", "f1"):
            assert errors.schemes[scheme][key] == pytest.approx(getattr(result, key)), (scheme, key)
    totals = errors.totals()
    strict = expected["strict"]
    assert totals["correct"] == strict.correct and totals["missed"] == strict.missed
    assert totals["spurious"] == strict.spurious
    assert totals["wrong_type"] + totals["wrong_boundary"] + totals["wrong_both"] == strict.incorrect
    assert totals["correct"] + totals["wrong_type"] == expected["exact"].correct  # same bounds, any type
    # every gold entity has one kind, every predicted one too: rows and columns add up
    seqeval = classification_report(gold, pred, output_dict=True, zero_division=0)
    for type_ in ("PER", "LOC", "ORG"):
        kinds = errors.kinds[type_]
        assert sum(kinds[k] for k in KINDS[:5]) == errors.gold_count(type_) == seqeval[type_]["support"]
        predicted = sum(1 for s in pred for e in read_entities(s) if e.type == type_)
        assert errors.pred_count(type_) == predicted
    micro = seqeval["micro avg"]
    assert totals["correct"] / sum(len(s.pred) for s in errors.sentences) == pytest.approx(micro["precision"])


def test_plain_tags_are_one_word_entities():
    errors = entity_errors([["NN", "NN", "VB"]], [["NN", "VB", "VB"]], "O", plain=True)
    assert [len(s.gold) for s in errors.sentences] == [3]
    assert Counter(errors.sentences[0].gold_kinds) == Counter({"correct": 2, "wrong_type": 1})


def test_scores_by_length_count_every_entity_once():
    gold, pred = _random_predictions(2, 400)
    errors = entity_errors(gold, pred, "O", plain=False)
    rows = by_sentence_length(errors, [len(s) for s in gold])
    assert sum(r["support"] for _, r in rows) == sum(len(s.gold) for s in errors.sentences)
    assert sum(r["predicted"] for _, r in by_entity_length(errors)) == sum(len(s.pred) for s in errors.sentences)
