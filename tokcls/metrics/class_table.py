"""The per-class table every task prints: precision, recall, F1 and support of each label, and their averages
(scikit-learn's, in NeMo's layout). Tokens count words, texts count texts."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_fscore_support


def class_report(gold: list[list[str]], pred: list[list[str]], labels: list[str]) -> dict:
    """Per-label precision/recall/F1/support over units (words, texts), with micro, macro and weighted averages."""
    index = {label: i for i, label in enumerate(labels)}
    y_true = np.array([index[t] for sentence in gold for t in sentence], dtype=np.int64)
    y_pred = np.array([index[t] for sentence in pred for t in sentence], dtype=np.int64)
    present = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    report = {
        labels[i]: {"id": i, "precision": p[k], "recall": r[k], "f1": f[k], "support": int(s[k])}
        for k, i in enumerate(present)
    }
    for average in ("micro", "macro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=present, average=average, zero_division=0
        )
        report[f"{average} avg"] = {"precision": ap, "recall": ar, "f1": af, "support": int(len(y_true))}
    return report


def format_class_report(report: dict) -> str:
    """NeMo's layout: label (label_id: N), precision, recall, f1, support, in percent."""
    lines = [f"{'label':<40}{'precision':>12}{'recall':>12}{'f1':>12}{'support':>12}"]
    for name, row in report.items():
        if name.endswith(" avg"):
            continue
        lines.append(row_line(f"{name} (label_id: {row['id']})", row))
    lines.append("-" * 88)
    lines += [row_line(name, row) for name, row in report.items() if name.endswith(" avg")]
    return "\n".join(lines)


def row_line(name: str, row: dict) -> str:
    return (
        f"{name:<40}{100 * row['precision']:>12.2f}{100 * row['recall']:>12.2f}"
        f"{100 * row['f1']:>12.2f}{row['support']:>12}"
    )
