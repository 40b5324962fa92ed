"""evaluate: score a model archive on a labelled split; write reports, a confusion matrix, predictions."""
from tokcls.commands.base import Command
from tokcls.config.inference import EvaluateConfig

COMMAND = Command("evaluate", "score a model archive on a labelled split: reports, confusion matrix, predictions",
                  EvaluateConfig, ("-e", "-r", "-m", "-k", "-g"), requires_results=True, requires_model=True)


def run(config, ctx) -> dict:
    from pathlib import Path

    from tokcls.core.atomic import atomic_files
    from tokcls.inference.runtime import load_for_inference
    from tokcls.inference.scoring import format_summary, score_split

    predictor = load_for_inference(ctx, config, config.test_ds.batch_size)
    examples, pred, reports = score_split(predictor, config.data_dir, config.test_ds)
    text = predictor.task.format_reports(reports) + "\n\n" + format_summary(reports["summary"])
    print(text)
    split = Path(config.test_ds.text_file).stem.removeprefix("text_")
    with atomic_files(ctx.results_dir) as out:
        written = predictor.task.write_results(out, examples, pred, reports, predictor.model.labels, split, text)
    print(f"\nWrote {', '.join(written)} to {ctx.results_dir}")
    return reports
