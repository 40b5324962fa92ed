"""The LightningDataModule of every task: the task reads and encodes the splits (Task.read_training_split); this
module batches them by length, shards them across processes and resumes mid-epoch."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from tokcls.data.batching import ResumableLoader
from tokcls.data.windows import Features


class DataModule(pl.LightningDataModule):
    """Reads data_dir, training_ds, validation_ds and model.dataset of a train or fine-tune spec through `task`
    (tasks/base.py: window_settings, read_training_split, label_stats_dir, batches, collate)."""

    def __init__(
        self, config, tokenizer, labels: list[str], task, seed: int = 0, cache_fallback_dir: Path | None = None
    ):
        super().__init__()
        self.task, self.config = task, config
        self.data_dir = task.label_stats_dir(config)  # where the label statistics are saved
        self.train_cfg, self.val_cfg = config.training_ds, config.validation_ds
        self.cfg = config.model.dataset
        self.tokenizer = tokenizer
        self.labels = labels
        self.seed = seed
        self.settings = task.window_settings(config.model)
        self.cache_fallback_dir = cache_fallback_dir
        self.train_examples: list | None = None
        self.val_examples: list | None = None
        self.val_units: list[int] | None = None  # words of each document unit (context=document), else None

    def prepare(self) -> None:
        """Read and tokenize both splits (once; cached on disk)."""
        if self.train_examples is not None:
            return
        self.train_examples, self.train_features, _ = self._load("train", self.train_cfg)
        self.val_examples, self.val_features, self.val_units = self._load("validation", self.val_cfg)

    def _load(self, name: str, split_cfg) -> tuple[list, Features, list[int] | None]:
        return self.task.read_training_split(
            name, split_cfg, self.config, self.tokenizer, self.labels, self.settings, self.cache_fallback_dir
        )

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
            collate_fn=self.task.collate(self.tokenizer.pad_token_id),
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
