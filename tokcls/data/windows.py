"""Sub-token windows the encoder can take: the settings, the flat arrays every task's windows are stored in,
and how a sequence longer than a window is cut into overlapping ones.

A sequence longer than `max_seq_length` sub-tokens is cut into overlapping windows (`stride` sub-tokens of
overlap); which window owns which position is the task's choice (tasks/<task>/features.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from tokcls.core.errors import InputError

IGNORE = -100  # label of positions the loss skips (torch's CrossEntropyLoss default)


@dataclass(frozen=True)
class WindowSettings:
    max_seq_length: int = 128
    stride: int = 32  # sub-tokens shared by consecutive windows of one long sentence
    label_all_subwords: bool = False
    word_shapes: bool = False  # store each word's shape at its first sub-token (data/word_shape.py) for the head


@dataclass
class Features:
    """Every window of a dataset as flat arrays: cheap to cache, slice and batch."""

    input_ids: np.ndarray  # int32, all windows concatenated
    labels: np.ndarray  # int32, IGNORE where the loss skips
    word_index: np.ndarray  # int32, the word predicted at this position, -1 elsewhere
    offsets: np.ndarray  # int64, window i spans offsets[i]:offsets[i + 1]
    example: np.ndarray  # int32, the sentence window i belongs to
    targets: np.ndarray | None = (
        None  # float32 [examples, k]: labels of whole examples; None when labels are per position
    )
    # A task's per-window items besides the positions (e.g. candidate spans): arrays of equal length, window i's items
    # are item_offsets[i]:item_offsets[i + 1]; window(i) gives each array's slice under its name.
    items: dict[str, np.ndarray] = field(default_factory=dict)
    item_offsets: np.ndarray | None = None
    word_shape: np.ndarray | None = None  # int8 per position: a word's shape at its first sub-token, 0 elsewhere

    def __len__(self) -> int:
        return len(self.example)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def window(self, i: int) -> dict[str, np.ndarray]:
        span = slice(self.offsets[i], self.offsets[i + 1])
        window = {
            "input_ids": self.input_ids[span],
            "labels": self.labels[span],
            "word_index": self.word_index[span],
            "example": self.example[i],
        }
        if self.targets is not None:
            window["target"] = self.targets[self.example[i]]
        if self.item_offsets is not None:
            part = slice(self.item_offsets[i], self.item_offsets[i + 1])
            window.update({name: values[part] for name, values in self.items.items()})
        if self.word_shape is not None:
            window["word_shape"] = self.word_shape[span]
        return window

    def arrays(self) -> dict[str, np.ndarray]:
        names = ("input_ids", "labels", "word_index", "offsets", "example") + (
            ("targets",) if self.targets is not None else ()
        )
        arrays = {name: getattr(self, name) for name in names}
        if self.word_shape is not None:
            arrays["word_shape"] = self.word_shape
        if self.item_offsets is not None:
            arrays["item_offsets"] = self.item_offsets
            arrays.update({f"item_{name}": values for name, values in self.items.items()})
        return arrays


def window_shapes(shapes: list[int], firsts: np.ndarray, start: int, end: int, before: int, after: int) -> list[int]:
    """A window's word shapes (WindowSettings.word_shapes): the shape of every word whose first sub-token lies in
    sub-tokens start..end of its sentence (owned by the window or context), 0 at every other position."""
    out = [0] * (before + end - start + after)
    for w in np.flatnonzero((firsts >= start) & (firsts < end)).tolist():
        out[before + int(firsts[w]) - start] = shapes[w]
    return out


def check_settings(settings: WindowSettings, tokenizer) -> int:
    """The number of sub-tokens a window holds besides the special tokens; refuses impossible settings."""
    capacity = settings.max_seq_length - tokenizer.num_special_tokens_to_add(pair=False)
    if capacity < 2:
        raise InputError(
            f"max_seq_length={settings.max_seq_length} leaves {capacity} sub-token(s) per window",
            "set model.dataset.max_seq_length to at least 8 (128 is usual)",
        )
    if not 0 <= settings.stride < capacity:
        raise InputError(
            f"stride={settings.stride} must be at least 0 and below the {capacity} sub-tokens a window holds",
            f"set model.dataset.stride between 0 and {capacity - 1} (a quarter of max_seq_length is usual)",
        )
    return capacity


def window_spans(n_pieces: int, capacity: int, stride: int) -> list[tuple[int, int]]:
    if n_pieces <= capacity:
        return [(0, n_pieces)]
    step = capacity - stride
    starts = list(range(0, n_pieces - capacity, step)) + [n_pieces - capacity]
    return [(start, start + capacity) for start in starts]


def owning_window(position: int, spans: list[tuple[int, int]], step: int) -> int:
    """The window where `position` has the most context on its shorter side (earliest on ties)."""
    if len(spans) == 1:
        return 0
    best, best_score = -1, -1
    # Only windows near position // step can hold it (the last one is aligned to the end).
    candidates = set(range(max(0, position // step - 2), min(len(spans), position // step + 2))) | {len(spans) - 1}
    for k in sorted(candidates):
        start, end = spans[k]
        if start <= position < end:
            score = min(position - start, end - 1 - position)
            if score > best_score:
                best, best_score = k, score
    return best


def special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The special token ids a single sequence gets before and after its content ([CLS] / [SEP])."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    start = next(i for i in range(len(full)) if full[i : i + len(plain)] == plain)
    return full[:start], full[start + len(plain) :]


def word_pieces(tokenizer, words_batch: list[list[str]]) -> list[list[list[int]]]:
    """Sub-token ids per word; a word the tokenizer drops entirely (e.g. a lone control character)
    becomes the unknown token, so that it still gets a prediction."""
    encoded = tokenizer(
        words_batch,
        is_split_into_words=True,
        add_special_tokens=False,
        return_attention_mask=False,
        return_token_type_ids=False,
        verbose=False,
    )
    result = []
    for j, words in enumerate(words_batch):
        pieces: list[list[int]] = [[] for _ in words]
        for piece, word in zip(encoded["input_ids"][j], encoded.word_ids(j)):
            if word is not None:
                pieces[word].append(piece)
        result.append([p or [tokenizer.unk_token_id] for p in pieces])
    return result


def sentence_pieces(
    examples: list, tokenizer, chunk: int = 2000
) -> Iterator[tuple[int, list[list[int]], list[int], np.ndarray]]:
    """(example number, sub-token ids per word, all of them in a row, the position of each word's first sub-token) of
    every example with words, tokenized `chunk` examples at a time (an example without words has nothing to encode)."""
    for begin in range(0, len(examples), chunk):
        batch = examples[begin : begin + chunk]
        nonempty = [i for i, example in enumerate(batch) if example.words]
        if not nonempty:
            continue
        for i, pieces in zip(nonempty, word_pieces(tokenizer, [batch[i].words for i in nonempty])):
            flat = [p for word in pieces for p in word]
            yield begin + i, pieces, flat, np.cumsum([0] + [len(p) for p in pieces[:-1]])
