"""How far a model's confidence can be trusted: the reliability diagram and the expected calibration error."""

from __future__ import annotations

import numpy as np


def reliability(confidence, correct, bins: int = 10) -> dict:
    """Per equal-width confidence bin: how many predictions, their mean confidence and their accuracy; and the
    expected calibration error (the gap between the two, weighted by the bins' sizes)."""
    confidence, correct = np.asarray(confidence, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    which = np.clip((confidence * bins).astype(int), 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    mean_conf = np.bincount(which, confidence, bins) / np.maximum(count, 1)
    accuracy = np.bincount(which, correct, bins) / np.maximum(count, 1)
    ece = float(np.sum(count * np.abs(accuracy - mean_conf)) / max(1, len(confidence)))
    return {
        "count": count.tolist(),
        "confidence": mean_conf.tolist(),
        "accuracy": accuracy.tolist(),
        "ece": ece,
        "bins": bins,
        "n": int(len(confidence)),
    }


def reliability_figure(table: dict, unit: str, axis: str = "confidence of the predicted label"):
    """Accuracy against confidence per bin (bars) beside the diagonal of a perfectly calibrated model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = table["bins"]
    edges = np.linspace(0, 1, bins + 1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5.2, 5.6), height_ratios=(3, 1), sharex=True)
    filled = np.asarray(table["count"]) > 0
    top.bar(
        edges[:-1][filled],
        np.asarray(table["accuracy"])[filled],
        width=1 / bins,
        align="edge",
        color="#4e79a7",
        edgecolor="white",
        label="accuracy",
    )
    top.plot([0, 1], [0, 1], "--", color="#c62828", label="perfect calibration")
    top.set_ylabel("accuracy")
    top.set_ylim(0, 1)
    top.set_title(f"Reliability ({table['n']} {unit}; ECE {100 * table['ece']:.2f}%)")
    top.legend(loc="upper left", fontsize=8)
    bottom.bar(edges[:-1], table["count"], width=1 / bins, align="edge", color="#9aa5b5", edgecolor="white")
    bottom.set_yscale("log")
    bottom.set_ylabel(unit)
    bottom.set_xlabel(axis)
    bottom.set_xlim(0, 1)
    fig.tight_layout()
    return fig
