"""text_classification's spec checks across keys: the splits' files, and keys that must agree with the problem type
(the class weights, the monitored metric). Run by tokcls.tasks.spec_checks.check_spec after the shared checks; imports no torch."""

from __future__ import annotations

from tokcls.config.experiment import MONITORS  # the names any task logs; unknown ones are training_problems' to report
from tokcls.config.schema import LOSSES, _value, training_problems

TEXT_METRICS = {
    # val_f1: the positive class's binary F1 (MRPC, QQP), logged for two classes only (checked once the labels are read)
    "single_label_classification": {
        "val_accuracy",
        "val_f1",
        "val_macro_f1",
        "val_micro_f1",
        "val_weighted_f1",
        "val_mcc",
    },
    "multi_label_classification": {"val_macro_f1", "val_micro_f1", "val_weighted_f1", "val_subset_accuracy"},
    "regression": {"val_pearson", "val_spearman", "val_mse"},
}


def spec_problems(command: str, config) -> list[str]:
    splits = {
        "train": ("training_ds", "validation_ds"),
        "fine-tune": ("training_ds", "validation_ds"),
        "evaluate": ("test_ds",),
    }.get(command, ())
    problems = [
        f"{name}.file_path is null: this split needs its file (e.g. {name}.file_path=dev.tsv)"
        for name in splits
        if not config[name].file_path
    ]
    for name in ("training_ds", "validation_ds", "test_ds"):
        if name in config and config[name].drop_last:
            problems.append(f"{name}.drop_last=true: every text is trained on and scored in tokcls. Set it to false.")
    if command not in ("train", "fine-tune"):
        return problems
    problems += training_problems(config)
    dataset = config.model.dataset
    problem = _value(dataset.problem_type)
    if _value(dataset.class_balancing) == "weighted_loss" and problem != "single_label_classification":
        problems.append(
            f"model.dataset.class_balancing=weighted_loss weighs classes of single-label data; this is {problem}. "
            "Set it to null."
        )
    monitor = config.exp_manager.checkpoint_callback_params.monitor
    if monitor in MONITORS and monitor not in TEXT_METRICS[problem] and monitor not in LOSSES:
        problems.append(
            f"exp_manager.checkpoint_callback_params.monitor={monitor} is not logged for {problem}; use val_loss "
            f"or one of {', '.join(sorted(TEXT_METRICS[problem]))}."
        )
    return problems
