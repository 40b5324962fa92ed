"""The text reports equal scikit-learn's and scipy's on the same predictions."""

import math
import random

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, classification_report, f1_score, matthews_corrcoef, mean_squared_error

from tokcls.tasks.text.metrics import indicator, multi_label_report, regression_report, single_label_report

LABELS = ["a", "b", "c", "d"]


@pytest.mark.parametrize("seed", range(5))
def test_single_label_equals_sklearn(seed):
    rng = random.Random(seed)
    gold = [rng.choice(LABELS[:3]) for _ in range(60)]
    pred = [g if rng.random() < 0.6 else rng.choice(LABELS) for g in gold]
    report = single_label_report([[g] for g in gold], [[p] for p in pred], LABELS)
    present = sorted(set(gold) | set(pred))
    expected = classification_report(gold, pred, labels=present, output_dict=True, zero_division=0)
    for label in present:
        assert report["classes"][label]["f1"] == pytest.approx(expected[label]["f1-score"])
        assert report["classes"][label]["support"] == expected[label]["support"]
    for average in ("macro", "weighted"):
        assert report["classes"][f"{average} avg"]["f1"] == pytest.approx(expected[f"{average} avg"]["f1-score"])
    assert report["accuracy"] == pytest.approx(accuracy_score(gold, pred))
    assert report["classes"]["micro avg"]["f1"] == pytest.approx(f1_score(gold, pred, average="micro"))
    assert report["mcc"] == pytest.approx(matthews_corrcoef(gold, pred))


def test_binary_tasks_report_glues_f1_of_the_second_class():
    gold, pred = ["n", "p", "p", "n", "p"], ["n", "p", "n", "p", "p"]
    report = single_label_report([[g] for g in gold], [[p] for p in pred], ["n", "p"])
    assert report["glue"]["f1"] == pytest.approx(f1_score(gold, pred, pos_label="p"))


@pytest.mark.parametrize("seed", range(5))
def test_multi_label_equals_sklearn(seed):
    rng = random.Random(seed)
    gold = [sorted(rng.sample(LABELS, rng.randint(0, 3))) for _ in range(50)]
    pred = [sorted(rng.sample(LABELS, rng.randint(0, 3))) for _ in range(50)]
    report = multi_label_report(gold, pred, LABELS)
    y_true, y_pred = indicator(gold, LABELS), indicator(pred, LABELS)
    expected = classification_report(y_true, y_pred, target_names=LABELS, output_dict=True, zero_division=0)
    for name in LABELS + ["micro avg", "macro avg", "weighted avg", "samples avg"]:
        assert report["classes"][name]["f1"] == pytest.approx(expected[name]["f1-score"])
    assert report["subset_accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
    assert report["subset_accuracy"] == pytest.approx(np.mean([g == p for g, p in zip(gold, pred)]))


def test_regression_equals_scipy():
    rng = np.random.default_rng(0)
    gold = rng.normal(size=40)
    pred = gold + rng.normal(scale=0.5, size=40)
    report = regression_report(gold.tolist(), pred.tolist())
    assert report["pearson"] == pytest.approx(pearsonr(gold, pred)[0])
    assert report["spearman"] == pytest.approx(spearmanr(gold, pred)[0])
    assert report["mse"] == pytest.approx(mean_squared_error(gold, pred))
    assert math.isnan(regression_report([1.0, 2.0], [3.0, 3.0])["pearson"])  # constant predictions: undefined, not 0


def test_the_test_summary_shows_correlations_to_four_decimals():
    from tokcls.metrics.summary import format_summary

    text = format_summary(
        {"pearson": 0.80451, "spearman": 0.79601, "mse": 1.36112, "test_loss": 1.36112}, "scikit-learn"
    )
    assert "0.8045" in text and "0.7960" in text and "1.3611" in text
