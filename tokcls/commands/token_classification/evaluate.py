"""evaluate: score a model archive on a labelled split; write reports, a confusion matrix, predictions and
report.html (the page to look at); with a second archive, where the two disagree."""

from tokcls.commands.base import Command
from tokcls.commands.token_classification.specs import ProgramEvaluateConfig

COMMAND = Command(
    "evaluate",
    "score a model archive on a labelled split: reports, report.html, confusion matrix, predictions",
    ProgramEvaluateConfig,
    ("-e", "-r", "-m", "-k", "-g"),
    requires_results=True,
    requires_model=True,
)


def run(config, ctx) -> dict:
    from pathlib import Path

    from tokcls.commands.shared.evaluate import evaluate
    from tokcls.tasks.token.scoring import check_has_words
    from tokcls.tasks.token.splits import check_split_files

    check_split_files(config.data_dir, config.test_ds, "test_ds")  # before the model loads: a missing split stops now
    check_has_words(config.data_dir, config.test_ds)  # and an empty one
    split = Path(config.test_ds.text_file).stem.removeprefix("text_")
    dataset = str(Path(config.data_dir) / config.test_ds.text_file)
    return evaluate(
        config,
        ctx,
        lambda p: p.task.score_split(p, config.data_dir, config.test_ds),  # the archive's task reads the split
        split,
        dataset,
        "entity level, seqeval",
    )
