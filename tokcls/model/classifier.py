"""The network alone: encoder + head -> label scores, and the label set it predicts.

Inference (evaluate, infer, export) loads this class only, so it never imports Lightning (seconds
of start-up); TokenClassificationModel adds the training logic on top of it.
"""
from __future__ import annotations

import torch
from torch import nn

from tokcls.model.head import TokenClassifierHead


class TokenClassifier(nn.Module):
    def __init__(self, encoder: nn.Module, labels: list[str], head_cfg, outside_label: str = "O"):
        super().__init__()
        self.encoder = encoder
        self.labels = list(labels)
        self.outside_label = outside_label
        self.head = TokenClassifierHead(encoder.config.hidden_size, len(labels), head_cfg.num_fc_layers,
                                        head_cfg.fc_dropout, head_cfg.activation, head_cfg.use_transformer_init)

    def forward(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(hidden)

    @torch.no_grad()
    def extend_labels(self, new_labels: list[str], bias: float) -> None:
        """Add output rows for new labels: zero weights and a bias below every old prediction, so the
        old labels' predictions are unchanged until training moves them."""
        old = self.head.layers[-1]
        grown = nn.Linear(old.in_features, old.out_features + len(new_labels))
        grown.weight.zero_()
        grown.weight[: old.out_features] = old.weight
        grown.bias.fill_(bias)
        grown.bias[: old.out_features] = old.bias
        self.head.layers[-1] = grown
        self.labels += list(new_labels)
