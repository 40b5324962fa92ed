"""The search-space grammar read into Optuna distributions (no training)."""

import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from tokcls.tuning.search_space import parse_distribution


@pytest.mark.parametrize(
    "text, expected, grid",
    [
        ("loguniform(1e-5, 1e-3)", FloatDistribution(1e-5, 1e-3, log=True), None),
        ("uniform(0, 0.5)", FloatDistribution(0.0, 0.5), None),
        ("uniform(0.0, 0.5, step=0.1)", FloatDistribution(0.0, 0.5, step=0.1), None),
        ("int(1, 3)", IntDistribution(1, 3), [1, 2, 3]),
        ("int(16, 64, step=16)", IntDistribution(16, 64, step=16), [16, 32, 48, 64]),
        ("logint(8, 256)", IntDistribution(8, 256, log=True), None),
        ("choice(16, 32, 64)", CategoricalDistribution([16, 32, 64]), [16, 32, 64]),
        ("choice('crf', 'argmax')", CategoricalDistribution(["crf", "argmax"]), ["crf", "argmax"]),
        ("choice(crf, argmax)", CategoricalDistribution(["crf", "argmax"]), ["crf", "argmax"]),
        (" choice(true_value) ".replace("true_value", "True"), CategoricalDistribution([True]), [True]),
    ],
)
def test_each_distribution_reads_into_optunas(text, expected, grid):
    param = parse_distribution("k", text)
    assert param.distribution == expected and param.grid() == grid


@pytest.mark.parametrize(
    "text, message",
    [
        ("uniform(1, 1)", "low (1) must be below high (1)"),
        ("int(1.5, 3)", "whole numbers"),
        ("logint(0, 3)", "logint needs low > 0"),
        ("choice()", "one or more values"),
        ("choice([1, 2])", "choice values are numbers"),
        ("uniform(a, 1)", "takes two numbers"),
        ("uniform(1 + 1, 3)", "literal numbers"),
        ("uniform(0, 1, steps=2)", "unknown argument(s) steps"),
        ("0.5", "not a distribution"),
        ("__import__('os').system('true')", "not a distribution"),
    ],
)
def test_malformed_entries_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_distribution("k", text)


@pytest.mark.parametrize(
    "text, inside, outside",
    [("int(1, 3)", [1, 3], [0, 2.0, True]), ("uniform(0, 1)", [0, 0.5, 1], [1.5, "a"]), ("choice(16, 32)", [16], [8])],
)
def test_enqueued_values_must_lie_in_the_space(text, inside, outside):
    param = parse_distribution("k", text)
    assert all(param.contains(v) for v in inside) and not any(param.contains(v) for v in outside)
