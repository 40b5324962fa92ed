"""The train and fine-tune specs, in the layout of NeMo/TAO's token-classification train spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from tokcls.config.experiment import ExpManagerConfig, TrainerConfig
from tokcls.config.sections import (
    ClassBalancing,
    DatasetConfig,
    ModelConfig,
    OptimConfig,
    SplitConfig,
    _help,
    class_balancing_field,
    seed_field,
    split_field,
    train_restore_from_field,
)
from tokcls.core.errors import MISSING

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
