"""Character-offset spans over a raw text -> words and word spans, with nothing lost silently.

The text is split into words by the splitter infer uses (tokcls/core/word_split.py), so the words a model is trained
on are the words it will be asked to label. A span that starts or ends inside a word is snapped outward to whole
words and counted per label (boundary=snap, the default) or refused naming its record (boundary=refuse); a span over
no word at all (only spaces) is refused. Every span is kept for the span task's file, nested and overlapping ones
included. IOB tags allow one entity per word, so overlapping spans are resolved for them by a documented rule
(resolve_overlaps): the longer span wins, then the earlier, then the label first in sort order; every span that
loses is counted, and the first few are shown with their record.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from conversion.errors import ConversionError
from tokcls.core.word_split import Word, split_words

SHOWN = 5  # examples kept of each kind of change


@dataclass
class Changes:
    """What the mapping changed, per label, with the first examples (file, record, text): printed and kept in
    dataset_stats.json."""

    snapped: Counter = field(default_factory=Counter)
    overlaps_dropped_from_iob: Counter = field(default_factory=Counter)
    discontinuous: Counter = field(default_factory=Counter)
    utf16_offsets: int = 0
    examples: dict = field(default_factory=dict)

    def note(self, kind: str, where: str, detail: str) -> None:
        shown = self.examples.setdefault(kind, [])
        if len(shown) < SHOWN:
            shown.append(f"{where}: {detail}")

    def as_dict(self) -> dict:
        return {
            "snapped_to_words": dict(self.snapped),
            "overlaps_dropped_from_iob": dict(self.overlaps_dropped_from_iob),
            "discontinuous": dict(self.discontinuous),
            "utf16_offsets_converted": self.utf16_offsets,
            "examples": self.examples,
        }


def word_spans(
    text: str, spans: list[tuple[int, int, str]], words: list[Word], where: str, boundary: str, changes: Changes
) -> list[tuple[int, int, str]]:
    """Each character span [start, end) as a word span [first, last + 1), sorted, duplicates once."""
    starts = [w.start for w in words]
    out = set()
    for start, end, label in spans:
        if not (0 <= start < end <= len(text)):
            raise ConversionError(
                f"{where}: the span [{start}, {end}) {label!r} lies outside the text ({len(text)} characters)",
                "offsets count characters (code points) from 0, end exclusive",
            )
        first = bisect.bisect_right(starts, start) - 1  # the word starting at or before `start`
        if first < 0 or words[first].end <= start:
            first += 1  # `start` is in the space before a word
        last = bisect.bisect_left(starts, end) - 1  # the last word starting before `end`
        if first > last or first >= len(words):
            raise ConversionError(
                f"{where}: the span [{start}, {end}) {label!r} covers no word: {text[start:end]!r}",
                "remove the span or correct its offsets",
            )
        whole = (words[first].start, words[last].end)
        if _trimmed(text, start, end) != whole:  # it starts or ends inside a word
            if boundary == "refuse":
                raise ConversionError(
                    f"{where}: the span {text[start:end]!r} ({label}) starts or ends inside a word; the words are "
                    f"{text[whole[0] : whole[1]]!r}",
                    "correct the span, or set boundary=snap to extend it to whole words (counted and reported)",
                )
            changes.snapped[label] += 1
            changes.note("snapped", where, f"{text[start:end]!r} -> {text[whole[0] : whole[1]]!r} ({label})")
        out.add((first, last + 1, label))
    return sorted(out)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the spaces at its ends (annotators often select a trailing space)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def resolve_overlaps(spans: list[tuple[int, int, str]], where: str, words: list[str], changes: Changes) -> list:
    """The spans IOB tags can hold (no two share a word): longer first, then earlier, then by label."""
    kept: list[tuple[int, int, str]] = []
    taken = [False] * (max((e for _, e, _ in spans), default=0))
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0], s[2])):
        start, end, label = span
        if any(taken[start:end]):
            changes.overlaps_dropped_from_iob[label] += 1
            changes.note("overlaps", where, f"{' '.join(words[start:end])!r} ({label}) overlaps a longer span")
            continue
        taken[start:end] = [True] * (end - start)
        kept.append(span)
    return sorted(kept)


def iob2(n_words: int, spans: list[tuple[int, int, str]], outside: str) -> list[str]:
    tags = [outside] * n_words
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


def utf16_to_code_points(text: str, offset: int) -> int:
    """The code-point index of a UTF-16 code-unit offset (JavaScript string indices count astral characters twice)."""
    units = 0
    for i, c in enumerate(text):
        if units >= offset:
            return i
        units += 2 if ord(c) > 0xFFFF else 1
    return len(text)


def lines_of(text: str) -> list[tuple[int, int]]:
    """[start, end) of each non-blank line of a record's text: a line is a sentence (LF, CRLF or CR end lines)."""
    out, start = [], 0
    for i, c in enumerate(text + "\n"):
        if c in "\r\n":
            if text[start:i].strip():
                out.append((start, i))
            start = i + 1
    return out


def split_record(text: str, words_of_line=split_words):
    """(line start, line end, words with offsets into `text`) of each sentence of a record."""
    for start, end in lines_of(text):
        yield start, end, [Word(w.text, w.start + start, w.end + start) for w in words_of_line(text[start:end])]


def whitespace_words(text: str) -> list[Word]:
    """Words at whitespace only (word_split=whitespace: a text written from tokens)."""
    return [Word(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
