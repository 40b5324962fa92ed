"""Dropout whose random mask costs a quarter of PyTorch's on a CPU.

On a CPU, `torch.nn.functional.dropout` draws one Bernoulli sample per element from the Mersenne
Twister (about 11 ns an element, one thread): for MiniLM that was 6.5% of a training step. Here each
64-bit draw yields four 16-bit lanes, each compared with p × 65,536: the same dropout (the rate is
exact to 1/65,536, every element independent) for a quarter of the draws. The draws come from
torch's default generator, so a seeded run repeats itself. On other devices, whose dropout kernels
are fast already, this is torch's own dropout.
"""

from __future__ import annotations

import torch
from torch import nn

LANES = 4  # 16-bit lanes per 64-bit draw


def _lanes(shape: torch.Size) -> torch.Tensor:
    """Uniform 16-bit integers, one per element of `shape`, four from each 64-bit draw of torch's generator."""
    count = shape.numel()
    draws = torch.empty(-(-count // LANES), dtype=torch.int64).random_(-(2**63), 2**63 - 1)
    return draws.view(torch.int16)[:count].view(shape)


def keep_mask(shape: torch.Size, p: float) -> torch.Tensor:
    """A boolean mask that keeps each element independently with probability 1 - p (to 1/65,536)."""
    return _lanes(shape) >= -32768 + round(p * 65536)


def drop_mask(shape: torch.Size, p: float) -> torch.Tensor:
    """keep_mask's complement, drawn as directly: True where an element is dropped."""
    return _lanes(shape) < -32768 + round(p * 65536)


class _KeepAndScale(torch.autograd.Function):
    """x * keep / (1 - p), remembering the boolean mask (1 byte an element) for the backward pass
    where torch's dropout keeps a float one (4 bytes): less activation memory on long batches."""

    @staticmethod
    def forward(ctx, x, keep, scale: float):
        ctx.save_for_backward(keep)
        ctx.scale = scale
        return x.mul(keep).mul_(scale)

    @staticmethod
    def backward(ctx, grad):
        (keep,) = ctx.saved_tensors
        return grad.mul(keep).mul_(ctx.scale), None, None


class FastDropout(nn.Dropout):
    """nn.Dropout (same p, same arguments, same eval behaviour) with keep_mask on CPU tensors."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0 or x.device.type != "cpu" or self.p >= 1 or self.inplace:
            return super().forward(x)
        return _KeepAndScale.apply(x, keep_mask(x.shape, self.p), 1.0 / (1.0 - self.p))


def use_fast_dropout(module: nn.Module) -> int:
    """Replace every nn.Dropout inside `module` by a FastDropout of the same rate; returns how many.

    Attention-probability dropout inside the encoder's attention kernel call is left to torch."""
    replaced = 0
    for parent in module.modules():
        for name, child in parent.named_children():
            if type(child) is nn.Dropout:
                setattr(parent, name, FastDropout(child.p, child.inplace))
                replaced += 1
    return replaced


FAST_ATTENTION = "tokcls_sdpa_fast_dropout"  # the name registered with transformers' attention interface


def attention_with_fast_dropout(
    module, query, key, value, attention_mask, dropout: float = 0.0, scaling=None, **kwargs
):
    """transformers' "sdpa" attention, except with attention dropout on a CPU (its models pass dropout > 0 in training
    only).

    There torch's fused kernels refuse dropout and it falls back to its unfused path, which draws one Bernoulli
    sample per attention weight (batch x heads x length², 6.3 M for 32 windows of 128) and keeps a float mask of
    them: on CoNLL's longest batches that was a third of a step. Here the same arithmetic, with keep_mask's draws
    (a quarter of the work), a boolean mask, and the 1/(1-p) applied to the output (length x head size) rather
    than to the weights (length x length). Anything unusual (a causal or grouped-query attention, a position
    bias) is left to transformers' own."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    plain = not (getattr(module, "is_causal", False) or kwargs.get("position_bias") is not None)
    if not (plain and dropout > 0 and query.device.type == "cpu" and query.shape == key.shape):
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs
        )
    scale = query.shape[-1] ** -0.5 if scaling is None else scaling
    scores = torch.matmul(query * scale, key.transpose(-1, -2))
    if attention_mask is not None:  # transformers' sdpa masks: True (or 0.0) where a position may be attended
        if attention_mask.dtype == torch.bool:  # as an additive bias of batch x length², broadcast over the heads
            attention_mask = torch.zeros(attention_mask.shape, dtype=scores.dtype).masked_fill_(
                ~attention_mask, torch.finfo(scores.dtype).min
            )
        scores.add_(attention_mask)  # in place: the product's backward does not need its output
    weights = scores.softmax(-1)
    dropped = weights.masked_fill(drop_mask(weights.shape, dropout), 0.0)
    out = torch.matmul(dropped, value) * (1.0 / (1.0 - dropout))
    return out.transpose(1, 2).contiguous(), None


def use_fast_attention_dropout(encoder: nn.Module) -> bool:
    """Train `encoder`'s attention with attention_with_fast_dropout, where it runs transformers' "sdpa" attention
    through its attention interface (BERT and most encoders); True if it does. The setting is the model's, not
    saved with it: an archive's encoder gets transformers' default again."""
    config = getattr(encoder, "config", None)
    if getattr(config, "_attn_implementation", None) == FAST_ATTENTION:
        return True
    if getattr(config, "_attn_implementation", None) != "sdpa" or not hasattr(encoder, "set_attn_implementation"):
        return False
    try:
        from transformers import AttentionInterface
        from transformers.masking_utils import AttentionMaskInterface, sdpa_mask
    except ImportError:  # transformers before the attention interface
        return False
    AttentionInterface.register(FAST_ATTENTION, attention_with_fast_dropout)
    AttentionMaskInterface.register(FAST_ATTENTION, sdpa_mask)  # the same masks as "sdpa"
    encoder.set_attn_implementation(FAST_ATTENTION)  # type: ignore[operator]  # a transformers model (checked above)
    return getattr(config, "_attn_implementation", None) == FAST_ATTENTION
