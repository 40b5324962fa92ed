"""Reading a token split for training: text/labels files (and docs_<split>.txt for document context) ->
examples -> cached windowed features, with the facts NeMo logs about them."""

from __future__ import annotations

import logging
from pathlib import Path

from conversion.stats import length_stats
from tokcls.core.errors import InputError
from tokcls.data import cache
from tokcls.data.documents import docs_file, read_documents
from tokcls.data.labels import check_labels_known
from tokcls.data.windows import IGNORE, Features, WindowSettings
from tokcls.tasks.token.documents import pack
from tokcls.tasks.token.examples import Example, read_examples
from tokcls.tasks.token.features import encode

log = logging.getLogger("tokcls")


def window_settings(dataset_cfg, word_shapes: bool = False) -> WindowSettings:
    """From model.dataset; `word_shapes`: the head reads word shapes (model.head.shape_embedding_dim > 0)."""
    return WindowSettings(dataset_cfg.max_seq_length, dataset_cfg.stride, dataset_cfg.label_all_subwords, word_shapes)


def document_units(
    examples: list[Example], text_file: Path, context
) -> tuple[list[Example], list[int] | None, Path | None]:
    """(what to encode, the words of each unit or None in sentence mode, the docs file read): with
    context=document the sentences of each document of docs_<split>.txt packed together."""
    if getattr(context, "value", context) != "document":
        return examples, None, None
    path = docs_file(text_file)
    documents = read_documents(path, len(examples))
    if documents is None:
        log.info(
            "No %s beside %s: sentence mode for this split (model.dataset.context=document needs it; "
            "dataset_convert writes it from -DOCSTART- lines)",
            path.name,
            text_file.name,
        )
        return examples, None, None
    units, sizes = pack(examples, documents)
    log.info("Document context: %d sentences of %s in %d documents", len(examples), text_file.name, len(units))
    return units, sizes, path


def load_split(
    split_cfg,
    data_dir: Path,
    tokenizer,
    labels: list[str],
    settings: WindowSettings,
    use_cache: bool = True,
    fallback_dir: Path | None = None,
    context: str = "sentence",
):
    """(examples, features, facts to log, the words of each document unit or None in sentence mode)."""
    text_file = data_dir / split_cfg.text_file
    labels_file = data_dir / split_cfg.labels_file if split_cfg.labels_file else None
    examples = read_examples(text_file, labels_file, split_cfg.num_samples)
    if labels_file is not None:
        check_labels_known(examples, labels, labels_file)
    units, unit_words, documents_file = document_units(examples, text_file, context)
    files = [text_file] + ([labels_file] if labels_file else []) + ([documents_file] if documents_file else [])
    path = (
        data_dir
        / ".tokcls_cache"
        / f"features_{cache.cache_key(files, tokenizer, labels, settings, split_cfg.num_samples)}.safetensors"
    )
    cached = cache.load(path) if use_cache else None
    if cached is not None:
        log.info("Features of %s read from cache %s", text_file.name, path)
        features, info = cached
    else:
        features, info = encode(units, tokenizer, labels if labels_file else None, settings)
        if use_cache:
            cache.store(path, features, info, fallback_dir)
    return examples, features, info, unit_words


def log_split(
    name: str,
    examples: list[Example],
    features: Features,
    info: dict,
    settings: WindowSettings,
    tokenizer,
    labels,
    unit: str = "sentence",
) -> None:
    """`unit`: what was encoded as one sequence, sentences, or documents (context=document)."""
    lengths = info["sentence_lengths"]
    log.info(
        "%s: %d sentences, %d words, %d windows",
        name,
        len(examples),
        sum(len(e.words) for e in examples),
        len(features),
    )
    if lengths:
        log.info(
            "  %s length in sub-tokens: %s", unit, "  ".join(f"{k} {v:g}" for k, v in length_stats(lengths).items())
        )
    log.info(
        "  %d %ss are longer than max_seq_length=%d and were split into overlapping windows "
        "(stride %d); no word is dropped",
        info["windowed_sentences"],
        unit,
        settings.max_seq_length,
        settings.stride,
    )
    if len(features):
        window = features.window(0)
        log.info("  example window of sentence %d:", int(window["example"]))
        log.info("    subtokens: %s", " ".join(tokenizer.convert_ids_to_tokens(window["input_ids"].tolist())))
        log.info("    loss_mask: %s", " ".join("1" if lab != IGNORE else "0" for lab in window["labels"]))
        log.info("    labels:    %s", " ".join(labels[lab] if lab != IGNORE else "-" for lab in window["labels"]))


def read_training_split(name: str, split_cfg, config, tokenizer, labels, settings, fallback_dir):
    """(examples, features, the words of each document unit or None) of training_ds or validation_ds."""
    dataset = config.model.dataset
    data_dir = Path(config.data_dir) if config.data_dir else None
    examples, features, info, units = load_split(
        split_cfg,
        data_dir,
        tokenizer,
        labels,
        settings,
        dataset.use_cache,
        fallback_dir,
        dataset.get("context", "sentence"),
    )
    if not any(e.words for e in examples):  # nothing to train on or to pick the best epoch by
        key = "training_ds" if name == "train" else "validation_ds"
        raise InputError(
            f"the {name} split has no words",
            f"check {key}.text_file and {key}.num_samples",
            data_dir / split_cfg.text_file,
        )
    log_split(
        name, examples, features, info, settings, tokenizer, labels, "document" if units is not None else "sentence"
    )
    return examples, features, units
