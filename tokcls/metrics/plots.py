"""The confusion-matrix picture written by evaluate."""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
from sklearn.metrics import confusion_matrix


def plot_confusion_matrix(
    gold: list[list[str]], pred: list[list[str]], labels: list[str], out: BinaryIO, unit: str = "words"
) -> None:
    """Row-normalised (per word or per text: `unit`) confusion matrix, labels on both axes, sized to stay readable."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    present = [lab for lab in labels if any(lab in s for s in gold) or any(lab in s for s in pred)]
    matrix = confusion_matrix([t for s in gold for t in s], [t for s in pred for t in s], labels=present)
    rows = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, rows, out=np.zeros(matrix.shape, dtype=float), where=rows > 0)
    size = max(6.0, 0.35 * len(present) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(present)), present, rotation=90, fontsize=8)
    ax.set_yticks(range(len(present)), present, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"Confusion matrix (share of each gold label's {unit})")
    if len(present) <= 30:
        for i in range(len(present)):
            for j in range(len(present)):
                if matrix[i, j]:
                    ax.text(
                        j,
                        i,
                        str(matrix[i, j]),
                        ha="center",
                        va="center",
                        fontsize=6,
                        color="white" if share[i, j] > 0.5 else "black",
                    )
    fig.colorbar(image, fraction=0.046, pad=0.04)
    fig.tight_layout()
    fig.savefig(out, format="png", dpi=120)
    plt.close(fig)
