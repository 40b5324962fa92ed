"""The network: an encoder and a task's head, with its labels. What an archive holds and every command runs.

It says which parameters it has (every trainable one in exactly one group: the encoder's, or the head's
with its decoder) and describes itself (task, labels, head settings) so that the archive can rebuild
it through the task seam. Inference loads this class only, never Lightning.
"""

from __future__ import annotations

import torch
from torch import nn

from tokcls.tasks import get_task


class Network(nn.Module):
    def __init__(self, encoder: nn.Module, head: nn.Module, task: str, labels: list[str], outside_label: str = "O"):
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.task = task
        self.labels = list(labels)
        self.outside_label = outside_label
        self.measured: dict = {}  # figures measured when it was trained (validation scores), kept in model.json

    @classmethod
    def build(cls, encoder: nn.Module, description: dict) -> "Network":
        """The network a description (describe()) names, with fresh head weights."""
        task = get_task(description["task"])
        head = task.build_head(
            encoder.config.hidden_size, description["labels"], description["outside_label"], description["head"]
        )
        network = cls(encoder, head, description["task"], description["labels"], description["outside_label"])
        network.measured = dict(description.get("measured", {}))
        return network

    def forward(self, input_ids, attention_mask, **inputs):
        """The head's scores; `inputs`: what else of a batch the task gives its head (Task.head_inputs, such as the
        spans a span head scores), passed through."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(hidden, **inputs)

    @property
    def decoder(self):
        return self.head.decoder

    def describe(self) -> dict:
        described = {
            "task": self.task,
            "labels": list(self.labels),
            "outside_label": self.outside_label,
            "head": self.head.describe(),
        }
        return described | ({"measured": self.measured} if self.measured else {})

    def parameter_groups(self) -> dict[str, list[tuple[str, nn.Parameter]]]:
        """Every trainable parameter, named, in exactly one group: "encoder", or "head" (the head's layers
        and its decoder, a CRF's transitions included)."""
        groups: dict[str, list[tuple[str, nn.Parameter]]] = {"encoder": [], "head": []}
        for name, parameter in self.named_parameters():
            if parameter.requires_grad:
                groups["encoder" if name.startswith("encoder.") else "head"].append((name, parameter))
        return groups

    @torch.no_grad()
    def extend_labels(self, new_labels: list[str], bias: float) -> None:
        """Add labels (fine-tune): new output rows scored below every old prediction, so the old labels'
        predictions are unchanged until training moves them."""
        self.labels += list(new_labels)
        self.head.extend_labels(self.labels, len(new_labels), bias)
