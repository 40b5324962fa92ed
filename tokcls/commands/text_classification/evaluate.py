"""evaluate: score a text model archive on a labelled file; write reports, report.html, a confusion matrix,
predictions; with a second archive, where the two disagree."""

from tokcls.commands.base import Command
from tokcls.tasks.text.specs import TextEvaluateConfig

COMMAND = Command(
    "evaluate",
    "score a model archive on a labelled file: reports, report.html, confusion matrix, predictions",
    TextEvaluateConfig,
    ("-e", "-r", "-m", "-k", "-g"),
    requires_results=True,
    requires_model=True,
)


def run(config, ctx) -> dict:
    from tokcls.commands.shared.evaluate import evaluate
    from tokcls.tasks.text.examples import check_text_file, split_path
    from tokcls.tasks.text.scoring import score_text_split

    path = split_path(config.data_dir, config.test_ds)
    check_text_file(path)  # before the model loads
    return evaluate(
        config,
        ctx,
        lambda p: score_text_split(p, path, config.test_ds.num_samples, config.test_ds.shuffle),
        path.stem,
        str(path),
        "scikit-learn",
    )
