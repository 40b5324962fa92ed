"""token_classification's spec checks across keys: each labelled split has both files, and a checkpoint monitors a
metric this task logs. Run by tokcls.tasks.spec_checks.check_spec after the shared checks; imports no torch (spec errors are
reported before any model code loads)."""

from __future__ import annotations

from tokcls.config.experiment import MONITORS  # the names any task logs; unknown ones are training_problems' to report
from tokcls.config.schema import LOSSES, training_problems

# What validation logs (TokenTask.validation_metrics): a checkpoint may monitor these or a loss
METRICS = ("val_entity_f1", "val_entity_precision", "val_entity_recall", "val_token_f1", "val_token_macro_f1")


def split_problems(command: str, config) -> list[str]:
    """Labelled splits need both files: training and validation always, test_ds when it is used."""
    splits = {
        "train": ("training_ds", "validation_ds", "test_ds"),
        "fine-tune": ("training_ds", "validation_ds", "test_ds"),
        "evaluate": ("test_ds",),
    }.get(command, ())
    problems = []
    for name in splits:
        split = config[name]
        if name == "test_ds" and command != "evaluate" and not split.text_file:
            continue  # train's test_ds is optional
        for key in ("text_file", "labels_file"):
            if not split[key]:
                problems.append(
                    f"{name}.{key} is null: this split needs its sentences and their labels "
                    f"(files in data_dir, e.g. {name}.{key}={key.split('_')[0]}s_dev.txt)."
                )
    return problems


def spec_problems(command: str, config) -> list[str]:
    problems = split_problems(command, config)
    if command not in ("train", "fine-tune"):
        return problems
    problems += training_problems(config)
    monitor = config.exp_manager.checkpoint_callback_params.monitor
    if monitor in MONITORS and monitor not in METRICS + LOSSES:
        problems.append(
            f"exp_manager.checkpoint_callback_params.monitor={monitor} is not a token_classification metric; "
            f"token_classification logs val_loss, {', '.join(METRICS)}."
        )
    return problems
