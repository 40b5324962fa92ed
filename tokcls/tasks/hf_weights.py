"""The step every task's Hugging Face export shares: a fresh AutoModelFor... model holding the encoder's weights."""

from __future__ import annotations

from tokcls.core.errors import InputError


def with_encoder_weights(factory, config, encoder):
    """A fresh `factory` model (an AutoModelFor... class) of `config`, holding the encoder's weights; only a pooler may
    be left over (tokcls's encoders have none)."""
    hf_model = factory.from_config(config)
    base = getattr(hf_model, hf_model.base_model_prefix)
    missing, unexpected = base.load_state_dict(encoder.state_dict(), strict=False)
    if unexpected or any("pooler" not in k for k in missing):
        raise InputError(
            f"the encoder does not map onto {type(hf_model).__name__}: {missing[:3]} {unexpected[:3]}",
            "export format=onnx instead",
        )
    return hf_model
