"""infer: texts (input_batch or a file, one a line; pairs text<TAB>text_b) -> NeMo's Query/Result lines and JSON Lines."""

from __future__ import annotations

import json

from tokcls.commands.base import Command
from tokcls.commands.shared.infer import check_input, printable, stream_records
from tokcls.tasks.text.specs import TextInferConfig

COMMAND = Command(
    "infer",
    "classify texts (input_batch or input_file) with a model archive; writes JSON Lines",
    TextInferConfig,
    ("-e", "-r", "-m", "-k", "-g"),
    requires_results=True,
    requires_model=True,
)


def record(
    text: str,
    predicted,
    probabilities: list[float],
    labels: list[str],
    problem: str,
    thresholds: list[float] | None = None,
) -> tuple[dict, str]:
    """(the JSON record, the Result line) of one text."""
    first, _, second = text.partition("\t")
    out = {"text": first} | ({"text_b": second} if second else {})
    if problem == "regression":
        return out | {"value": predicted}, f"{predicted:.4f}"
    out["probabilities"] = {label: round(p, 6) for label, p in zip(labels, probabilities)}
    chosen = {label: p for label, p in zip(labels, probabilities) if label in predicted}
    shown = ", ".join(f"{label} ({p:.2f})" for label, p in chosen.items()) or "(no label above its threshold)"
    if problem == "multi_label_classification":
        return out | {"labels": predicted}, shown
    return out | {"label": predicted[0], "confidence": round(chosen[predicted[0]], 6)}, shown


def run(config, ctx):
    from tokcls.inference.runtime import load_for_inference
    from tokcls.tasks.text.examples import TextExample

    check_input(config)
    predictor = load_for_inference(ctx, config, config.batch_size)
    model = predictor.model
    problem = model.decoder.problem_type
    printed = []

    def write_chunk(chunk: list[str], sink) -> None:
        texts = [text if text.strip() else " " for text in chunk]  # an empty line still gets its record
        examples = [TextExample(*text.split("\t", 1)) if "\t" in text else TextExample(text) for text in texts]
        prediction = predictor.run(examples, progress=config.input_file is not None)
        for text, predicted, probabilities in zip(chunk, prediction.labels, prediction.confidences):
            line, shown = record(text, predicted, probabilities, model.labels, problem)
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            if len(printed) < config.max_printed:
                print(f"Query : {printable(text)}\nResult: {shown}")
                printed.append(text)

    return stream_records(config, ctx, write_chunk, "Classified")
