"""Ranges that depend on the encoder: its config values a spec changes, and the positions a window may use.

transformers builds whatever a config says (num_hidden_layers=-1 gives an encoder with no layer, a
misspelled key is silently stored), and a window longer than the encoder's position table fails deep
in the first forward pass, or not at all on some architectures. Both are checked before training or
inference starts, against the encoder actually loaded.
"""

from __future__ import annotations

import difflib
import math

from tokcls.core.errors import InputError

KEY = "model.language_model.config"
# Sizes and counts: a whole number of at least 1.
COUNTS = (
    "num_hidden_layers",
    "num_attention_heads",
    "hidden_size",
    "intermediate_size",
    "max_position_embeddings",
    "vocab_size",
    "num_key_value_heads",
    "type_vocab_size",
    "embedding_size",
    "n_layers",
    "n_heads",
    "dim",
    "hidden_dim",
)
# Encoders whose position ids start after the padding index (RoBERTa's family): that many fewer usable positions.
OFFSET_POSITIONS = ("roberta", "xlm-roberta", "camembert", "mpnet", "longformer", "xlm-roberta-xl", "data2vec-text")


def _problem(key: str, value, why: str) -> str:
    return f"{KEY}.{key}={value!r}: {why}"


def check_config_changes(config, changes: dict) -> None:
    """Each key of model.language_model.config is one the encoder's config has, with a value it can take."""
    problems = []
    known = set(config.to_dict())
    for key, value in changes.items():
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            problems.append(
                f"{KEY}.{key}: not a key of the {config.model_type} encoder's config"
                + (f". Did you mean '{close[0]}'?" if close else "")
            )
            continue
        current = getattr(config, key, None)
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(_problem(key, value, "not a finite number"))
        elif key in COUNTS or (isinstance(current, int) and not isinstance(current, bool) and key.startswith("num_")):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(_problem(key, value, "must be a whole number of at least 1"))
        elif "dropout" in key or key.endswith("_prob"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
                problems.append(_problem(key, value, "a probability: at least 0 and below 1"))
        elif (
            current is not None
            and type(current) is not type(value)
            and not (isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool))
        ):
            problems.append(_problem(key, value, f"must be a {type(current).__name__}, like its value {current!r}"))
    heads, hidden = changes.get("num_attention_heads"), changes.get("hidden_size")
    if not problems and (heads or hidden):
        heads, hidden = (
            heads or getattr(config, "num_attention_heads", None),
            hidden or getattr(config, "hidden_size", None),
        )
        if heads and hidden and hidden % heads:
            problems.append(f"{KEY}: hidden_size={hidden} is not a multiple of num_attention_heads={heads}")
    if problems:
        raise InputError("; ".join(problems), f"fix the value(s) under {KEY} (or remove them to keep the encoder's)")


def max_positions(config) -> int | None:
    """Sub-tokens one window may hold, special tokens included (None: the encoder has no position table)."""
    positions = getattr(config, "max_position_embeddings", None)
    if not isinstance(positions, int) or positions <= 0:
        return None
    if config.model_type in OFFSET_POSITIONS:
        positions -= (getattr(config, "pad_token_id", None) or 0) + 1
    return positions


def check_window(config, max_seq_length: int, key: str = "model.dataset.max_seq_length") -> None:
    """A window fits the encoder's position table."""
    limit = max_positions(config)
    if limit is not None and max_seq_length > limit:
        raise InputError(
            f"{key}={max_seq_length}, but the {config.model_type} encoder has {limit} positions",
            f"set {key} to at most {limit}; longer sentences are split into overlapping windows anyway",
        )
