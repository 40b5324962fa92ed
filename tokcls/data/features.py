"""Words -> sub-token windows the encoder can take, keeping every word.

A sentence longer than `max_seq_length` sub-tokens is cut into overlapping windows (`stride`
sub-tokens of overlap). Each word is owned by exactly one window, the one where its first sub-token
has the most context on both sides; only there is it trained on and predicted. So every word is
seen once, nothing is truncated, and the word-level predictions need no merging.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tokcls.core.errors import InputError
from tokcls.data.examples import Example

IGNORE = -100  # label of positions the loss skips (torch's CrossEntropyLoss default)


@dataclass(frozen=True)
class WindowSettings:
    max_seq_length: int = 128
    stride: int = 32  # sub-tokens shared by consecutive windows of one long sentence
    label_all_subwords: bool = False


@dataclass
class Features:
    """Every window of a dataset as flat arrays: cheap to cache, slice and batch."""

    input_ids: np.ndarray  # int32, all windows concatenated
    labels: np.ndarray  # int32, IGNORE where the loss skips
    word_index: np.ndarray  # int32, the word predicted at this position, -1 elsewhere
    offsets: np.ndarray  # int64, window i spans offsets[i]:offsets[i + 1]
    example: np.ndarray  # int32, the sentence window i belongs to
    targets: np.ndarray | None = None  # float32 [examples, k]: labels of whole texts (text task); None for tokens

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
        return window

    def arrays(self) -> dict[str, np.ndarray]:
        names = ("input_ids", "labels", "word_index", "offsets", "example") + (
            ("targets",) if self.targets is not None else ()
        )
        return {name: getattr(self, name) for name in names}


def continuation_label_ids(labels: list[str]) -> list[int]:
    """For label_all_subwords: the label a word's later sub-tokens get (B-X -> I-X when I-X exists)."""
    index = {label: i for i, label in enumerate(labels)}
    return [index.get("I-" + label[2:], i) if label.startswith("B-") else i for i, label in enumerate(labels)]


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


def _word_pieces(tokenizer, words_batch: list[list[str]]) -> list[list[list[int]]]:
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
    sentence_lengths, windowed = [], 0
    for begin in range(0, len(examples), chunk):
        batch = examples[begin : begin + chunk]
        nonempty = [i for i, ex in enumerate(batch) if ex.words]
        tokenized = dict(zip(nonempty, _word_pieces(tokenizer, [batch[i].words for i in nonempty]))) if nonempty else {}
        for i, example in enumerate(batch):
            if not example.words:
                continue  # nothing to predict; the sentence still comes out, empty
            word_pieces = tokenized[i]
            flat = [p for pieces in word_pieces for p in pieces]
            firsts = np.cumsum([0] + [len(p) for p in word_pieces[:-1]])
            spans = window_spans(len(flat), capacity, settings.stride)
            sentence_lengths.append(len(flat) + len(before) + len(after))
            windowed += len(spans) > 1
            # The words each window owns, found once: scanning every word for every window was
            # quadratic in the sentence's length (a 1 MB line took 31 s to encode).
            owned_by: list[list[int]] = [[] for _ in spans]
            for w, p in enumerate(firsts):
                owned_by[owning_window(int(p), spans, step)].append(w)
            gold = [label_id[label] for label in example.labels] if labels and example.labels is not None else None
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
                            last = min(first + len(word_pieces[w]), end)
                            for q in range(first + 1, last):
                                window_labels[prefix + q - start] = continuation[gold[w]]
                input_ids += ids
                label_ids += window_labels
                word_index += window_words
                offsets.append(len(input_ids))
                example_of.append(begin + i)
    features = Features(
        np.asarray(input_ids, dtype=np.int32),
        np.asarray(label_ids, dtype=np.int32),
        np.asarray(word_index, dtype=np.int32),
        np.asarray(offsets, dtype=np.int64),
        np.asarray(example_of, dtype=np.int32),
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
