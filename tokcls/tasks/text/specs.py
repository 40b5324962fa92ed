"""The text_classification specs, in the layout of NeMo/TAO's text-classification spec.

Shared with token_classification at the same paths: seed, model.language_model, model.tokenizer, optim,
trainer, exp_manager, restore_from, input_batch, runtime/onnx_file/quantize. Text-only: training_ds.file_path
(and _ds.num_workers / drop_last / pin_memory, where TAO's text spec has them), model.class_labels,
model.classifier_head, model.dataset.num_classes / problem_type / class_balancing / do_lower_case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from conversion.text_dataset import ProblemType
from tokcls.config.experiment import CheckpointConfig, ExpManagerConfig, TrainerConfig
from tokcls.config.inference import (
    AnnotationsConfig,
    DeviceConfig,
    InferDeviceConfig,
    Quantize,
    Runtime,
    ShardConfig,
    _annotations_field,
    _device_field,
    _infer_device_field,
    _onnx_file_field,
    _quantize_field,
    _restore_from_field,
    _runtime_field,
    _shard_field,
    compare_to_field,
)
from tokcls.config.sections import (
    Activation,
    ClassBalancing,
    LanguageModelConfig,
    OptimConfig,
    TokenizerConfig,
    _help,
    seed_field,
    train_restore_from_field,
)
from tokcls.config.tune import SearchConfig, search_field

DATA_DIR_HELP = (
    "Folder the *_ds.file_path names are relative to (dataset_convert's target_data_dir); null: file_path "
    "as given. label_ids.csv is read from it, or from beside training_ds.file_path."
)


@dataclass
class TextSplitConfig:
    """One split (TAO: training_ds, validation_ds, test_ds): a file of `text<TAB>label` lines."""

    file_path: Optional[str] = field(
        default=None,
        metadata=_help(
            "The split's file, one example a line: text, a tab, the label id (pairs: text, tab, text_b, tab, label); "
            "written by dataset_convert. Relative paths are read from data_dir when it is set."
        ),
    )
    batch_size: int = field(
        default=32,
        metadata=_help(
            "Texts per batch; a batch never holds more than this many windows (long texts share a batch with fewer others).",
            ge=1,
        ),
    )
    shuffle: bool = field(
        default=False,
        metadata=_help("Shuffle the order of the batches every epoch (batches group texts of similar length)."),
    )
    num_samples: int = field(default=-1, metadata=_help("Use only the first N texts; -1 uses all.", ge=1, also=(-1,)))
    num_workers: int = field(
        default=0, metadata=_help("DataLoader worker processes (0: in the training process).", ge=0)
    )
    drop_last: bool = field(
        default=False, metadata=_help("TAO's key; must be false: every text is trained on and scored.")
    )
    pin_memory: bool = field(
        default=False, metadata=_help("Put batches in page-locked memory (faster copies to a GPU).")
    )


def text_split(file_path: Optional[str], shuffle: bool, batch_size: int, help_text: str):
    return field(default_factory=lambda: TextSplitConfig(file_path, batch_size, shuffle), metadata=_help(help_text))


@dataclass
class ClassLabelsConfig:
    class_labels_file: Optional[str] = field(
        default=None,
        metadata=_help(
            "The label names, one a line, id = line number from 0 (dataset_convert's label_ids.csv); null: "
            "label_ids.csv in data_dir, or beside training_ds.file_path."
        ),
    )


@dataclass
class TextDatasetConfig:
    """How texts become windows, and what their labels are (NeMo: model.dataset)."""

    problem_type: ProblemType = field(
        default=ProblemType.single_label_classification,
        metadata=_help(
            "single_label_classification (softmax over the classes), multi_label_classification (a sigmoid per label; "
            "per-label thresholds tuned on validation_ds after training, kept in the archive) or regression (one value, "
            "mean squared error). Hugging Face's config.problem_type names."
        ),
    )
    num_classes: Optional[int] = field(
        default=None,
        metadata=_help("TAO's key: the number of classes; checked against the label file (null: taken from it).", ge=1),
    )
    max_seq_length: int = field(
        default=256,
        metadata=_help(
            "Most sub-tokens per window, special tokens included. Longer texts are split into overlapping windows whose "
            "scores are pooled (their mean): no text is truncated.",
            ge=8,
        ),
    )
    stride: int = field(default=64, metadata=_help("Sub-tokens shared by consecutive windows of a long text.", ge=0))
    class_balancing: Optional[ClassBalancing] = field(
        default=None,
        metadata=_help(
            "null (or none), or weighted_loss: weigh each class by total / (num_classes * count) in the training texts "
            "(single-label only)."
        ),
    )
    do_lower_case: Optional[bool] = field(
        default=None,
        metadata=_help(
            "TAO's key: lowercase the input; null keeps the tokenizer's own setting (model.tokenizer.lowercase says the same)."
        ),
    )
    use_cache: bool = field(
        default=True,
        metadata=_help(
            "Cache tokenized features in .tokcls_cache beside the data, keyed by the files' content, tokenizer and settings."
        ),
    )
    bucket_pool: int = field(
        default=50, metadata=_help("Training batches sorted by length together (see token_classification).", ge=1)
    )


@dataclass
class ClassifierHeadConfig:
    """The classifier on each window's [CLS] (NeMo: model.classifier_head)."""

    num_output_layers: int = field(
        default=2,
        metadata=_help(
            "Linear layers; 2 with tanh is the pooler + classifier of BERT/MPNet-ForSequenceClassification (exports to "
            "a Hugging Face directory).",
            ge=1,
        ),
    )
    fc_dropout: float = field(default=0.1, metadata=_help("Dropout before each linear layer.", ge=0, lt=1))
    activation: Activation = field(
        default=Activation.tanh, metadata=_help("Activation between layers: tanh (BERT's pooler), relu, gelu, silu.")
    )
    use_transformer_init: bool = field(
        default=True, metadata=_help("Initialise the head like a transformer: weights normal(0, 0.02), biases 0.")
    )


@dataclass
class TextModelConfig:
    class_labels: ClassLabelsConfig = field(default_factory=ClassLabelsConfig, metadata=_help("The label names."))
    dataset: TextDatasetConfig = field(
        default_factory=TextDatasetConfig, metadata=_help("Windows and labels (NeMo: model.dataset).")
    )
    language_model: LanguageModelConfig = field(
        default_factory=LanguageModelConfig, metadata=_help("The pretrained encoder.")
    )
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig, metadata=_help("The tokenizer."))
    classifier_head: ClassifierHeadConfig = field(
        default_factory=ClassifierHeadConfig, metadata=_help("The classification head.")
    )
    infer_samples: List[str] = field(
        default_factory=list, metadata=_help("TAO's key: texts whose predictions are printed after training.")
    )


def _text_exp_manager(name: str):
    return field(
        default_factory=lambda: ExpManagerConfig(
            name=name, checkpoint_callback_params=CheckpointConfig(monitor="val_loss")
        ),
        metadata=_help(
            "Log directory, loggers and checkpoints (monitor: val_loss, val_accuracy, val_macro_f1, "
            "val_micro_f1, val_mcc, val_subset_accuracy, val_pearson, val_spearman, val_mse)."
        ),
    )


@dataclass
class TextTrainConfig:
    """text_classification train -e specs/text_classification/train.yaml -r RESULTS data_dir=DATA"""

    seed: int = seed_field()
    restore_from: Optional[str] = train_restore_from_field()
    data_dir: Optional[str] = field(default=None, metadata=_help(DATA_DIR_HELP))
    training_ds: TextSplitConfig = text_split("train.tsv", True, 32, "The training split.")
    validation_ds: TextSplitConfig = text_split("dev.tsv", False, 64, "The split scored after every epoch.")
    test_ds: TextSplitConfig = text_split(
        None, False, 64, "Scored with the archived model after training when file_path is set."
    )
    model: TextModelConfig = field(default_factory=TextModelConfig, metadata=_help("Model."))
    optim: OptimConfig = field(
        default_factory=OptimConfig, metadata=_help("Optimizer and schedule (NeMo: model.optim).")
    )
    trainer: TrainerConfig = field(default_factory=TrainerConfig, metadata=_help("Lightning Trainer settings."))
    exp_manager: ExpManagerConfig = _text_exp_manager("tokcls_text")


@dataclass
class TextFineTuneModelConfig:
    class_labels: ClassLabelsConfig = field(
        default_factory=ClassLabelsConfig, metadata=_help("The new data's label names; must equal the model's.")
    )
    dataset: TextDatasetConfig = field(
        default_factory=TextDatasetConfig, metadata=_help("Windows (problem_type must be the model's).")
    )


@dataclass
class TextFineTuneConfig:
    """text_classification fine-tune -e specs/text_classification/fine-tune.yaml -r RESULTS -m MODEL.tcls data_dir=DATA"""

    seed: int = seed_field("Seeds every random generator.")
    restore_from: Optional[str] = _restore_from_field()
    data_dir: Optional[str] = field(default=None, metadata=_help(DATA_DIR_HELP))
    training_ds: TextSplitConfig = text_split("train.tsv", True, 32, "The training split of the new data.")
    validation_ds: TextSplitConfig = text_split("dev.tsv", False, 64, "The split scored after every epoch.")
    test_ds: TextSplitConfig = text_split(None, False, 64, "Scored after training when file_path is set.")
    model: TextFineTuneModelConfig = field(
        default_factory=TextFineTuneModelConfig, metadata=_help("What may change about the model.")
    )
    optim: OptimConfig = field(
        default_factory=lambda: OptimConfig(lr=2e-5, head_lr=None), metadata=_help("Optimizer and schedule.")
    )
    trainer: TrainerConfig = field(
        default_factory=lambda: TrainerConfig(max_epochs=2), metadata=_help("Lightning Trainer settings.")
    )
    exp_manager: ExpManagerConfig = _text_exp_manager("tokcls_text_finetuned")


@dataclass
class TextInferenceDatasetConfig:
    max_seq_length: Optional[int] = field(
        default=None, metadata=_help("Sub-tokens per window; null: the model's.", ge=8)
    )
    stride: Optional[int] = field(
        default=None, metadata=_help("Sub-tokens shared by consecutive windows; null: the model's.", ge=0)
    )


@dataclass
class TextInferenceModelConfig:
    dataset: TextInferenceDatasetConfig = field(
        default_factory=TextInferenceDatasetConfig, metadata=_help("Window settings.")
    )


@dataclass
class TextEvaluateConfig:
    """text_classification evaluate -e specs/text_classification/evaluate.yaml -r RESULTS -m MODEL.tcls"""

    restore_from: Optional[str] = _restore_from_field()
    compare_to: Optional[str] = compare_to_field()
    data_dir: Optional[str] = field(default=None, metadata=_help(DATA_DIR_HELP))
    test_ds: TextSplitConfig = text_split("test.tsv", False, 64, "The labelled split to score.")
    model: TextInferenceModelConfig = field(
        default_factory=TextInferenceModelConfig, metadata=_help("Window settings.")
    )
    trainer: DeviceConfig = _device_field()
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()


@dataclass
class TextInferConfig:
    """text_classification infer -e specs/text_classification/infer.yaml -r RESULTS -m MODEL.tcls [input_file=TEXT]"""

    restore_from: Optional[str] = _restore_from_field()
    input_batch: List[str] = field(
        default_factory=lambda: [
            "by the end of no such thing the audience , like beatrice , has a watchful affection for the monster .",
            "How many hours of daylight does Stockholm get in December ?",
        ],
        metadata=_help("Texts to classify (used when input_file is null); a pair is written text<TAB>text_b."),
    )
    input_file: Optional[str] = field(
        default=None,
        metadata=_help(
            "A UTF-8 file, one text a line (pairs: text<TAB>text_b), any size: read in chunks, never all in memory. Lines end "
            "at LF or CRLF; a lone CR stays inside its line, so every line gives one record."
        ),
    )
    output_file: str = field(
        default="infer_results.jsonl",
        metadata=_help(
            "JSON Lines written to RESULTS: per text the prediction and every class's probability (or the value)."
        ),
    )
    batch_size: int = field(default=64, metadata=_help("Texts per batch (at most this many windows).", ge=1))
    chunk_lines: int = field(
        default=2000, metadata=_help("Lines of input_file classified at a time (bounds memory).", ge=1)
    )
    max_printed: int = field(
        default=20, metadata=_help("Query/Result lines printed (all of them go to output_file).", ge=0)
    )
    annotations: AnnotationsConfig = _annotations_field()
    model: TextInferenceModelConfig = field(
        default_factory=TextInferenceModelConfig, metadata=_help("Window settings.")
    )
    trainer: InferDeviceConfig = _infer_device_field()
    shard: ShardConfig = _shard_field()
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()


__all__ = [
    "TextTrainConfig",
    "TextFineTuneConfig",
    "TextEvaluateConfig",
    "TextInferConfig",
    "DeviceConfig",
    "TokenizerConfig",
]


@dataclass
class TextTuneConfig(TextTrainConfig):
    """text_classification tune -e specs/text_classification/tune.yaml -r RESULTS data_dir=DATA"""

    search: SearchConfig = search_field()
