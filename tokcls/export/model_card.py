"""README.md of a Hugging Face export: the model card the Hub and huggingface_hub read.

The YAML front matter carries the model-index metadata (task, labels, dataset, metrics) and the
encoder with its licence; the body says how to load it, what pipeline() does differently from tokcls
(per-word decoding of a Viterbi model, windows of long texts), and the training spec.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import yaml
from omegaconf import OmegaConf

PIPELINES = {"token_classification": "token-classification", "text_classification": "text-classification"}
TASK_NAMES = {"token_classification": "Token Classification", "text_classification": "Text Classification"}


def encoder_licence(name: str) -> str | None:
    """The encoder's licence: its model card's `license:`, else its PyPI package's licence (packaged encoders)."""
    from tokcls.model.encoder import PACKAGED, resolve_encoder

    readme = Path(resolve_encoder(name)) / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---"):
            try:
                front = yaml.safe_load(text.split("---", 2)[1]) or {}
            except yaml.YAMLError:
                front = {}
            if isinstance(front, dict) and front.get("license"):
                return str(front["license"])
    source = PACKAGED.get(name)
    if isinstance(source, tuple):
        try:
            meta = metadata.metadata(source[0])
        except metadata.PackageNotFoundError:
            return None
        return meta.get("License-Expression") or meta.get("License") or None
    return None


def _metrics(measured: dict) -> list[dict]:
    found = []
    for monitor, value in measured.get("validation", {}).items():
        found.append({"type": monitor.removeprefix("val_"), "value": round(value, 4), "name": f"validation {monitor}"})
    per_word = measured.get("per_word_decoding", {})
    for key, value in per_word.items():
        if key.startswith("entity_f1_"):
            found.append({"type": "f1", "value": round(value / 100, 4), "name": f"validation {key} (seqeval)"})
    return found


def model_card(network, trained, name: str) -> str:
    """The README.md text of the export of `network` (trained with the spec `trained`)."""
    encoder = str(OmegaConf.select(trained, "model.language_model.pretrained_model_name"))
    data = OmegaConf.select(trained, "data_dir") or "unknown"
    licence = encoder_licence(encoder)
    metrics = _metrics(network.measured)
    front = {
        "library_name": "transformers",
        "pipeline_tag": PIPELINES[network.task],
        "tags": ["tokcls", PIPELINES[network.task]],
        "base_model": encoder,
        "license": licence or "other",
        "model-index": [
            {
                "name": name,
                "results": [
                    {
                        "task": {"type": PIPELINES[network.task], "name": TASK_NAMES[network.task]},
                        "dataset": {"name": Path(str(data)).name, "type": str(data)},
                        "metrics": metrics,
                    }
                ]
                if metrics
                else [],
            }
        ],
    }
    head = network.head.describe()
    lines = [
        "---",
        yaml.safe_dump(front, sort_keys=False).rstrip(),
        "---",
        "",
        f"# {name}",
        "",
        f"A {TASK_NAMES[network.task].lower()} model fine-tuned with tokcls from `{encoder}` "
        f"(licence: {licence or 'unknown: see the encoder source'}) on `{data}`.",
        "",
        f"Labels ({len(network.labels)}): " + ", ".join(f"`{label}`" for label in network.labels),
        "",
    ]
    lines += [
        "## Use",
        "",
        "```python",
        "from transformers import pipeline",
        "",
        f'classifier = pipeline("{PIPELINES[network.task]}", model="PATH/TO/THIS/FOLDER")',
        "```",
        "",
    ]
    per_word = network.measured.get("per_word_decoding")
    if head.get("decoder") in ("crf", "constrained"):
        lines += [
            "## Decoding",
            "",
            f"tokcls decodes this model with its {head['decoder']} decoder (Viterbi over the "
            "words); pipeline() decodes each word alone from the same word scores.",
        ]
        if per_word:
            lines.append(decoding_cost(per_word, head["decoder"]))
        lines += ["For tokcls's own decoding, use `token_classification infer` or `export format=onnx`.", ""]
    lines += ["## Training spec", "", "```yaml", OmegaConf.to_yaml(trained).rstrip(), "```", ""]
    return "\n".join(lines)


def decoding_cost(per_word: dict, decoder: str) -> str:
    """The measured F1 of both decodings, as one sentence."""
    viterbi, alone = per_word[f"entity_f1_{decoder}"], per_word["entity_f1_per_word"]
    return (
        f"Measured on the {per_word['split']} split when training ended: entity F1 {viterbi:.2f} with the {decoder} "
        f"decoder, {alone:.2f} with each word decoded alone ({alone - viterbi:+.2f} points)."
    )
