import math

import pytest
import torch
from omegaconf import OmegaConf

from tokcls.config.sections import OptimConfig, SchedConfig
from tokcls.tasks.token.head import TokenHead
from tokcls.training.optim import build_optimizer, build_scheduler, lr_multiplier, param_groups


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_head_shapes_and_layer_count(layers):
    head = TokenHead(16, ["O", "A", "B", "C", "D"], "O", num_fc_layers=layers, fc_dropout=0.0, activation="gelu")
    assert head(torch.zeros(2, 7, 16)).shape == (2, 7, 5)
    linears = [m for m in head.modules() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == layers and linears[-1].out_features == 5


def test_transformer_init_is_small_normal_with_zero_bias():
    torch.manual_seed(0)
    head = TokenHead(256, [str(i) for i in range(300)], "0", use_transformer_init=True)
    linear = head.layers[-1]
    assert abs(linear.weight.std().item() - 0.02) < 0.002 and linear.bias.abs().sum() == 0


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4))
        self.head = torch.nn.Linear(4, 2)

    def parameter_groups(self):
        return {part: list(getattr(self, part).named_parameters()) for part in ("encoder", "head")}


def test_no_weight_decay_on_biases_and_norms_and_separate_head_lr():
    cfg = OmegaConf.structured(OptimConfig(lr=1e-3, head_lr=1e-2, weight_decay=0.1))
    groups = param_groups(Tiny().parameter_groups(), cfg)
    shapes = [(g["lr"], g["weight_decay"], sorted(tuple(p.shape) for p in g["params"])) for g in groups]
    assert shapes == [
        (1e-3, 0.1, [(4, 4)]),
        (1e-3, 0.0, [(4,), (4,), (4,)]),
        (1e-2, 0.1, [(2, 4)]),
        (1e-2, 0.0, [(2,)]),
    ]
    adamw = build_optimizer(Tiny().parameter_groups(), cfg)
    assert isinstance(adamw, torch.optim.AdamW) and adamw.defaults["fused"]  # the fast CPU kernel, as HF's Trainer
    assert isinstance(
        build_optimizer(Tiny().parameter_groups(), OmegaConf.structured(OptimConfig(name="sgd"))), torch.optim.SGD
    )


def test_schedules():
    # linear: 0 at step 0, 1 after warmup, 0 at the end (Hugging Face's get_linear_schedule_with_warmup)
    assert [lr_multiplier("linear", s, 10, 110, 0.0) for s in (0, 5, 10, 60, 110)] == [0.0, 0.5, 1.0, 0.5, 0.0]
    assert lr_multiplier("cosine", 60, 10, 110, 0.0) == pytest.approx(0.5)
    assert lr_multiplier("cosine", 35, 10, 110, 0.0) == pytest.approx(0.5 * (1 + math.cos(math.pi / 4)))
    assert lr_multiplier("constant", 100, 10, 110, 0.0) == 1.0
    assert lr_multiplier("WarmupAnnealing", 110, 10, 110, 0.1) == pytest.approx(0.1)  # down to min_lr


def test_scheduler_uses_warmup_ratio_or_steps():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = build_scheduler(optimizer, OmegaConf.structured(SchedConfig(warmup_ratio=0.1)), 100, 1.0)
    lrs = []
    for _ in range(100):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs[0] == 0.0 and lrs[10] == 1.0 and lrs[99] == pytest.approx(1 / 90)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    build_scheduler(optimizer, OmegaConf.structured(SchedConfig(warmup_steps=0)), 100, 1.0)
    assert optimizer.param_groups[0]["lr"] == 1.0
