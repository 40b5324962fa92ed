"""Label a text too long to hold as one example, piece by piece, in memory bounded by the piece size.

The text is cut at whitespace into pieces of about PIECE_CHARS characters (a word never spans
whitespace, so the words are those of the whole text). Each piece is predicted together with the
last and first `context` words of its neighbours, so that every kept word sees as much context as a
window gives it, and only the piece's own words are kept. Entities are read as the labels stream
by: an entity never contains an outside word, so everything before the last outside label is final.
"""

from __future__ import annotations

import re
from typing import Iterator

from tokcls.core.word_split import Word, split_words
from tokcls.tasks.token.examples import Example
from tokcls.tasks.token.spans import entity_spans

PIECE_CHARS = 50_000
LONG_TEXT_CHARS = 4 * PIECE_CHARS  # a longer text is labelled in pieces
_SPACE = re.compile(r"\s")


def pieces(text: str, size: int | None = None) -> Iterator[list[Word]]:
    """The words of `text`, a piece at a time, each cut at a whitespace character after `size` characters."""
    size, start = size or PIECE_CHARS, 0
    while start < len(text):
        found = _SPACE.search(text, min(len(text), start + size))
        end = found.start() if found else len(text)
        yield [Word(w.text, w.start + start, w.end + start) for w in split_words(text[start:end])]
        start = end


def label_in_pieces(predictor, text: str, size: int | None = None):
    """(words, labels, confidences) of each piece of `text`, in order, each word predicted with context."""
    context = predictor.settings.max_seq_length  # every word is at least one sub-token: a window's worth of words
    stream = pieces(text, size)
    previous: list[Word] = []
    current = next(stream, None)
    while current is not None:
        following = next(stream, None)
        before, after = previous[-context:], (following or [])[:context]
        words = before + current + after
        labels, confidences = predictor.predict([Example([w.text for w in words], None)])
        keep = slice(len(before), len(before) + len(current))
        yield current, labels[0][keep], confidences[0][keep]
        previous, current = current, following


class StreamingEntities:
    """entity_spans over labels that arrive a piece at a time, with the same result as over the whole."""

    def __init__(self, text: str, plain: bool, outside: str):
        self.text, self.plain, self.outside = text, plain, outside
        self.words: list[Word] = []
        self.labels: list[str] = []
        self.confidences: list[float] = []

    def add(self, words, labels, confidences) -> list[dict]:
        self.words += words
        self.labels += labels
        self.confidences += confidences
        last_outside = next((i for i in range(len(self.labels) - 1, -1, -1) if self.labels[i] == self.outside), -1)
        cut = len(self.labels) if self.plain else last_outside + 1  # plain tags: every word is its own span
        return self._take(cut)

    def finish(self) -> list[dict]:
        return self._take(len(self.labels))

    def _take(self, cut: int) -> list[dict]:
        spans = entity_spans(
            self.text, self.words[:cut], self.labels[:cut], self.confidences[:cut], self.plain, self.outside
        )
        del self.words[:cut], self.labels[:cut], self.confidences[:cut]
        return spans
