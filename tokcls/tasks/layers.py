"""The fully connected stack both tasks' heads put on the encoder."""

from __future__ import annotations

from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "silu": nn.SiLU}


def fc_stack(
    hidden_size: int, outputs: int, layers: int, dropout: float, activation: str, transformer_init: bool
) -> nn.Sequential:
    """dropout -> [linear -> activation -> dropout] x (layers - 1) -> linear to `outputs`; with `transformer_init`
    weights normal(0, 0.02) and biases 0, as transformers initialise their heads."""
    modules: list[nn.Module] = [nn.Dropout(dropout)]
    for _ in range(layers - 1):
        modules += [nn.Linear(hidden_size, hidden_size), ACTIVATIONS[activation](), nn.Dropout(dropout)]
    modules.append(nn.Linear(hidden_size, outputs))
    stack = nn.Sequential(*modules)
    if transformer_init:
        for module in stack:
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
                nn.init.zeros_(module.bias)
    return stack
