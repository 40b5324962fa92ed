"""What `POST /predict` accepts and answers: the Hugging Face Inference API's shapes.

Accepted bodies: {"inputs": "one text"} (one answer back), {"inputs": ["a", "b"]} or a bare ["a", "b"] (a list of
answers), each with an optional "parameters" object. Answers: a token or span model gives per text its entities as
[{entity_group, score, word, start, end}] (start and end: character offsets, code points, end exclusive); with
"parameters": {"words": true} per text {"entities": [...], "words": [{word, label, score, start, end}]} (tokcls's
extra: every word's label). A text model gives per text [{label, score}], every class, most probable first (a
regression model: [{label, score}] holding the predicted value as score).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

WORDS_PIPELINE = "token-classification"  # the answers that can list words: those of a model labelling words or spans
PARAMETERS = {"words": "true: each answer also lists every word with its label (token and span models)"}


class RequestError(Exception):
    """A request the service refuses: its HTTP status, what is wrong, the field at fault and the fix."""

    def __init__(self, status: int, message: str, field: str | None = None, fix: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field, self.fix = status, message, field, fix

    def body(self) -> dict:
        return {"error": self.message, "field": self.field, "fix": self.fix}


@dataclass(frozen=True)
class Limits:
    max_texts: int
    max_chars: int


@dataclass
class Parsed:
    texts: list[str]
    single: bool  # "inputs" was one string: the answer is one item, not a list
    words: bool


def parse(body: bytes, limits: Limits, pipeline: str) -> Parsed:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RequestError(400, f"the body is not JSON: {error}", "body", 'send {"inputs": ["a text", ...]}') from None
    parameters: dict = {}
    if isinstance(data, dict):
        if "inputs" not in data:
            raise RequestError(422, "no inputs", "inputs", 'send {"inputs": "a text"} or {"inputs": ["a", "b"]}')
        unknown = sorted(set(data) - {"inputs", "parameters", "options"})
        if unknown:
            raise RequestError(422, f"unknown field {unknown[0]!r}", unknown[0], "the body holds inputs and parameters")
        parameters = data.get("parameters") or {}
        data = data["inputs"]
        if not isinstance(parameters, dict):
            raise RequestError(422, "parameters must be an object", "parameters", 'e.g. "parameters": {"words": true}')
    single = isinstance(data, str)
    texts = [data] if single else data
    if not isinstance(texts, list):
        raise RequestError(422, f"inputs is a {_kind(texts)}", "inputs", "give a string or a list of strings")
    if not texts:
        raise RequestError(422, "inputs is empty: nothing to label", "inputs", "give at least one text")
    if len(texts) > limits.max_texts:
        raise RequestError(
            413, f"{len(texts)} texts in one request", "inputs", f"send at most server.max_texts={limits.max_texts}"
        )
    for i, text in enumerate(texts):
        where = "inputs" if single else f"inputs[{i}]"
        if not isinstance(text, str):
            raise RequestError(422, f"{where} is a {_kind(text)}, not a string", where, "every input is a string")
        if not text.strip():
            raise RequestError(422, f"{where} is empty", where, "give a text with at least one visible character")
        if len(text) > limits.max_chars:
            raise RequestError(
                413,
                f"{where} has {len(text)} characters",
                where,
                f"split it, or raise server.max_chars={limits.max_chars}",
            )
    for name in parameters:
        if name not in PARAMETERS:
            raise RequestError(
                422, f"unknown parameter {name!r}", f"parameters.{name}", f"known: {', '.join(PARAMETERS)}"
            )
    words = parameters.get("words", False)
    if not isinstance(words, bool):
        raise RequestError(422, "parameters.words must be true or false", "parameters.words")
    if words and pipeline != WORDS_PIPELINE:
        raise RequestError(422, "a text model has no words to label", "parameters.words", "leave it out")
    return Parsed(list(texts), single, words)


def _kind(value) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")
