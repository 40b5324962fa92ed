"""evaluate: score a text model archive on a labelled file; write reports, a confusion matrix, predictions."""
from tokcls.commands.base import Command
from tokcls.config.text import TextEvaluateConfig

COMMAND = Command("evaluate", "score a model archive on a labelled file: reports, confusion matrix, predictions",
                  TextEvaluateConfig, ("-e", "-r", "-m", "-k", "-g"), requires_results=True, requires_model=True)


def run(config, ctx) -> dict:
    from tokcls.core.atomic import atomic_files
    from tokcls.data.text_examples import split_path
    from tokcls.inference.runtime import load_for_inference
    from tokcls.inference.scoring import format_summary, score_text_split

    predictor = load_for_inference(ctx, config, config.test_ds.batch_size)
    path = split_path(config.data_dir, config.test_ds)
    examples, prediction, reports = score_text_split(predictor, path, config.test_ds.num_samples, config.test_ds.shuffle)
    text = predictor.task.format_reports(reports) + "\n\n" + format_summary(reports["summary"], "scikit-learn")
    print(text)
    with atomic_files(ctx.results_dir) as out:
        written = predictor.task.write_results(out, examples, prediction.labels, reports, predictor.model.labels, path.stem, text)
    print(f"\nWrote {', '.join(written)} to {ctx.results_dir}")
    return reports
