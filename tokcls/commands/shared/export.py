"""The export both programs run: an archive written as a Hugging Face directory or ONNX, checked against the archive,
and moved into RESULTS only when whole."""


def export_checked(config, ctx, to_hf, hf_model, compare):
    """The archive (-m, -k) written as format=hf (`to_hf(network, tokenizer, folder)`, loaded back as
    `hf_model(folder, network)`) or ONNX, then checked with `compare(network, exported, tokenizer, trained config)`
    -> (largest score difference, same predictions). Written and checked in a scratch folder, then moved into
    RESULTS: a failed or interrupted export leaves no half-written model there."""
    from pathlib import Path

    from tokcls.core.atomic import staged_directory
    from tokcls.core.errors import InputError
    from tokcls.export.model_card import model_card
    from tokcls.export.onnx import OnnxModel, to_onnx
    from tokcls.model.archive import load_model
    from tokcls.tasks import program_of

    network, tokenizer, trained = load_model(ctx.model, ctx.key)
    if program_of(network.task) != ctx.program:
        raise InputError(
            f"a {network.task} model, but this is {ctx.program}",
            f"export it with {program_of(network.task)} export",
            ctx.model,
        )
    out = ctx.results_dir
    if config.export_to and config.format.value == "hf":
        raise InputError("format=hf writes a directory, so export_to has nothing to name", "leave export_to null", out)
    with staged_directory(out, overwrite=config.overwrite) as stage:
        if config.format.value == "hf":
            to_hf(network, tokenizer, stage)
            name = Path(str(ctx.model)).stem
            (stage / "README.md").write_text(model_card(network, trained, name), encoding="utf-8")
            exported, target = hf_model(stage, network), out
        else:
            name = Path(config.export_to or "model.onnx").name
            to_onnx(network, stage / name)
            tokenizer.save_pretrained(stage)
            (stage / "label_ids.csv").write_text("".join(f"{label}\n" for label in network.labels))
            exported, target = OnnxModel(stage / name, network.describe()), out / name
        if config.check:
            difference, same = compare(network, exported, tokenizer, trained)
            print(
                f"Largest score difference between the archive and the {config.format.value} export: {difference:.2e}"
                f"; predictions {'the same' if same else 'DIFFERENT'}"
            )
            if difference > 1e-4 or not same:
                raise InputError(
                    f"the export differs from the archive (scores by {difference:.2e}"
                    f"{', and it predicts differently' if not same else ''})",
                    "report this as a bug",
                    target,
                )
    print(f"Exported {ctx.model} to {target}")
    return target
