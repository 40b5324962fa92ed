"""A Hugging Face directory that AutoModelForTokenClassification and pipeline() load offline."""

from __future__ import annotations

from pathlib import Path

import torch

from tokcls.core.errors import InputError
from tokcls.tasks.hf_weights import with_encoder_weights
from tokcls.tasks.token.decoders import ArgmaxDecoder


def to_hf(model, tokenizer, out: Path) -> Path:
    """The encoder plus a one-layer head is exactly <Type>ForTokenClassification: copy the weights over."""
    from transformers import AutoModelForTokenClassification

    decoder = model.head.describe()["decoder"]
    if decoder in ("crf", "constrained"):  # the word scores go into the export; the Viterbi step is tokcls's own
        measured = model.measured.get("per_word_decoding")
        cost = (
            decoding_cost(measured, decoder)
            if measured
            else (
                "The cost was not measured (an archive of an earlier "
                "tokcls): evaluate it with model.head.decoder=argmax."
            )
        )
        print(
            f"note: this model decodes with its {decoder} decoder; the Hugging Face directory holds its word scores, which "
            f"pipeline() decodes each word alone. {cost} For the {decoder} decoding use infer, or export format=onnx "
            "(it carries the transitions). The model card (README.md) says the same."
        )
    if "shape_embedding_dim" in model.head.describe():
        raise InputError(
            "the head reads word shapes beside the encoder (model.head.shape_embedding_dim); Hugging Face's "
            "token-classification classes read the encoder alone",
            "export format=onnx (the graph takes word_shape as an input), or train with model.head.shape_embedding_dim=0",
        )
    linears = [m for m in model.head.layers if isinstance(m, torch.nn.Linear)]
    if len(linears) != 1:
        raise InputError(
            f"the head has {len(linears)} linear layers; Hugging Face's token-classification classes have one",
            "export format=onnx (which keeps any head), or train with model.head.num_fc_layers=1",
        )
    config = model.encoder.config.__class__.from_dict(model.encoder.config.to_dict())
    config.num_labels = len(model.labels)
    config.id2label = dict(enumerate(model.labels))
    config.label2id = {label: i for i, label in enumerate(model.labels)}
    hf_model = with_encoder_weights(AutoModelForTokenClassification, config, model.encoder)
    classifier = hf_model.classifier
    classifier.load_state_dict(linears[0].state_dict())
    out = Path(out)
    hf_model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


class HfModel:
    """The exported directory loaded by transformers, called like the network (export's check); it decodes as
    pipeline() does, each word alone."""

    def __init__(self, folder: Path, network):
        from transformers import AutoModelForTokenClassification

        self.model = AutoModelForTokenClassification.from_pretrained(folder).eval()
        self.task, self.labels, self.outside_label = network.task, network.labels, network.outside_label
        self.decoder = ArgmaxDecoder(network.labels, network.head.describe()["scheme"], network.outside_label)

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


def decoding_cost(per_word: dict, decoder: str) -> str:
    """The measured F1 of both decodings, as one sentence."""
    viterbi, alone = per_word[f"entity_f1_{decoder}"], per_word["entity_f1_per_word"]
    return (
        f"Measured on the {per_word['split']} split when training ended: entity F1 {viterbi:.2f} with the {decoder} "
        f"decoder, {alone:.2f} with each word decoded alone ({alone - viterbi:+.2f} points)."
    )


def model_card_notes(network) -> list[str]:
    """The model card's section on decoding: what pipeline() does differently from a Viterbi decoder, and its cost."""
    decoder = network.head.describe().get("decoder")
    if decoder not in ("crf", "constrained"):
        return []
    lines = [
        "## Decoding",
        "",
        f"tokcls decodes this model with its {decoder} decoder (Viterbi over the "
        "words); pipeline() decodes each word alone from the same word scores.",
    ]
    per_word = network.measured.get("per_word_decoding")
    if per_word:
        lines.append(decoding_cost(per_word, decoder))
    return lines + ["For tokcls's own decoding, use `token_classification infer` or `export format=onnx`.", ""]
