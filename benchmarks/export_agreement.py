"""How closely the Hugging Face and ONNX exports of an archive agree with tokcls itself.

    python benchmarks/export_agreement.py --model MODEL.tcls --data-dir DATA [--split dev] [--max-sentences 500]

Exports the archive both ways into a temporary folder, labels the split's sentences with tokcls,
with the exported AutoModelForTokenClassification (first sub-token of each word) and with the ONNX
model through `infer`'s onnxruntime path, and prints the share of words labelled the same and the
largest logit difference on the sentences that fit one window.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch

from tokcls.data.windows import WindowSettings
from tokcls.export.onnx import OnnxModel, to_onnx
from tokcls.inference.predictor import Predictor
from tokcls.model.archive import load_model
from tokcls.tasks.token.examples import read_examples
from tokcls.tasks.token.hf_export import to_hf


def main(argv=None) -> dict:
    from transformers import AutoModelForTokenClassification

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--key")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--max-sentences", type=int, default=500)
    args = parser.parse_args(argv)

    model, tokenizer, trained = load_model(args.model, args.key)
    examples = [
        e for e in read_examples(Path(args.data_dir) / f"text_{args.split}.txt", None, args.max_sentences) if e.words
    ]
    settings = WindowSettings(trained.model.dataset.max_seq_length, trained.model.dataset.stride)
    ours, _ = Predictor(model, tokenizer, settings).predict(examples)
    result = {"sentences": len(examples), "words": sum(len(e.words) for e in examples)}
    with tempfile.TemporaryDirectory() as tmp:
        to_hf(model, tokenizer, Path(tmp) / "hf")
        hf_model = AutoModelForTokenClassification.from_pretrained(Path(tmp) / "hf").eval()
        onnx_model = OnnxModel(to_onnx(model, Path(tmp) / "model.onnx"), model.describe())
        onnx_labels, _ = Predictor(onnx_model, tokenizer, settings).predict(examples)
        same_hf = same_onnx = hf_words = 0
        largest = {"hf": 0.0, "onnx": 0.0}
        for example, mine, theirs in zip(examples, ours, onnx_labels):
            same_onnx += sum(a == b for a, b in zip(mine, theirs))
            encoded = tokenizer(example.words, is_split_into_words=True, return_tensors="pt")
            if encoded["input_ids"].shape[1] > settings.max_seq_length:
                continue  # the HF model sees one window; tokcls's windowing is compared through ONNX
            with torch.inference_mode():
                reference = model(encoded["input_ids"], encoded["attention_mask"])
                hf_logits = hf_model(**encoded).logits
                onnx_logits = onnx_model(encoded["input_ids"], encoded["attention_mask"])
            largest["hf"] = max(largest["hf"], float((reference - hf_logits).abs().max()))
            largest["onnx"] = max(largest["onnx"], float((reference - onnx_logits).abs().max()))
            firsts = {}
            for position, word in enumerate(encoded.word_ids()):
                if word is not None:
                    firsts.setdefault(word, position)
            predicted = hf_logits[0].argmax(-1).tolist()
            same_hf += sum(model.labels[predicted[firsts[w]]] == mine[w] for w in range(len(mine)))
            hf_words += len(mine)
    result.update(
        {
            "hf_words_compared": hf_words,
            "hf_word_agreement": same_hf / max(1, hf_words),
            "onnx_word_agreement": same_onnx / result["words"],
            "hf_max_logit_difference": largest["hf"],
            "onnx_max_logit_difference": largest["onnx"],
        }
    )
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
