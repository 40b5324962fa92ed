"""Word labels -> entity spans with character offsets and confidences."""

from __future__ import annotations

from conversion.schemes import read_entities, split_tag
from tokcls.core.word_split import Word


def is_plain(labels: list[str], outside: str = "O") -> bool:
    """A tag set without B-/I-/... prefixes (POS): every non-outside word is a span of its own."""
    return all(split_tag(label, outside)[0] in ("", "O") for label in labels)


def entity_spans(
    text: str, words: list[Word], labels: list[str], confidences: list[float], plain: bool, outside: str = "O"
) -> list[dict]:
    groups: list = (
        [(label, i, i + 1) for i, label in enumerate(labels) if label != outside]
        if plain
        else read_entities(labels, outside)
    )
    spans = []
    for type_, first, last in groups:
        start, end = words[first].start, words[last - 1].end
        spans.append(
            {
                "type": type_,
                "start": start,
                "end": end,
                "text": text[start:end],
                "confidence": round(sum(confidences[first:last]) / (last - first), 4),
            }
        )
    return spans
