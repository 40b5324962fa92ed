from types import SimpleNamespace

import torch

from tokcls.data.windows import IGNORE
from tokcls.model.network import Network
from tokcls.training.module import TaskModule

HEAD = {
    "num_fc_layers": 1,
    "fc_dropout": 0.1,
    "activation": "relu",
    "use_transformer_init": True,
    "decoder": "argmax",
    "scheme": "iob2",
}


class Encoder(torch.nn.Module):
    config = type("Config", (), {"hidden_size": 4})()


def module(weights=None):
    network = Network.build(
        Encoder(), {"task": "token_classification", "labels": ["O", "B-X", "I-X"], "outside_label": "O", "head": HEAD}
    )
    m = TaskModule(network, optim_cfg=None)
    m.class_weights = torch.tensor(weights) if weights else None
    return m


def summed(m, logits, labels):
    return m.network.decoder.loss(logits, labels, labels.clamp(max=0) * 0, m.class_weights)[0]


def test_every_word_weighs_alike_whatever_its_batch():
    labels = torch.tensor([IGNORE, 0, 1, IGNORE, 0, 0, 2, 1, IGNORE])  # 6 labelled words
    m = module()
    normalizer = m._loss_normalizer(SimpleNamespace(labels=labels), batches=3)
    assert normalizer == 2.0  # 6 words / 3 batches
    logits = torch.randn(1, 7, 3)
    one_word = torch.tensor([[0] + [IGNORE] * 6])
    seven_words = torch.tensor([[0, 1, 2, 0, 1, 2, 0]])
    per_word = summed(m, logits[:, :1], one_word[:, :1]) / normalizer
    whole = summed(m, logits, seven_words) / normalizer
    # the first word contributes the same amount alone or among six others
    assert torch.isclose(per_word, summed(m, logits[:, :1], seven_words[:, :1]) / normalizer)
    assert whole > per_word


def test_class_weights_enter_the_normalizer_and_the_loss():
    m = module([0.5, 2.0, 1.0])
    assert (
        m._loss_normalizer(SimpleNamespace(labels=torch.tensor([0, 1, 1, 2, IGNORE])), batches=2)
        == (0.5 + 2.0 + 2.0 + 1.0) / 2
    )
    logits = torch.zeros(1, 2, 3)  # uniform: every word's loss is log 3, times its label's weight
    total, weight = m.network.decoder.loss(logits, torch.tensor([[1, 2]]), torch.tensor([[0, 1]]), m.class_weights)
    assert torch.isclose(total, torch.tensor(3.0) * torch.log(torch.tensor(3.0))) and weight == 3.0
