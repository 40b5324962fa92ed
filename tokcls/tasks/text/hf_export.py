"""A text model as a Hugging Face directory: AutoModelForSequenceClassification and pipeline("text-classification")
load it offline and score as the archive does (on texts that fit one window: pipeline() truncates longer ones,
tokcls pools their windows)."""

from __future__ import annotations

from pathlib import Path

import torch

from tokcls.core.errors import InputError
from tokcls.tasks.hf_weights import with_encoder_weights

# Where each encoder type's sequence classifier keeps the two head layers: (first dense, classifier).
HEAD_LAYERS = {"bert": ("bert.pooler.dense", "classifier"), "mpnet": ("classifier.dense", "classifier.out_proj")}


def _two_layer_head(model) -> tuple[torch.nn.Linear, torch.nn.Linear]:
    settings = model.head.describe()
    linears = [m for m in model.head.layers if isinstance(m, torch.nn.Linear)]
    if len(linears) != 2 or settings["activation"] != "tanh":
        raise InputError(
            f"the head has {len(linears)} linear layer(s) with {settings['activation']}; Hugging Face's "
            "sequence classifiers are dense -> tanh -> classifier",
            "export format=onnx (which keeps any head), "
            "or train with model.classifier_head.num_output_layers=2 and activation=tanh (the defaults)",
        )
    return linears[0], linears[1]


def to_hf_text(model, tokenizer, out: Path) -> Path:
    from transformers import AutoModelForSequenceClassification

    model_type = model.encoder.config.model_type
    if model_type not in HEAD_LAYERS:
        raise InputError(
            f"no mapping of this head onto {model_type}'s sequence classifier (known: {', '.join(HEAD_LAYERS)})",
            "export format=onnx instead",
        )
    first, last = _two_layer_head(model)
    settings = model.head.describe()
    config = model.encoder.config.__class__.from_dict(model.encoder.config.to_dict())
    config.problem_type = settings["problem_type"]
    config.num_labels = 1 if settings["problem_type"] == "regression" else len(model.labels)
    config.id2label = dict(enumerate(model.labels[: config.num_labels]))
    config.label2id = {label: i for i, label in config.id2label.items()}
    if "thresholds" in settings:  # multi-label: pipeline() gives the probabilities; these pick the labels
        config.tokcls_thresholds = dict(zip(model.labels, settings["thresholds"]))
    hf_model = with_encoder_weights(AutoModelForSequenceClassification, config, model.encoder)
    dense_name, classifier_name = HEAD_LAYERS[model_type]
    hf_model.get_submodule(dense_name).load_state_dict(first.state_dict())
    hf_model.get_submodule(classifier_name).load_state_dict(last.state_dict())
    out = Path(out)
    hf_model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


class HfTextModel:
    """The exported directory loaded by transformers, called like the network (export's check): the sequence
    scores repeated along each window, as the text head gives them."""

    def __init__(self, folder: Path, network):
        from transformers import AutoModelForSequenceClassification

        self.model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
        self.task, self.labels, self.outside_label = network.task, network.labels, network.outside_label
        self.decoder = network.decoder

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask):
        logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
        return logits[:, None, :].expand(-1, input_ids.size(1), -1)
