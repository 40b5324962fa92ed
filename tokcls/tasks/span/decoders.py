"""How span scores become entities; the loss is the same for both (cross-entropy over NONE and the types per
candidate span, class-weighted), the choice among the spans differs:

- flat: the spans whose best label is a type, taken highest probability first, each kept unless it overlaps one
  kept before: non-overlapping entities, as IOB data has them.
- nested: the spans whose best type has a probability of at least `threshold`, highest first, each kept unless it
  crosses one kept before (overlaps without one containing the other): entities may nest.

A span's confidence is the probability of its type.
"""

from __future__ import annotations

import torch
from torch import nn

from tokcls.data.windows import IGNORE


def _crosses(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Overlap without either containing the other."""
    return a[0] < b[0] < a[1] < b[1] or b[0] < a[0] < b[1] < a[1]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class FlatDecoder(nn.Module):
    name = "flat"

    def __init__(self, threshold: float = 0.5, max_width: int = 8):
        super().__init__()
        self.threshold, self.max_width = threshold, max_width

    def loss(self, emissions, span_label, weight=None) -> tuple[torch.Tensor, torch.Tensor]:
        """(summed loss, what it is a sum over) for the spans of a batch [windows, spans, labels]."""
        flat = span_label.reshape(-1)
        total = nn.functional.cross_entropy(
            emissions.reshape(-1, emissions.size(-1)).float(), flat, weight=weight, ignore_index=IGNORE, reduction="sum"
        )
        kept = flat[flat != IGNORE]
        return total, weight[kept].sum() if weight is not None else torch.tensor(float(len(kept)))

    def gold_loss(self, scores: torch.Tensor, gold: torch.Tensor, *sizes) -> float:
        return float(nn.functional.cross_entropy(scores.float(), gold, reduction="sum"))

    def exported_tensors(self) -> dict[str, torch.Tensor]:
        return {}  # decoding reads the span scores alone

    def keep(self, chosen: list[tuple[int, int]], span: tuple[int, int]) -> bool:
        return not any(_overlaps(span, other) for other in chosen)

    def candidates(self, probabilities: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(rows, type ids, probabilities) of the spans that may be entities."""
        best, label = probabilities[:, 1:].max(dim=-1)
        rows = (probabilities.argmax(dim=-1) != 0).nonzero(as_tuple=True)[0]
        return rows, label[rows] + 1, best[rows]

    def decode(self, scores: torch.Tensor, spans: list[tuple[int, int]]) -> list[tuple[int, int, int, float]]:
        """The entities of one sentence: (start, end, type id, probability), in text order, from the scores of its
        candidate spans (`spans`, in the same order)."""
        if not spans:
            return []
        rows, labels, probs = self.candidates(torch.softmax(scores.float(), dim=-1))
        chosen: list[tuple[int, int]] = []
        kept = []
        for i in torch.argsort(probs, descending=True, stable=True).tolist():
            span = spans[int(rows[i])]
            if self.keep(chosen, span):
                chosen.append(span)
                kept.append((span[0], span[1], int(labels[i]), float(probs[i])))
        return sorted(kept, key=lambda k: (k[0], -k[1], k[2]))


class NestedDecoder(FlatDecoder):
    name = "nested"

    def keep(self, chosen, span) -> bool:
        return not any(_crosses(span, other) or span == other for other in chosen)

    def candidates(self, probabilities):
        best, label = probabilities[:, 1:].max(dim=-1)
        rows = (best >= self.threshold).nonzero(as_tuple=True)[0]
        return rows, label[rows] + 1, best[rows]


DECODERS = {decoder.name: decoder for decoder in (FlatDecoder, NestedDecoder)}


def build_decoder(name: str, threshold: float = 0.5, max_width: int = 8) -> FlatDecoder:
    return DECODERS[name](threshold, max_width)
