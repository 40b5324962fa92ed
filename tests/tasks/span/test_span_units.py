"""The span task's parts against brute force: candidate enumeration, windows, the scorer, the decoders."""

from __future__ import annotations

import itertools
import random

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from seqeval.metrics import classification_report

from conversion.schemes import Entity, OutputScheme, write_entities
from tokcls.tasks.span.decoders import FlatDecoder, NestedDecoder
from tokcls.tasks.span.examples import NONE, candidates, entity_types, read_span_examples
from tokcls.tasks.span.metrics import span_report


@given(st.integers(0, 40), st.integers(1, 12))
def test_candidates_are_exactly_the_spans_up_to_the_maximum(n, width):
    brute = {(s, e) for s in range(n) for e in range(s + 1, n + 1) if e - s <= width}
    found = candidates(n, width)
    assert len(found) == len(set(found)) and set(found) == brute


def _random_spans(rng: random.Random, n: int, types=("PER", "LOC", "ORG"), k: int = 4):
    spans = set()
    for _ in range(rng.randint(0, k)):
        s = rng.randrange(n)
        spans.add((s, rng.randint(s + 1, min(n, s + 4)), rng.choice(types)))
    return sorted(spans)


@pytest.mark.parametrize("seed", range(5))
def test_the_nested_scorer_equals_a_brute_force_count(seed):
    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(200):
        n = rng.randint(1, 12)
        gold.append(_random_spans(rng, n))
        pred.append(_random_spans(rng, n))
    report = span_report(gold, pred)
    for type_ in {t for spans in gold + pred for *_, t in spans}:
        tp = sum(1 for g, p in zip(gold, pred) for span in g if span[2] == type_ and span in p)
        n_pred = sum(1 for p in pred for span in p if span[2] == type_)
        n_gold = sum(1 for g in gold for span in g if span[2] == type_)
        assert report[type_]["support"] == n_gold
        assert report[type_]["precision"] == pytest.approx(tp / n_pred if n_pred else 0.0)
        assert report[type_]["recall"] == pytest.approx(tp / n_gold if n_gold else 0.0)


def _flat(rng: random.Random, n: int):
    spans, s = [], 0
    while s < n:
        if rng.random() < 0.4:
            e = min(n, s + rng.randint(1, 3))
            spans.append((s, e, rng.choice(["PER", "LOC", "MISC"])))
            s = e
        else:
            s += 1
    return spans


@pytest.mark.parametrize("seed", range(5))
def test_flat_predictions_score_exactly_as_seqeval(seed):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 15) for _ in range(300)]
    gold, pred = [_flat(rng, n) for n in lengths], [_flat(rng, n) for n in lengths]

    def tags(spans, n):
        return write_entities([Entity(t, s, e) for s, e, t in spans], n, OutputScheme.iob2)

    expected = classification_report(
        [tags(g, n) for g, n in zip(gold, lengths)],
        [tags(p, n) for p, n in zip(pred, lengths)],
        output_dict=True,
        zero_division=0,
    )
    ours = span_report(gold, pred)
    for name, row in expected.items():
        for key, value in row.items():
            assert ours[name]["f1" if key == "f1-score" else key] == pytest.approx(value), (name, key)


@given(st.lists(st.floats(-5, 5), min_size=4 * 10, max_size=4 * 10), st.integers(1, 6))
def test_flat_decoding_never_outputs_overlapping_spans_and_nested_never_crossing_ones(values, n):
    spans = candidates(n, 4)
    scores = torch.tensor(values[: 4 * len(spans)]).reshape(-1, 4)[: len(spans)]
    if len(scores) < len(spans):
        return
    flat = FlatDecoder(0.5, 4).decode(scores, spans)
    for a, b in itertools.combinations(flat, 2):
        assert a[1] <= b[0] or b[1] <= a[0]
    nested = NestedDecoder(0.3, 4).decode(scores, spans)
    for a, b in itertools.combinations(nested, 2):
        inside = a[0] <= b[0] and b[1] <= a[1] or b[0] <= a[0] and a[1] <= b[1]
        apart = a[1] <= b[0] or b[1] <= a[0]
        assert inside or apart
    assert all(t != 0 for _, _, t, _ in flat + nested)  # NONE is never an entity


def test_span_files_and_iob_files_read_the_same_entities(tmp_path):
    (tmp_path / "text.txt").write_text("john smith went to new york city\nnothing here\n")
    (tmp_path / "iob.txt").write_text("B-PER I-PER O O B-LOC I-LOC I-LOC\nO O\n")
    (tmp_path / "spans.jsonl").write_text('[[0, 2, "PER"], [4, 7, "LOC"], [4, 6, "LOC"]]\n[]\n')
    iob = read_span_examples(tmp_path / "text.txt", tmp_path / "iob.txt")
    spans = read_span_examples(tmp_path / "text.txt", tmp_path / "spans.jsonl")
    assert [e.spans for e in iob] == [[(0, 2, "PER"), (4, 7, "LOC")], []]
    assert spans[0].spans == [(0, 2, "PER"), (4, 6, "LOC"), (4, 7, "LOC")]  # nested: new york inside new york city
    assert entity_types(["O", "B-LOC", "B-PER", "I-PER"]) == [NONE, "LOC", "PER"]


def test_a_bad_span_line_is_refused_naming_file_and_line(tmp_path):
    from tokcls.core.errors import InputError

    (tmp_path / "text.txt").write_text("a b\nc d\n")
    (tmp_path / "spans.jsonl").write_text('[[0, 1, "X"]]\n[[1, 5, "X"]]\n')
    with pytest.raises(InputError) as error:
        read_span_examples(tmp_path / "text.txt", tmp_path / "spans.jsonl")
    assert error.value.line == 2 and "does not fit" in str(error.value)


def test_every_candidate_lies_whole_in_one_window_and_long_sentences_keep_every_word(tiny_tokenizer):
    from tokcls.tasks.span.examples import SpanExample
    from tokcls.tasks.span.features import SpanWindowSettings, encode

    words = [f"w{i}" for i in range(120)]  # far longer than a 24-sub-token window
    settings = SpanWindowSettings(max_seq_length=24, stride=12, max_entity_length=3)
    features, info = encode([SpanExample(words, [(5, 7, "X")], 3)], tiny_tokenizer, [NONE, "X"], settings)
    assert info["windowed_sentences"] == 1 and len(features) > 1
    ids = features.items["span_id"].tolist()
    assert sorted(ids) == list(range(len(candidates(120, 3))))  # every candidate exactly once
    for k in range(len(features)):  # inside its window's content, after [CLS]
        part = slice(features.item_offsets[k], features.item_offsets[k + 1])
        length = features.offsets[k + 1] - features.offsets[k]
        assert (features.items["span_start"][part] >= 1).all() and (features.items["span_end"][part] < length - 1).all()
    labelled = features.items["span_label"]
    assert (labelled == 1).sum() == 1 and (labelled == 0).sum() == len(ids) - 1


def test_spans_on_the_same_words_with_two_types_are_counted_as_lost_for_all_but_one():
    from tokcls.tasks.span.data import shared_words
    from tokcls.tasks.span.examples import SpanExample

    example = SpanExample(["london", "calling"], [(0, 1, "LOC"), (0, 1, "NP"), (0, 2, "NP")], 8)
    assert shared_words([example]) == {"LOC": 1}
    assert example.labels[0] == "NP"  # the type kept: the last in sorted order


def test_the_span_task_sets_its_learning_rate_only_where_the_user_sets_none(tmp_path):
    from tokcls.commands import SCHEMAS
    from tokcls.config.loading import load_spec
    from tokcls.tasks.spec_checks import task_defaults

    def lr(overrides, spec=None):
        notes: list[str] = []
        config = load_spec(
            SCHEMAS["train"], spec, ["data_dir=d", *overrides], notes, lambda c: task_defaults("train", c)
        )
        return config.optim.lr, notes

    token_lr = lr([])[0]
    value, notes = lr(["model.task=span_classification"])
    assert value == 8e-5
    assert "optim.lr=8e-05: the span_classification task's default (set optim.lr to choose another)" in notes
    value, notes = lr(["model.task=span_classification", f"optim.lr={token_lr}"])
    assert value == token_lr and not [note for note in notes if note.startswith("optim.lr")]
    assert lr(["model.task=span_classification", "optim={lr: 3e-5}"])[0] == 3e-5
    spec = tmp_path / "train.yaml"
    spec.write_text("optim:\n  lr: 4.0e-05\nmodel:\n  task: span_classification\n")
    assert lr([], spec)[0] == 4e-5
    spec.write_text("model:\n  task: span_classification\n")
    assert lr([], spec)[0] == 8e-5
    assert token_lr == 5e-5 and lr(["model.task=token_classification"]) == (5e-5, [])
