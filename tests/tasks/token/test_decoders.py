"""The decoders' arithmetic against brute force, and the constrained decoder against the tag scheme."""

import itertools

import torch
from hypothesis import given
from hypothesis import strategies as st

from conversion.schemes import Scheme, count_invalid_transitions
from tokcls.data.windows import IGNORE
from tokcls.tasks.token import crf
from tokcls.tasks.token.decoders import ConstrainedDecoder, CRFDecoder, allowed_transitions

IOB2 = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
BIOES = ["O", "B-X", "I-X", "E-X", "S-X"]


def random_crf(n_labels, seed):
    generator = torch.Generator().manual_seed(seed)
    return tuple(
        torch.randn(*shape, generator=generator, dtype=torch.float64)
        for shape in ((n_labels, n_labels), (n_labels,), (n_labels,))
    )


def padded_batch(words: int, labels: int, seed: int):
    """A random CRF and three sentences of different lengths in one padded batch (padding must change nothing):
    (transition scores, lengths, emissions, mask)."""
    generator = torch.Generator().manual_seed(seed + 1)
    lengths = [words, max(1, words - 1), 1]
    emissions = torch.randn(3, words, labels, generator=generator, dtype=torch.float64)
    return random_crf(labels, seed), lengths, emissions, torch.arange(words) < torch.tensor(lengths).unsqueeze(1)


def brute_force(emissions, transitions, start, end):
    """(log-partition, best path) by enumerating every label sequence of one sentence."""
    words, labels = emissions.shape
    scores = {}
    for path in itertools.product(range(labels), repeat=words):
        score = start[path[0]] + end[path[-1]] + sum(emissions[t, path[t]] for t in range(words))
        score += sum(transitions[path[t - 1], path[t]] for t in range(1, words))
        scores[path] = score
    return torch.logsumexp(torch.stack(list(scores.values())), 0), max(scores, key=scores.get)


@given(st.integers(1, 5), st.integers(1, 4), st.integers(0, 10_000))
def test_log_partition_path_score_and_viterbi_equal_brute_force(words, labels, seed):
    (transitions, start, end), lengths, emissions, mask = padded_batch(words, labels, seed)
    log_z = crf.log_partition(emissions, mask, transitions, start, end)
    best = crf.viterbi(emissions, mask, transitions, start, end)
    for row, n in enumerate(lengths):
        expected_z, expected_path = brute_force(emissions[row, :n], transitions, start, end)
        assert torch.isclose(log_z[row], expected_z, atol=1e-9)
        assert tuple(best[row, :n].tolist()) == expected_path
        tags = best[row : row + 1].clone()
        score = crf.path_score(emissions[row : row + 1], tags, mask[row : row + 1], transitions, start, end)
        _, path = brute_force(emissions[row, :n], transitions, start, end)
        assert score.item() <= log_z[row].item() + 1e-9  # a path's probability is at most 1


def test_the_crf_loss_is_the_negative_log_likelihood_of_the_gold_words():
    """CRFDecoder.loss over windows: only owned first sub-tokens count, in order, as brute force computes."""
    torch.manual_seed(0)
    decoder = CRFDecoder(["A", "B", "C"], "plain", "O")
    with torch.no_grad():
        for p in decoder.parameters():
            p.normal_()
    emissions = torch.randn(1, 6, 3)
    word_index = torch.tensor([[-1, 0, -1, 1, 2, -1]])  # [CLS] w0 w0' w1 w2 [SEP]
    labels = torch.tensor([[IGNORE, 2, IGNORE, 0, 1, IGNORE]])
    total, count = decoder.loss(emissions, labels, word_index)
    words = emissions[0, [1, 3, 4]].double()
    log_z, _ = brute_force(words, *(t.double() for t in decoder.transition_scores()))
    transitions, start, end = (t.double() for t in decoder.transition_scores())
    gold = start[2] + words[0, 2] + transitions[2, 0] + words[1, 0] + transitions[0, 1] + words[2, 1] + end[1]
    assert count.item() == 3 and torch.isclose(total.double(), log_z - gold, atol=1e-4)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 10_000))
def test_marginals_equal_brute_force_and_ignore_padding(words, labels, seed):
    (transitions, start, end), lengths, emissions, mask = padded_batch(words, labels, seed)
    found = crf.marginals(emissions, mask, transitions, start, end)
    for row, n in enumerate(lengths):
        expected = torch.zeros(n, labels, dtype=torch.float64)
        log_z, _ = brute_force(emissions[row, :n], transitions, start, end)
        for path in itertools.product(range(labels), repeat=n):
            score = start[path[0]] + end[path[-1]] + sum(emissions[row, t, path[t]] for t in range(n))
            score = score + sum(transitions[path[t - 1], path[t]] for t in range(1, n))
            for t, label in enumerate(path):
                expected[t, label] += (score - log_z).exp()
        assert torch.allclose(found[row, :n], expected, atol=1e-9)


def test_a_crf_word_confidence_is_its_marginal_not_its_softmax():
    decoder = CRFDecoder(IOB2, "iob2", "O")
    with torch.no_grad():
        decoder.transitions.copy_(torch.randn(5, 5, generator=torch.Generator().manual_seed(0)) * 3)
    emissions = torch.randn(7, 5, generator=torch.Generator().manual_seed(1))
    ids, confidences = decoder.decode(emissions, [4, 3])
    scores = decoder.decoding_scores()
    for begin, n in ((0, 4), (4, 3)):
        block = emissions[begin : begin + n].unsqueeze(0).double()
        mask = torch.ones(1, n, dtype=torch.bool)
        expected = crf.marginals(block, mask, *(s.double() for s in scores))[0]
        chosen = expected.gather(-1, ids[begin : begin + n].unsqueeze(-1)).squeeze(-1)
        assert torch.allclose(confidences[begin : begin + n].double(), chosen, atol=1e-5)
    softmax = emissions.softmax(-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1)
    assert not torch.allclose(confidences, softmax, atol=1e-3)


@given(
    st.sampled_from([(IOB2, "iob2"), (BIOES, "bioes"), (IOB2, "iob1")]),
    st.integers(1, 12),
    st.integers(0, 10_000),
    st.floats(0.1, 50.0),
)
def test_constrained_decoding_never_breaks_the_scheme(labels_scheme, words, seed, scale):
    labels, scheme = labels_scheme
    generator = torch.Generator().manual_seed(seed)
    lengths = [words, max(1, words // 2), 1]
    emissions = torch.randn(sum(lengths), len(labels), generator=generator) * scale
    ids, confidences = ConstrainedDecoder(labels, scheme, "O").decode(emissions, lengths)
    begin = 0
    for n in lengths:
        tags = [labels[i] for i in ids[begin : begin + n].tolist()]
        assert count_invalid_transitions(tags, Scheme(scheme)) == 0, tags
        begin += n
    assert ((confidences >= 0) & (confidences <= 1)).all()  # a label forced by the scheme may be very unlikely alone


def test_constrained_decoding_repairs_what_argmax_breaks():
    labels = IOB2
    emissions = torch.tensor([[5.0, 4.5, 0, 0, 0], [0, 0, 5, 0, 0]])  # argmax: O I-PER (invalid in IOB2)
    ids, _ = ConstrainedDecoder(labels, "iob2", "O").decode(emissions, [2])
    assert [labels[i] for i in ids] == ["B-PER", "I-PER"]


def test_allowed_transitions_follow_the_scheme():
    between, start, end = allowed_transitions(BIOES, "bioes", "O")
    index = {label: i for i, label in enumerate(BIOES)}
    assert not start[index["I-X"]] and start[index["B-X"]] and start[index["S-X"]]
    assert not end[index["B-X"]] and end[index["E-X"]]
    assert between[index["B-X"], index["E-X"]] and not between[index["O"], index["E-X"]]


def test_numpy_decoding_equals_torch_decoding():
    """The CPU path (crf.viterbi_numpy / marginals_numpy) against the torch functions, forbidden transitions included."""
    import numpy as np

    from tokcls.tasks.token import crf

    generator = torch.Generator().manual_seed(0)
    for trial in range(300):
        batch, words, labels = (
            int(torch.randint(low, high, (1,), generator=generator)) for low, high in ((1, 5), (1, 30), (2, 10))
        )
        emissions = torch.randn(batch, words, labels, generator=generator) * 3
        between, start, end = (
            torch.randn(*shape, generator=generator) for shape in ((labels, labels), (labels,), (labels,))
        )
        if trial % 2:
            between[torch.rand(labels, labels, generator=generator) < 0.3] = float("-inf")
        lengths = torch.randint(1, words + 1, (batch,), generator=generator)
        lengths[0] = words
        mask = torch.arange(words)[None] < lengths[:, None]
        arrays = tuple(t.numpy() for t in (emissions, mask, between, start, end))
        best = crf.viterbi(emissions, mask, between, start, end)
        assert torch.equal(best[mask], torch.from_numpy(crf.viterbi_numpy(*arrays))[mask]), trial
        expected = crf.marginals(emissions, mask, between, start, end)[mask]
        got = torch.from_numpy(crf.marginals_numpy(*arrays))[mask]
        assert got.dtype == torch.float32 and torch.equal(torch.isfinite(expected), torch.isfinite(got))
        finite = torch.isfinite(expected)
        assert np.abs((expected[finite] - got[finite]).numpy()).max(initial=0) < 5e-5, trial
