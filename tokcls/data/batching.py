"""Length-bucketed batches padded per batch, not to the dataset's longest sentence."""

from __future__ import annotations

import random
from typing import Callable

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from tokcls.data.windows import IGNORE, Features


class WindowDataset(Dataset):
    """Item i: window i, or with `items` ((first, end) window ranges) the windows of range i, batched together
    (the windows of one text, whose scores are pooled)."""

    def __init__(self, features: Features, items: list[tuple[int, int]] | None = None):
        self.features = features
        self.items = items

    def __len__(self) -> int:
        return len(self.features) if self.items is None else len(self.items)

    def __getitem__(self, i: int):
        if self.items is None:
            return self.features.window(i)
        first, end = self.items[i]
        return [self.features.window(k) for k in range(first, end)]


class BucketBatchSampler(Sampler[list[int]]):
    """Batches of windows of similar length, sharded across processes, resumable mid-epoch.

    Training (shuffle): windows are shuffled, cut into pools of `pool` batches, sorted by length
    inside each pool, batched, and the batches shuffled, so batches stay random across epochs but
    carry little padding. Evaluation: all windows sorted by length, longest first.

    With several processes (`world` > 1) process `rank` takes every world-th batch. Evaluation
    shards are disjoint and cover every window exactly once (no padding: uneven shards are fine
    without gradients); training shards are made equal by repeating the first batches, as
    DistributedSampler does, because every process must take the same number of optimizer steps.
    """

    def __init__(
        self,
        lengths: np.ndarray,
        batch_size: int,
        shuffle: bool,
        seed: int = 0,
        pool: int = 50,
        rank: int = 0,
        world: int = 1,
    ):
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.pool = pool
        self.rank, self.world = rank, world
        self.epoch = 0
        self._resume: tuple[int, int] | None = None  # (epoch, batches already trained) after a resume

    def set_epoch(self, epoch: int) -> None:  # ResumableLoader calls this before every pass
        self.epoch = epoch

    def resume_at(self, epoch: int, batches_done: int) -> None:
        """The next pass is over `epoch`, starting after its first `batches_done` batches (of this process)."""
        self._resume = (epoch, batches_done)

    def _all_batches(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __len__(self) -> int:
        if self.shuffle:
            return -(-self._all_batches() // self.world)
        return len(range(self.rank, self._all_batches(), self.world))

    def _batches(self) -> list[list[int]]:
        if not self.shuffle:
            order = np.argsort(-self.lengths, kind="stable")
            return [order[i : i + self.batch_size].tolist() for i in range(0, len(order), self.batch_size)]
        rng = random.Random(self.seed + self.epoch)
        indices = list(range(len(self.lengths)))
        rng.shuffle(indices)
        size = self.batch_size * self.pool
        batches = []
        for begin in range(0, len(indices), size):
            pool = sorted(indices[begin : begin + size], key=lambda i: self.lengths[i])
            batches += [pool[i : i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
        rng.shuffle(batches)
        if batches and self.world > 1:
            batches += batches[: (-len(batches)) % self.world]
        return batches

    def __iter__(self):
        skip = 0
        if self._resume is not None:
            (self.epoch, skip), self._resume = self._resume, None
        yield from self._batches()[self.rank :: self.world][skip:]


class ResumableLoader(DataLoader):
    """A DataLoader that Lightning checkpoints with its position in the epoch.

    Lightning saves `state_dict()` in every checkpoint and hands it back to `load_state_dict()` on
    resume, so a run killed mid-epoch continues with the batches it had not trained on yet, instead
    of repeating the epoch's start. `position` returns (epoch, batches trained so far in it).
    """

    def __init__(self, *args, position: Callable[[], tuple[int, int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.position = position

    def __iter__(self):
        # Lightning sets the epoch of a loader's sampler, not of its batch sampler: done here. A run
        # resumed from an end-of-epoch checkpoint reports that finished epoch: it starts the next one.
        # (Resumed mid-epoch, the sampler's pending resume_at() position wins.)
        epoch, done = self.position()
        self.batch_sampler.set_epoch(epoch + 1 if done >= len(self.batch_sampler) else epoch)
        return super().__iter__()

    def state_dict(self) -> dict:
        epoch, batches_done = self.position()
        return {"epoch": epoch, "batches_done": batches_done}

    def load_state_dict(self, state: dict) -> None:
        epoch, done = state["epoch"], state["batches_done"]
        if done >= len(self.batch_sampler):  # saved at the epoch's end: the next epoch starts afresh
            epoch, done = epoch + 1, 0
        self.batch_sampler.resume_at(epoch, done)


class Collate:
    """Pads a batch to its longest window."""

    def __init__(self, pad_id: int):
        self.pad_id = pad_id

    def __call__(self, windows: list) -> dict[str, torch.Tensor]:
        if windows and isinstance(windows[0], list):  # items of several windows each: one row per window
            windows = [w for item in windows for w in item]
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
        batch = {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "labels": labels,
            "word_index": word_index,
            "example": example,
        }
        if "target" in windows[0]:
            batch["targets"] = torch.from_numpy(np.stack([w["target"] for w in windows]).astype(np.float32))
        if "word_shape" in windows[0]:
            batch["word_shape"] = padded_shapes(windows, width)
        return batch


def padded_shapes(windows: list[dict], width: int) -> torch.Tensor:
    """The windows' word shapes (features made with word_shapes) as a [windows, width] batch, 0 (no word) padding."""
    shapes = torch.zeros((len(windows), width), dtype=torch.long)
    for row, w in enumerate(windows):
        shapes[row, : len(w["word_shape"])] = torch.from_numpy(w["word_shape"].astype(np.int64))
    return shapes


class ItemBatchSampler(BucketBatchSampler):
    """BucketBatchSampler over items of several windows (the windows of one text, kept in one batch so that
    their scores can be pooled): an item of w windows is batched with batch_size // w others of w windows,
    so no batch holds more than batch_size windows (or one item, when it alone has more). The number of
    batches is the same every epoch (the scheduler and resuming count on it); which items share one changes."""

    def __init__(
        self,
        lengths: np.ndarray,
        windows: np.ndarray,
        batch_size: int,
        shuffle: bool,
        seed: int = 0,
        pool: int = 50,
        rank: int = 0,
        world: int = 1,
    ):
        super().__init__(lengths, batch_size, shuffle, seed, pool, rank, world)
        windows = np.asarray(windows)
        self.classes = {int(w): np.flatnonzero(windows == w).tolist() for w in np.unique(windows)}

    def _per_batch(self, windows: int) -> int:
        return max(1, self.batch_size // windows)

    def _all_batches(self) -> int:
        return sum(-(-len(items) // self._per_batch(w)) for w, items in self.classes.items())

    def _batches(self) -> list[list[int]]:
        rng = random.Random(self.seed + self.epoch)
        batches = []
        for windows, items in sorted(self.classes.items()):
            per = self._per_batch(windows)
            if not self.shuffle:
                ordered = sorted(items, key=lambda i: -self.lengths[i])
                batches += [ordered[i : i + per] for i in range(0, len(ordered), per)]
                continue
            items = list(items)
            rng.shuffle(items)
            for begin in range(0, len(items), per * self.pool):
                pool = sorted(items[begin : begin + per * self.pool], key=lambda i: self.lengths[i])
                batches += [pool[i : i + per] for i in range(0, len(pool), per)]
        if self.shuffle:
            rng.shuffle(batches)
            if batches and self.world > 1:
                batches += batches[: (-len(batches)) % self.world]
        return batches
