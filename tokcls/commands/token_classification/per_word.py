"""What a Viterbi-decoded token model loses when each word is decoded alone, as pipeline() decodes its
Hugging Face export: measured on the validation split when training ends, kept in the archive
(model.json "measured"), printed by export format=hf and written into its model card."""

from __future__ import annotations

import logging
from pathlib import Path

from seqeval.metrics import f1_score

from tokcls.data.documents import docs_file, read_documents
from tokcls.inference.predictor import Predictor
from tokcls.tasks.token.data import window_settings
from tokcls.tasks.token.decoders import ArgmaxDecoder
from tokcls.tasks.token.words import per_sentence

log = logging.getLogger("tokcls")


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
    predictor = Predictor(
        network,
        tokenizer,
        window_settings(dataset),
        config.validation_ds.batch_size,
        device,
        context,
    )
    prediction = predictor.run(examples, documents=documents)  # one pass: its word scores decode both ways
    lengths = [len(e.words) for e in examples]
    per_word = ArgmaxDecoder(network.labels, network.head.describe()["scheme"], network.outside_label)
    ids = per_word.decode(prediction.scores, lengths)[0].tolist()
    gold = [e.labels for e in examples]
    scores = {
        decoder: 100 * f1_score(gold, prediction.labels),
        "per_word": 100 * f1_score(gold, per_sentence([network.labels[i] for i in ids], lengths)),
    }
    network.measured["per_word_decoding"] = {
        "split": "validation",
        f"entity_f1_{decoder}": scores[decoder],
        "entity_f1_per_word": scores["per_word"],
    }
    log.info(
        "Validation entity F1 %.2f with the %s decoder, %.2f with each word decoded alone (what pipeline() does with "
        "export format=hf)",
        scores[decoder],
        decoder,
        scores["per_word"],
    )
