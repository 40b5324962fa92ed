"""Word shapes: what an uncased encoder cannot see of a word (its casing) and what classic NER taggers read from it.

Every packaged encoder lower-cases its input, so "Paris" and "paris" reach it as the same sub-tokens. A word's shape
(capitalised, all caps, mixed case, digits, punctuation) is given to the head beside the encoder's states at the
word's first sub-token (model.head.shape_embedding_dim). Shape 0 marks every other position: later sub-tokens,
special tokens and padding.
"""

from __future__ import annotations

SHAPES = ("none", "lower", "capitalised", "all_caps", "mixed_case", "digits", "has_digit", "punctuation", "other")
SHAPE_COUNT = len(SHAPES)


def word_shape(word: str) -> int:
    """The shape id of a word (an index into SHAPES, never 0)."""
    letters = [c for c in word if c.isalpha()]
    if letters:
        if any(c.isdigit() for c in word):
            return SHAPES.index("has_digit")
        cased = [c for c in letters if c.isupper() or c.islower()]
        if not cased:  # scripts without case (Japanese, Arabic): nothing to tell
            return SHAPES.index("other")
        upper = sum(c.isupper() for c in cased)
        if upper == 0:
            return SHAPES.index("lower")
        if upper == len(cased):
            return SHAPES.index("all_caps") if len(cased) > 1 else SHAPES.index("capitalised")
        if cased[0].isupper() and upper == 1:
            return SHAPES.index("capitalised")
        return SHAPES.index("mixed_case")
    if word and all(c.isdigit() for c in word):
        return SHAPES.index("digits")
    if any(c.isdigit() for c in word):
        return SHAPES.index("has_digit")  # 1996-08-22, 3-1, 1.5
    if word and all(not c.isalnum() for c in word) and any(not c.isspace() for c in word):
        return SHAPES.index("punctuation")
    return SHAPES.index("other")
