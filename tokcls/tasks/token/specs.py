"""The specs of token_classification's commands (train, fine-tune, evaluate, infer, tune), in the layout of NeMo/TAO's
token-classification specs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from tokcls.config.experiment import ExpManagerConfig, TrainerConfig
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
    ClassBalancing,
    OptimConfig,
    _help,
    class_balancing_field,
    seed_field,
    train_restore_from_field,
)
from tokcls.config.tune import SearchConfig, search_field
from tokcls.core.errors import MISSING
from tokcls.tasks.token.sections import (
    DECODER_HELP,
    DatasetConfig,
    DecoderName,
    InferenceDatasetConfig,
    ModelConfig,
    SplitConfig,
    split_field,
)

DATA_DIR_HELP = "Folder with text_*.txt, labels_*.txt and label_ids.csv (written by dataset_convert)."
TEST_DS_HELP = (
    "Scored with the archived model after training when text_file is set (the test summary ends the log); "
    "null: no test."
)


@dataclass
class TrainConfig:
    """token_classification train -e specs/train.yaml -r RESULTS data_dir=DATA [key=value ...]"""

    seed: int = seed_field()
    restore_from: Optional[str] = train_restore_from_field()
    data_dir: str = field(default=MISSING, metadata=_help(DATA_DIR_HELP))
    training_ds: SplitConfig = split_field("text_train.txt", "labels_train.txt", True, 32, "The training split.")
    validation_ds: SplitConfig = split_field(
        "text_dev.txt", "labels_dev.txt", False, 64, "The split scored after every epoch."
    )
    test_ds: SplitConfig = split_field(None, None, False, 64, TEST_DS_HELP)
    model: ModelConfig = field(default_factory=ModelConfig, metadata=_help("Model."))
    optim: OptimConfig = field(
        default_factory=OptimConfig, metadata=_help("Optimizer and schedule (NeMo: model.optim).")
    )
    trainer: TrainerConfig = field(default_factory=TrainerConfig, metadata=_help("Lightning Trainer settings."))
    exp_manager: ExpManagerConfig = field(
        default_factory=ExpManagerConfig, metadata=_help("Log directory, loggers and checkpoints.")
    )


@dataclass
class FineTuneModelConfig:
    """What may change about the archived model; the encoder, tokenizer and head come from the archive."""

    label_ids: Optional[str] = field(
        default=None, metadata=_help("The new data's label map; null uses data_dir/label_ids.csv.")
    )
    extend_labels: bool = field(
        default=False,
        metadata=_help(
            "Labels of the new data that the model lacks stop the command with a list of them; true adds output "
            "rows for them (the old labels' predictions stay unchanged at step 0). A higher optim.head_lr helps them learn."
        ),
    )
    class_balancing: Optional[ClassBalancing] = class_balancing_field()
    dataset: DatasetConfig = field(
        default_factory=DatasetConfig, metadata=_help("How sentences become windows (as in train).")
    )


@dataclass
class FineTuneConfig:
    """token_classification fine-tune -e specs/fine-tune.yaml -r RESULTS -m MODEL.tcls data_dir=DATA"""

    seed: int = seed_field("Seeds every random generator.")
    restore_from: Optional[str] = field(
        default=None, metadata=_help("The model archive to continue training; -m wins when both are given.")
    )
    data_dir: str = field(default=MISSING, metadata=_help(DATA_DIR_HELP))
    training_ds: SplitConfig = split_field(
        "text_train.txt", "labels_train.txt", True, 32, "The training split of the new data."
    )
    validation_ds: SplitConfig = split_field(
        "text_dev.txt", "labels_dev.txt", False, 64, "The split scored after every epoch."
    )
    test_ds: SplitConfig = split_field(None, None, False, 64, TEST_DS_HELP)
    model: FineTuneModelConfig = field(
        default_factory=FineTuneModelConfig, metadata=_help("What may change about the model.")
    )
    optim: OptimConfig = field(
        default_factory=lambda: OptimConfig(lr=2e-5, head_lr=None), metadata=_help("Optimizer and schedule.")
    )
    trainer: TrainerConfig = field(
        default_factory=lambda: TrainerConfig(max_epochs=2), metadata=_help("Lightning Trainer settings.")
    )
    exp_manager: ExpManagerConfig = field(
        default_factory=lambda: ExpManagerConfig(name="tokcls_finetuned"),
        metadata=_help("Log directory, loggers and checkpoints."),
    )


@dataclass
class InferenceHeadConfig:
    """How the archived model's word scores become labels."""

    decoder: Optional[DecoderName] = field(
        default=None,
        metadata=_help(
            "null: the decoder the model was trained with. "
            + DECODER_HELP
            + "Any model can be decoded with argmax or constrained; crf needs a model trained with it."
        ),
    )


@dataclass
class InferenceModelConfig:
    """What may change about the archived model when it runs."""

    head: InferenceHeadConfig = field(default_factory=InferenceHeadConfig, metadata=_help("The decoder."))
    dataset: InferenceDatasetConfig = field(default_factory=InferenceDatasetConfig, metadata=_help("Window settings."))


def _model_field():
    return field(
        default_factory=InferenceModelConfig,
        metadata=_help("Decoder (model.head) and window settings (model.dataset)."),
    )


@dataclass
class EvaluateConfig:
    """token_classification evaluate -e specs/evaluate.yaml -r RESULTS -m MODEL.tcls data_dir=DATA"""

    restore_from: Optional[str] = _restore_from_field()
    compare_to: Optional[str] = compare_to_field()
    data_dir: str = field(default=MISSING, metadata=_help("Folder with the text/labels files to score."))
    test_ds: SplitConfig = split_field(
        "text_test.txt",
        "labels_test.txt",
        False,
        64,
        "The split to score (shuffle only changes the order the batches run in).",
    )
    model: InferenceModelConfig = _model_field()
    trainer: DeviceConfig = _device_field()
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()


@dataclass
class InferConfig:
    """token_classification infer -e specs/infer.yaml -r RESULTS -m MODEL.tcls [input_file=TEXT]"""

    restore_from: Optional[str] = _restore_from_field()
    input_batch: List[str] = field(
        default_factory=lambda: [
            "we bought four shirts from the nvidia gear store in santa clara .",
            "Nvidia is a company headquartered in Santa Clara .",
        ],
        metadata=_help("Raw sentences to label (used when input_file is null)."),
    )
    input_file: Optional[str] = field(
        default=None,
        metadata=_help(
            "A UTF-8 text file, one text per line, any size: read and labelled in chunks, never all in memory. Lines end at "
            "LF or CRLF; a lone CR stays inside its line, so every line gives one record."
        ),
    )
    output_file: str = field(
        default="infer_results.jsonl",
        metadata=_help(
            "JSON Lines written to RESULTS: per input the words, their labels and character offsets, and the entity spans."
        ),
    )
    batch_size: int = field(default=64, metadata=_help("Windows per batch.", ge=1))
    chunk_lines: int = field(
        default=2000, metadata=_help("Lines of input_file labelled at a time (bounds memory).", ge=1)
    )
    max_printed: int = field(
        default=20, metadata=_help("Query/Result lines printed (all of them go to output_file).", ge=0)
    )
    annotations: AnnotationsConfig = _annotations_field()
    model: InferenceModelConfig = _model_field()
    trainer: InferDeviceConfig = _infer_device_field()
    shard: ShardConfig = _shard_field()
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()


@dataclass
class TuneConfig(TrainConfig):
    """token_classification tune -e specs/tune.yaml -r RESULTS data_dir=DATA"""

    search: SearchConfig = search_field()
