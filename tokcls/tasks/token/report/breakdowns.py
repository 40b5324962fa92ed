"""Where the errors are: scores by sentence length and by entity length, and the words most often mislabelled."""

from __future__ import annotations

from collections import Counter, defaultdict

from tokcls.tasks.token.report.entity_errors import EntityErrors

SENTENCE_BUCKETS = ((1, 5), (6, 10), (11, 20), (21, 30), (31, 50), (51, None))
ENTITY_BUCKETS = ((1, 1), (2, 2), (3, 3), (4, 5), (6, None))


def bucket_name(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else (str(low) if low == high else f"{low}-{high}")


def _bucket(n: int, buckets) -> str:
    for low, high in buckets:
        if n >= low and (high is None or n <= high):
            return bucket_name(low, high)
    raise ValueError(n)


def _scores(correct: int, predicted: int, gold: int) -> dict:
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": gold, "predicted": predicted}


def by_sentence_length(errors: EntityErrors, lengths: list[int]) -> list[tuple[str, dict]]:
    """Entity P/R/F1 of the sentences in each length bucket (words), counted as seqeval counts them."""
    counts = defaultdict(Counter)
    for sentence, n in zip(errors.sentences, lengths):
        c = counts[_bucket(n, SENTENCE_BUCKETS)]
        c.update(
            correct=sentence.gold_kinds.count("correct"),
            gold=len(sentence.gold),
            predicted=len(sentence.pred),
            sentences=1,
        )
    rows = []
    for low, high in SENTENCE_BUCKETS:
        c = counts.get(bucket_name(low, high))
        if c:
            rows.append(
                (
                    f"{bucket_name(low, high)} words ({c['sentences']} sentences)",
                    _scores(c["correct"], c["predicted"], c["gold"]),
                )
            )
    return rows


def by_entity_length(errors: EntityErrors) -> list[tuple[str, dict]]:
    """P/R/F1 by entity length in words: recall over the gold entities of that length, precision over the
    predicted ones (a correct entity has the same length on both sides)."""
    gold, predicted, correct = Counter(), Counter(), Counter()
    for s in errors.sentences:
        for entity, kind in zip(s.gold, s.gold_kinds):
            gold[_bucket(entity.end - entity.start, ENTITY_BUCKETS)] += 1
            correct[_bucket(entity.end - entity.start, ENTITY_BUCKETS)] += kind == "correct"
        for entity in s.pred:
            predicted[_bucket(entity.end - entity.start, ENTITY_BUCKETS)] += 1
    names = [bucket_name(low, high) for low, high in ENTITY_BUCKETS]
    return [
        (f"{name} word{'s' if name != '1' else ''}", _scores(correct[name], predicted[name], gold[name]))
        for name in names
        if gold[name] or predicted[name]
    ]


def mislabelled_words(
    words: list[list[str]], gold: list[list[str]], pred: list[list[str]], top: int = 30
) -> list[tuple]:
    """(word, times mislabelled, times seen, the commonest gold -> predicted confusion and its count)."""
    wrong, seen, confusions = Counter(), Counter(), defaultdict(Counter)
    for sentence, g_labels, p_labels in zip(words, gold, pred):
        for word, g, p in zip(sentence, g_labels, p_labels):
            seen[word] += 1
            if g != p:
                wrong[word] += 1
                confusions[word][(g, p)] += 1
    rows = []
    for word, n in wrong.most_common(top):
        (g, p), k = confusions[word].most_common(1)[0]
        rows.append((word, n, seen[word], f"{g} \u2192 {p}", k))
    return rows
