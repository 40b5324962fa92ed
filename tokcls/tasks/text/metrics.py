"""Scores of whole-text predictions, as scikit-learn and scipy compute them: classes (NeMo's table with
micro/macro/weighted averages, accuracy, Matthews correlation), multi-label sets, regression values.
`glue` holds the names the GLUE benchmark reports them under."""

from __future__ import annotations

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    matthews_corrcoef,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_fscore_support,
)

from tokcls.metrics.class_table import class_report, format_class_report


def single_label_report(gold: list[list[str]], pred: list[list[str]], labels: list[str]) -> dict:
    y_true, y_pred = [g[0] for g in gold], [p[0] for p in pred]
    table = class_report(gold, pred, labels)  # sklearn's per-class table: one "word" per text
    accuracy, mcc = accuracy_score(y_true, y_pred), matthews_corrcoef(y_true, y_pred)
    macro = table["macro avg"]["f1"]
    glue = {"accuracy": accuracy, "matthews_correlation": mcc}
    summary = {
        "accuracy": 100 * accuracy,
        "macro_f1": 100 * macro,
        "weighted_f1": 100 * table["weighted avg"]["f1"],
        "mcc": 100 * mcc,
    }
    if len(labels) == 2:  # GLUE's f1 for binary tasks (MRPC, QQP): of the class with id 1
        glue["f1"] = f1_score(y_true, y_pred, pos_label=labels[1], average="binary", zero_division=0)
        summary[f"f1_{labels[1]}"] = 100 * glue["f1"]  # the positive class's binary F1, named by the class
    return {
        "problem_type": "single_label_classification",
        "classes": table,
        "accuracy": accuracy,
        "mcc": mcc,
        "glue": glue,
        "summary": summary,
    }


def indicator(sets: list[list[str]], labels: list[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(sets), len(labels)), dtype=np.int64)
    for row, names in enumerate(sets):
        matrix[row, [index[n] for n in names]] = 1
    return matrix


def multi_label_report(gold: list[list[str]], pred: list[list[str]], labels: list[str]) -> dict:
    y_true, y_pred = indicator(gold, labels), indicator(pred, labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    table = {
        label: {"id": i, "precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
        for i, label in enumerate(labels)
    }
    for average in ("micro", "macro", "weighted", "samples"):
        ap, ar, af, _ = precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0)
        table[f"{average} avg"] = {"precision": ap, "recall": ar, "f1": af, "support": int(y_true.sum())}
    subset = accuracy_score(y_true, y_pred)  # every label of a text right
    return {
        "problem_type": "multi_label_classification",
        "classes": table,
        "subset_accuracy": subset,
        "summary": {
            "micro_f1": 100 * table["micro avg"]["f1"],
            "macro_f1": 100 * table["macro avg"]["f1"],
            "subset_accuracy": 100 * subset,
        },
    }


def regression_report(gold: list[float], pred: list[float]) -> dict:
    y_true, y_pred = np.asarray(gold, dtype=np.float64), np.asarray(pred, dtype=np.float64)
    constant = len(y_true) < 2 or np.ptp(y_true) == 0 or np.ptp(y_pred) == 0  # correlation undefined
    pearson = float("nan") if constant else float(pearsonr(y_true, y_pred)[0])
    spearman = float("nan") if constant else float(spearmanr(y_true, y_pred)[0])
    mse = float(mean_squared_error(y_true, y_pred))
    return {
        "problem_type": "regression",
        "pearson": pearson,
        "spearman": spearman,
        "mse": mse,
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "glue": {"pearson": pearson, "spearmanr": spearman, "combined_score": (pearson + spearman) / 2},
        "summary": {"pearson": pearson, "spearman": spearman, "mse": mse},
    }


def text_reports(gold: list, pred: list, labels: list[str], problem: str) -> dict:
    if problem == "regression":
        return regression_report(gold, pred)
    if problem == "multi_label_classification":
        return multi_label_report(gold, pred, labels)
    return single_label_report(gold, pred, labels)


def format_text_reports(reports: dict) -> str:
    problem = reports["problem_type"]
    if problem == "regression":
        return "\n".join(f"{name:<12}{reports[name]:>12.4f}" for name in ("pearson", "spearman", "mse", "mae"))
    lines = [format_class_report(reports["classes"])]
    if problem == "multi_label_classification":
        lines.append(f"{'subset accuracy':<40}{100 * reports['subset_accuracy']:>12.2f}")
    else:
        lines += [
            f"{'accuracy':<40}{100 * reports['accuracy']:>12.2f}",
            f"{'Matthews correlation':<40}{100 * reports['mcc']:>12.2f}",
        ]
        if "f1" in reports["glue"]:  # binary: the positive class's F1, MRPC's and QQP's headline (val_f1)
            positive = next(name for name, row in reports["classes"].items() if row.get("id") == 1)
            lines.append(f"{f'binary f1 ({positive}, id 1)':<40}{100 * reports['glue']['f1']:>12.2f}")
    return "\n".join(lines)
