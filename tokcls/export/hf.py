"""A Hugging Face directory that AutoModelForTokenClassification and pipeline() load offline."""
from __future__ import annotations

from pathlib import Path

import torch

from conversion.errors import InputError


def to_hf(model, tokenizer, out: Path) -> Path:
    """The encoder plus a one-layer head is exactly <Type>ForTokenClassification: copy the weights over."""
    from transformers import AutoModelForTokenClassification

    linears = [m for m in model.head.layers if isinstance(m, torch.nn.Linear)]
    if len(linears) != 1:
        raise InputError(
            f"the head has {len(linears)} linear layers; Hugging Face's token-classification classes have one",
            "export format=onnx (which keeps any head), or train with model.head.num_fc_layers=1")
    config = model.encoder.config.__class__.from_dict(model.encoder.config.to_dict())
    config.num_labels = len(model.labels)
    config.id2label = dict(enumerate(model.labels))
    config.label2id = {label: i for i, label in enumerate(model.labels)}
    hf_model = AutoModelForTokenClassification.from_config(config)
    base = getattr(hf_model, hf_model.base_model_prefix)
    missing, unexpected = base.load_state_dict(model.encoder.state_dict(), strict=False)
    if unexpected or any("pooler" not in k for k in missing):
        raise InputError(f"the encoder does not map onto {type(hf_model).__name__}: {missing[:3]} {unexpected[:3]}",
                         "export format=onnx instead")
    classifier = hf_model.classifier
    classifier.load_state_dict(linears[0].state_dict())
    out = Path(out)
    hf_model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
