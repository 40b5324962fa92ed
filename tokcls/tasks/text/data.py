"""Reading a text split for training: a labelled file -> examples -> cached windowed features, with the facts logged."""

from __future__ import annotations

import logging
from pathlib import Path

from conversion.stats import length_stats
from tokcls.core.errors import InputError
from tokcls.data import cache
from tokcls.data.windows import Features
from tokcls.tasks.text.examples import TextExample, read_text_examples, split_path
from tokcls.tasks.text.features import TextWindowSettings, encode_texts

log = logging.getLogger("tokcls")


def load_text_split(
    path: Path,
    tokenizer,
    labels: list[str] | None,
    settings: TextWindowSettings,
    num_samples: int = -1,
    use_cache: bool = True,
    fallback_dir: Path | None = None,
) -> tuple[list[TextExample], Features, dict]:
    examples = read_text_examples(path, labels, settings.problem_type, num_samples=num_samples)
    key = cache.cache_key([path], tokenizer, labels, settings, num_samples)
    cache_file = path.parent / ".tokcls_cache" / f"text_features_{key}.safetensors"
    cached = cache.load(cache_file) if use_cache else None
    if cached is not None:
        log.info("Features of %s read from cache %s", path.name, cache_file)
        return examples, *cached
    features, info = encode_texts(examples, tokenizer, labels, settings)
    if use_cache:
        cache.store(cache_file, features, info, fallback_dir)
    return examples, features, info


def read_training_split(name: str, split_cfg, config, tokenizer, labels, settings, fallback_dir):
    """(examples, features, None) of training_ds or validation_ds: a text split has no document units."""
    path = split_path(config.data_dir, split_cfg)
    examples, features, info = load_text_split(
        path, tokenizer, labels, settings, split_cfg.num_samples, config.model.dataset.use_cache, fallback_dir
    )
    if not examples:
        key = "training_ds" if name == "train" else "validation_ds"
        raise InputError(f"the {name} split has no texts", f"check {key}.file_path and {key}.num_samples", path)
    log.info("%s: %d texts, %d windows", name, len(examples), len(features))
    log.info(
        "  text length in sub-tokens: %s",
        "  ".join(f"{k} {v:g}" for k, v in length_stats(info["sentence_lengths"]).items()),
    )
    log.info(
        "  %d texts are longer than max_seq_length=%d and were split into overlapping windows (stride %d), "
        "their scores pooled; no text is truncated",
        info["windowed_sentences"],
        settings.max_seq_length,
        settings.stride,
    )
    return examples, features, None
