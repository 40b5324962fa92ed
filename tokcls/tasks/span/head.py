"""The span task's head: a span is its first and last sub-tokens' hidden states and an embedding of its width in
words (the representation of SpERT, PURE and spaCy's spancat), through fully connected layers to one score per
label, NONE (no entity) first. It holds the decoder (flat or nested), which owns the loss and the decoding."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from tokcls.tasks.layers import fc_stack
from tokcls.tasks.span.decoders import build_decoder


def _value(option):
    return getattr(option, "value", option)


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
        }
        self.width = nn.Embedding(max_entity_length, width_embedding_dim)
        size = 2 * hidden_size + width_embedding_dim
        self.layers = fc_stack(size, len(labels), num_fc_layers, fc_dropout, _value(activation), use_transformer_init)
        self.decoder = build_decoder(_value(decoder), threshold, max_entity_length)

    def forward(self, hidden_states, span_start=None, span_end=None, span_width=None, **inputs):
        """Scores [windows, spans, labels] of the candidate spans a batch names (SpanCollate; padding rows included,
        Task.keep drops them)."""
        size = hidden_states.size(-1)
        start = torch.gather(hidden_states, 1, span_start.unsqueeze(-1).expand(-1, -1, size))
        end = torch.gather(hidden_states, 1, span_end.unsqueeze(-1).expand(-1, -1, size))
        return self.layers(torch.cat([start, end, self.width(span_width)], dim=-1))

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
