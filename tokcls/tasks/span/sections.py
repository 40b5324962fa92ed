"""The span task's spec keys: `model.task` (which of token_classification's tasks trains) and the `model.span`
section. They join token_classification's train, fine-tune, tune, evaluate and infer specs (commands/
token_classification/specs.py), so flat IOB data and a nested span file train with the same commands and layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional

from tokcls.config.sections import _help


class TaskName(str, Enum):
    token_classification = "token_classification"
    span_classification = "span_classification"


TASK_HELP = (
    "Which task token_classification trains: token_classification (a label per word; model.head.decoder picks "
    "argmax, constrained or crf) or span_classification (every span of up to model.span.max_entity_length words "
    "scored over the entity types and 'no entity'; flat or nested entities, model.span). Both read the same "
    "text/labels files; span_classification also reads labels files of JSON spans, which may nest (docs/span.md). "
    "evaluate, infer, export and fine-tune take the task from the archive."
)


class SpanDecoderName(str, Enum):
    flat = "flat"
    nested = "nested"


@dataclass
class SpanConfig:
    """The span task (model.task=span_classification): its candidate spans, representation and decoding."""

    max_entity_length: int = field(
        default=8,
        metadata=_help(
            "The longest candidate span, in words (SpanMarker's max_entity_length). A gold entity longer than this can "
            "never be predicted: train and evaluate log how many there are per type. Every candidate lies whole in a "
            "window when model.dataset.stride holds its sub-tokens; one that does not is counted as lost too.",
            ge=1,
            le=64,
        ),
    )
    decoder: SpanDecoderName = field(
        default=SpanDecoderName.flat,
        metadata=_help(
            "flat: the spans whose best label is a type, highest probability first, each kept unless it overlaps one "
            "kept before (IOB data's entities); nested: every span whose type has at least `threshold` probability, "
            "kept unless it crosses (overlaps without nesting) one kept before."
        ),
    )
    threshold: float = field(
        default=0.5, metadata=_help("nested: the type probability a span needs to be an entity.", ge=0, le=1)
    )
    width_embedding_dim: int = field(
        default=32, metadata=_help("Size of the learned embedding of a span's width in words.", ge=1, le=1024)
    )


@dataclass
class InferenceSpanConfig:
    """How evaluate and infer decode a span archive; null keeps what it was trained with."""

    decoder: Optional[SpanDecoderName] = field(
        default=None, metadata=_help("flat or nested (see train's model.span.decoder); null: the archive's.")
    )
    threshold: Optional[float] = field(
        default=None, metadata=_help("nested: the type probability a span needs; null: the archive's.", ge=0, le=1)
    )
