"""Texts -> sub-token windows, keeping every sub-token: a text longer than one window is cut into overlapping
windows (as sentences are, data/windows.py), whose scores the text task pools into one prediction.

Each window's first position ([CLS]) is the row the head reads: its `word_index` is the window's number
within its text (0, 1, ...), -1 elsewhere; `targets` holds each text's label(s) or value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tokcls.data.windows import IGNORE, Features, WindowSettings, check_settings, special_tokens, window_spans
from tokcls.tasks.text.examples import TextExample


@dataclass(frozen=True)
class TextWindowSettings(WindowSettings):
    problem_type: str = "single_label_classification"  # what `targets` holds (part of the feature cache's key)


def text_window_settings(dataset_cfg, max_seq_length=None, stride=None) -> TextWindowSettings:
    return TextWindowSettings(
        max_seq_length or dataset_cfg.max_seq_length,
        dataset_cfg.stride if stride is None else stride,
        problem_type=getattr(dataset_cfg.problem_type, "value", dataset_cfg.problem_type),
    )


def pair_separator(tokenizer) -> list[int]:
    """The special tokens between the two texts of a pair ([SEP] for BERT, </s></s> for RoBERTa)."""
    a = tokenizer("a", add_special_tokens=False)["input_ids"]
    b = tokenizer("b", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", "b")["input_ids"]
    start = next(i for i in range(len(full)) if full[i : i + len(a)] == a) + len(a)
    end = next(i for i in range(start, len(full)) if full[i : i + len(b)] == b)
    return full[start:end]


def targets(examples: list[TextExample], labels: list[str] | None, problem: str) -> np.ndarray | None:
    """[texts, 1] class id or value, or [texts, labels] 0/1 for multi-label; None without gold labels."""
    if labels is None or any(e.labels is None and e.value is None for e in examples):
        return None
    if problem == "regression":
        return np.asarray([[e.value] for e in examples], dtype=np.float32)
    index = {label: i for i, label in enumerate(labels)}
    if problem == "multi_label_classification":
        result = np.zeros((len(examples), len(labels)), dtype=np.float32)
        for row, e in enumerate(examples):
            result[row, [index[name] for name in e.labels]] = 1.0
        return result
    return np.asarray([[index[e.labels[0]]] for e in examples], dtype=np.float32)


def encode_texts(
    examples: list[TextExample], tokenizer, labels: list[str] | None, settings: TextWindowSettings, chunk: int = 1000
) -> tuple[Features, dict]:
    """Windows of every text (pairs: text [SEP] text_b, windowed as one sequence), and facts to log."""
    capacity = check_settings(settings, tokenizer)
    before, after = special_tokens(tokenizer)
    middle = pair_separator(tokenizer) if any(e.text_b is not None for e in examples) else []
    input_ids: list[int] = []
    word_index: list[int] = []
    offsets, example_of, lengths, windowed = [0], [], [], 0
    for begin in range(0, len(examples), chunk):
        batch = examples[begin : begin + chunk]
        first = tokenizer(
            [e.text for e in batch],
            add_special_tokens=False,
            return_attention_mask=False,
            return_token_type_ids=False,
            verbose=False,
        )["input_ids"]
        pairs = [e for e in batch if e.text_b is not None]
        second = iter(
            tokenizer(
                [e.text_b for e in pairs],
                add_special_tokens=False,
                return_attention_mask=False,
                return_token_type_ids=False,
                verbose=False,
            )["input_ids"]
            if pairs
            else []
        )
        for i, (example, pieces) in enumerate(zip(batch, first)):
            flat = list(pieces) + (middle + list(next(second)) if example.text_b is not None else [])
            spans = window_spans(len(flat), capacity, settings.stride) if flat else [(0, 0)]
            lengths.append(len(flat) + len(before) + len(after))
            windowed += len(spans) > 1
            for k, (start, end) in enumerate(spans):
                ids = before + flat[start:end] + after
                input_ids += ids
                word_index += [k] + [-1] * (len(ids) - 1)
                offsets.append(len(input_ids))
                example_of.append(begin + i)
    features = Features(
        np.asarray(input_ids, dtype=np.int32),
        np.full(len(input_ids), IGNORE, dtype=np.int32),  # the loss reads `targets`, per text
        np.asarray(word_index, dtype=np.int32),
        np.asarray(offsets, dtype=np.int64),
        np.asarray(example_of, dtype=np.int32),
        targets(examples, labels, settings.problem_type),
    )
    return features, {"sentence_lengths": lengths, "windowed_sentences": windowed, "capacity": capacity}


def text_items(features: Features, max_windows: int | None = None) -> list[tuple[int, int]]:
    """(first, end) window ranges, one per text; with `max_windows` (training), a text with more windows is
    cut into consecutive ranges of at most that many, each trained on with the text's label (no window left out)."""
    starts = np.flatnonzero(np.diff(features.example, prepend=-1)).tolist() + [len(features)]
    items = []
    for first, end in zip(starts[:-1], starts[1:]):
        step = end - first if not max_windows else max_windows
        items += [(b, min(b + step, end)) for b in range(first, end, step)]
    return items
