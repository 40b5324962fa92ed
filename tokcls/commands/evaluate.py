"""evaluate: score a model archive on a labelled split; write reports, a confusion matrix, predictions and
report.html (the page to look at); with a second archive, where the two disagree."""

from tokcls.commands.base import Command
from tokcls.tasks.token.specs import EvaluateConfig

COMMAND = Command(
    "evaluate",
    "score a model archive on a labelled split: reports, report.html, confusion matrix, predictions",
    EvaluateConfig,
    ("-e", "-r", "-m", "-k", "-g"),
    requires_results=True,
    requires_model=True,
)


def run(config, ctx) -> dict:
    from pathlib import Path

    from tokcls.inference.scoring import read_split, score_split
    from tokcls.tasks.token.splits import check_split_files

    check_split_files(config.data_dir, config.test_ds, "test_ds")
    examples = read_split(config.data_dir, config.test_ds)  # before the model loads: a missing or empty split stops now
    split = Path(config.test_ds.text_file).stem.removeprefix("text_")
    dataset = str(Path(config.data_dir) / config.test_ds.text_file)
    return evaluate(
        config,
        ctx,
        lambda p: score_split(p, config.data_dir, config.test_ds, examples=examples),
        split,
        dataset,
        "entity level, seqeval",
    )


def evaluate(config, ctx, score, split: str, dataset: str, source: str) -> dict:
    """Both programs' evaluate: run the archive (and the one to compare, on the same examples), print the reports,
    and write every file at once. `score(predictor)` -> (examples, prediction, reports)."""
    from datetime import datetime

    from omegaconf import OmegaConf

    from tokcls.core.atomic import atomic_files
    from tokcls.inference.runtime import load_for_inference
    from tokcls.inference.scoring import format_summary
    from tokcls.report.page import Meta, Run

    predictor = load_for_inference(ctx, config, config.test_ds.batch_size)
    examples, prediction, reports = score(predictor)
    text = predictor.task.format_reports(reports) + "\n\n" + format_summary(reports["summary"], source)
    print(text)
    runs = [Run(str(ctx.model), prediction.labels, prediction.confidences, reports)]
    meta = Meta(
        dataset,
        datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        _model_facts(config, predictor),
        [
            ("evaluate spec", OmegaConf.to_yaml(config)),
            (f"{ctx.model}: its training spec", OmegaConf.to_yaml(predictor.trained)),
        ],
    )
    if config.compare_to:
        other = load_for_inference(ctx, config, config.test_ds.batch_size, config.compare_to)
        print(f"\nComparing with {config.compare_to}:")
        _, prediction_b, reports_b = score(other)
        print(format_summary(reports_b["summary"], source))
        runs.append(Run(str(config.compare_to), prediction_b.labels, prediction_b.confidences, reports_b))
        meta.specs.append((f"{config.compare_to}: its training spec", OmegaConf.to_yaml(other.trained)))
    page = predictor.task.report_page(examples, runs, predictor.model, meta)
    with atomic_files(ctx.results_dir) as out:
        written = predictor.task.write_results(
            out, examples, prediction.labels, reports, predictor.model.labels, split, text
        )
        with out.open("report.html") as f:
            f.write(page)
    print(f"\nWrote report.html, {', '.join(written)} to {ctx.results_dir}")
    return reports


def _model_facts(config, predictor) -> list[tuple[str, str]]:
    from omegaconf import OmegaConf

    model = predictor.model
    facts = [
        ("encoder", str(OmegaConf.select(predictor.trained, "model.language_model.pretrained_model_name"))),
        ("labels", f"{len(model.labels)}: {', '.join(model.labels)}"),
    ]
    facts += predictor.task.model_facts(model.describe(), config)
    runtime, quantize = (
        getattr(config.runtime, "value", config.runtime),
        getattr(config.quantize, "value", config.quantize),
    )
    facts.append(("runtime", runtime + (" int8" if quantize == "int8" else "")))
    return facts
