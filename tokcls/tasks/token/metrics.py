"""Scores of word-level predictions: NeMo's token-level table and seqeval's entity-level one."""

from __future__ import annotations

from seqeval import metrics as seqeval_metrics
from seqeval.scheme import IOB1, IOB2, IOBES

from conversion.schemes import MixedTagsError, Scheme, count_invalid_transitions, detect_scheme
from tokcls.metrics.class_table import class_report, format_class_report, row_line

# BILOU tags reach seqeval rewritten as BIOES (see _for_seqeval), hence IOBES for both.
STRICT_SCHEMES = {Scheme.iob1: IOB1, Scheme.iob2: IOB2, Scheme.bioes: IOBES, Scheme.bilou: IOBES}


def tag_scheme(sequences: list[list[str]], outside: str = "O") -> Scheme:
    try:
        return detect_scheme(sequences, outside)
    except MixedTagsError:
        return Scheme.plain


def _for_seqeval(sequences: list[list[str]], scheme: Scheme, outside: str) -> list[list[str]]:
    """seqeval reads prefixes; a plain tag (POS) becomes a one-word entity of its own type,
    and BILOU's L-/U- become E-/S-, which seqeval's default mode knows."""
    if scheme is Scheme.plain:
        return [["O" if t == outside else f"B-{t}" for t in s] for s in sequences]
    if outside != "O" or scheme is Scheme.bilou:
        rename = {"L": "E", "U": "S"}
        return [["O" if t == outside else rename.get(t[0], t[0]) + t[1:] for t in s] for s in sequences]
    return sequences


def entity_report(gold: list[list[str]], pred: list[list[str]], outside: str = "O", strict: bool = False) -> dict:
    """seqeval's classification report (default mode, or strict mode in the data's scheme)."""
    scheme = tag_scheme(gold + pred, outside)
    y_true, y_pred = _for_seqeval(gold, scheme, outside), _for_seqeval(pred, scheme, outside)
    kwargs: dict = {"output_dict": True, "zero_division": 0}
    if strict:
        if scheme in (Scheme.io, Scheme.plain):
            return {}  # seqeval has no strict IO scheme; one-word entities of plain tags read the same in both modes
        kwargs.update(mode="strict", scheme=STRICT_SCHEMES[scheme])
    report = seqeval_metrics.classification_report(y_true, y_pred, **kwargs)
    rename = {"f1-score": "f1"}
    return {
        name: {rename.get(k, k): (int(v) if k == "support" else float(v)) for k, v in row.items()}
        for name, row in report.items()
    }


def format_entity_report(report: dict, title: str) -> str:
    lines = [title, f"{'entity':<40}{'precision':>12}{'recall':>12}{'f1':>12}{'support':>12}"]
    rows = [(n, r) for n, r in report.items() if not n.endswith(" avg")]
    lines += [row_line(name, row) for name, row in rows]
    lines.append("-" * 88)
    lines += [row_line(name, row) for name, row in report.items() if name.endswith(" avg")]
    return "\n".join(lines)


def all_reports(gold: list[list[str]], pred: list[list[str]], labels: list[str], outside: str = "O") -> dict:
    """The token table and the entity tables (seqeval default and strict mode) of one prediction set."""
    scheme = tag_scheme(gold, outside)
    return {
        "token": class_report(gold, pred, labels),
        "entity": entity_report(gold, pred, outside),
        "entity_strict": entity_report(gold, pred, outside, strict=True),
        # Predicted tags the gold labels' scheme forbids where they stand (I-X after O in IOB2, ...).
        "invalid_transitions": {
            "scheme": scheme.value,
            "count": sum(count_invalid_transitions(p, scheme, outside) for p in pred),
        },
    }


def format_reports(reports: dict) -> str:
    """The token table, then the entity tables: for a plain tag set (POS, chunk tags without prefixes) only the
    token table, whose labels are the units; strict mode only when it differs from the default (JSON has all three)."""
    invalid = reports.get("invalid_transitions")
    parts = [format_class_report(reports["token"])]
    if invalid and invalid["scheme"] == "plain":
        parts.append(
            "Plain tag set: each word is an entity of its tag, so seqeval's entity table repeats this one (it is "
            "in evaluation_report.json; val_entity_f1 is the token accuracy)."
        )
        return "\n\n".join(parts)
    parts.append(format_entity_report(reports["entity"], "Entity level (seqeval, default mode):"))
    if reports["entity_strict"] and reports["entity_strict"] != reports["entity"]:
        parts.append(format_entity_report(reports["entity_strict"], "Entity level (seqeval, strict mode):"))
    if invalid and invalid["scheme"] not in ("plain", "io"):
        parts.append(f"Invalid transitions in the predictions ({invalid['scheme']}): {invalid['count']}")
    return "\n\n".join(parts)
