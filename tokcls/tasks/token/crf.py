"""Linear-chain CRF arithmetic over word-level scores: the log-partition, a path's score, and Viterbi.

Every function takes emissions [batch, words, labels], a mask [batch, words] (True on real words,
each row's words first; every row has at least one), and transition scores: `transitions[i, j]` for
label j after label i, `start[j]` for a first word, `end[i]` for a last one. Loops run over the
words (at most a window's worth), everything else over the whole batch at once.
"""

from __future__ import annotations

import numpy as np
import torch


def log_partition(emissions, mask, transitions, start, end) -> torch.Tensor:
    """log of the sum over every label sequence of exp(its score), per row: [batch]."""
    score = start + emissions[:, 0]
    for t in range(1, emissions.size(1)):
        following = torch.logsumexp(score.unsqueeze(2) + transitions + emissions[:, t].unsqueeze(1), dim=1)
        score = torch.where(mask[:, t].unsqueeze(1), following, score)
    return torch.logsumexp(score + end, dim=1)


def path_score(emissions, tags, mask, transitions, start, end) -> torch.Tensor:
    """The score of the label sequence `tags` [batch, words] (padding positions are ignored): [batch]."""
    rows = torch.arange(emissions.size(0), device=emissions.device)
    score = start[tags[:, 0]] + emissions[rows, 0, tags[:, 0]]
    for t in range(1, emissions.size(1)):
        step = transitions[tags[:, t - 1], tags[:, t]] + emissions[rows, t, tags[:, t]]
        score = score + step * mask[:, t]
    last = tags[rows, mask.sum(1) - 1]
    return score + end[last]


def viterbi(emissions, mask, transitions, start, end) -> torch.Tensor:
    """The highest-scoring label sequence of every row: [batch, words] (padding positions hold junk)."""
    score = start + emissions[:, 0]
    labels = torch.arange(emissions.size(2), device=emissions.device)
    back = []
    for t in range(1, emissions.size(1)):
        best, previous = (score.unsqueeze(2) + transitions).max(dim=1)
        live = mask[:, t].unsqueeze(1)
        score = torch.where(live, best + emissions[:, t], score)
        back.append(
            torch.where(live, previous, labels)
        )  # past a row's end: keep the label, so backtracking passes through
    tags = [(score + end).argmax(dim=1)]
    for previous in reversed(back):
        tags.append(previous.gather(1, tags[-1].unsqueeze(1)).squeeze(1))
    return torch.stack(tags[::-1], dim=1)


def marginals(emissions, mask, transitions, start, end) -> torch.Tensor:
    """P(label j at word t | the whole row) over every label sequence (forward-backward): [batch, words, labels];
    each real word's row sums to 1, padding positions hold junk."""
    forward = [start + emissions[:, 0]]
    for t in range(1, emissions.size(1)):
        following = torch.logsumexp(forward[-1].unsqueeze(2) + transitions, dim=1) + emissions[:, t]
        forward.append(torch.where(mask[:, t].unsqueeze(1), following, forward[-1]))
    log_z = torch.logsumexp(forward[-1] + end, dim=1)
    backward = [end.expand_as(forward[-1])]  # after a row's last word only its end transition remains
    for t in range(emissions.size(1) - 2, -1, -1):
        preceding = torch.logsumexp(transitions + (emissions[:, t + 1] + backward[0]).unsqueeze(1), dim=2)
        backward.insert(0, torch.where(mask[:, t + 1].unsqueeze(1), preceding, end.expand_as(preceding)))
    return (torch.stack(forward, 1) + torch.stack(backward, 1) - log_z[:, None, None]).exp()


# The same decoding in numpy, for CPU inference: the loops above run one small tensor operation per word, and each
# costs torch's dispatch (about 5 us) more than its arithmetic; numpy's overhead is a fraction of it. Labelling one
# sentence, the CRF's Viterbi and marginals took 1.8 ms of a 13.7 ms call in torch (docs/serve.md). Same arithmetic,
# same order, float32: tests/tasks/token/test_decoders.py holds them equal to the torch versions.
def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, np.float32(0))  # a row of -inf (a forbidden label) stays -inf
    with np.errstate(divide="ignore"):
        return np.squeeze(np.log(np.exp(x - top).sum(axis=axis, keepdims=True)) + top, axis=axis)


def viterbi_numpy(emissions, mask, transitions, start, end) -> np.ndarray:
    """viterbi() on numpy arrays."""
    score = start + emissions[:, 0]
    labels = np.arange(emissions.shape[2])
    back = []
    for t in range(1, emissions.shape[1]):
        candidates = score[:, :, None] + transitions
        previous = candidates.argmax(axis=1)
        best = np.take_along_axis(candidates, previous[:, None, :], axis=1)[:, 0]
        live = mask[:, t][:, None]
        score = np.where(live, best + emissions[:, t], score)
        back.append(np.where(live, previous, labels))
    tags = [(score + end).argmax(axis=1)]
    for previous in reversed(back):
        tags.append(np.take_along_axis(previous, tags[-1][:, None], axis=1)[:, 0])
    return np.stack(tags[::-1], axis=1)


def marginals_numpy(emissions, mask, transitions, start, end) -> np.ndarray:
    """marginals() on numpy arrays."""
    forward = [start + emissions[:, 0]]
    for t in range(1, emissions.shape[1]):
        following = _logsumexp(forward[-1][:, :, None] + transitions, axis=1) + emissions[:, t]
        forward.append(np.where(mask[:, t][:, None], following, forward[-1]))
    log_z = _logsumexp(forward[-1] + end, axis=1)
    ends = np.broadcast_to(end, forward[-1].shape)
    backward = [ends]
    for t in range(emissions.shape[1] - 2, -1, -1):
        preceding = _logsumexp(transitions + (emissions[:, t + 1] + backward[0])[:, None, :], axis=2)
        backward.insert(0, np.where(mask[:, t + 1][:, None], preceding, ends))
    return np.exp(np.stack(forward, 1) + np.stack(backward, 1) - log_z[:, None, None])
