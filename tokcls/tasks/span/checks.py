"""The span task's spec checks across keys (no torch): a window holds a span of max_entity_length words only when
the stride leaves room for it, and a checkpoint monitors a metric the span task logs."""

from __future__ import annotations

from omegaconf import OmegaConf

from tokcls.config.experiment import MONITORS

METRICS = ("val_entity_f1", "val_entity_precision", "val_entity_recall")
LOSSES = ("val_loss", "train_loss")

# Keys the span task sets when the spec and the command line leave them out (a key the user sets always wins). The
# span head learns from 2 % of its candidates being entities and needs the encoder to move further than word labels
# do: on CoNLL-2003 dev (2 seeds, 3 epochs) lr 8e-5 gave 91.65 / 91.37 against 91.02 / 90.85 at the token task's 5e-5
# (docs/span.md).
TRAINING_DEFAULTS = {"optim.lr": 8e-5, "model.head.shape_embedding_dim": 0}  # shapes: measured for the token head only


def spec_defaults(command: str) -> dict:
    return dict(TRAINING_DEFAULTS) if command in ("train", "tune") else {}


def spec_problems(command: str, config) -> list[str]:
    problems = []
    if command in ("train", "fine-tune"):
        span = OmegaConf.select(config, "model.span.max_entity_length")
        stride = OmegaConf.select(config, "model.dataset.stride")
        if span is not None and stride is not None and stride < span:
            problems.append(
                f"model.dataset.stride={stride} is below model.span.max_entity_length={span}: a span of that many words "
                "(at least one sub-token each) could lie whole in no window. Set model.dataset.stride to at least "
                f"{span} (a quarter of max_seq_length is usual)."
            )
        monitor = OmegaConf.select(config, "exp_manager.checkpoint_callback_params.monitor")
        if monitor in MONITORS and monitor not in METRICS + LOSSES:
            problems.append(
                f"exp_manager.checkpoint_callback_params.monitor={monitor} is not logged by the span task; it logs "
                f"{', '.join(METRICS + LOSSES)}."
            )
    return problems
