"""What a text head's scores mean, per problem type: the loss they train with and how they become predictions.

Scores arrive one row per window ([CLS]); the windows of one text are pooled (their mean) before the loss
and before decoding, so a long text is classified once, from all of it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def pool(rows: torch.Tensor, example: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean row of each text, index of each text's first row): texts in order of first appearance."""
    texts, inverse = torch.unique(example, return_inverse=True)
    total = rows.new_zeros(len(texts), rows.size(-1)).index_add_(0, inverse, rows)
    count = rows.new_zeros(len(texts)).index_add_(0, inverse, torch.ones_like(inverse, dtype=rows.dtype))
    first = torch.full((len(texts),), len(inverse), dtype=torch.long, device=rows.device)
    first = first.scatter_reduce(0, inverse, torch.arange(len(inverse), device=rows.device), reduce="amin")
    return total / count.unsqueeze(-1), first


class SingleLabelDecoder(nn.Module):
    """One class per text: softmax over the classes, cross-entropy (optionally class-weighted)."""

    problem_type = "single_label_classification"

    def __init__(self, labels: list[str], thresholds: list[float] | None = None):
        super().__init__()
        self.labels = list(labels)

    def _loss(self, scores, target, weight):
        return F.cross_entropy(scores, target[:, 0].long(), weight=weight, reduction="sum")

    def loss(self, emissions, batch, weight=None) -> tuple[torch.Tensor, torch.Tensor]:
        """(summed loss, its weight) over the texts of a batch."""
        scores, first = pool(emissions[:, 0].float(), batch["example"])
        target = batch["targets"][first]
        count = weight[target[:, 0].long()].sum() if weight is not None else scores.new_tensor(float(len(scores)))
        return self._loss(scores, target, weight), count

    def gold_loss(self, scores: torch.Tensor, target: torch.Tensor) -> float:
        return float(self._loss(scores.float(), target, None))

    def probabilities(self, scores: torch.Tensor) -> torch.Tensor:
        return scores.float().softmax(-1)

    def exported_tensors(self) -> dict[str, torch.Tensor]:
        """Nothing besides the text scores: an ONNX export decodes with the thresholds of model.json."""
        return {}

    def decode(self, scores: torch.Tensor) -> list:
        """Each text's predicted class, as a one-name list."""
        return [[self.labels[i]] for i in scores.argmax(-1).tolist()]


class MultiLabelDecoder(SingleLabelDecoder):
    """Any number of labels per text: one sigmoid per label, binary cross-entropy; a label is predicted when its
    probability reaches its threshold (0.5 until tuned on the validation split after training)."""

    problem_type = "multi_label_classification"

    def __init__(self, labels: list[str], thresholds: list[float] | None = None):
        super().__init__(labels)
        self.thresholds = list(thresholds) if thresholds is not None else [0.5] * len(labels)

    def _loss(self, scores, target, weight):
        return F.binary_cross_entropy_with_logits(scores, target, reduction="sum")

    def probabilities(self, scores):
        return scores.float().sigmoid()

    def decode(self, scores):
        above = self.probabilities(scores) >= torch.tensor(self.thresholds)
        return [[self.labels[i] for i in row.nonzero().flatten().tolist()] for row in above]


class RegressionDecoder(SingleLabelDecoder):
    """A number per text: the score itself, mean squared error."""

    problem_type = "regression"

    def _loss(self, scores, target, weight):
        return F.mse_loss(scores[:, :1], target, reduction="sum")

    def probabilities(self, scores):
        return scores.new_zeros(len(scores), 0)

    def decode(self, scores):
        return scores[:, 0].float().tolist()


DECODERS = {d.problem_type: d for d in (SingleLabelDecoder, MultiLabelDecoder, RegressionDecoder)}


def tune_thresholds(probabilities: torch.Tensor, gold: torch.Tensor) -> list[float]:
    """Per label, the threshold that gives the best F1 on these texts (as thai2transformers' multi-label
    fine-tuning does): candidates are the midpoints between sorted probabilities; ties go to the one nearest 0.5."""
    thresholds = []
    for column in range(probabilities.size(1)):
        p, y = probabilities[:, column].double(), gold[:, column].double()
        values = torch.unique(p)
        candidates = (
            torch.cat([values.new_tensor([0.5]), (values[1:] + values[:-1]) / 2])
            if len(values) > 1
            else values.new_tensor([0.5])
        )
        best, best_f1 = 0.5, -1.0
        for t in sorted(candidates.tolist(), key=lambda t: abs(t - 0.5)):
            predicted = p >= t
            tp = float((predicted & (y > 0)).sum())
            f1 = 2 * tp / max(1.0, float(predicted.sum()) + float((y > 0).sum()))
            if f1 > best_f1 + 1e-12:
                best, best_f1 = t, f1
        thresholds.append(best)
    return thresholds
