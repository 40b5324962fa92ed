"""The trainer and exp_manager sections: Lightning's Trainer settings and NeMo's experiment manager keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional

from tokcls.config.sections import _help

# The metrics a run logs after each validation, and which direction is better (mode: auto picks it).
MONITORS = {
    "val_entity_f1": "max",
    "val_entity_precision": "max",
    "val_entity_recall": "max",
    "val_token_f1": "max",
    "val_token_macro_f1": "max",
    "val_loss": "min",
    "train_loss": "min",
    # the text task's
    "val_accuracy": "max",
    "val_f1": "max",
    "val_macro_f1": "max",
    "val_micro_f1": "max",
    "val_weighted_f1": "max",
    "val_mcc": "max",
    "val_subset_accuracy": "max",
    "val_pearson": "max",
    "val_spearman": "max",
    "val_mse": "min",
}


def monitor_mode(params) -> str:
    """min or max for checkpoint_callback_params: `auto` is min for losses and max for scores."""
    mode = getattr(params.mode, "value", params.mode)
    return MONITORS.get(params.monitor, "max") if mode == "auto" else mode


@dataclass
class TrainerConfig:
    """Passed to Lightning's Trainer (see its documentation for every value)."""

    max_epochs: int = field(
        default=3,
        metadata=_help("Epochs to train (Hugging Face: num_train_epochs); -1: until max_steps.", ge=1, also=(-1,)),
    )
    max_steps: int = field(
        default=-1, metadata=_help("Stop after this many optimizer steps; -1: no limit.", ge=1, also=(-1,))
    )
    accelerator: str = field(default="auto", metadata=_help("cpu, gpu, or auto."))
    devices: Any = field(default=1, metadata=_help("Number of devices (or a list, or auto); -g sets it."))
    strategy: str = field(default="auto", metadata=_help("auto, ddp, ... (Lightning strategies)."))
    num_nodes: int = field(default=1, metadata=_help("Machines taking part.", ge=1))
    precision: str = field(
        default="32-true",
        metadata=_help(
            "32-true (or 32), 16-mixed (or 16, GPUs only) or bf16-mixed (Hugging Face: fp16/bf16). bf16 on a CPU without bf16 units is slow."
        ),
    )
    accumulate_grad_batches: int = field(
        default=1, metadata=_help("Batches per optimizer step (Hugging Face: gradient_accumulation_steps).", ge=1)
    )
    gradient_clip_val: Optional[float] = field(
        default=1.0, metadata=_help("Gradient norm clipping (Hugging Face: max_grad_norm); null or 0: none.", ge=0)
    )
    log_every_n_steps: int = field(
        default=50, metadata=_help("Logging interval in steps (Hugging Face: logging_steps).", ge=1)
    )
    val_check_interval: float = field(
        default=1.0,
        metadata=_help("Validate every this fraction of an epoch (or every N batches if an integer > 1).", gt=0),
    )
    check_val_every_n_epoch: int = field(default=1, metadata=_help("Validate every N epochs.", ge=1))
    num_sanity_val_steps: int = field(
        default=0, metadata=_help("Validation batches run before training as a check (-1: all).", ge=0, also=(-1,))
    )
    deterministic: bool = field(
        default=False,
        metadata=_help("Force deterministic algorithms (slower on GPUs; CPU runs are repeatable already)."),
    )
    enable_progress_bar: bool = field(default=True, metadata=_help("Show the progress bar (steps, loss, speed)."))
    resume_from_checkpoint: Optional[str] = field(
        default=None,
        metadata=_help(
            "A Lightning checkpoint (.ckpt) to resume this run from; null: see exp_manager.resume_if_exists."
        ),
    )
    enable_checkpointing: Optional[bool] = field(
        default=None,
        metadata=_help(
            "NeMo's key, set to false there because exp_manager makes the checkpoints: null or false "
            "(use exp_manager.create_checkpoint_callback)."
        ),
    )
    logger: Optional[bool] = field(
        default=None,
        metadata=_help(
            "NeMo's key, set to false there because exp_manager makes the loggers: null or false "
            "(use exp_manager.create_tensorboard_logger / create_wandb_logger)."
        ),
    )


class MonitorMode(str, Enum):
    auto = "auto"
    max = "max"
    min = "min"


@dataclass
class CheckpointConfig:
    """Which checkpoints to keep and where the model archive goes (NeMo's checkpoint_callback_params)."""

    monitor: str = field(
        default="val_entity_f1",
        metadata=_help(
            "Metric that ranks checkpoints (Hugging Face: metric_for_best_model): " + ", ".join(MONITORS) + "."
        ),
    )
    mode: MonitorMode = field(
        default=MonitorMode.auto,
        metadata=_help(
            "auto (min for losses, max for scores), max or min: whether a higher monitor is better. "
            "A loss with max or a score with min is refused."
        ),
    )
    save_top_k: int = field(default=1, metadata=_help("Best checkpoints to keep (-1: all, 0: none).", ge=0, also=(-1,)))
    save_last: bool = field(default=True, metadata=_help("Also keep last.ckpt, used to resume."))
    save_best_model: bool = field(
        default=True,
        metadata=_help(
            "The archive holds the weights of the best checkpoint by monitor (true) or of the last step (false; NeMo's default)."
        ),
    )
    save_weights_only: bool = field(
        default=False, metadata=_help("Checkpoints hold the weights only (smaller, but a run cannot resume from them).")
    )
    every_n_train_steps: int = field(
        default=100,
        metadata=_help(
            "Also rewrite last.ckpt every N optimizer steps, so a killed run loses at most N steps (0: only after validation).",
            ge=0,
        ),
    )
    period: int = field(
        default=1,
        metadata=_help("Consider saving a top-k checkpoint every N epochs (Lightning: every_n_epochs).", ge=1),
    )
    verbose: bool = field(
        default=True, metadata=_help("Print when a checkpoint is saved and whether it entered the top k.")
    )
    dirpath: Optional[str] = field(
        default=None, metadata=_help("Folder of the checkpoints and the archive; null: LOG_DIR/checkpoints.")
    )
    filename: Optional[str] = field(
        default=None,
        metadata=_help(
            "Checkpoint name pattern (Lightning's), e.g. '{epoch}-{val_loss:.2f}'; null: '<name>--{epoch}-{step}-{<monitor>:.4f}'."
        ),
    )
    filepath: Optional[str] = field(
        default=None,
        metadata=_help("Older Lightning's dirpath and filename in one (DIR/PATTERN); when set it sets both."),
    )
    prefix: Optional[str] = field(
        default=None, metadata=_help("The archive's name without its extension; null: exp_manager.name.")
    )
    postfix: str = field(
        default=".tcls",
        metadata=_help("The archive's extension (TAO: .tlt, NeMo: .nemo): checkpoints/<prefix><postfix>."),
    )


@dataclass
class ExpManagerConfig:
    """The log directory (NeMo's exp_manager): logs, TensorBoard, checkpoints and the model archive."""

    explicit_log_dir: Optional[str] = field(
        default=None,
        metadata=_help("The log directory; -r sets it (and wins over the spec). null: exp_dir/name/version."),
    )
    exp_dir: Optional[str] = field(
        default=None,
        metadata=_help(
            "Root of the log directories when neither -r nor explicit_log_dir is given; null: ./tokcls_experiments."
        ),
    )
    name: str = field(
        default="tokcls", metadata=_help("Name of the run: the log directory's parent and the archive's default name.")
    )
    version: Optional[str] = field(
        default=None,
        metadata=_help(
            "Last part of exp_dir/name/version; null: a date and time (use_datetime_version) or version_N, the next free number. "
            "With resume_if_exists and no version, none is used, so a rerun finds its checkpoints."
        ),
    )
    use_datetime_version: bool = field(
        default=True, metadata=_help("Name the version by date and time instead of version_N.")
    )
    resume_if_exists: bool = field(
        default=False, metadata=_help("Resume from checkpoints/last.ckpt when the log directory has one.")
    )
    resume_past_end: bool = field(
        default=False,
        metadata=_help(
            "A run that already finished is refused on resume (false), or continued from its end, e.g. with a larger "
            "trainer.max_epochs (true)."
        ),
    )
    resume_ignore_no_checkpoint: bool = field(
        default=False,
        metadata=_help(
            "With resume_if_exists and no checkpoint to resume: stop with an error (false) or start afresh (true)."
        ),
    )
    create_tensorboard_logger: bool = field(
        default=True, metadata=_help("Write TensorBoard event files (loss, lr, metrics) to LOG_DIR/tensorboard.")
    )
    summary_writer_kwargs: Optional[Dict[str, Any]] = field(
        default_factory=dict,
        metadata=_help("Arguments of TensorBoard's SummaryWriter, e.g. {max_queue: 10, flush_secs: 120}."),
    )
    create_wandb_logger: bool = field(
        default=False,
        metadata=_help(
            "Also log to Weights & Biases (needs pip install wandb; offline, into LOG_DIR/wandb, when api.wandb.ai is not reachable)."
        ),
    )
    wandb_logger_kwargs: Optional[Dict[str, Any]] = field(
        default_factory=dict,
        metadata=_help("Arguments of Lightning's WandbLogger, e.g. {project: ner, name: run1, offline: true}."),
    )
    create_checkpoint_callback: bool = field(
        default=True,
        metadata=_help(
            "Keep checkpoints (top k and last.ckpt). false: no resume and no best model; the archive holds the last weights."
        ),
    )
    checkpoint_callback_params: CheckpointConfig = field(
        default_factory=CheckpointConfig, metadata=_help("Checkpoints.")
    )
    files_to_copy: Optional[List[str]] = field(
        default=None, metadata=_help("Files copied into the log directory at the start (e.g. the data's README).")
    )
