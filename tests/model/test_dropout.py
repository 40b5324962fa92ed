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
