"""Words -> sub-token windows the encoder can take, keeping every word.

A sentence longer than `max_seq_length` sub-tokens is cut into overlapping windows (`stride`
sub-tokens of overlap). Each word is owned by exactly one window, the one where its first sub-token
has the most context on both sides; only there is it trained on and predicted. So every word is
seen once, nothing is truncated, and the word-level predictions need no merging.
"""

from __future__ import annotations

import numpy as np

from tokcls.data.windows import (
    IGNORE,
    Features,
    WindowSettings,
    check_settings,
    owning_window,
    sentence_pieces,
    special_tokens,
    window_shapes,
    window_spans,
)
from tokcls.data.word_shape import word_shape
from tokcls.tasks.token.examples import Example


def continuation_label_ids(labels: list[str]) -> list[int]:
    """For label_all_subwords: the label a word's later sub-tokens get (B-X -> I-X when I-X exists)."""
    index = {label: i for i, label in enumerate(labels)}
    return [index.get("I-" + label[2:], i) if label.startswith("B-") else i for i, label in enumerate(labels)]


def encode(
    examples: list[Example], tokenizer, labels: list[str] | None, settings: WindowSettings, chunk: int = 2000
) -> tuple[Features, dict]:
    """Windows of all examples, plus facts to log (sub-token lengths, sentences that needed windows)."""
    capacity = check_settings(settings, tokenizer)
    step = capacity - settings.stride
    label_id = {label: i for i, label in enumerate(labels or [])}
    continuation = continuation_label_ids(labels) if labels and settings.label_all_subwords else None
    before, after = special_tokens(tokenizer)
    prefix = len(before)

    input_ids, label_ids, word_index, offsets, example_of = [], [], [], [0], []
    shapes: list[int] = []  # settings.word_shapes: each word's shape at its first sub-token (data/word_shape.py)
    sentence_lengths, windowed = [], 0
    # An example without words has nothing to predict; it still comes out, empty
    for number, pieces, flat, firsts in sentence_pieces(examples, tokenizer, chunk):
        example = examples[number]
        spans = window_spans(len(flat), capacity, settings.stride)
        sentence_lengths.append(len(flat) + len(before) + len(after))
        windowed += len(spans) > 1
        # The words each window owns, found once: scanning every word for every window was
        # quadratic in the sentence's length (a 1 MB line took 31 s to encode).
        owned_by: list[list[int]] = [[] for _ in spans]
        for w, p in enumerate(firsts):
            owned_by[owning_window(int(p), spans, step)].append(w)
        gold = [label_id[label] for label in example.labels] if labels and example.labels is not None else None
        word_shapes = [word_shape(word) for word in example.words] if settings.word_shapes else None
        for k, (start, end) in enumerate(spans):
            ids = before + flat[start:end] + after
            window_labels = [IGNORE] * len(ids)
            window_words = [-1] * len(ids)
            for w in owned_by[k]:
                first = firsts[w]
                position = prefix + first - start
                window_words[position] = w
                if gold is not None:
                    window_labels[position] = gold[w]
                    if continuation is not None:
                        last = min(first + len(pieces[w]), end)
                        for q in range(first + 1, last):
                            window_labels[prefix + q - start] = continuation[gold[w]]
            if word_shapes is not None:
                shapes += window_shapes(word_shapes, firsts, start, end, prefix, len(after))
            input_ids += ids
            label_ids += window_labels
            word_index += window_words
            offsets.append(len(input_ids))
            example_of.append(number)
    features = Features(
        np.asarray(input_ids, dtype=np.int32),
        np.asarray(label_ids, dtype=np.int32),
        np.asarray(word_index, dtype=np.int32),
        np.asarray(offsets, dtype=np.int64),
        np.asarray(example_of, dtype=np.int32),
        word_shape=np.asarray(shapes, dtype=np.int8) if settings.word_shapes else None,
    )
    return features, {"sentence_lengths": sentence_lengths, "windowed_sentences": windowed, "capacity": capacity}


def word_predictions(
    n_words: list[int], example: np.ndarray, word: np.ndarray, predicted: np.ndarray, labels: list[str]
) -> list[list[str]]:
    """Predictions at the owned first sub-tokens -> one label per word of every sentence."""
    result: list[list[str | None]] = [[None] * n for n in n_words]
    for e, w, p in zip(example.tolist(), word.tolist(), predicted.tolist()):
        result[e][w] = labels[p]
    missing = sum(label is None for sentence in result for label in sentence)
    if missing:
        raise RuntimeError(f"{missing} words got no prediction: every word must be owned by a window")
    return result  # type: ignore[return-value]
