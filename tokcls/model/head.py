"""The fully connected head that turns encoder states into label scores."""
from __future__ import annotations

from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "silu": nn.SiLU}


class TokenClassifierHead(nn.Module):
    """dropout -> [linear -> activation -> dropout] x (num_fc_layers - 1) -> linear to the labels."""

    def __init__(self, hidden_size: int, num_labels: int, num_fc_layers: int = 1, fc_dropout: float = 0.1,
                 activation: str = "relu", use_transformer_init: bool = True):
        super().__init__()
        if num_fc_layers < 1:
            raise ValueError(f"model.head.num_fc_layers must be at least 1, got {num_fc_layers}")
        layers: list[nn.Module] = [nn.Dropout(fc_dropout)]
        for _ in range(num_fc_layers - 1):
            layers += [nn.Linear(hidden_size, hidden_size), ACTIVATIONS[getattr(activation, "value", activation)](), nn.Dropout(fc_dropout)]
        layers.append(nn.Linear(hidden_size, num_labels))
        self.layers = nn.Sequential(*layers)
        if use_transformer_init:
            for module in self.layers:
                if isinstance(module, nn.Linear):
                    nn.init.normal_(module.weight, mean=0.0, std=0.02)
                    nn.init.zeros_(module.bias)

    def forward(self, hidden_states):
        return self.layers(hidden_states)
