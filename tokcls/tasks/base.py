"""What a task is: the seam every command, the trainer and the archive go through.

A task says how labelled examples become features, which head sits on the encoder (with its loss and
its decoder), how model outputs become labels, how predictions are scored and what evaluate writes.
The network (model/network.py), the LightningModule (training/module.py), the Predictor
(inference/predictor.py) and the archive (model/archive.py) know a task only through this protocol.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np
import torch
from torch import nn


class Task(Protocol):
    name: str  # stored in the archive: which task rebuilds the network

    def head_settings(self, head_cfg, train_labels: list[list[str]], outside: str) -> dict:
        """The head's description (what the archive stores) from the spec's model.head and the training labels."""

    def build_head(self, hidden_size: int, labels: list[str], outside: str, settings: dict) -> nn.Module:
        """The head described by `settings`: forward(hidden states) -> scores; `.decoder` owns loss and decoding."""

    def encode(self, examples: list, tokenizer, labels: list[str] | None, settings) -> tuple:
        """(features, facts to log) of labelled or unlabelled examples."""

    def decode(self, decoder, labels: list[str], n_words: list[int], example: np.ndarray, word: np.ndarray,
               rows: torch.Tensor, units: list[int] | None = None) -> tuple[list[list[str]], list[list[float]], torch.Tensor]:
        """Model outputs -> (labels, confidences) per example, and the scores in example order (`units`: the
        sizes of the encoded units when examples were packed into documents)."""

    def reports(self, gold: list[list[str]], pred: list[list[str]], labels: list[str], outside: str) -> dict:
        """Every metric of one prediction set, with `summary` (the headline numbers)."""

    def validation_metrics(self, reports: dict) -> dict[str, float]:
        """What is logged after each validation (and what a checkpoint can monitor)."""

    def write_results(self, out, examples: list, pred: list, reports: dict, labels: list[str], split: str,
                      text: str = "") -> list[str]:
        """evaluate's files (`text`: the printed reports), written through `out` (all or nothing); returns their names."""
