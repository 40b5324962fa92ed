"""The evaluate both programs run: the archive (and one to compare) scored, the reports printed, every file written
at once."""


def evaluate(config, ctx, score, split: str, dataset: str, source: str) -> dict:
    """Both programs' evaluate: run the archive (and the one to compare, on the same examples), print the reports,
    and write every file at once. `score(predictor)` -> (examples, prediction, reports)."""
    from datetime import datetime

    from omegaconf import OmegaConf

    from tokcls.core.atomic import atomic_files
    from tokcls.inference.runtime import load_for_inference
    from tokcls.metrics.summary import format_summary
    from tokcls.report.page import Meta, Run

    predictor = load_for_inference(ctx, config, config.test_ds.batch_size)
    examples, prediction, reports = score(predictor)
    text = (
        predictor.task.format_reports(reports)
        + "\n\n"
        + format_summary(reports["summary"], source, predictor.task.summary_notes)
    )
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
        print(format_summary(reports_b["summary"], source, other.task.summary_notes))
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
