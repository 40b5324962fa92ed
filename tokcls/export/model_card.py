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

from tokcls.tasks import get_task


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
    """The README.md text of the export of `network` (trained with the spec `trained`); the task names its pipeline()
    and adds what its export keeps or loses (Task.model_card_notes)."""
    task = get_task(network.task)
    encoder = str(OmegaConf.select(trained, "model.language_model.pretrained_model_name"))
    data = OmegaConf.select(trained, "data_dir") or "unknown"
    licence = encoder_licence(encoder)
    metrics = _metrics(network.measured)
    front = {
        "library_name": "transformers",
        "pipeline_tag": task.hf_pipeline,
        "tags": ["tokcls", task.hf_pipeline],
        "base_model": encoder,
        "license": licence or "other",
        "model-index": [
            {
                "name": name,
                "results": [
                    {
                        "task": {"type": task.hf_pipeline, "name": task.title},
                        "dataset": {"name": Path(str(data)).name, "type": str(data)},
                        "metrics": metrics,
                    }
                ]
                if metrics
                else [],
            }
        ],
    }
    lines = [
        "---",
        yaml.safe_dump(front, sort_keys=False).rstrip(),
        "---",
        "",
        f"# {name}",
        "",
        f"A {task.title.lower()} model fine-tuned with tokcls from `{encoder}` "
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
        f'classifier = pipeline("{task.hf_pipeline}", model="PATH/TO/THIS/FOLDER")',
        "```",
        "",
    ]
    lines += task.model_card_notes(network)
    lines += ["## Training spec", "", "```yaml", OmegaConf.to_yaml(trained).rstrip(), "```", ""]
    return "\n".join(lines)
