"""The spec sections of token_classification, in the layout of NeMo/TAO's token-classification spec: the splits
(text_file / labels_file), model.dataset (windows of words, context), model.head (layers and decoder), model.

Each field's `help` is the one description of its key: specs/*.yaml and docs/spec_reference.md are rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional

from tokcls.config.sections import (
    Activation,
    ClassBalancing,
    LanguageModelConfig,
    TokenizerConfig,
    _help,
    class_balancing_field,
)
from tokcls.core.errors import MISSING


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
    shape_embedding_dim: int = field(
        default=16,
        metadata=_help(
            "Size of a learned embedding of each word's shape (lower, Capitalised, ALL CAPS, mixed, digits, "
            "punctuation, ...), put beside the encoder's state at the word's first sub-token: the casing an uncased "
            "encoder never sees. 0: off. Read by the token and the span heads. Default 16: on CoNLL-2003 dev (crf, "
            "3 epochs, 2 seeds) 92.69 entity F1 against 91.18 without, at the same training time (docs/benchmarks.md). "
            "The Hugging Face export (format=hf) takes the encoder alone: train with 0 for pipeline().",
            ge=0,
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
