"""export: a model archive -> a Hugging Face directory or an ONNX model, checked against the archive."""
from __future__ import annotations

from pathlib import Path

import torch

from conversion.atomic import staged_directory
from conversion.errors import InputError
from tokcls.archive import load_model
from tokcls.export.hf import to_hf
from tokcls.export.onnx import OnnxModel, to_onnx

SAMPLE = [["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."], ["Peter", "Blackburn"]]


def largest_difference(model, exported, tokenizer) -> float:
    batch = tokenizer(SAMPLE, is_split_into_words=True, padding=True, return_tensors="pt")
    model.eval()
    with torch.inference_mode():
        ours = model(batch["input_ids"], batch["attention_mask"])
        theirs = exported(batch["input_ids"], batch["attention_mask"])
    mask = batch["attention_mask"].bool()
    return float((ours - theirs)[mask].abs().max())


def run(config, args) -> Path:
    model, tokenizer, _ = load_model(args.model, getattr(args, "key", None))
    out = Path(args.results_dir)
    if config.export_to and config.format.value == "hf":
        raise InputError("format=hf writes a directory, so export_to has nothing to name", "leave export_to null", out)
    # Written and checked in a scratch folder, then moved into RESULTS: a failed or interrupted
    # export leaves no half-written model there.
    with staged_directory(out, overwrite=config.overwrite) as stage:
        if config.format.value == "hf":
            from transformers import AutoModelForTokenClassification

            to_hf(model, tokenizer, stage)
            hf_model = AutoModelForTokenClassification.from_pretrained(stage).eval()
            exported = lambda ids, mask: hf_model(input_ids=ids, attention_mask=mask).logits  # noqa: E731
            target = out
        else:
            name = Path(config.export_to or "model.onnx").name
            to_onnx(model, stage / name)
            tokenizer.save_pretrained(stage)
            (stage / "label_ids.csv").write_text("".join(f"{label}\n" for label in model.labels))
            exported = OnnxModel(stage / name, model.labels)
            target = out / name
        if config.check:
            difference = largest_difference(model, exported, tokenizer)
            print(f"Largest logit difference between the archive and the {config.format.value} export: {difference:.2e}")
            if difference > 1e-4:
                raise InputError(f"the export differs from the archive by {difference:.2e}", "report this as a bug", target)
    print(f"Exported {args.model} to {target}")
    return target
