"""Window outputs -> word scores: the rows predicted at owned first sub-tokens, put in sentence order.

Every word is owned by exactly one window (features.py), so each word gets exactly one row; this
is where that is checked, and the one place the windows' outputs become whole sentences again, before
any decoder runs."""

from __future__ import annotations

import numpy as np
import torch


def sentence_order(n_words: list[int], example: np.ndarray, word: np.ndarray) -> np.ndarray:
    """For each row (the prediction of word `word` of sentence `example`), its place among all words,
    sentence after sentence; refuses a word with no row or with two."""
    starts = np.concatenate([[0], np.cumsum(n_words)[:-1]]).astype(np.int64) if n_words else np.zeros(0, np.int64)
    place = starts[example] + word
    seen = np.bincount(place, minlength=int(sum(n_words)))
    if len(place) != sum(n_words) or (seen != 1).any():
        raise RuntimeError(
            f"{int((seen == 0).sum())} words got no prediction and {int((seen > 1).sum())} got several: "
            "every word must be owned by exactly one window"
        )
    return place


def word_scores(n_words: list[int], example: np.ndarray, word: np.ndarray, rows: torch.Tensor) -> torch.Tensor:
    """[all words, labels]: the rows in sentence order."""
    ordered = torch.empty_like(rows)
    ordered[torch.from_numpy(sentence_order(n_words, example, word))] = rows
    return ordered


def per_sentence(values: list, n_words: list[int]) -> list[list]:
    """A flat list over all words cut back into sentences."""
    out, begin = [], 0
    for n in n_words:
        out.append(values[begin : begin + n])
        begin += n
    return out
