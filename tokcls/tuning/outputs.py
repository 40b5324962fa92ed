"""What tune writes besides the trials' folders: the live table, trials.csv, best.tcls, best_spec.yaml and the
plots. Each is written whole (temporary file, then rename), so a killed run never leaves half a file."""

from __future__ import annotations

import csv
import logging
import os
import shutil
import warnings
from pathlib import Path

import optuna
from omegaconf import OmegaConf
from optuna.trial import TrialState

from tokcls.core.atomic import atomic_files

log = logging.getLogger("tokcls")

BEST_ARCHIVE, BEST_SPEC, TRIALS_CSV = "best.tcls", "best_spec.yaml", "trials.csv"
PLOTS = {
    "optimization_history.png": "plot_optimization_history",
    "param_importances.png": "plot_param_importances",
    "intermediate_values.png": "plot_intermediate_values",
}


def short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class Table:
    """One line per trial as it ends: trial, state, metric, validations, time, values."""

    def __init__(self, monitor: str, keys: list[str]):
        self.monitor, self.keys = monitor, keys

    def header(self) -> str:
        return f"{'trial':>5}  {'state':<8} {self.monitor:>14} {'validations':>11} {'seconds':>8}  values"

    def line(self, number: int, state: str, value, validations, seconds: float, values: dict) -> str:
        shown = "-" if value is None else f"{value:.4f}"
        return (
            f"{number:>5}  {state:<8} {shown:>14} {validations if validations is not None else '-':>11} {seconds:>8.1f}  "
            + "  ".join(f"{k}={short(values[k])}" for k in self.keys if k in values)
        )


def write_trials_csv(study: optuna.Study, results: Path, keys: list[str]) -> None:
    columns = ["trial", "state", "value", "validations", "seconds", *keys, "retry_of", "error", "started", "finished"]
    with atomic_files(results) as files:
        out = csv.writer(files.open(TRIALS_CSV))
        out.writerow(columns)
        for t in study.get_trials(deepcopy=False):
            seconds = (
                (t.datetime_complete - t.datetime_start).total_seconds()
                if t.datetime_complete and t.datetime_start
                else ""
            )
            validations = len(t.intermediate_values) if t.state != TrialState.WAITING else ""
            out.writerow(
                [
                    t.number,
                    t.state.name,
                    "" if t.value is None else t.value,
                    validations,
                    seconds,
                    *[t.params.get(k, "") for k in keys],
                    t.user_attrs.get("retry_of", ""),
                    t.user_attrs.get("error", ""),
                    t.datetime_start or "",
                    t.datetime_complete or "",
                ]
            )


def keep_best(study: optuna.Study, number: int, archive: Path, spec, results: Path, keep_archives: bool) -> bool:
    """After trial `number` completed: when it is the study's best, its archive becomes RESULTS/best.tcls and its
    spec best_spec.yaml; unless keep_archives, the trial's own archive goes (best.tcls is the one kept)."""
    is_best = study.best_trial.number == number
    if is_best:
        with atomic_files(results) as files:
            files.open(BEST_SPEC).write(
                f"# tune's best trial, {number}: {study.best_value:.4f}\n" + OmegaConf.to_yaml(spec)
            )
        tmp = results / f".{BEST_ARCHIVE}.tmp"
        (shutil.copy2 if keep_archives else shutil.move)(archive, tmp)
        os.replace(tmp, results / BEST_ARCHIVE)
    elif not keep_archives:
        archive.unlink(missing_ok=True)
    return is_best


def write_plots(study: optuna.Study, results: Path) -> list[str]:
    """The optimisation history, the parameters' importances (from 2 completed trials on) and each trial's metric
    after each validation (what the pruner saw), as PNGs; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as plots

    written = []
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    for name, function in PLOTS.items():
        if not complete or (name == "param_importances.png" and len(complete) < 2):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
            try:
                axes = getattr(plots, function)(study)
            except (ValueError, RuntimeError) as e:  # e.g. importances when every trial drew the same values
                log.info("%s not drawn: %s", name, e)
                continue
        figure = axes.figure if hasattr(axes, "figure") else axes.flat[0].figure
        figure.set_size_inches(8, 5)
        figure.tight_layout()
        with atomic_files(results) as files:
            figure.savefig(files.open(name, "wb"), format="png", dpi=100)
        plt.close(figure)
        written.append(name)
    return written
