"""What a classified text is, for infer's JSON Lines and the Python API alike: the text (and its pair), the prediction
and every class's probability, or the value of a regression."""

from __future__ import annotations

from typing import Any


def record(
    text: str,
    predicted,
    probabilities: list[float],
    labels: list[str],
    problem: str,
) -> tuple[dict, str]:
    """(the JSON record, the Result line infer prints) of one text; a pair is written text<TAB>text_b."""
    first, _, second = text.partition("\t")
    out: dict[str, Any] = {"text": first} | ({"text_b": second} if second else {})
    if problem == "regression":
        return out | {"value": predicted}, f"{predicted:.4f}"
    out["probabilities"] = {label: round(p, 6) for label, p in zip(labels, probabilities)}
    chosen = {label: p for label, p in zip(labels, probabilities) if label in predicted}
    shown = ", ".join(f"{label} ({p:.2f})" for label, p in chosen.items()) or "(no label above its threshold)"
    if problem == "multi_label_classification":
        return out | {"labels": predicted}, shown
    return out | {"label": predicted[0], "confidence": round(chosen[predicted[0]], 6)}, shown


def classify(predictor, texts: list[str], progress: bool = False) -> list[tuple[dict, str]]:
    """(record, Result line) of each text; an empty text is classified as one space, so it still gets its record."""
    from tokcls.tasks.text.examples import TextExample

    model = predictor.model
    padded = [text if text.strip() else " " for text in texts]
    pairs = [text.partition("\t") for text in padded]
    examples = [TextExample(first, second) if tab else TextExample(first) for first, tab, second in pairs]
    prediction = predictor.run(examples, progress=progress)
    return [
        record(text, predicted, probabilities, model.labels, model.decoder.problem_type)
        for text, predicted, probabilities in zip(texts, prediction.labels, prediction.confidences)
    ]


def hf_answer(record: dict, labels: list[str]) -> list[dict]:
    """The record in the Hugging Face text-classification pipeline's fields: every class with its probability, most
    probable first (a regression model: its value as the score of its one output)."""
    if "value" in record:
        return [{"label": labels[0] if labels else "value", "score": record["value"]}]
    ranked = sorted(record["probabilities"].items(), key=lambda item: -item[1])
    return [{"label": label, "score": score} for label, score in ranked]
