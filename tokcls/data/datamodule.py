"""The LightningDataModule: examples -> cached windowed features -> bucketed, padded batches."""

from __future__ import annotations

import logging
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from conversion.stats import length_stats
from tokcls.core.errors import InputError
from tokcls.data import cache
from tokcls.data.batching import Collate, ResumableLoader
from tokcls.data.documents import docs_file, pack, read_documents
from tokcls.data.examples import Example, read_examples
from tokcls.data.features import IGNORE, Features, WindowSettings, encode
from tokcls.data.labels import check_labels_known

log = logging.getLogger("tokcls")


def window_settings(dataset_cfg) -> WindowSettings:
    """From model.dataset."""
    return WindowSettings(dataset_cfg.max_seq_length, dataset_cfg.stride, dataset_cfg.label_all_subwords)


def document_units(
    examples: list[Example], text_file: Path, context
) -> tuple[list[Example], list[int] | None, Path | None]:
    """(what to encode, the words of each unit or None in sentence mode, the docs file read): with
    context=document the sentences of each document of docs_<split>.txt packed together."""
    if getattr(context, "value", context) != "document":
        return examples, None, None
    path = docs_file(text_file)
    documents = read_documents(path, len(examples))
    if documents is None:
        log.info(
            "No %s beside %s: sentence mode for this split (model.dataset.context=document needs it; "
            "dataset_convert writes it from -DOCSTART- lines)",
            path.name,
            text_file.name,
        )
        return examples, None, None
    units, sizes = pack(examples, documents)
    log.info("Document context: %d sentences of %s in %d documents", len(examples), text_file.name, len(units))
    return units, sizes, path


def load_split(
    split_cfg,
    data_dir: Path,
    tokenizer,
    labels: list[str],
    settings: WindowSettings,
    use_cache: bool = True,
    fallback_dir: Path | None = None,
    context: str = "sentence",
):
    """(examples, features, facts to log, the words of each document unit or None in sentence mode)."""
    text_file = data_dir / split_cfg.text_file
    labels_file = data_dir / split_cfg.labels_file if split_cfg.labels_file else None
    examples = read_examples(text_file, labels_file, split_cfg.num_samples)
    if labels_file is not None:
        check_labels_known(examples, labels, labels_file)
    units, unit_words, documents_file = document_units(examples, text_file, context)
    files = [text_file] + ([labels_file] if labels_file else []) + ([documents_file] if documents_file else [])
    path = (
        data_dir
        / ".tokcls_cache"
        / f"features_{cache.cache_key(files, tokenizer, labels, settings, split_cfg.num_samples)}.safetensors"
    )
    cached = cache.load(path) if use_cache else None
    if cached is not None:
        log.info("Features of %s read from cache %s", text_file.name, path)
        features, info = cached
    else:
        features, info = encode(units, tokenizer, labels if labels_file else None, settings)
        if use_cache:
            cache.store(path, features, info, fallback_dir)
    return examples, features, info, unit_words


def log_split(
    name: str,
    examples: list[Example],
    features: Features,
    info: dict,
    settings: WindowSettings,
    tokenizer,
    labels,
    unit: str = "sentence",
) -> None:
    """`unit`: what was encoded as one sequence, sentences, or documents (context=document)."""
    lengths = info["sentence_lengths"]
    log.info(
        "%s: %d sentences, %d words, %d windows",
        name,
        len(examples),
        sum(len(e.words) for e in examples),
        len(features),
    )
    if lengths:
        log.info(
            "  %s length in sub-tokens: %s", unit, "  ".join(f"{k} {v:g}" for k, v in length_stats(lengths).items())
        )
    log.info(
        "  %d %ss are longer than max_seq_length=%d and were split into overlapping windows "
        "(stride %d); no word is dropped",
        info["windowed_sentences"],
        unit,
        settings.max_seq_length,
        settings.stride,
    )
    if len(features):
        window = features.window(0)
        log.info("  example window of sentence %d:", int(window["example"]))
        log.info("    subtokens: %s", " ".join(tokenizer.convert_ids_to_tokens(window["input_ids"].tolist())))
        log.info("    loss_mask: %s", " ".join("1" if lab != IGNORE else "0" for lab in window["labels"]))
        log.info("    labels:    %s", " ".join(labels[lab] if lab != IGNORE else "-" for lab in window["labels"]))


class TokenClassificationDataModule(pl.LightningDataModule):
    """Reads data_dir, training_ds, validation_ds and model.dataset of a train or fine-tune spec. `task` batches the
    features (tasks/base.py: batches)."""

    def __init__(
        self, config, tokenizer, labels: list[str], seed: int = 0, cache_fallback_dir: Path | None = None, task=None
    ):
        super().__init__()
        self.task = task
        self.data_dir = Path(config.data_dir) if config.data_dir else None
        self.train_cfg, self.val_cfg = config.training_ds, config.validation_ds
        self.cfg = config.model.dataset
        self.tokenizer = tokenizer
        self.labels = labels
        self.seed = seed
        self.settings = self._window_settings()
        self.cache_fallback_dir = cache_fallback_dir
        self.train_examples: list[Example] | None = None
        self.val_examples: list[Example] | None = None
        self.val_units: list[int] | None = None  # words of each document unit (context=document), else None

    def _window_settings(self) -> WindowSettings:
        return window_settings(self.cfg)

    def prepare(self) -> None:
        """Read and tokenize both splits (once; cached on disk)."""
        if self.train_examples is not None:
            return
        self.train_examples, self.train_features, _ = self._load("train", self.train_cfg)
        self.val_examples, self.val_features, self.val_units = self._load("validation", self.val_cfg)

    def _load(self, name: str, split_cfg) -> tuple[list[Example], Features, list[int] | None]:
        examples, features, info, units = load_split(
            split_cfg,
            self.data_dir,
            self.tokenizer,
            self.labels,
            self.settings,
            self.cfg.use_cache,
            self.cache_fallback_dir,
            self.cfg.get("context", "sentence"),
        )
        if not any(e.words for e in examples):  # nothing to train on or to pick the best epoch by
            key = "training_ds" if name == "train" else "validation_ds"
            raise InputError(
                f"the {name} split has no words",
                f"check {key}.text_file and {key}.num_samples",
                self.data_dir / split_cfg.text_file,
            )
        log_split(
            name,
            examples,
            features,
            info,
            self.settings,
            self.tokenizer,
            self.labels,
            "document" if units is not None else "sentence",
        )
        return examples, features, units

    def setup(self, stage: str | None = None) -> None:
        self.prepare()

    def _loader(self, features: Features, split_cfg, shuffle: bool) -> DataLoader:
        # Lightning's distributed sampler cannot wrap a batch sampler: each process takes its own
        # shard here instead (the Trainer runs with use_distributed_sampler=False).
        rank, world = (self.trainer.global_rank, self.trainer.world_size) if self.trainer else (0, 1)
        dataset, sampler = self.task.batches(
            features,
            split_cfg.batch_size,
            shuffle,
            training=features is self.train_features,
            seed=self.seed,
            pool=self.cfg.bucket_pool,
            rank=rank,
            world=world,
        )
        # An own generator for worker seeds: iterating must not draw from the global one, or a
        # resumed run's dropout would draw differently from an uninterrupted run's.
        return ResumableLoader(
            dataset,
            batch_sampler=sampler,
            collate_fn=Collate(self.tokenizer.pad_token_id),
            num_workers=self._per_split(split_cfg, "num_workers"),
            pin_memory=self._per_split(split_cfg, "pin_memory"),
            position=self._position,
            generator=torch.Generator().manual_seed(self.seed),
        )

    def _per_split(self, split_cfg, key: str):
        """num_workers / pin_memory: in model.dataset for tokens, in each split for texts (TAO's two layouts)."""
        return split_cfg[key] if key in split_cfg else self.cfg[key]

    def _position(self) -> tuple[int, int]:
        """(epoch, batches this process trained on in it): what a checkpoint must remember to resume mid-epoch."""
        if self.trainer is None:
            return 0, 0
        return self.trainer.current_epoch, self.trainer.fit_loop.epoch_loop.batch_progress.current.processed

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_features, self.train_cfg, self.train_cfg.shuffle)

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.val_features, self.val_cfg, self.val_cfg.shuffle)
