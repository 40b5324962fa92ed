"""FastDropout is nn.Dropout's distribution with a cheaper mask, and replaces it throughout a model."""

import pytest
import torch
from torch import nn

from tokcls.model.dropout import FastDropout, keep_mask, use_fast_dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_the_mask_drops_each_element_at_the_rate_independently_of_its_position(p):
    torch.manual_seed(0)
    kept = keep_mask(torch.Size([400, 1000]), p).float()
    assert abs(1 - kept.mean().item() - p) < 0.003
    # every 16-bit lane of a 64-bit draw drops at the rate (a lane with a constant bit would not)
    lanes = kept.flatten().view(-1, 4).mean(0)
    assert torch.all((1 - lanes - p).abs() < 0.006), lanes
    # neighbours are independent: P(both kept) = (1 - p)^2
    pairs = (kept.flatten()[0::2] * kept.flatten()[1::2]).mean().item()
    assert abs(pairs - (1 - p) ** 2) < 0.006


def test_training_scales_kept_elements_and_the_gradient_follows_the_mask():
    torch.manual_seed(0)
    x = (torch.rand(64, 50, 32) + 1).requires_grad_()
    layer = FastDropout(0.2).train()
    y = layer(x)
    kept = y != 0
    assert torch.allclose(y[kept], x[kept] / 0.8)
    assert abs(1 - kept.float().mean().item() - 0.2) < 0.01
    y.sum().backward()
    assert torch.allclose(x.grad, kept.float() / 0.8)


def test_eval_mode_zero_rate_and_seeded_runs_behave_as_torch_dropout():
    x = torch.randn(8, 16)
    assert torch.equal(FastDropout(0.3).eval()(x), x)
    assert torch.equal(FastDropout(0.0).train()(x), x)
    assert torch.equal(FastDropout(1.0).train()(x), torch.zeros_like(x))
    torch.manual_seed(5)
    first = FastDropout(0.3).train()(x)
    torch.manual_seed(5)
    assert torch.equal(FastDropout(0.3).train()(x), first)


def test_every_dropout_of_a_model_is_replaced_with_its_rate():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1), nn.Sequential(nn.Dropout(0.25), nn.Linear(4, 2)))
    assert use_fast_dropout(model) == 2
    rates = [(type(m), m.p) for m in model.modules() if isinstance(m, nn.Dropout)]
    assert rates == [(FastDropout, 0.1), (FastDropout, 0.25)]
    assert use_fast_dropout(model) == 0  # already replaced


class _Attention(nn.Module):
    """What transformers passes its attention function as `module` (its .is_causal is read)."""

    is_causal = False


def _reference_attention(q, k, v, allowed, drop, p):
    """softmax(q k^T / sqrt(d), masked) with the dropped weights zeroed and the rest scaled, times v."""
    scores = (q @ k.transpose(-1, -2)) / q.shape[-1] ** 0.5
    weights = scores.masked_fill(~allowed, float("-inf")).softmax(-1)
    return (weights.masked_fill(drop, 0.0) / (1 - p) @ v).transpose(1, 2)


@pytest.mark.parametrize("boolean_mask", [True, False])
def test_training_attention_is_dropout_on_the_attention_weights_with_the_fast_mask(boolean_mask):
    from tokcls.model.dropout import attention_with_fast_dropout, drop_mask

    torch.manual_seed(0)
    q, k, v = (torch.randn(3, 4, 10, 8, requires_grad=True) for _ in range(3))
    allowed = torch.ones(3, 1, 10, 10, dtype=torch.bool)
    allowed[1, ..., 6:] = False  # the second sequence is padded after 6 positions
    mask = allowed if boolean_mask else torch.zeros(allowed.shape).masked_fill(~allowed, torch.finfo(torch.float).min)
    torch.manual_seed(7)
    out, weights = attention_with_fast_dropout(_Attention(), q, k, v, mask, dropout=0.25)
    torch.manual_seed(7)
    drop = drop_mask(torch.Size([3, 4, 10, 10]), 0.25)
    assert weights is None and 0.2 < drop.float().mean() < 0.3
    expected = _reference_attention(q, k, v, allowed, drop, 0.25)
    assert out.shape == (3, 10, 4, 8) and torch.allclose(out, expected, atol=1e-6)
    grads = torch.autograd.grad(out.square().sum(), (q, k, v))
    for got, want in zip(grads, torch.autograd.grad(expected.square().sum(), (q, k, v))):
        assert torch.allclose(got, want, atol=1e-5)


def test_without_dropout_the_attention_is_transformers_sdpa_exactly():
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    from tokcls.model.dropout import attention_with_fast_dropout

    q, k, v = (torch.randn(2, 4, 7, 8) for _ in range(3))
    mask = torch.ones(2, 1, 7, 7, dtype=torch.bool)
    mask[0, ..., 5:] = False
    for allowed in (mask, None):  # transformers passes dropout=0 outside training
        got, _ = attention_with_fast_dropout(_Attention(), q, k, v, allowed, dropout=0.0)
        assert torch.equal(got, sdpa_attention_forward(_Attention(), q, k, v, allowed, dropout=0.0)[0])


def test_a_training_module_trains_its_bert_with_the_fast_attention_and_archives_stay_plain(tiny_encoder, tmp_path):
    from transformers import AutoModel

    from tokcls.model.dropout import FAST_ATTENTION, use_fast_attention_dropout

    encoder = AutoModel.from_pretrained(tiny_encoder, add_pooling_layer=False)
    ids = torch.randint(5, 100, (2, 9))
    mask = torch.ones(2, 9, dtype=torch.long)
    mask[1, 6:] = 0
    before = encoder.eval()(input_ids=ids, attention_mask=mask).last_hidden_state
    assert use_fast_attention_dropout(encoder) and use_fast_attention_dropout(encoder)  # the second: already
    assert encoder.config._attn_implementation == FAST_ATTENTION
    assert torch.equal(encoder(input_ids=ids, attention_mask=mask).last_hidden_state, before)  # eval: sdpa's own
    encoder.train()(input_ids=ids, attention_mask=mask).last_hidden_state.sum().backward()  # runs, with dropout
    encoder.save_pretrained(tmp_path)
    assert FAST_ATTENTION not in (tmp_path / "config.json").read_text()
