"""The data module of text classification: the token one's batching, resuming and sharding, with text files read."""

from __future__ import annotations

import logging
from pathlib import Path

from conversion.stats import length_stats
from tokcls.core.errors import InputError
from tokcls.data import cache
from tokcls.data.datamodule import TokenClassificationDataModule
from tokcls.data.features import Features
from tokcls.data.text_examples import TextExample, read_text_examples, split_path
from tokcls.data.text_features import TextWindowSettings, encode_texts, text_window_settings

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


class TextDataModule(TokenClassificationDataModule):
    """Reads data_dir, training_ds.file_path, validation_ds.file_path and model.dataset of a text train or fine-tune spec."""

    def __init__(self, config, tokenizer, labels, seed=0, cache_fallback_dir=None, task=None):
        super().__init__(config, tokenizer, labels, seed, cache_fallback_dir, task)
        self.root = config.data_dir
        self.data_dir = split_path(config.data_dir, config.training_ds).parent  # where label statistics are saved

    def _window_settings(self) -> TextWindowSettings:
        return text_window_settings(self.cfg)

    def _load(self, name: str, split_cfg):
        path = split_path(self.root, split_cfg)
        examples, features, info = load_text_split(
            path,
            self.tokenizer,
            self.labels,
            self.settings,
            split_cfg.num_samples,
            self.cfg.use_cache,
            self.cache_fallback_dir,
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
            self.settings.max_seq_length,
            self.settings.stride,
        )
        return examples, features, None
