"""What a Viterbi-decoded token model loses when each word is decoded alone, as pipeline() decodes its
Hugging Face export: measured on the validation split when training ends, kept in the archive
(model.json "measured"), printed by export format=hf and written into its model card."""
from __future__ import annotations

import logging
from pathlib import Path

from seqeval.metrics import f1_score

from tokcls.data.documents import docs_file, read_documents
from tokcls.data.features import WindowSettings
from tokcls.inference.predictor import Predictor
from tokcls.tasks.token.decoders import ArgmaxDecoder

log = logging.getLogger("tokcls")


class PerWordView:
    """The network's word scores decoded each word alone (argmax), as pipeline() decodes them."""

    def __init__(self, network):
        self.network, self.task, self.labels, self.outside_label = network, network.task, network.labels, network.outside_label
        self.decoder = ArgmaxDecoder(network.labels, network.head.describe()["scheme"], network.outside_label)

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask):
        return self.network(input_ids, attention_mask)


def measure_per_word_decoding(network, tokenizer, config, examples) -> None:
    """Validation entity F1 (seqeval) with the model's decoder and with each word alone, in network.measured."""
    decoder = network.head.describe()["decoder"]
    if decoder == "argmax":
        return
    dataset = config.model.dataset
    context = getattr(dataset.context, "value", dataset.context)
    documents = None
    if context == "document":
        documents = read_documents(docs_file(Path(config.data_dir) / config.validation_ds.text_file), len(examples))
    device = next(network.parameters()).device
    gold = [e.labels for e in examples]
    scores = {}
    for name, model in ((decoder, network), ("per_word", PerWordView(network))):
        predictor = Predictor(model, tokenizer, WindowSettings(dataset.max_seq_length, dataset.stride),
                              config.validation_ds.batch_size, device, context)
        scores[name] = 100 * f1_score(gold, predictor.run(examples, documents=documents).labels)
    network.measured["per_word_decoding"] = {"split": "validation", f"entity_f1_{decoder}": scores[decoder],
                                             "entity_f1_per_word": scores["per_word"]}
    log.info("Validation entity F1 %.2f with the %s decoder, %.2f with each word decoded alone (what pipeline() does with "
             "export format=hf)", scores[decoder], decoder, scores["per_word"])
