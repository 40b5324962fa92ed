"""The train spec: one dataclass per concern, following NeMo's token-classification spec.

Every field is documented in specs/train.yaml and in docs/spec_reference.md (generated).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional

MISSING = "???"


@dataclass
class SplitConfig:
    text_file: str = MISSING
    labels_file: Optional[str] = None
    shuffle: bool = False
    num_samples: int = -1  # -1: all sentences
    batch_size: int = 32


@dataclass
class DataConfig:
    data_dir: str = MISSING
    train_ds: SplitConfig = field(default_factory=lambda: SplitConfig("text_train.txt", "labels_train.txt", True, -1, 32))
    validation_ds: SplitConfig = field(default_factory=lambda: SplitConfig("text_dev.txt", "labels_dev.txt", False, -1, 64))
    max_seq_length: int = 128
    stride: int = 32
    label_all_subwords: bool = False
    pad_label: str = "O"
    use_cache: bool = True
    num_workers: int = 0


@dataclass
class LanguageModelConfig:
    pretrained_model_name: str = "sentence-transformers/all-MiniLM-L6-v2"
    lm_checkpoint: Optional[str] = None
    config_file: Optional[str] = None
    config: Dict[str, Any] = field(default_factory=dict)


@dataclass
class TokenizerConfig:
    tokenizer_name: Optional[str] = None
    vocab_file: Optional[str] = None
    tokenizer_model: Optional[str] = None
    lowercase: Optional[bool] = None


class Activation(str, Enum):
    relu = "relu"
    gelu = "gelu"
    tanh = "tanh"
    silu = "silu"


@dataclass
class HeadConfig:
    num_fc_layers: int = 1
    fc_dropout: float = 0.1
    activation: Activation = Activation.relu
    use_transformer_init: bool = True


class ClassBalancing(str, Enum):
    none = "none"
    weighted_loss = "weighted_loss"


@dataclass
class ModelConfig:
    label_ids: Optional[str] = None
    language_model: LanguageModelConfig = field(default_factory=LanguageModelConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    head: HeadConfig = field(default_factory=HeadConfig)
    class_balancing: ClassBalancing = ClassBalancing.none


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
    name: SchedulerName = SchedulerName.linear
    warmup_ratio: Optional[float] = 0.1
    warmup_steps: Optional[int] = None
    min_lr: float = 0.0


@dataclass
class OptimConfig:
    name: OptimizerName = OptimizerName.adamw
    lr: float = 5e-5
    head_lr: Optional[float] = None
    weight_decay: float = 0.01
    betas: List[float] = field(default_factory=lambda: [0.9, 0.999])
    eps: float = 1e-8
    momentum: float = 0.9
    sched: SchedConfig = field(default_factory=SchedConfig)


@dataclass
class TrainerConfig:
    max_epochs: int = 3
    max_steps: int = -1
    accelerator: str = "auto"
    devices: Any = 1
    strategy: str = "auto"
    num_nodes: int = 1
    precision: str = "32-true"
    accumulate_grad_batches: int = 1
    gradient_clip_val: Optional[float] = 1.0
    log_every_n_steps: int = 50
    val_check_interval: float = 1.0
    check_val_every_n_epoch: int = 1
    num_sanity_val_steps: int = 0
    deterministic: bool = False
    enable_progress_bar: bool = True


class MonitorMode(str, Enum):
    max = "max"
    min = "min"


@dataclass
class CheckpointConfig:
    monitor: str = "val_entity_f1"
    mode: MonitorMode = MonitorMode.max
    save_top_k: int = 1
    save_last: bool = True


@dataclass
class ExpManagerConfig:
    name: str = "tokcls"
    create_tensorboard_logger: bool = True
    checkpoint_callback_params: CheckpointConfig = field(default_factory=CheckpointConfig)
    resume_if_exists: bool = False


@dataclass
class TrainConfig:
    seed: int = 42
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    exp_manager: ExpManagerConfig = field(default_factory=ExpManagerConfig)
