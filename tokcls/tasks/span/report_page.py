"""report.html of a span model, on the shared template: scores per type, the kinds of errors (a span with the wrong
type, a wrong boundary, a missed entity, a spurious one), and the sentences it gets wrong with gold and predicted
entities drawn as nested brackets, so that an entity inside another reads as one."""

from __future__ import annotations

from collections import Counter

from conversion.schemes import read_entities
from tokcls.report.page import Markup, Meta, Page, Run, details, esc, facts, pct, score_bars, table


def bracketed(words: list[str], spans, color) -> Markup:
    """The sentence with each span in brackets labelled by its type; nested spans nest (spans never cross)."""
    opening: dict[int, list] = {}
    closing: Counter = Counter()
    for start, end, type_ in sorted(spans, key=lambda s: (s[0], -s[1])):
        opening.setdefault(start, []).append(type_)
        closing[end - 1] += 1
    parts = []
    for i, word in enumerate(words):
        for type_ in opening.get(i, []):
            parts.append(f'<span class="ent {color(type_)}">[<b>{esc(type_)}</b> ')
        parts.append(esc(word))
        parts.append("]</span>" * closing[i])
    return Markup(" ".join(parts))


def error_kinds(gold, pred) -> Counter:
    """Each wrong span once: wrong type (same boundaries), wrong boundary (overlaps a gold span), spurious
    (overlaps no gold span), and each gold span no prediction overlaps: missed."""
    kinds: Counter = Counter()
    for g, p in zip(gold, pred):
        g, p = set(map(tuple, g)), set(map(tuple, p))
        for s, e, _type in p - g:
            same = [x for x in g if x[0] == s and x[1] == e]
            overlapping = [x for x in g if x[0] < e and s < x[1]]
            kinds["wrong type" if same else "wrong boundary" if overlapping else "spurious"] += 1
        kinds["missed"] += sum(1 for s, e, _ in g - p if not any(x[0] < e and s < x[1] for x in p))
    return kinds


def as_spans(predicted: list) -> list:
    """A run's predictions of one sentence as spans: a span model's as they are; a token model's word labels (evaluate
    -m SPAN -m CRF) read as entities, as seqeval reads them."""
    if predicted and isinstance(predicted[0], str):
        return [(e.start, e.end, e.type) for e in read_entities(predicted) if e.type]
    return [tuple(span) for span in predicted]


def compare_section(page: Page, examples, runs: list[Run]) -> None:
    """Where the two models' entities differ: the counts, and the sentences with gold, A's and B's entities."""
    gold = [{tuple(s) for s in e.spans or ()} for e in examples]
    a, b = ([set(as_spans(p)) for p in run.pred] for run in runs)
    differ = [i for i in range(len(examples)) if a[i] != b[i]]
    verdict = Counter("A right" if a[i] == gold[i] else "B right" if b[i] == gold[i] else "neither" for i in differ)
    body = facts([("A", runs[0].name), ("B", runs[1].name)])
    counts = [[len(differ), verdict["A right"], verdict["B right"], verdict["neither"]]]
    body += table(
        ["sentences where they differ", "A right", "B right", "neither right"],
        counts,
        "disagreement-counts",
        numeric_from=0,
    )
    rows = [
        [i + 1, *(bracketed(examples[i].words, spans, page.color) for spans in (gold[i], a[i], b[i]))]
        for i in differ[:300]
    ]
    body += table(["line", "gold", "A", "B"], rows, "compare-list")
    page.section("compare", "Where the two models disagree", body)


def span_report_page(examples, runs: list[Run], labels: list[str], meta: Meta) -> str:
    run = runs[0]
    page = Page(f"Evaluation of {run.name}", f"{meta.dataset} \u00b7 {meta.created}")
    types = list(labels[1:])
    page.set_types(types)
    gold = [e.spans for e in examples]
    headline = [
        [r.name, *(pct(r.reports["entity"]["micro avg"][k]) for k in ("precision", "recall", "f1"))] for r in runs
    ]
    body = facts([("data", meta.dataset), ("sentences", str(len(examples))), *meta.facts, ("written", meta.created)])
    body += table(["model", "precision", "recall", "F1"], headline, "headline", "Exact spans, micro average, in %")
    scores = [(n, r) for n, r in run.reports["entity"].items() if not n.endswith(" avg")]
    body += score_bars(scores, "scores-types", "Per type", page.color)
    body += "".join(details(title, text) for title, text in meta.specs)
    page.section("summary", "Summary", body)
    kinds = error_kinds(gold, run.pred)
    page.section(
        "kinds",
        "Error kinds",
        table(
            ["kind", "spans"], [[k, kinds[k]] for k in ("wrong type", "wrong boundary", "spurious", "missed")], "kinds"
        ),
    )
    wrong = [i for i, (g, p) in enumerate(zip(gold, run.pred)) if set(map(tuple, g)) != set(map(tuple, p))]
    shown = wrong[:300]
    rows = [
        [
            i + 1,
            bracketed(examples[i].words, gold[i], page.color),
            bracketed(examples[i].words, run.pred[i], page.color),
        ]
        for i in shown
    ]
    note = f"{len(wrong)} of {len(examples)} sentences have an error" + (
        f"; the first {len(shown)} shown" if len(shown) < len(wrong) else ""
    )
    page.section(
        "errors", "Sentences with errors", f"<p>{esc(note)}.</p>" + table(["line", "gold", "predicted"], rows, "errors")
    )
    if len(runs) == 2:
        compare_section(page, examples, runs)
    return page.render()
