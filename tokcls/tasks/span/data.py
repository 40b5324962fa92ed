"""Reading a span split for training: text and labels files -> span examples -> cached windows with candidate spans,
with the facts logged: lengths, windows, and the gold entities no candidate can predict (longer than
max_entity_length, or in no window whole), per type, as SpanMarker reports them."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import numpy as np

from conversion.stats import length_stats
from tokcls.core.errors import InputError
from tokcls.data import cache
from tokcls.data.documents import docs_file, read_documents
from tokcls.tasks.span.examples import NONE, SpanExample, pack, read_span_examples
from tokcls.tasks.span.features import SpanWindowSettings, encode

log = logging.getLogger("tokcls")


def window_settings(dataset_cfg, span_cfg, word_shapes: bool = False) -> SpanWindowSettings:
    """From model.dataset and model.span; `word_shapes`: the head reads them (model.head.shape_embedding_dim > 0)."""
    return SpanWindowSettings(
        dataset_cfg.max_seq_length,
        dataset_cfg.stride,
        word_shapes=word_shapes,
        max_entity_length=span_cfg.max_entity_length,
    )


def check_types_known(examples: list[SpanExample], labels: list[str], path: Path) -> None:
    known = set(labels) - {NONE}
    for number, example in enumerate(examples, start=1):
        unknown = sorted({t for _, _, t in example.spans or ()} - known)
        if unknown:
            raise InputError(
                f"entity type(s) {', '.join(unknown)} are not in label_ids.csv",
                "convert all splits together with dataset_convert (allow_unseen_labels=true adds dev/test labels)",
                path,
                number,
            )


def too_long(examples: list[SpanExample], max_width: int) -> Counter:
    return Counter(t for e in examples for s, end, t in e.spans or () if end - s > max_width)


def in_no_window(examples: list[SpanExample], features) -> Counter:
    """Gold entities short enough to be candidates that no window holds whole (they have no row), per type."""
    windows = np.repeat(np.arange(len(features)), np.diff(features.item_offsets))
    rows = set(zip(features.example[windows].tolist(), features.items["span_id"].tolist()))
    lost: Counter = Counter()
    for number, example in enumerate(examples):
        if not example.spans:
            continue
        index = {span: k for k, span in enumerate(example.candidate_spans())}
        for start, end, type_ in example.spans:
            if (start, end) in index and (number, index[(start, end)]) not in rows:
                lost[type_] += 1
    return lost


def shared_words(examples: list[SpanExample]) -> Counter:
    """Gold spans whose words carry another gold span's type too, per type lost: a span gets one type (the last in
    sorted order: examples.SpanExample.labels), so the other one is never learned nor predicted."""
    lost: Counter = Counter()
    for example in examples:
        seen: dict[tuple[int, int], list[str]] = {}
        for start, end, type_ in example.spans or ():
            seen.setdefault((start, end), []).append(type_)
        lost.update(t for types in seen.values() for t in sorted(types)[:-1])
    return lost


def log_lost(name: str, examples: list[SpanExample], features, max_width: int) -> None:
    """The gold entities the model cannot predict, per type: longer than max_entity_length, in no window whole, or on
    the same words as a span of another type."""
    total = Counter(t for e in examples for _, _, t in e.spans or ())
    for type_, count in sorted(shared_words(examples).items()):
        log.info(
            "  %s: %d of %d %s spans lie on the same words as a span of another type: a span gets one type, these are "
            "not learned",
            name,
            count,
            total[type_],
            type_,
        )
    longer, outside = too_long(examples, max_width), in_no_window(examples, features)
    if not (longer or outside):
        log.info("  every gold entity of %s is a candidate span (max_entity_length=%d)", name, max_width)
        return
    for type_ in sorted(set(longer) | set(outside)):
        log.info(
            "  %s: %d of %d %s entities cannot be predicted (%d longer than max_entity_length=%d words, %d in no "
            "window whole)",
            name,
            longer[type_] + outside[type_],
            total[type_],
            type_,
            longer[type_],
            max_width,
            outside[type_],
        )


def document_units(examples: list[SpanExample], text_file: Path, context) -> tuple[list, list[int] | None, list[Path]]:
    """(what to encode, the candidate spans of each unit or None in sentence mode, the docs file read, if any): with
    context=document the sentences of each document of docs_<split>.txt packed together."""
    if getattr(context, "value", context) != "document":
        return examples, None, []
    path = docs_file(text_file)
    documents = read_documents(path, len(examples))
    if documents is None:
        log.info("No %s beside %s: sentence mode for this split (context=document needs it)", path.name, text_file.name)
        return examples, None, []
    units, sizes = pack(examples, documents)
    log.info("Document context: %d sentences of %s in %d documents", len(examples), text_file.name, len(units))
    return units, sizes, [path]


def load_split(split_cfg, data_dir: Path, tokenizer, labels, settings, use_cache, fallback_dir, context="sentence"):
    """(examples, what was encoded: the examples or their document units, features, facts, each unit's candidates)."""
    text_file = data_dir / split_cfg.text_file
    labels_file = data_dir / split_cfg.labels_file if split_cfg.labels_file else None
    examples = read_span_examples(text_file, labels_file, split_cfg.num_samples, settings.max_entity_length)
    if labels_file is not None:
        check_types_known(examples, labels, labels_file)
    units, sizes, documents_file = document_units(examples, text_file, context)
    files = [text_file] + ([labels_file] if labels_file else []) + documents_file
    key = cache.cache_key(files, tokenizer, labels, settings, split_cfg.num_samples)
    path = data_dir / ".tokcls_cache" / f"span_features_{key}.safetensors"
    cached = cache.load(path) if use_cache else None
    if cached is not None:
        log.info("Features of %s read from cache %s", text_file.name, path)
        features, info = cached
    else:
        features, info = encode(units, tokenizer, labels if labels_file else None, settings)
        if use_cache:
            cache.store(path, features, info, fallback_dir)
    return examples, units, features, info, sizes


def read_training_split(name: str, split_cfg, config, tokenizer, labels, settings, fallback_dir):
    """(examples, features, the candidate spans of each document unit or None in sentence mode) of training_ds or
    validation_ds."""
    data_dir = Path(config.data_dir)
    dataset = config.model.dataset
    examples, units, features, info, sizes = load_split(
        split_cfg, data_dir, tokenizer, labels, settings, dataset.use_cache, fallback_dir, dataset.context
    )
    if not any(e.words for e in examples):
        key = "training_ds" if name == "train" else "validation_ds"
        raise InputError(
            f"the {name} split has no words",
            f"check {key}.text_file and {key}.num_samples",
            data_dir / split_cfg.text_file,
        )
    log.info(
        "%s: %d sentences, %d gold entities, %d windows, %d candidate spans",
        name,
        len(examples),
        sum(len(e.spans or ()) for e in examples),
        len(features),
        len(features.items["span_id"]),
    )
    if info["sentence_lengths"]:
        stats = length_stats(info["sentence_lengths"])
        unit = "document" if sizes is not None else "sentence"
        log.info("  %s length in sub-tokens: %s", unit, "  ".join(f"{k} {v:g}" for k, v in stats.items()))
    log_lost(name, units, features, settings.max_entity_length)
    return examples, features, sizes
