import torch
from omegaconf import OmegaConf

from tokcls.config.sections import HeadConfig
from tokcls.data.features import IGNORE
from tokcls.model.module import TokenClassificationModel


class Encoder(torch.nn.Module):
    config = type("Config", (), {"hidden_size": 4})()


def model(weights=None):
    return TokenClassificationModel(Encoder(), ["O", "B-X", "I-X"], OmegaConf.structured(HeadConfig), class_weights=weights)


def test_every_word_weighs_alike_whatever_its_batch():
    labels = torch.tensor([IGNORE, 0, 1, IGNORE, 0, 0, 2, 1, IGNORE])  # 6 labelled words
    m = model()
    m.set_loss_normalizer(labels, batches=3)
    assert m.loss_normalizer == 2.0  # 6 words / 3 batches
    logits = torch.randn(1, 7, 3)
    one_word = torch.tensor([[0] + [IGNORE] * 6])
    seven_words = torch.tensor([[0, 1, 2, 0, 1, 2, 0]])
    per_word = m.sum_loss_fn(logits[:, :1].reshape(-1, 3), one_word[:, :1].reshape(-1)) / m.loss_normalizer
    whole = m.sum_loss_fn(logits.reshape(-1, 3), seven_words.reshape(-1)) / m.loss_normalizer
    # the first word contributes the same amount alone or among six others
    assert torch.isclose(per_word, m.sum_loss_fn(logits[:, :1].reshape(-1, 3), seven_words[:, :1].reshape(-1)) / m.loss_normalizer)
    assert whole > per_word


def test_class_weights_enter_the_normalizer():
    m = model([0.5, 2.0, 1.0])
    m.set_loss_normalizer(torch.tensor([0, 1, 1, 2, IGNORE]), batches=2)
    assert m.loss_normalizer == (0.5 + 2.0 + 2.0 + 1.0) / 2
