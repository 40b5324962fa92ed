"""Linear-chain CRF arithmetic over word-level scores: the log-partition, a path's score, and Viterbi.

Every function takes emissions [batch, words, labels], a mask [batch, words] (True on real words,
each row's words first; every row has at least one), and transition scores: `transitions[i, j]` for
label j after label i, `start[j]` for a first word, `end[i]` for a last one. Loops run over the
words (at most a window's worth), everything else over the whole batch at once.
"""

from __future__ import annotations

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
