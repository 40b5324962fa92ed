"""Length-bucketed batches padded per batch, not to the dataset's longest sentence."""
from __future__ import annotations

import random

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from tokcls.data.features import IGNORE, Features


class WindowDataset(Dataset):
    def __init__(self, features: Features):
        self.features = features

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, i: int) -> dict[str, np.ndarray]:
        return self.features.window(i)


class BucketBatchSampler(Sampler[list[int]]):
    """Batches of windows of similar length.

    Training (shuffle): windows are shuffled, cut into pools of `pool` batches, sorted by length
    inside each pool, batched, and the batches shuffled, so batches stay random across epochs but
    carry little padding. Evaluation: all windows sorted by length, longest first.
    """

    def __init__(self, lengths: np.ndarray, batch_size: int, shuffle: bool, seed: int = 0, pool: int = 50):
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.pool = pool
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:  # Lightning calls this at every epoch start
        self.epoch = epoch

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        if not self.shuffle:
            order = np.argsort(-self.lengths, kind="stable")
            yield from (order[i : i + self.batch_size].tolist() for i in range(0, len(order), self.batch_size))
            return
        rng = random.Random(self.seed + self.epoch)
        indices = list(range(len(self.lengths)))
        rng.shuffle(indices)
        size = self.batch_size * self.pool
        batches = []
        for begin in range(0, len(indices), size):
            pool = sorted(indices[begin : begin + size], key=lambda i: self.lengths[i])
            batches += [pool[i : i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
        rng.shuffle(batches)
        yield from batches


class Collate:
    """Pads a batch to its longest window."""

    def __init__(self, pad_id: int):
        self.pad_id = pad_id

    def __call__(self, windows: list[dict]) -> dict[str, torch.Tensor]:
        width = max(len(w["input_ids"]) for w in windows)
        n = len(windows)
        input_ids = torch.full((n, width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((n, width), dtype=torch.long)
        labels = torch.full((n, width), IGNORE, dtype=torch.long)
        word_index = torch.full((n, width), -1, dtype=torch.long)
        for row, w in enumerate(windows):
            length = len(w["input_ids"])
            input_ids[row, :length] = torch.from_numpy(w["input_ids"].astype(np.int64))
            attention_mask[row, :length] = 1
            labels[row, :length] = torch.from_numpy(w["labels"].astype(np.int64))
            word_index[row, :length] = torch.from_numpy(w["word_index"].astype(np.int64))
        example = torch.tensor([int(w["example"]) for w in windows], dtype=torch.long)
        return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels,
                "word_index": word_index, "example": example}
