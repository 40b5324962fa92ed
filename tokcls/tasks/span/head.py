"""The span task's head: a span is its first and last sub-tokens' hidden states, the mean of all its sub-tokens'
states and an embedding of its width in words (the boundary representation of PURE and spaCy's spancat, with
SpERT's pooled inside), through fully connected layers to one score per label, NONE (no entity) first. The inside
mean (`inside_mean`, on for every model trained since; off for archives written before) gained 0.40 dev F1 on
CoNLL-2003 at the same speed (docs/span.md). It holds the decoder (flat or nested), which owns the loss and the decoding."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from tokcls.data.word_shape import SHAPE_COUNT
from tokcls.tasks.layers import fc_stack
from tokcls.tasks.span.decoders import build_decoder


def _value(option):
    return getattr(option, "value", option)


def _inside_mean(hidden_states, span_start, span_end):
    """The mean of a span's sub-token states, from a running sum (one pass over the window, not one per span)."""
    size = hidden_states.size(-1)
    total = torch.nn.functional.pad(hidden_states.float().cumsum(1), (0, 0, 1, 0))
    upto = torch.gather(total, 1, (span_end + 1).unsqueeze(-1).expand(-1, -1, size))
    before = torch.gather(total, 1, span_start.unsqueeze(-1).expand(-1, -1, size))
    count = (span_end - span_start + 1).clamp(min=1).unsqueeze(-1)
    return ((upto - before) / count).to(hidden_states.dtype)


class SpanHead(nn.Module):
    def __init__(
        self,
        hidden_size: int,
        labels: list[str],
        outside: str | None = None,
        max_entity_length: int = 8,
        width_embedding_dim: int = 32,
        num_fc_layers: int = 2,
        fc_dropout: float = 0.1,
        activation: str = "relu",
        use_transformer_init: bool = True,
        decoder: str = "flat",
        threshold: float = 0.5,
        inside_mean: bool = False,
        shape_embedding_dim: int = 0,
    ):
        super().__init__()
        self.settings = {
            "max_entity_length": max_entity_length,
            "width_embedding_dim": width_embedding_dim,
            "num_fc_layers": num_fc_layers,
            "fc_dropout": fc_dropout,
            "activation": _value(activation),
            "use_transformer_init": use_transformer_init,
            "decoder": _value(decoder),
            "threshold": threshold,
            "inside_mean": inside_mean,
        }
        if shape_embedding_dim:  # archives before word shapes describe no such key: their heads load unchanged
            self.settings["shape_embedding_dim"] = shape_embedding_dim
            self.shapes = nn.Embedding(SHAPE_COUNT, shape_embedding_dim)
            hidden_size += shape_embedding_dim  # each sub-token's state and its word's shape (0: not a word start)
        self.width = nn.Embedding(max_entity_length, width_embedding_dim)
        size = (3 if inside_mean else 2) * hidden_size + width_embedding_dim
        self.layers = fc_stack(size, len(labels), num_fc_layers, fc_dropout, _value(activation), use_transformer_init)
        self.decoder = build_decoder(_value(decoder), threshold, max_entity_length)

    def forward(self, hidden_states, span_start=None, span_end=None, span_width=None, word_shape=None):
        """Scores [windows, spans, labels] of the candidate spans a batch names (SpanCollate; padding rows included,
        Task.keep drops them); `word_shape` (with shape_embedding_dim): each word's shape at its first sub-token."""
        if "shape_embedding_dim" in self.settings:
            hidden_states = torch.cat([hidden_states, self.shapes(word_shape).to(hidden_states.dtype)], dim=-1)
        size = hidden_states.size(-1)
        start = torch.gather(hidden_states, 1, span_start.unsqueeze(-1).expand(-1, -1, size))
        end = torch.gather(hidden_states, 1, span_end.unsqueeze(-1).expand(-1, -1, size))
        parts = [start, end, self.width(span_width)]
        if self.settings.get("inside_mean"):
            parts.append(_inside_mean(hidden_states, span_start, span_end))
        return self.layers(torch.cat(parts, dim=-1))

    def describe(self) -> dict:
        return dict(self.settings)

    def use_decoder(self, name: str, threshold: float | None = None) -> None:
        """Decode flat or nested (evaluate's and infer's model.span.decoder): the scores are the same, only the
        choice among the spans differs."""
        self.settings["decoder"] = name
        if threshold is not None:
            self.settings["threshold"] = threshold
        self.decoder = build_decoder(name, self.settings["threshold"], self.settings["max_entity_length"])

    @torch.no_grad()
    def extend_labels(self, labels: list[str], added: int, bias: float) -> None:
        """Output rows for the last `added` labels: zero weights and a bias below every old prediction."""
        old: Any = self.layers[-1]
        grown = nn.Linear(old.in_features, old.out_features + added)
        grown.weight.zero_()
        grown.weight[: old.out_features] = old.weight
        grown.bias.fill_(bias)
        grown.bias[: old.out_features] = old.bias
        self.layers[-1] = grown
