"""Split raw text into words with character offsets, the way CoNLL-style training data is split.

Letters, digits and marks form words; an apostrophe, hyphen or period between two word characters
stays inside the word (don't, New-York, 3.14); any other visible character is a word of its own
(punctuation, symbols, emoji). Text written without spaces (Chinese and Japanese: Han ideographs, hiragana,
katakana) is one word per character, as BERT's tokenizers cut Chinese: a run of them is never one long word, so an
entity inside it keeps its own words. Combining marks and format characters (variation selectors,
zero-width joiners) stay with the character before them. Every non-space character of the input
ends up in exactly one word, and `text[start:end]` is always the word.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

JOINERS = set("-'’.")


class Word(NamedTuple):
    text: str
    start: int
    end: int


CHARACTER_WORDS = (  # scripts written without spaces: each character is a word
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x31F0, 0x31FF),  # katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # halfwidth katakana
    (0x20000, 0x3134F),  # CJK unified ideographs extensions B to G
)


def _kind(c: str) -> str:
    if c.isspace():
        return "space"
    category = unicodedata.category(c)
    if category[0] == "M" or category == "Cf":
        return "mark"
    code = ord(c)
    if code >= 0x3040 and any(low <= code <= high for low, high in CHARACTER_WORDS):
        return "symbol"  # a word of its own
    if category[0] in "LN" or c == "_":
        return "word"
    return "symbol"


def split_words(text: str) -> list[Word]:
    spans: list[list[int]] = []  # [start, end, is_word]
    n = len(text)
    kinds = [_kind(c) for c in text]
    for i, kind in enumerate(kinds):
        touching = spans and spans[-1][1] == i
        if kind == "space":
            continue
        if touching and (kind == "mark" or text[i - 1] == "\u200d"):  # marks, and emoji joined by ZWJ
            spans[-1][1] = i + 1
        elif kind == "word" and touching and spans[-1][2]:
            spans[-1][1] = i + 1
        elif text[i] in JOINERS and touching and spans[-1][2] and i + 1 < n and kinds[i + 1] == "word":
            spans[-1][1] = i + 1
        else:
            spans.append([i, i + 1, kind == "word"])
    return [Word(text[s:e], s, e) for s, e, _ in spans]
