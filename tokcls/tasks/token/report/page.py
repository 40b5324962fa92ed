"""report.html of a token model: scores, error kinds, confusions, the sentences it gets wrong, where and how sure."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix

from conversion.schemes import Scheme
from tokcls.report.calibration import reliability, reliability_figure
from tokcls.report.page import Markup, Meta, Page, Run, details, esc, facts, figure, matrix, pct, score_bars, table
from tokcls.tasks.token.metrics import tag_scheme
from tokcls.tasks.token.report.breakdowns import by_entity_length, by_sentence_length, mislabelled_words
from tokcls.tasks.token.report.entity_errors import KIND_TITLES, KINDS, NONE, EntityErrors, entity_errors

ERROR_KINDS = KINDS[1:]


def _entities(entities, kinds, type_index) -> list[list[int]]:
    return [[e.start, e.end, type_index[e.type], KINDS.index(k)] for e, k in zip(entities, kinds)]


def _accuracy(gold: list[list[str]], pred: list[list[str]]) -> float:
    pairs = [(g, p) for gs, ps in zip(gold, pred) for g, p in zip(gs, ps)]
    return sum(g == p for g, p in pairs) / max(1, len(pairs))


def summary_section(page: Page, meta: Meta, runs: list[Run], gold, words: int, errors: EntityErrors) -> None:
    headline = []
    for run in runs:
        strict = run.reports["entity_strict"].get("micro avg")
        micro = run.reports["entity"]["micro avg"]
        headline.append(
            [
                run.name,
                pct(micro["f1"]),
                pct(micro["precision"]),
                pct(micro["recall"]),
                pct(strict["f1"]) if strict else "-",
                pct(_accuracy(gold, run.pred)),
                f"{run.reports['summary'].get('test_loss') or 0:.4f}",
            ]
        )
    default = [(n, r) for n, r in runs[0].reports["entity"].items() if not n.endswith(" avg")]
    body = facts(
        [
            ("data", meta.dataset),
            ("sentences", str(len(gold))),
            ("words", str(words)),
            ("gold entities", str(sum(len(s.gold) for s in errors.sentences))),
            *meta.facts,
            ("written", meta.created),
        ]
    )
    body += table(
        ["model", "entity F1", "precision", "recall", "strict F1", "token accuracy", "test loss"],
        headline,
        "headline",
        "Entity scores (seqeval, micro average) and token accuracy, in %",
    )
    body += '<div class="grid">' + score_bars(default, "scores-default", "Per type, seqeval default mode", page.color)
    if runs[0].reports["entity_strict"]:
        strict_rows = [(n, r) for n, r in runs[0].reports["entity_strict"].items() if not n.endswith(" avg")]
        body += score_bars(strict_rows, "scores-strict", "Per type, seqeval strict mode", page.color)
    body += "</div>"
    schemes = [
        [
            name,
            s["correct"],
            s["incorrect"],
            s["partial"],
            s["missed"],
            s["spurious"],
            pct(s["precision"]),
            pct(s["recall"]),
            pct(s["f1"]),
        ]
        for name, s in errors.schemes.items()
    ]
    body += table(
        ["nervaluate scheme", "correct", "incorrect", "partial", "missed", "spurious", "precision", "recall", "F1"],
        schemes,
        "schemes",
        "The four schemes of nervaluate (SemEval-2013 task 9.1), all types",
    )
    body += "".join(details(title, text) for title, text in meta.specs)
    page.section("summary", "Summary", body)


def kinds_section(page: Page, errors: EntityErrors) -> None:
    rows, totals = [], np.zeros(8, dtype=int)
    for t in errors.types:
        k = errors.kinds[t]
        row = [k[name] for name in KINDS[:5]] + [errors.gold_count(t), k["spurious"], errors.pred_count(t)]
        totals += row
        rows.append([Markup(f'<span class="swatch {page.color(t)}"></span>{esc(t)}'), *row])
    rows.append([Markup("<b>all types</b>"), *totals.tolist()])
    head = [
        "gold type",
        *(KIND_TITLES[k] for k in KINDS[:5]),
        "gold total",
        "spurious (predicted type)",
        "predicted total",
    ]
    body = table(
        head,
        rows,
        "error-kinds",
        "Each gold entity has one kind; spurious entities count under the "
        "predicted type. correct + wrong type + wrong boundary + both + missed = gold total; correct + wrong "
        "boundary + predicted as this type with a wrong type (or both) + spurious = predicted total.",
    )
    body += (
        "<p>Kinds as in the MUC / SemEval-2013 scheme: nervaluate's strict matching pairs each predicted entity "
        "with the gold one it overlaps; a pair with different types is a <i>wrong type</i>, with different "
        "boundaries a <i>wrong boundary</i>; an unpaired gold entity is <i>missed</i>, an unpaired prediction "
        "<i>spurious</i>.</p>"
    )
    page.section("error-kinds-section", "Error kinds per entity type", body)


def confusion_section(page: Page, errors: EntityErrors, gold, pred, labels: list[str]) -> None:
    names = [*errors.types, NONE]
    counts = [[errors.confusion.get((g, p), 0) for p in names] for g in names]
    body = matrix(
        names,
        names,
        counts,
        "entity-confusion",
        "Entities: gold type \u00d7 predicted type of each matched pair; 'none' column: missed, 'none' row: spurious",
    )
    present = [label for label in labels if any(label in s for s in gold) or any(label in s for s in pred)]
    tokens = confusion_matrix([t for s in gold for t in s], [t for s in pred for t in s], labels=present)
    body += matrix(present, present, tokens.tolist(), "token-confusion", "Words: gold label \u00d7 predicted label")
    page.section("confusion", "Confusion matrices", body)


def sentence_items(words, errors: EntityErrors, type_index) -> list[dict]:
    """The sentences with an error, worst first (most entity errors, then most mislabelled words, then file order)."""
    ranked = []
    for i, s in enumerate(errors.sentences):
        if not s.errors and not s.wrong_words:
            continue
        wrong = [(e, k) for e, k in zip(s.gold, s.gold_kinds) if k != "correct"]
        wrong += [(e, k) for e, k in zip(s.pred, s.pred_kinds) if k != "correct"]
        item = {
            "w": words[i],
            "g": _entities(s.gold, s.gold_kinds, type_index),
            "p": _entities(s.pred, s.pred_kinds, type_index),
            "x": s.wrong_words,
            "n": i,
            "f": {
                "type": sorted({type_index[e.type] for e, _ in wrong}),
                "kind": sorted({KINDS.index(k) for _, k in wrong}),
            },
        }
        ranked.append(((-s.errors, -len(s.wrong_words), i), item))
    return [item for _, item in sorted(ranked, key=lambda pair: pair[0])]


def sentences_section(page: Page, words, errors: EntityErrors, type_index) -> None:
    items = sentence_items(words, errors, type_index)
    legend = (
        '<p class="legend">'
        + "".join(f'<span><mark class="ent c{i}">{esc(t)}</mark></span>' for i, t in enumerate(page.data["types"]))
        + "".join(f'<span><b class="kind k-{k}">{esc(KIND_TITLES[k])}</b></span>' for k in ERROR_KINDS)
        + '<span><u class="wrong">wrongly labelled word</u></span></p>'
    )
    filters = [
        {"key": "type", "title": "type", "options": [(i, t) for i, t in enumerate(page.data["types"])]},
        {"key": "kind", "title": "error kind", "options": [(KINDS.index(k), KIND_TITLES[k]) for k in ERROR_KINDS]},
    ]
    body = legend + page.item_list(
        "sentence-list",
        "sentences",
        items,
        filters,
        "No sentence matches.",
        f"{len(items)} of {len(errors.sentences)} sentences have an error, worst first "
        "(most entity errors, then most wrongly labelled words).",
    )
    page.section("sentences", "Sentences with errors", body)


def where_section(page: Page, examples, gold, pred, errors: EntityErrors) -> None:
    lengths = [len(e.words) for e in examples]
    body = '<div class="grid">' + score_bars(
        by_sentence_length(errors, lengths), "by-sentence-length", "Entity scores by sentence length"
    )
    body += score_bars(by_entity_length(errors), "by-entity-length", "Entity scores by entity length") + "</div>"
    rows = mislabelled_words([e.words for e in examples], gold, pred)
    body += table(
        ["word", "times wrong", "times seen", "commonest error (gold \u2192 predicted)", "times"],
        rows,
        "mislabelled-words",
        "The words most often given a wrong label",
    )
    page.section("where", "Where the errors are", body)


def calibration_section(page: Page, gold, run: Run) -> None:
    confidence = [c for sentence in run.confidences for c in sentence]
    if not confidence:
        return
    correct = [g == p for gs, ps in zip(gold, run.pred) for g, p in zip(gs, ps)]
    table_ = reliability(confidence, correct)
    body = figure(reliability_figure(table_, "words"), "reliability diagram")
    body += (
        f'<p>Expected calibration error: <b id="ece">{100 * table_["ece"]:.2f}%</b> over {table_["n"]} words. '
        "Bars below the diagonal: the model is more confident than it is right.</p>"
    )
    page.section("calibration", "Calibration", body)


def compare_section(page: Page, words, gold, runs: list[Run], errs: list[EntityErrors], type_index) -> None:
    a, b = runs
    items = []
    for i, (pa, pb) in enumerate(zip(a.pred, b.pred)):
        if pa == pb:
            continue
        r = 0 if pa == gold[i] else 1 if pb == gold[i] else 2
        sa, sb = errs[0].sentences[i], errs[1].sentences[i]
        items.append(
            {
                "w": words[i],
                "g": _entities(sa.gold, sa.gold_kinds, type_index),
                "a": _entities(sa.pred, sa.pred_kinds, type_index),
                "xa": sa.wrong_words,
                "b": _entities(sb.pred, sb.pred_kinds, type_index),
                "xb": sb.wrong_words,
                "r": r,
                "n": i,
                "f": {"r": [r]},
            }
        )
    page.compare_section(runs, items, "compare", "sentences")


def token_report_page(examples, runs: list[Run], labels: list[str], outside: str, meta: Meta) -> str:
    gold = [e.labels for e in examples]
    words = [e.words for e in examples]
    run = runs[0]
    plain = tag_scheme(gold + run.pred, outside) is Scheme.plain
    errs = [entity_errors(gold, r.pred, outside, plain) for r in runs]
    errors = errs[0]
    names = sorted({t for e in errs for t in e.types})
    page = Page(f"Evaluation of {run.name}", f"{meta.dataset} \u00b7 {meta.created}")
    page.set_types(names)
    page.data["unit"] = "line"  # a sentence's line in the split's text file
    page.data["kinds"] = [{"name": k, "title": KIND_TITLES[k]} for k in KINDS]
    type_index = {t: i for i, t in enumerate(names)}
    summary_section(page, meta, runs, gold, sum(len(w) for w in words), errors)
    kinds_section(page, errors)
    confusion_section(page, errors, gold, run.pred, labels)
    sentences_section(page, words, errors, type_index)
    where_section(page, examples, gold, run.pred, errors)
    calibration_section(page, gold, run)
    if len(runs) == 2:
        compare_section(page, words, gold, runs, errs, type_index)
    return page.render()
