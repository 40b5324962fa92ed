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

    from tokcls.data.windows import WindowSettings
    from tokcls.inference.predictor import Predictor
    from tokcls.tasks.token.examples import Example

    examples = [Example(words, None) for words in SAMPLE]
    ours, theirs = (Predictor(model, tokenizer, WindowSettings(), 8).run(examples) for model in (network, exported))
    lengths = [len(words) for words in SAMPLE]
    same = torch.equal(
        network.decoder.decode(ours.scores, lengths)[0], exported.decoder.decode(ours.scores, lengths)[0]
    )
    return float((ours.scores - theirs.scores).abs().max()), same


def run(config, ctx):
    from tokcls.commands.shared.export import export_checked
    from tokcls.commands.token_classification import span
    from tokcls.tasks.token.hf_export import HfModel, to_hf

    def to_hf_model(network, tokenizer, folder):
        if network.task == span.SPAN:
            span.refuse_hf()
        to_hf(network, tokenizer, folder)

    def check(network, exported, tokenizer, _):
        if network.task == span.SPAN:
            return span.compare(network, exported, tokenizer)
        return compare(network, exported, tokenizer)

    def hf_model(folder, network):
        exported = HfModel(folder, network)
        if network.head.describe()["decoder"] != "argmax":  # pipeline() decodes each word alone
            exported.decoder = network.decoder
        return exported

    return export_checked(config, ctx, to_hf_model, hf_model, check)
