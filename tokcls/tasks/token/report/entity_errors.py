"""What a token model gets wrong, entity by entity: the kinds of the MUC / SemEval-2013 scheme, from nervaluate.

nervaluate's strict matching decides which predicted entity is correct, which is incorrect (it overlaps a gold
entity it does not equal), which is spurious and which gold entity is missed. An incorrect pair is then one of
three kinds, by what differs: the type, the boundaries, or both. Every gold entity gets exactly one kind and
every predicted entity exactly one, so the counts add up to the gold and the predicted totals.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from nervaluate.entities import Entity as NvEntity
from nervaluate.entities import EvaluationResult
from nervaluate.strategies import (
    EntityTypeEvaluation,
    ExactEvaluation,
    PartialEvaluation,
    StrictEvaluation,
)

from conversion.schemes import Entity, read_entities

KINDS = ("correct", "wrong_type", "wrong_boundary", "wrong_both", "missed", "spurious")
KIND_TITLES = {
    "correct": "correct",
    "wrong_type": "wrong type",
    "wrong_boundary": "wrong boundary",
    "wrong_both": "wrong type and boundary",
    "missed": "missed",
    "spurious": "spurious",
}
NONE = "none"  # the confusion matrix's row of spurious entities and column of missed ones
# nervaluate's four schemes; partial and ent_type count half a point for a partial match
SCHEMES = {
    "strict": StrictEvaluation,
    "exact": ExactEvaluation,
    "partial": PartialEvaluation,
    "ent_type": EntityTypeEvaluation,
}


def sentence_entities(labels: list[str], outside: str, plain: bool) -> list[Entity]:
    """Entities as the JSON report's seqeval default mode reads them; a plain tag (POS) is a one-word entity."""
    if plain:
        return [Entity(label, i, i + 1) for i, label in enumerate(labels) if label != outside]
    return read_entities(labels, outside)


def _nervaluate(entities: list[Entity]) -> list[NvEntity]:
    return [NvEntity(e.type, e.start, e.end - 1) for e in entities]  # nervaluate's end is inclusive


def _kind_of_pair(gold: Entity, pred: Entity) -> str:
    same_bounds = (gold.start, gold.end) == (pred.start, pred.end)
    if same_bounds:
        return "correct" if gold.type == pred.type else "wrong_type"
    return "wrong_boundary" if gold.type == pred.type else "wrong_both"


def classify(gold: list[Entity], pred: list[Entity]) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """(kind of each gold entity, kind of each predicted entity, the matched (gold, pred) index pairs)."""
    _, found = StrictEvaluation().evaluate(_nervaluate(gold), _nervaluate(pred), [], 0)
    gold_kinds, pred_kinds = ["missed"] * len(gold), ["spurious"] * len(pred)
    pairs = []
    for _, p in found.correct_indices:
        g = gold.index(pred[p])
        gold_kinds[g] = pred_kinds[p] = "correct"
        pairs.append((g, p))
    missed = {g for _, g in found.missed_indices}
    # nervaluate names the predicted side of an incorrect match: its gold partner is the first overlapping gold
    # entity not matched before, as its loop takes them (spans on each side never overlap each other)
    free = [g for g in range(len(gold)) if g not in missed and gold_kinds[g] == "missed"]
    for _, p in sorted(found.incorrect_indices):
        g = next(g for g in free if gold[g].start < pred[p].end and pred[p].start < gold[g].end)
        free.remove(g)
        gold_kinds[g] = pred_kinds[p] = _kind_of_pair(gold[g], pred[p])
        pairs.append((g, p))
    return gold_kinds, pred_kinds, sorted(pairs)


@dataclass
class SentenceErrors:
    gold: list[Entity]
    pred: list[Entity]
    gold_kinds: list[str]
    pred_kinds: list[str]
    pairs: list[tuple[int, int]]  # (gold, predicted) entities matched to each other
    wrong_words: list[int]  # words whose predicted label differs from the gold one

    @property
    def errors(self) -> int:
        """Entity errors: every gold entity not found correct (an incorrect pair counts once) and every spurious one."""
        return sum(k != "correct" for k in self.gold_kinds) + self.pred_kinds.count("spurious")


@dataclass
class EntityErrors:
    types: list[str]
    sentences: list[SentenceErrors]
    # gold type -> kind -> count (spurious counted under the predicted type)
    kinds: dict[str, Counter] = field(default_factory=dict)
    confusion: dict[tuple[str, str], int] = field(default_factory=Counter)  # (gold type | none, predicted type | none)
    schemes: dict[str, dict] = field(default_factory=dict)  # nervaluate's overall counts and scores per scheme

    def totals(self) -> Counter:
        return sum(self.kinds.values(), Counter())

    def gold_count(self, type_: str) -> int:
        return sum(n for (g, _), n in self.confusion.items() if g == type_)

    def pred_count(self, type_: str) -> int:
        return sum(n for (_, p), n in self.confusion.items() if p == type_)


def entity_errors(gold: list[list[str]], pred: list[list[str]], outside: str, plain: bool) -> EntityErrors:
    """Every sentence's entities with their kinds, the counts per type, the type confusion, nervaluate's schemes."""
    sentences, schemes = [], {name: Counter() for name in SCHEMES}
    strategies = {name: cls() for name, cls in SCHEMES.items()}
    for i, (g_labels, p_labels) in enumerate(zip(gold, pred)):
        g, p = sentence_entities(g_labels, outside, plain), sentence_entities(p_labels, outside, plain)
        wrong = [j for j, (a, b) in enumerate(zip(g_labels, p_labels)) if a != b]
        sentences.append(SentenceErrors(g, p, *classify(g, p), wrong))
        for name, strategy in strategies.items():
            result, _ = strategy.evaluate(_nervaluate(g), _nervaluate(p), [], i)
            schemes[name].update(
                {k: getattr(result, k) for k in ("correct", "incorrect", "partial", "missed", "spurious")}
            )
    types = sorted({e.type for s in sentences for e in (*s.gold, *s.pred)})
    report = EntityErrors(types, sentences, {t: Counter() for t in types})
    for s in sentences:
        for g, p in s.pairs:
            report.confusion[(s.gold[g].type, s.pred[p].type)] += 1
            report.kinds[s.gold[g].type][s.gold_kinds[g]] += 1
        for g, kind in enumerate(s.gold_kinds):
            if kind == "missed":
                report.confusion[(s.gold[g].type, NONE)] += 1
                report.kinds[s.gold[g].type]["missed"] += 1
        for p, kind in enumerate(s.pred_kinds):
            if kind == "spurious":
                report.confusion[(NONE, s.pred[p].type)] += 1
                report.kinds[s.pred[p].type]["spurious"] += 1
    report.schemes = {
        name: _scores(counts, partial_credit=name in ("partial", "ent_type")) for name, counts in schemes.items()
    }
    return report


def _scores(counts: Counter, partial_credit: bool) -> dict:
    """nervaluate's precision, recall and F1 of the counts summed over sentences."""
    result = EvaluationResult(**{k: counts[k] for k in ("correct", "incorrect", "partial", "missed", "spurious")})
    result.compute_metrics(partial_or_type=partial_credit)
    return dataclasses.asdict(result)
