"""The token task's head: fully connected layers to one score per label per sub-token, and the decoder."""

from __future__ import annotations

import torch
from torch import nn

from tokcls.data.word_shape import SHAPE_COUNT
from tokcls.tasks.layers import fc_stack
from tokcls.tasks.token.decoders import CRFDecoder, build_decoder


def _value(option):
    return getattr(option, "value", option)


class TokenHead(nn.Module):
    """dropout -> [linear -> activation -> dropout] x (num_fc_layers - 1) -> linear to the labels; then the decoder.

    `layers` keeps the name and numbering of archives of format 1, so their weights load unchanged."""

    def __init__(
        self,
        hidden_size: int,
        labels: list[str],
        outside: str,
        num_fc_layers: int = 1,
        fc_dropout: float = 0.1,
        activation: str = "relu",
        use_transformer_init: bool = True,
        decoder: str = "argmax",
        scheme: str = "plain",
        shape_embedding_dim: int = 0,
    ):
        super().__init__()
        if num_fc_layers < 1:
            raise ValueError(f"model.head.num_fc_layers must be at least 1, got {num_fc_layers}")
        self.settings = {
            "num_fc_layers": num_fc_layers,
            "fc_dropout": fc_dropout,
            "activation": _value(activation),
            "use_transformer_init": use_transformer_init,
            "decoder": _value(decoder),
            "scheme": _value(scheme),
        }
        if shape_embedding_dim:  # archives before word shapes describe no such key: their heads load unchanged
            self.settings["shape_embedding_dim"] = shape_embedding_dim
            self.shapes = nn.Embedding(SHAPE_COUNT, shape_embedding_dim)
        self.layers = fc_stack(
            hidden_size + shape_embedding_dim,
            len(labels),
            num_fc_layers,
            fc_dropout,
            _value(activation),
            use_transformer_init,
        )
        self.decoder = build_decoder(decoder, labels, scheme, outside)

    def forward(self, hidden_states, word_shape=None):
        """Scores per sub-token; `word_shape` (with shape_embedding_dim): each word's shape at its first sub-token,
        embedded and put beside the encoder's state there."""
        if "shape_embedding_dim" in self.settings:
            hidden_states = torch.cat([hidden_states, self.shapes(word_shape).to(hidden_states.dtype)], dim=-1)
        return self.layers(hidden_states)

    def describe(self) -> dict:
        return dict(self.settings)

    def use_decoder(self, name: str, labels: list[str], outside: str) -> None:
        """Decode with another decoder (evaluate/infer's model.head.decoder): argmax or constrained for any
        model; crf only for a model trained with one (its transitions are learned)."""
        name = _value(name)
        if name == self.settings["decoder"]:
            return
        if name == "crf":
            raise ValueError(
                "crf decoding needs transitions learned in training; this model was trained with "
                f"{self.settings['decoder']}: use argmax or constrained"
            )
        self.decoder = build_decoder(name, labels, self.settings["scheme"], outside)
        self.settings["decoder"] = name

    @torch.no_grad()
    def extend_labels(self, labels: list[str], added: int, bias: float) -> None:
        """Output rows for the last `added` of `labels`: zero weights and a bias below every old prediction,
        so the old labels' predictions are unchanged until training moves them."""
        old = self.layers[-1]
        grown = nn.Linear(old.in_features, old.out_features + added)
        grown.weight.zero_()
        grown.weight[: old.out_features] = old.weight
        grown.bias.fill_(bias)
        grown.bias[: old.out_features] = old.bias
        self.layers[-1] = grown
        if isinstance(self.decoder, CRFDecoder):
            self.decoder.grow(labels)
        else:
            self.decoder.set_labels(labels)
