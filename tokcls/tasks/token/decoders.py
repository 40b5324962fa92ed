"""Decoders: from word-level label scores to one label per word, and the loss that trains for them.

As in flair, choosing the decoder switches the loss and the decoding together:
- argmax: cross-entropy per word (class weights apply); each word its best label.
- constrained: the same training; decoding is Viterbi over the scores with every transition the tag
  scheme forbids (I-X after O in IOB2, ...) excluded, so no prediction breaks the scheme.
- crf: a linear-chain CRF over the words (the first sub-token's scores): learned transition scores,
  trained with the network by its negative log-likelihood (plus the weighted cross-entropy when
  class weights are on), decoded by Viterbi; the scheme's forbidden transitions stay excluded
  (AllenNLP's constrained CRF). A sentence longer than one window trains on each window's own words as a
  chain of its own; decoding always runs over the whole sentence, after its windows are merged.
Decoding always runs on whole sentences' word scores, after the windows are merged (tasks/token/words.py).
"""

from __future__ import annotations

import torch
from torch import nn

from conversion.schemes import Scheme, allowed_transition
from tokcls.data.windows import IGNORE
from tokcls.tasks.token import crf
from tokcls.tasks.token.sections import DecoderName

FORBIDDEN = (
    -1e4
)  # a forbidden transition while training: finite, so a gold path that breaks the scheme costs much, not inf
SENTENCES_PER_BATCH = 256  # Viterbi runs over this many sentences at once, sorted by length


# The ONNX outputs of a Viterbi decoder's transition scores, in decoding_scores' order (docs/export.md)
TRANSITION_NAMES = ("transitions", "start_transitions", "end_transitions")


def allowed_transitions(labels: list[str], scheme: str, outside: str) -> tuple[torch.Tensor, ...]:
    """(between [L, L], start [L], end [L]): True where the scheme allows it."""
    scheme = Scheme(scheme)
    between = torch.tensor(
        [[allowed_transition(a, b, scheme, outside) for b in labels] for a in labels], dtype=torch.bool
    )
    start = torch.tensor([allowed_transition(outside, b, scheme, outside) for b in labels], dtype=torch.bool)
    end = torch.tensor([allowed_transition(a, outside, scheme, outside) for a in labels], dtype=torch.bool)
    return between, start, end


def padded(emissions: torch.Tensor, lengths: list[int]):
    """Groups of sentences as padded [batch, words, labels] blocks: (block, mask, positions of the rows' words)."""
    offsets = torch.tensor([0] + lengths).cumsum(0)
    order = sorted((i for i, n in enumerate(lengths) if n), key=lambda i: lengths[i])
    for begin in range(0, len(order), SENTENCES_PER_BATCH):
        group = order[begin : begin + SENTENCES_PER_BATCH]
        width = max(lengths[i] for i in group)
        steps = torch.arange(width)
        mask = steps < torch.tensor([lengths[i] for i in group]).unsqueeze(1)
        index = (offsets[group].unsqueeze(1) + steps).clamp(max=len(emissions) - 1)
        yield emissions[index], mask, index[mask]


class ArgmaxDecoder(nn.Module):
    """Each word its highest-scoring label; cross-entropy per labelled position."""

    name = DecoderName.argmax

    def __init__(self, labels: list[str], scheme: str, outside: str):
        super().__init__()
        self.scheme, self.outside = scheme, outside
        self.set_labels(labels)

    def set_labels(self, labels: list[str]) -> None:
        between, start, end = allowed_transitions(labels, self.scheme, self.outside)
        # Not saved with the weights: they follow from the labels and the scheme.
        self.register_buffer("allowed", between, persistent=False)
        self.register_buffer("allowed_start", start, persistent=False)
        self.register_buffer("allowed_end", end, persistent=False)

    def loss(self, emissions, labels, word_index, weight=None) -> tuple[torch.Tensor, torch.Tensor]:
        """(summed loss, what it is a sum over) for windows [batch, positions, labels]."""
        flat = labels.reshape(-1)
        total = nn.functional.cross_entropy(
            emissions.reshape(-1, emissions.size(-1)), flat, weight=weight, ignore_index=IGNORE, reduction="sum"
        )
        known = flat[flat != IGNORE]
        return total, (weight[known].sum() if weight is not None else known.new_tensor(len(known), dtype=total.dtype))

    def decode(self, emissions: torch.Tensor, lengths: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """(label ids, confidences) of every word: emissions [all words, labels], sentence after sentence."""
        log_probabilities = emissions.float().log_softmax(-1)
        confidence, label = log_probabilities.max(-1)
        return label, confidence.exp()

    def gold_loss(self, emissions: torch.Tensor, gold: torch.Tensor, lengths: list[int]) -> float:
        """The summed negative log-likelihood of the gold labels (the test loss, per word once divided)."""
        return -float(emissions.float().log_softmax(-1).gather(-1, gold.unsqueeze(-1)).sum())

    def decoding_scores(self) -> tuple[torch.Tensor, ...] | None:
        """(between, start, end) transition scores Viterbi adds, -inf where forbidden; None: no Viterbi."""
        return None

    def exported_tensors(self) -> dict[str, torch.Tensor]:
        """What an ONNX export carries besides the word scores so that it decodes as this decoder does: the
        transition scores of a Viterbi decoder, under TRANSITION_NAMES (argmax: nothing)."""
        return dict(zip(TRANSITION_NAMES, self.decoding_scores() or (), strict=False))

    def new_label_bias(self, scores: torch.Tensor) -> float:
        """A score for labels added by fine-tune that leaves every word's decoding as it is (`scores`: the
        word scores of the new training data): below each word's best label."""
        return min(0.0, float(scores.max(-1).values.min())) - 1.0 if len(scores) else -1.0


class ConstrainedDecoder(ArgmaxDecoder):
    """Trained as argmax; decoded by Viterbi with only the scheme's allowed transitions (all scored 0)."""

    name = DecoderName.constrained

    def transition_scores(self) -> tuple[torch.Tensor, ...]:
        zeros = torch.zeros(self.allowed.shape, device=self.allowed.device)
        return zeros, zeros[0], zeros[0]

    def decoding_scores(self) -> tuple[torch.Tensor, ...]:
        masks = (self.allowed, self.allowed_start, self.allowed_end)
        return tuple(torch.where(m, s, float("-inf")) for m, s in zip(masks, self.transition_scores()))

    def new_label_bias(self, scores):
        """Below every label of every word by more than transitions can give back: a path through a new label
        then scores below the same path with an old label (the outside one) in its place. New labels'
        transitions start at 0, so 0 counts among the scores they may differ from."""

        def width(values: torch.Tensor) -> float:
            values = torch.cat([values[torch.isfinite(values)], values.new_zeros(1)])
            return float(values.max() - values.min())

        between, start, end = self.decoding_scores()
        spread = (
            2 * width(between) + width(start) + width(end)
        )  # a word's label touches two transitions, or a start or end
        return min(0.0, float(scores.min()) if len(scores) else 0.0) - 1.0 - spread

    def decode(self, emissions, lengths):
        between, start, end = (s.to(emissions.device) for s in self.decoding_scores())
        labels = torch.zeros(len(emissions), dtype=torch.long, device=emissions.device)
        confidence = torch.zeros(len(emissions), device=emissions.device)
        on_cpu = emissions.device.type == "cpu"
        for block, mask, positions in padded(emissions.float(), lengths):
            mask = mask.to(block.device)
            if on_cpu:  # numpy: the same arithmetic without torch's per-operation overhead (crf.py)
                scores = tuple(t.detach().numpy() for t in (block, mask, between, start, end))
                best = torch.from_numpy(crf.viterbi_numpy(*scores))
                probabilities = torch.from_numpy(crf.marginals_numpy(*scores))
            else:
                best = crf.viterbi(block, mask, between, start, end)
                probabilities = crf.marginals(block, mask, between, start, end)
            labels[positions] = best[mask]
            # a word's confidence: the probability of its label given the sentence, over the label sequences the
            # transition scores allow (what a CRF models; a word's softmax alone ignores its neighbours)
            chosen = probabilities.gather(-1, best.unsqueeze(-1)).squeeze(-1)
            confidence[positions] = chosen[mask].clamp(0.0, 1.0)  # float32 rounding can pass 1 by an ulp
        return labels, confidence


class CRFDecoder(ConstrainedDecoder):
    """A linear-chain CRF: learned transition scores, trained by the sentence's negative log-likelihood."""

    name = DecoderName.crf

    def __init__(self, labels: list[str], scheme: str, outside: str):
        super().__init__(labels, scheme, outside)
        n = len(labels)
        self.transitions = nn.Parameter(torch.zeros(n, n))
        self.start_transitions = nn.Parameter(torch.zeros(n))
        self.end_transitions = nn.Parameter(torch.zeros(n))

    @torch.no_grad()
    def grow(self, labels: list[str]) -> None:
        """New labels (fine-tune): their transitions start at 0, the others keep theirs."""
        old, n = len(self.start_transitions), len(labels)
        transitions = torch.zeros(n, n, device=self.transitions.device)
        transitions[:old, :old] = self.transitions
        self.transitions = nn.Parameter(transitions)
        self.start_transitions = nn.Parameter(
            torch.cat([self.start_transitions, self.start_transitions.new_zeros(n - old)])
        )
        self.end_transitions = nn.Parameter(torch.cat([self.end_transitions, self.end_transitions.new_zeros(n - old)]))
        self.set_labels(labels)

    def transition_scores(self):
        return self.transitions, self.start_transitions, self.end_transitions

    def training_scores(self):
        masks = (self.allowed, self.allowed_start, self.allowed_end)
        return tuple(torch.where(m, s, FORBIDDEN) for m, s in zip(masks, self.transition_scores()))

    def nll(self, emissions, tags, mask) -> torch.Tensor:
        """Per row: log Z - score(gold path)."""
        scores = self.training_scores()
        return crf.log_partition(emissions, mask, *scores) - crf.path_score(emissions, tags, mask, *scores)

    def loss(self, emissions, labels, word_index, weight=None):
        owned = word_index >= 0
        counts = owned.sum(1)
        rows, cols = owned.nonzero(as_tuple=True)
        rank = owned.long().cumsum(1)[rows, cols] - 1
        width = int(counts.max()) if len(rows) else 0
        if width == 0:
            return emissions.sum() * 0, emissions.new_tensor(0.0)
        words = emissions.new_zeros(emissions.size(0), width, emissions.size(-1))
        words[rows, rank] = emissions[rows, cols]
        tags = labels.new_zeros(emissions.size(0), width)
        tags[rows, rank] = labels[rows, cols].clamp(min=0)
        mask = torch.arange(width, device=emissions.device) < counts.unsqueeze(1)
        live = counts > 0
        total = self.nll(words[live].float(), tags[live], mask[live]).sum()
        if weight is not None:  # the class weights act through the per-word cross-entropy added to the CRF's loss
            total = total + nn.functional.cross_entropy(
                emissions[rows, cols], tags[rows, rank], weight=weight, reduction="sum"
            )
        return total, emissions.new_tensor(float(len(rows)))

    @torch.no_grad()  # a score to report, not to train on
    def gold_loss(self, emissions, gold, lengths):
        total = 0.0
        for block, mask, positions in padded(emissions.float(), lengths):
            tags = torch.zeros(mask.shape, dtype=torch.long, device=block.device)
            tags[mask] = gold[positions]
            total += float(self.nll(block, tags, mask.to(block.device)).sum())
        return total


class ExportedDecoder(ConstrainedDecoder):
    """Viterbi with the transition scores an exported model carries (-inf where forbidden): runtime=onnx."""

    def __init__(self, labels: list[str], scheme: str, outside: str, scores: tuple[torch.Tensor, ...]):
        super().__init__(labels, scheme, outside)
        self.scores = scores

    def decoding_scores(self):
        return self.scores


DECODERS = {decoder.name: decoder for decoder in (ArgmaxDecoder, ConstrainedDecoder, CRFDecoder)}


def build_decoder(name: str, labels: list[str], scheme: str, outside: str) -> ArgmaxDecoder:
    return DECODERS[DecoderName(getattr(name, "value", name))](labels, scheme, outside)
