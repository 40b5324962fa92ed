"""export: a text model archive -> a Hugging Face directory (pipeline("text-classification")) or ONNX, checked."""

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
SAMPLE = [
    "What is the capital of Sweden ?",
    "Markets fell sharply on Monday after the central bank raised rates.",
    "A tender, funny and quietly devastating film .",
]


def compare(network, exported, tokenizer, trained) -> tuple[float, bool]:
    """(largest text-score difference, same predictions) between the archive and the export on SAMPLE."""
    from tokcls.inference.predictor import Predictor
    from tokcls.tasks.text.examples import TextExample
    from tokcls.tasks.text.features import text_window_settings

    examples = [TextExample(text) for text in SAMPLE]
    settings = text_window_settings(trained.model.dataset)
    ours, theirs = (Predictor(model, tokenizer, settings, 8).run(examples) for model in (network, exported))
    return float((ours.scores - theirs.scores).abs().max()), network.decoder.decode(
        ours.scores
    ) == exported.decoder.decode(ours.scores)


def run(config, ctx):
    from tokcls.commands.shared.export import export_checked
    from tokcls.tasks.text.hf_export import HfTextModel, to_hf_text

    return export_checked(config, ctx, to_hf_text, HfTextModel, compare)
