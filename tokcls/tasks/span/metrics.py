"""Scores of span predictions: exact-span precision, recall and F1 per type (an entity counts when its start, end and
type are all right), in seqeval's report layout. For flat predictions this is seqeval's default-mode report of the
same entities written as IOB2 tags (tests/tasks/span checks it); for nested ones it counts every span, nested or not.
"""

from __future__ import annotations

from collections import Counter

Span = tuple[int, int, str]


def _row(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def span_report(gold: list[list[Span]], pred: list[list[Span]]) -> dict:
    """Per type and micro / macro / weighted averages over the types in gold or predictions."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold_spans, pred_spans in zip(gold, pred, strict=True):
        g: set[Span] = {(s, e, t) for s, e, t in gold_spans}
        p: set[Span] = {(s, e, t) for s, e, t in pred_spans}
        for span in g & p:
            tp[span[2]] += 1
        for span in p - g:
            fp[span[2]] += 1
        for span in g - p:
            fn[span[2]] += 1
    types = sorted(set(tp) | set(fp) | set(fn))
    report = {t: _row(tp[t], fp[t], fn[t]) for t in types}
    report["micro avg"] = _row(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    support = sum(row["support"] for row in (report[t] for t in types))
    for average in ("macro avg", "weighted avg"):
        weights = [report[t]["support"] / support if support else 0.0 for t in types] if "weighted" in average else None
        row = {}
        for key in ("precision", "recall", "f1"):
            values = [report[t][key] for t in types]
            if weights is None:
                row[key] = sum(values) / len(values) if values else 0.0
            else:
                row[key] = sum(v * w for v, w in zip(values, weights))
        row["support"] = support
        report[average] = row
    return report


def _inside(a: Span, b: Span) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


def nesting(gold: list[list[Span]], pred: list[list[Span]]) -> dict:
    """How many gold spans lie inside (or contain) another gold span of their sentence, and how many of those were
    predicted exactly: what only a nested decoder can get."""
    nested = found = 0
    for gold_spans, pred_spans in zip(gold, pred, strict=True):
        predicted = set(map(tuple, pred_spans))
        for span in gold_spans:
            if any(other != span and (_inside(span, other) or _inside(other, span)) for other in gold_spans):
                nested += 1
                found += tuple(span) in predicted
    return {"nested_gold_spans": nested, "recovered": found, "share": found / nested if nested else None}


def format_span_report(report: dict, title: str) -> str:
    from tokcls.metrics.class_table import row_line

    lines = [title, f"{'entity':<40}{'precision':>12}{'recall':>12}{'f1':>12}{'support':>12}"]
    lines += [row_line(name, row) for name, row in report.items() if not name.endswith(" avg")]
    lines.append("-" * 88)
    lines += [row_line(name, row) for name, row in report.items() if name.endswith(" avg")]
    return "\n".join(lines)
