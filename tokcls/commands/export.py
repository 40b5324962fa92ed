"""export: a model archive -> a Hugging Face directory or an ONNX model, checked against the archive."""

from tokcls.commands.base import Command
from tokcls.commands.specs import ExportConfig

COMMAND = Command(
    "export",
    "write a model archive as a Hugging Face directory (format=hf) or ONNX (format=onnx)",
    ExportConfig,
    ("-e", "-r", "-m", "-k"),
    requires_results=True,
    requires_model=True,
)
SAMPLE = [["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."], ["Peter", "Blackburn"]]


def compare(network, exported, tokenizer) -> tuple[float, bool]:
    """(largest word-score difference, same decoding) between the archive and the export on SAMPLE, both run
    through the Predictor. The export's decoder must decode as the archive's: both decode the archive's word
    scores here, so that a near tie between two labels cannot flip on the last digit."""
    import torch

    from tokcls.data.examples import Example
    from tokcls.data.features import WindowSettings
    from tokcls.inference.predictor import Predictor

    examples = [Example(words, None) for words in SAMPLE]
    ours, theirs = (Predictor(model, tokenizer, WindowSettings(), 8).run(examples) for model in (network, exported))
    lengths = [len(words) for words in SAMPLE]
    same = torch.equal(
        network.decoder.decode(ours.scores, lengths)[0], exported.decoder.decode(ours.scores, lengths)[0]
    )
    return float((ours.scores - theirs.scores).abs().max()), same


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

    network, tokenizer, trained = load_model(ctx.model, ctx.key)
    if network.task != ctx.program:
        raise InputError(
            f"a {network.task} model, but this is {ctx.program}", f"export it with {network.task} export", ctx.model
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


def run(config, ctx):
    from tokcls.tasks.token.hf_export import HfModel, to_hf

    def hf_model(folder, network):
        exported = HfModel(folder, network)
        if network.head.describe()["decoder"] != "argmax":  # pipeline() decodes each word alone
            exported.decoder = network.decoder
        return exported

    return export_checked(
        config, ctx, to_hf, hf_model, lambda network, exported, tokenizer, _: compare(network, exported, tokenizer)
    )
