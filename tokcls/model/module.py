"""TokenClassificationModel: encoder + head, class-weighted loss, word-level validation reports."""
from __future__ import annotations

import logging
import math

import numpy as np
import pytorch_lightning as pl
import torch
from torch import nn

from tokcls.data.features import IGNORE, word_predictions
from tokcls.metrics.reports import all_reports, format_reports
from tokcls.model.classifier import TokenClassifier
from tokcls.model.dropout import use_fast_dropout
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


class TokenClassificationModel(TokenClassifier, pl.LightningModule):
    """TokenClassifier (the network) plus what training needs: loss, optimizer, validation reports."""

    def __init__(self, encoder: nn.Module, labels: list[str], head_cfg, optim_cfg=None,
                 class_weights: list[float] | None = None, outside_label: str = "O"):
        super().__init__(encoder, labels, head_cfg, outside_label)
        self.encoder.train()  # from_pretrained returns eval mode; Lightning keeps module modes
        use_fast_dropout(self)  # the same dropout, its random mask 4x cheaper on a CPU
        self.optim_cfg = optim_cfg
        self.set_class_weights(class_weights)
        self.loss_normalizer: float | None = None
        self._predictions: list[tuple[np.ndarray, ...]] = []

    def set_class_weights(self, class_weights: list[float] | None) -> None:
        weight = torch.tensor(class_weights, dtype=torch.float) if class_weights else None
        self.loss_fn = nn.CrossEntropyLoss(weight=weight, ignore_index=IGNORE)
        self.sum_loss_fn = nn.CrossEntropyLoss(weight=weight, ignore_index=IGNORE, reduction="sum")

    def set_loss_normalizer(self, train_labels, batches: int) -> None:
        """Divide each training batch's summed loss by the average labelled weight of a batch.

        Length-bucketed batches hold very different numbers of words (32 one-word headlines, or 32
        long sentences); a per-batch mean would give a word in a short batch many times the weight of
        a word in a long one. Dividing by one constant weighs every word alike, as random batches do
        on average, while keeping the loss on the usual scale.
        """
        labels = torch.as_tensor(train_labels, dtype=torch.long)
        labels = labels[labels != IGNORE]
        weight = self.loss_fn.weight
        total = float(weight[labels].sum()) if weight is not None else float(len(labels))
        self.loss_normalizer = max(total / max(1, batches), 1e-8)

    def _loss(self, logits, labels):
        return self.loss_fn(logits.reshape(-1, logits.size(-1)), labels.reshape(-1))

    def training_step(self, batch, batch_idx):
        logits = self(batch["input_ids"], batch["attention_mask"])
        if self.loss_normalizer is None:
            loss = self._loss(logits, batch["labels"])
        else:
            loss = self.sum_loss_fn(logits.reshape(-1, logits.size(-1)), batch["labels"].reshape(-1)) / self.loss_normalizer
        self.log("train_loss", loss, prog_bar=True, batch_size=batch["input_ids"].size(0))
        return loss

    def validation_step(self, batch, batch_idx):
        logits = self(batch["input_ids"], batch["attention_mask"])
        self.log("val_loss", self._loss(logits, batch["labels"]), batch_size=batch["input_ids"].size(0), sync_dist=True)
        owned = batch["word_index"] >= 0
        rows = owned.nonzero(as_tuple=True)[0]
        self._predictions.append((
            batch["example"][rows].cpu().numpy(),
            batch["word_index"][owned].cpu().numpy(),
            logits.argmax(-1)[owned].cpu().numpy(),
        ))

    def on_validation_epoch_end(self):
        if self.trainer.sanity_checking:
            self._predictions.clear()  # a sanity check sees a few batches only: nothing to score
            return
        # Every process gathers, even one whose shard was empty, or the others would wait forever.
        parts = gather_from_all_processes(self._predictions)
        self._predictions.clear()
        if not parts:
            return
        examples = self.trainer.datamodule.val_examples
        example, word, predicted = (np.concatenate(column) for column in zip(*parts))
        pred = word_predictions([len(e.words) for e in examples], example, word, predicted, self.labels)
        gold = [e.labels for e in examples]
        reports = all_reports(gold, pred, self.labels, self.outside_label)
        self.log_dict({
            "val_entity_f1": reports["entity"]["micro avg"]["f1"],
            "val_entity_precision": reports["entity"]["micro avg"]["precision"],
            "val_entity_recall": reports["entity"]["micro avg"]["recall"],
            "val_token_f1": reports["token"]["micro avg"]["f1"],
            "val_token_macro_f1": reports["token"]["macro avg"]["f1"],
        }, sync_dist=True)  # equal on every process already; syncing only keeps Lightning's bookkeeping uniform
        if self.trainer.is_global_zero:
            print(f"\nValidation after epoch {self.current_epoch}, step {self.global_step}:")
            print(format_reports(reports))

    def configure_optimizers(self):
        optimizer = build_optimizer(self, self.optim_cfg)
        total = self._total_optimizer_steps()
        sched = self.optim_cfg.sched
        scheduler = build_scheduler(optimizer, sched, total, self.optim_cfg.lr)
        if self.trainer.is_global_zero:  # NeMo's two lines: what was built, with every parameter
            log.info("Optimizer config = %s", optimizer)
            log.info("Scheduler %s will be used during training (effective maximum steps = %d) - Parameters: "
                     "(warmup_ratio: %s, warmup_steps: %d, min_lr: %s, max_steps: %d)", getattr(sched.name, "value", sched.name),
                     total, sched.warmup_ratio, warmup_steps(sched, total), sched.min_lr, total)
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
