"""Inference runs a BERT archive without transformers (tokcls/model/bert.py, rust_tokenizer.py): the same numbers
and the same sub-tokens as transformers' model and tokenizer, or it would not be the same model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tokcls.model.bert import BertEncoder, is_plain_bert, uninitialised
from tokcls.model.rust_tokenizer import RustTokenizer

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def _encoder_dirs(tiny_encoder) -> list[str]:
    from tokcls.model.encoder import resolve_encoder

    return [tiny_encoder] + [d for d in [resolve_encoder(MINILM)] if Path(d).is_dir()]


def test_bert_computes_what_transformers_computes(tiny_encoder):
    from transformers import AutoModel

    for directory in _encoder_dirs(tiny_encoder):
        reference = AutoModel.from_pretrained(directory, add_pooling_layer=False).eval()
        config = json.loads((Path(directory) / "config.json").read_text())
        assert is_plain_bert(config)
        with uninitialised():
            light = BertEncoder(config)
        light.load_state_dict(reference.state_dict())  # strict: the same parameter names and shapes
        generator = torch.Generator().manual_seed(0)
        ids = torch.randint(1000, config["vocab_size"], (3, 40), generator=generator)
        for mask in (torch.ones(3, 40, dtype=torch.long), (torch.arange(40) < torch.tensor([[40], [17], [3]])).long()):
            with torch.inference_mode():
                want = reference(input_ids=ids, attention_mask=mask).last_hidden_state
                got = light(ids, mask).last_hidden_state
            kept = mask.bool()  # padded positions are never read
            assert torch.allclose(got[kept], want[kept], atol=1e-5, rtol=0), (directory, (got - want)[kept].abs().max())


def test_uninitialised_restores_initialisation():
    with uninitialised():
        BertEncoder({"vocab_size": 10, "hidden_size": 4, "num_attention_heads": 2, "intermediate_size": 8,
                     "max_position_embeddings": 8, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
                     "pad_token_id": 0, "num_hidden_layers": 1, "model_type": "bert"})  # fmt: skip
    layer = torch.nn.Linear(300, 300)
    assert layer.weight.abs().max() > 0 and layer.weight.std() > 0.01  # kaiming_uniform_ ran again


@pytest.mark.parametrize(
    "change",
    [
        {"model_type": "roberta"},
        {"hidden_act": "gelu_new"},
        {"position_embedding_type": "relative_key"},
        {"is_decoder": True},
        {"chunk_size_feed_forward": 16},
    ],
)
def test_other_architectures_go_to_transformers(tiny_encoder, change):
    config = json.loads((Path(tiny_encoder) / "config.json").read_text())
    assert is_plain_bert(config)
    assert not is_plain_bert(config | change)


INPUTS = [
    "EU rejects German call to boycott British lamb .",
    "Ünïcödé naïve café — 東京 Straße\u200b \x07bell\ttab",
    "",
    " ".join(["paris", "and", "john"] * 400),  # longer than any window: nothing may be truncated
]
WORDS = [["Paris", "is", "in", "France"], ["\x07", "東京", "naïve"], ["x"] * 700, ["one"]]


def _same(light, reference, *args, **kwargs):
    got, want = light(*args, **kwargs), reference(*args, **kwargs)
    assert got["input_ids"] == want["input_ids"], (args, kwargs)
    batched = isinstance(want["input_ids"][0], list) if want["input_ids"] else False
    for j in range(len(want["input_ids"]) if batched else 1):
        assert got.word_ids(j) == want.word_ids(j)


@pytest.mark.parametrize("lowercase", [None, False])
def test_tokenizer_gives_what_transformers_gives(tiny_encoder, tmp_path, lowercase):
    from tests.model.test_encoder import model_cfg
    from tokcls.model.encoder import load_tokenizer

    reference = load_tokenizer(model_cfg(lowercase=lowercase))
    reference.save_pretrained(tmp_path)  # what an archive holds
    light = RustTokenizer.open(tmp_path)
    assert light is not None
    for special in (True, False):
        _same(light, reference, INPUTS, add_special_tokens=special)
        _same(light, reference, INPUTS[0], add_special_tokens=special)
        _same(light, reference, WORDS, is_split_into_words=True, add_special_tokens=special)
        _same(light, reference, WORDS[0], is_split_into_words=True, add_special_tokens=special)
    _same(light, reference, "a", "b")
    _same(light, reference, INPUTS[:2], INPUTS[1:3], add_special_tokens=True)
    assert (light.pad_token_id, light.unk_token_id) == (reference.pad_token_id, reference.unk_token_id)
    assert light.num_special_tokens_to_add(False) == reference.num_special_tokens_to_add(pair=False)
    assert light.num_special_tokens_to_add(True) == reference.num_special_tokens_to_add(pair=True)
    assert light.convert_ids_to_tokens([101, 2000]) == reference.convert_ids_to_tokens([101, 2000])
    with pytest.raises(TypeError):
        light("text", truncation=True)  # an option it does not implement is refused, never ignored


def test_an_archive_predicts_the_same_either_way(trained):
    from tokcls.inference.predictor import Predictor
    from tokcls.model.archive import load_model
    from tokcls.tasks import get_task
    from tokcls.tasks.token.examples import read_examples

    data, archive, _ = trained
    examples = read_examples(data / "text_test.txt")  # one sentence there is longer than a window
    runs = []
    for inference in (False, True):
        network, tokenizer, config = load_model(archive, "key1", inference=inference)
        assert isinstance(network.encoder, BertEncoder) == inference
        assert isinstance(tokenizer, RustTokenizer) == inference
        settings, context = get_task(network.task).inference_settings(config.model, config.model)
        runs.append(Predictor(network, tokenizer, settings, 8, context=context).run(examples))
    assert runs[0].labels == runs[1].labels
    assert torch.allclose(runs[0].scores, runs[1].scores, atol=1e-4)


def test_a_tokenizer_folder_it_cannot_read_goes_to_transformers(tiny_encoder, tmp_path):
    from tests.model.test_encoder import model_cfg
    from tokcls.model.encoder import load_tokenizer

    load_tokenizer(model_cfg()).save_pretrained(tmp_path)
    settings = json.loads((tmp_path / "tokenizer_config.json").read_text())
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({k: v for k, v in settings.items() if k != "pad_token"}))
    assert RustTokenizer.open(tmp_path) is None  # its padding id would be a guess
    (tmp_path / "tokenizer.json").unlink()
    assert RustTokenizer.open(tmp_path) is None  # a slow tokenizer's folder
