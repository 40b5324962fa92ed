"""Long texts: windows that keep every sub-token, whole texts per batch, and window scores pooled per text."""

import numpy as np
import torch
from transformers import AutoTokenizer

from tokcls.data.batching import ItemBatchSampler
from tokcls.inference.predictor import Predictor
from tokcls.model.encoder import encoder_from_config
from tokcls.model.network import Network
from tokcls.tasks import get_task
from tokcls.tasks.text.decoders import pool, tune_thresholds
from tokcls.tasks.text.examples import TextExample
from tokcls.tasks.text.features import TextWindowSettings, encode_texts, text_items

SETTINGS = TextWindowSettings(32, 8, problem_type="single_label_classification")


def test_every_sub_token_of_a_long_text_is_in_a_window(tiny_encoder):
    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder)
    text = " ".join(f"word{i}" for i in range(200))
    pieces = tokenizer(text, add_special_tokens=False)["input_ids"]
    features, info = encode_texts([TextExample("short one"), TextExample(text)], tokenizer, None, SETTINGS)
    windows = [features.window(i) for i in range(len(features)) if features.example[i] == 1]
    assert len(windows) > 1 and info["windowed_sentences"] == 1
    covered = set()
    step = 32 - 2 - 8
    for k, window in enumerate(windows):
        assert window["word_index"][0] == k and (window["word_index"][1:] == -1).all()
        assert len(window["input_ids"]) <= 32
        inner = window["input_ids"][1:-1].tolist()
        start = min(k * step, len(pieces) - 30)
        assert inner == pieces[start : start + len(inner)]
        covered |= set(range(start, start + len(inner)))
    assert covered == set(range(len(pieces)))


def test_batches_hold_whole_texts_within_the_window_budget_and_count_the_same_every_epoch():
    windows = np.array([1] * 50 + [3] * 7 + [9] * 2)
    lengths = np.arange(len(windows)) % 17 + 5
    sampler = ItemBatchSampler(lengths, windows, batch_size=8, shuffle=True, seed=1)
    counts = set()
    for epoch in range(3):
        sampler.set_epoch(epoch)
        batches = list(sampler)
        counts.add(len(batches))
        assert sorted(i for b in batches for i in b) == list(range(len(windows)))
        assert all(windows[b].sum() <= 8 or len(b) == 1 for b in batches)
    assert counts == {len(sampler)}


def test_training_cuts_a_text_into_parts_of_at_most_batch_size_windows(tiny_encoder):
    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder)
    features, _ = encode_texts([TextExample(" ".join(["word"] * 400)), TextExample("x")], tokenizer, None, SETTINGS)
    whole, parts = text_items(features), text_items(features, 4)
    assert len(whole) == 2 and whole[0] == (0, len(features) - 1)
    assert all(b - a <= 4 for a, b in parts) and [k for a, b in parts for k in range(a, b)] == list(
        range(len(features))
    )


def test_a_long_texts_score_is_the_mean_of_its_windows_scores(tiny_encoder):
    from transformers import AutoConfig

    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder)
    task = get_task("text_classification")
    head = {
        "num_output_layers": 2,
        "fc_dropout": 0.0,
        "activation": "tanh",
        "use_transformer_init": False,
        "problem_type": "single_label_classification",
    }
    network = Network.build(
        encoder_from_config(AutoConfig.from_pretrained(tiny_encoder)),
        {"task": task.name, "labels": ["a", "b", "c"], "outside_label": None, "head": head},
    ).eval()
    text = " ".join(f"w{i}" for i in range(150))
    prediction = Predictor(network, tokenizer, SETTINGS, batch_size=4).run([TextExample("hi"), TextExample(text)])
    features, _ = encode_texts([TextExample(text)], tokenizer, None, SETTINGS)
    with torch.no_grad():
        per_window = [
            network(
                torch.tensor(features.window(i)["input_ids"][None], dtype=torch.long),
                torch.ones(1, features.lengths[i], dtype=torch.long),
            )[0, 0]
            for i in range(len(features))
        ]
    assert len(per_window) > 2
    assert torch.allclose(prediction.scores[1], torch.stack(per_window).mean(0), atol=1e-5)


def test_pool_groups_rows_by_text_in_any_order():
    rows = torch.tensor([[1.0, 0.0], [3.0, 2.0], [5.0, 4.0]])
    scores, first = pool(rows, torch.tensor([7, 2, 7]))
    assert torch.equal(scores, torch.tensor([[3.0, 2.0], [3.0, 2.0]])) and first.tolist() == [1, 0]


def test_thresholds_maximise_each_labels_f1():
    probabilities = torch.tensor([[0.9, 0.2], [0.6, 0.3], [0.4, 0.1], [0.1, 0.05]])
    gold = torch.tensor([[1, 1], [1, 1], [1, 0], [0, 0]])
    first, second = tune_thresholds(probabilities, gold)
    assert 0.1 < first <= 0.4 and 0.1 < second <= 0.2  # every positive above, every negative below


def test_class_weights_weigh_each_text_by_its_class_in_the_loss_and_its_normalizer():
    from tokcls.tasks.text.decoders import SingleLabelDecoder

    decoder = SingleLabelDecoder(["a", "b"])
    emissions = torch.randn(3, 4, 2).expand(-1, -1, -1)
    batch = {"example": torch.tensor([0, 1, 1]), "targets": torch.tensor([[0.0], [1.0], [1.0]])}
    weight = torch.tensor([0.25, 2.0])
    total, count = decoder.loss(emissions, batch, weight)
    pooled = torch.stack([emissions[0, 0], emissions[1:, 0].mean(0)])  # text 1's two windows pooled first
    expected = torch.nn.functional.cross_entropy(pooled, torch.tensor([0, 1]), weight=weight, reduction="sum")
    assert torch.isclose(total, expected) and count == 2.25
