"""A BERT encoder in plain PyTorch, for inference: the parameters, names and arithmetic of transformers' BertModel
(absolute positions, exact GELU, scaled-dot-product attention), without importing transformers' modelling code.

Why: importing transformers.modeling_utils (distributed tensors, sympy, scipy, quantizer integrations) took 1.35 s of
the 4.3 s one `infer` of one sentence took; every packaged encoder but mpnet is a BERT. Training, fine-tune and
export keep transformers' model (gradient checkpointing, export formats); tests/model/test_light_inference.py holds
this module to transformers' outputs. Any other architecture loads through transformers as before (`is_plain_bert`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

ABSENT_OR = {  # config keys that change BertModel's arithmetic, and the value this module implements
    "position_embedding_type": "absolute",
    "is_decoder": False,
    "add_cross_attention": False,
    "chunk_size_feed_forward": 0,
}


def is_plain_bert(config: dict) -> bool:
    """Whether an encoder config.json describes a BERT this module computes exactly as transformers does."""
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        return False
    if config["hidden_size"] % config["num_attention_heads"]:
        return False
    return all(config.get(key, value) in (value, None) for key, value in ABSENT_OR.items())


@contextmanager
def uninitialised() -> Iterator[None]:
    """Layers built here keep whatever memory they get: their weights are loaded next. Random initialisation took
    0.11 s for MiniLM, and the meta device would import torch._dynamo (0.8 s); transformers' no_init_weights does
    the same thing."""
    names = ("normal_", "uniform_", "kaiming_uniform_", "ones_", "zeros_")
    saved = {name: getattr(nn.init, name) for name in names}
    try:
        for name in names:
            setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)
        yield
    finally:
        for name, function in saved.items():
            setattr(nn.init, name, function)


class EncoderOutput(NamedTuple):
    last_hidden_state: torch.Tensor


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        length = input_ids.shape[1]
        positions = torch.arange(length, device=input_ids.device)[None, :]
        # token type 0 everywhere, added in transformers' order: (words + types) + positions
        summed = self.word_embeddings(input_ids) + self.token_type_embeddings(torch.zeros_like(positions))
        return self.LayerNorm(summed + self.position_embeddings(positions))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.head_size = c.num_attention_heads, c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        shape = (*hidden.shape[:-1], self.heads, self.head_size)
        q, k, v = (layer(hidden).view(shape).transpose(1, 2) for layer in (self.query, self.key, self.value))
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=self.head_size**-0.5)
        return out.transpose(1, 2).contiguous().reshape(*hidden.shape[:-1], -1)


class Output(nn.Module):
    """dense, then LayerNorm of it plus the residual: BERT's SelfOutput and Output alike."""

    def __init__(self, c, inputs: int):
        super().__init__()
        self.dense = nn.Linear(inputs, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(hidden) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = Output(c, c.hidden_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        return self.output(self.self(hidden, mask), hidden)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(hidden))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Output(c, c.intermediate_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        attended = self.attention(hidden, mask)
        return self.output(self.intermediate(attended), attended)


class Layers(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))


class BertEncoder(nn.Module):
    """Called as transformers' encoder is by the Network: (input_ids, attention_mask) -> .last_hidden_state."""

    def __init__(self, config: dict):
        super().__init__()
        self.config = SimpleNamespace(**config)  # what the rest reads: hidden_size, model_type, positions
        self.embeddings = Embeddings(self.config)
        self.encoder = Layers(self.config)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> EncoderOutput:
        hidden = self.embeddings(input_ids)
        mask = None  # transformers passes no mask when nothing is padded (a faster attention kernel)
        if not bool(attention_mask.all()):
            length = input_ids.shape[1]
            mask = attention_mask.bool()[:, None, None, :].expand(-1, 1, length, -1)
        for layer in self.encoder.layer:
            hidden = layer(hidden, mask)
        return EncoderOutput(hidden)
