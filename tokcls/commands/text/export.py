"""export: a text model archive -> a Hugging Face directory (pipeline("text-classification")) or ONNX, checked."""
from tokcls.commands.base import Command
from tokcls.config.inference import ExportConfig

COMMAND = Command("export", "write a model archive as a Hugging Face directory (format=hf) or ONNX (format=onnx)",
                  ExportConfig, ("-e", "-r", "-m", "-k"), requires_results=True, requires_model=True)
SAMPLE = ["What is the capital of Sweden ?", "Markets fell sharply on Monday after the central bank raised rates.",
          "A tender, funny and quietly devastating film ."]


def compare(network, exported, tokenizer, settings) -> tuple[float, bool]:
    """(largest text-score difference, same predictions) between the archive and the export on SAMPLE."""
    from tokcls.data.text_examples import TextExample
    from tokcls.inference.predictor import Predictor

    examples = [TextExample(text) for text in SAMPLE]
    ours, theirs = (Predictor(model, tokenizer, settings, 8).run(examples) for model in (network, exported))
    return float((ours.scores - theirs.scores).abs().max()), network.decoder.decode(ours.scores) == exported.decoder.decode(ours.scores)


def run(config, ctx):
    from pathlib import Path

    from tokcls.core.atomic import staged_directory
    from tokcls.core.errors import InputError
    from tokcls.data.text_datamodule import text_window_settings
    from tokcls.export.hf_text import HfTextModel, to_hf_text
    from tokcls.export.onnx import OnnxModel, to_onnx
    from tokcls.model.archive import load_model

    network, tokenizer, trained = load_model(ctx.model, ctx.key)
    if network.task != ctx.program:
        raise InputError(f"a {network.task} model", f"export it with {network.task} export", ctx.model)
    out = ctx.results_dir
    if config.export_to and config.format.value == "hf":
        raise InputError("format=hf writes a directory, so export_to has nothing to name", "leave export_to null", out)
    with staged_directory(out, overwrite=config.overwrite) as stage:
        if config.format.value == "hf":
            to_hf_text(network, tokenizer, stage)
            exported, target = HfTextModel(stage, network), out
        else:
            name = Path(config.export_to or "model.onnx").name
            to_onnx(network, stage / name)
            tokenizer.save_pretrained(stage)
            (stage / "label_ids.csv").write_text("".join(f"{label}\n" for label in network.labels))
            exported, target = OnnxModel(stage / name, network.describe()), out / name
        if config.check:
            difference, same = compare(network, exported, tokenizer, text_window_settings(trained.model.dataset))
            print(f"Largest text-score difference between the archive and the {config.format.value} export: {difference:.2e}"
                  f"; predictions {'the same' if same else 'DIFFERENT'}")
            if difference > 1e-4 or not same:
                raise InputError(f"the export differs from the archive (scores by {difference:.2e})", "report this as a bug", target)
    print(f"Exported {ctx.model} to {target}")
    return target
