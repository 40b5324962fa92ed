"""The LightningModule: it holds the network it is given, the loss and the optimizer settings.

What depends on the data (the class weights, the loss normalizer) is computed in setup(), from the
data module, so a module is complete when constructed: nothing to set afterwards, in no order.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch

from tokcls.data.labels import format_label_stats, training_label_stats
from tokcls.model.dropout import use_fast_attention_dropout, use_fast_dropout
from tokcls.tasks import get_task
from tokcls.training.optim import build_optimizer, build_scheduler, warmup_steps

log = logging.getLogger("tokcls")


def gather_from_all_processes(parts: list) -> list:
    """Every process's validation predictions, on every process. Each process scored a disjoint shard
    of the batches (BucketBatchSampler), so the union holds every word exactly once."""
    if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
        return list(parts)
    gathered = [None] * torch.distributed.get_world_size()
    torch.distributed.all_gather_object(gathered, parts)
    return [part for process_parts in gathered for part in process_parts]


class TaskModule(pl.LightningModule):
    """Training of a network: the decoder's loss (class-weighted), the optimizer, validation reports."""

    def __init__(self, network: torch.nn.Module, optim_cfg, class_balancing=None):
        super().__init__()
        self.network = network
        self.network.train()  # from_pretrained and archives give eval mode; Lightning keeps module modes
        use_fast_dropout(self.network)  # the same dropout, its random mask 4x cheaper on a CPU
        use_fast_attention_dropout(self.network.encoder)  # and the attention weights' dropout alike
        self.task = get_task(network.task)
        self.optim_cfg = optim_cfg
        self.class_balancing = getattr(class_balancing, "value", class_balancing)
        self.register_buffer("class_weights", None, persistent=False)
        self.loss_normalizer: float | None = None
        self._predictions: list[tuple[np.ndarray, ...]] = []

    def setup(self, stage: str) -> None:
        if stage != "fit" or self.loss_normalizer is not None:
            return
        data = self.trainer.datamodule
        self.class_weights = self._class_weights(data)
        self.loss_normalizer = self._loss_normalizer(data.train_features, len(data.train_dataloader()))

    def _class_weights(self, data) -> torch.Tensor | None:
        """Logs the training labels' frequencies and class weights (as NeMo does on every run); returns the
        weights when model.class_balancing=weighted_loss."""
        if any(e.labels is None for e in data.train_examples):  # regression: values, no classes to count
            return None
        stats = training_label_stats(data.train_examples, self.network.labels, Path(data.data_dir))
        if self.trainer.is_global_zero:
            log.info("%s", format_label_stats(stats))
        if self.class_balancing != "weighted_loss":
            if self.trainer.is_global_zero:
                log.info(
                    "Class weights not applied to the loss (model.class_balancing=%s)", self.class_balancing or "null"
                )
            return None
        if self.trainer.is_global_zero:
            log.info("Class weights applied to the loss (model.class_balancing=weighted_loss)")
        return torch.tensor(stats["weights"], dtype=torch.float, device=self.device)

    def _loss_normalizer(self, train_features, batches: int) -> float:
        """Divide each training batch's summed loss by the average labelled weight of a batch.

        Length-bucketed batches hold very different numbers of words (32 one-word headlines, or 32
        long sentences); a per-batch mean would give a word in a short batch many times the weight of
        a word in a long one. Dividing by one constant weighs every word alike, as random batches do
        on average, while keeping the loss on the usual scale.
        """
        total = self.task.loss_total(train_features, self.class_weights)
        return max(total / max(1, batches), 1e-8)

    def forward(self, input_ids, attention_mask, **inputs):
        return self.network(input_ids, attention_mask, **inputs)

    def training_step(self, batch, batch_idx):
        emissions = self(batch["input_ids"], batch["attention_mask"], **self.task.head_inputs(batch))
        total, count = self.task.loss(self.network.decoder, emissions, batch, self.class_weights)
        loss = total / self.loss_normalizer if self.loss_normalizer is not None else total / count.clamp(min=1e-8)
        self.log("train_loss", loss, prog_bar=True, batch_size=batch["input_ids"].size(0))
        return loss

    def validation_step(self, batch, batch_idx):
        emissions = self(batch["input_ids"], batch["attention_mask"], **self.task.head_inputs(batch))
        total, count = self.task.loss(self.network.decoder, emissions, batch, self.class_weights)
        self.log("val_loss", total / count.clamp(min=1e-8), batch_size=batch["input_ids"].size(0), sync_dist=True)
        self._predictions.append(self.task.keep(batch, emissions))

    def on_validation_epoch_end(self):
        if self.trainer.sanity_checking:
            self._predictions.clear()  # a sanity check sees a few batches only: nothing to score
            return
        # Every process gathers, even one whose shard was empty, or the others would wait forever.
        parts = gather_from_all_processes(self._predictions)
        self._predictions.clear()
        if not parts:
            return
        data = self.trainer.datamodule
        examples = data.val_examples
        example, word = (np.concatenate(column) for column in list(zip(*parts))[:2])
        rows = torch.cat([part[2] for part in parts])
        network = self.network
        pred, _, _ = self.task.decode(
            network.decoder,
            network.labels,
            self.task.sizes(examples),
            example,
            word,
            rows,
            units=getattr(data, "val_units", None),
        )
        reports = self.task.reports(self.task.gold(examples), pred, network)
        # equal on every process already; syncing only keeps Lightning's bookkeeping uniform
        self.log_dict(self.task.validation_metrics(reports), sync_dist=True)
        if self.trainer.is_global_zero:
            print(f"\nValidation after epoch {self.current_epoch}, step {self.global_step}:")
            print(self.task.format_reports(reports))

    def configure_optimizers(self):
        mixed = str(self.trainer.precision).endswith("-mixed")  # Lightning's name: "bf16-mixed", "16-mixed"
        clipped = bool(self.trainer.gradient_clip_val)
        optimizer = build_optimizer(self.network.parameter_groups(), self.optim_cfg, fused=not (mixed and clipped))
        total = self._total_optimizer_steps()
        sched = self.optim_cfg.sched
        scheduler = build_scheduler(optimizer, sched, total, self.optim_cfg.lr)
        if self.trainer.is_global_zero:  # NeMo's two lines: what was built, with every parameter
            log.info("Optimizer config = %s", optimizer)
            log.info(
                "Scheduler %s will be used during training (effective maximum steps = %d) - Parameters: "
                "(warmup_ratio: %s, warmup_steps: %d, min_lr: %s, max_steps: %d)",
                getattr(sched.name, "value", sched.name),
                total,
                sched.warmup_ratio,
                warmup_steps(sched, total),
                sched.min_lr,
                total,
            )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    def _total_optimizer_steps(self) -> int:
        """Lightning's estimated_stepping_batches, without its side effect: it builds the training
        dataloader before a resumed run's checkpoint is restored, and that loader then never gets
        its saved position in the epoch (ResumableLoader.load_state_dict)."""
        trainer = self.trainer
        if trainer.max_epochs == -1:
            return trainer.max_steps
        batches = len(trainer.datamodule.train_dataloader())
        steps = math.ceil(batches / trainer.accumulate_grad_batches) * max(trainer.max_epochs, 1)
        return min(steps, trainer.max_steps) if trainer.max_steps != -1 else steps
