"""Sentences -> sub-token windows with their candidate spans, keeping every word and every span that fits a window.

Windows are cut as for tokens (data/windows.py). Each candidate span (up to max_entity_length words) is owned by one
window: among the windows that hold all of its sub-tokens, the one where it has the most context on its shorter side
(earliest on ties). A span no window holds whole (its sub-tokens outnumber the stride) gets no row: the decoders read
it as no entity, and data.py counts the gold entities lost so. Per window, the candidate spans are items
(Features.items): the positions of their first and last sub-tokens, their width in words, their gold label, and
their number among the sentence's candidates (examples.candidates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from tokcls.data.batching import padded_shapes
from tokcls.data.windows import (
    IGNORE,
    Features,
    WindowSettings,
    check_settings,
    sentence_pieces,
    special_tokens,
    window_shapes,
    window_spans,
)
from tokcls.data.word_shape import word_shape
from tokcls.tasks.span.examples import NONE, SpanExample

ITEMS = ("span_start", "span_end", "span_width", "span_label", "span_id")


@dataclass(frozen=True)
class SpanWindowSettings(WindowSettings):
    max_entity_length: int = 8  # the longest candidate span, in words


def _owner(first: int, last: int, windows: list[tuple[int, int]]) -> int:
    """The window holding sub-tokens first..last with the most context on the shorter side; -1 when none holds them."""
    best, best_score = -1, -1
    for k, (start, end) in enumerate(windows):
        if start <= first and last < end:
            score = min(first - start, end - 1 - last)
            if score > best_score:
                best, best_score = k, score
        elif start > first:
            break  # windows start in increasing order: no later one holds `first`
    return best


def encode(
    examples: list[SpanExample], tokenizer, labels: list[str] | None, settings: SpanWindowSettings, chunk: int = 2000
) -> tuple[Features, dict]:
    """Windows and candidate spans of all examples, plus facts to log (sub-token lengths, sentences that needed
    windows)."""
    capacity = check_settings(settings, tokenizer)
    before, after = special_tokens(tokenizer)
    prefix = len(before)
    label_id = {label: i for i, label in enumerate(labels or [])}
    input_ids: list[int] = []
    offsets, example_of, item_offsets = [0], [], [0]
    items: dict[str, list[int]] = {name: [] for name in ITEMS}
    lengths, windowed = [], 0
    shapes: list[int] = []  # settings.word_shapes: each word's shape at its first sub-token (data/word_shape.py)
    # An example without words has nothing to predict; it still comes out, empty
    for number, pieces, flat, firsts in sentence_pieces(examples, tokenizer, chunk):
        example = examples[number]
        lasts = firsts + np.array([len(p) for p in pieces]) - 1
        windows = window_spans(len(flat), capacity, settings.stride)
        lengths.append(len(flat) + len(before) + len(after))
        windowed += len(windows) > 1
        gold = None
        if labels and example.spans is not None:
            gold = {(s, e): t for s, e, t in example.spans}
        owned: list[list[tuple[int, int, int]]] = [[] for _ in windows]
        for candidate, (s, e) in enumerate(example.candidate_spans(settings.max_entity_length)):
            k = 0 if len(windows) == 1 else _owner(int(firsts[s]), int(lasts[e - 1]), windows)
            if k >= 0:  # else no window holds it whole: no row (data.py counts the gold entities lost so)
                owned[k].append((candidate, s, e))
        word_shapes = [word_shape(word) for word in example.words] if settings.word_shapes else None
        for k, (start, end) in enumerate(windows):
            if word_shapes is not None:
                shapes += window_shapes(word_shapes, firsts, start, end, prefix, len(after))
            input_ids += before + flat[start:end] + after
            offsets.append(len(input_ids))
            example_of.append(number)
            for candidate, s, e in owned[k]:
                items["span_start"].append(prefix + int(firsts[s]) - start)
                items["span_end"].append(prefix + int(lasts[e - 1]) - start)
                items["span_width"].append(e - s - 1)
                items["span_label"].append(label_id[gold.get((s, e), NONE)] if gold is not None else IGNORE)
                items["span_id"].append(candidate)
            item_offsets.append(len(items["span_id"]))
    n = len(input_ids)
    features = Features(
        np.asarray(input_ids, dtype=np.int32),
        np.full(n, IGNORE, dtype=np.int32),
        np.full(n, -1, dtype=np.int32),
        np.asarray(offsets, dtype=np.int64),
        np.asarray(example_of, dtype=np.int32),
        items={name: np.asarray(values, dtype=np.int32) for name, values in items.items()},
        item_offsets=np.asarray(item_offsets, dtype=np.int64),
        word_shape=np.asarray(shapes, dtype=np.int8) if settings.word_shapes else None,
    )
    info = {"sentence_lengths": lengths, "windowed_sentences": windowed, "capacity": capacity}
    return features, info


class SpanCollate:
    """Pads a batch to its longest window and to its window with the most candidate spans (span_id -1 marks padding)."""

    def __init__(self, pad_id: int):
        self.pad_id = pad_id

    def __call__(self, windows: list[dict]) -> dict[str, torch.Tensor]:
        width = max(len(w["input_ids"]) for w in windows)
        count = max(1, max(len(w["span_id"]) for w in windows))
        n = len(windows)
        batch = {
            "input_ids": torch.full((n, width), self.pad_id, dtype=torch.long),
            "attention_mask": torch.zeros((n, width), dtype=torch.long),
            "example": torch.tensor([int(w["example"]) for w in windows], dtype=torch.long),
        }
        pads = {"span_start": 0, "span_end": 0, "span_width": 0, "span_label": IGNORE, "span_id": -1}
        batch.update({name: torch.full((n, count), pad, dtype=torch.long) for name, pad in pads.items()})
        for row, w in enumerate(windows):
            batch["input_ids"][row, : len(w["input_ids"])] = torch.from_numpy(w["input_ids"].astype(np.int64))
            batch["attention_mask"][row, : len(w["input_ids"])] = 1
            for name in pads:
                batch[name][row, : len(w[name])] = torch.from_numpy(w[name].astype(np.int64))
        if "word_shape" in windows[0]:
            batch["word_shape"] = padded_shapes(windows, width)
        return batch
