"""What a labelled text is, for infer's JSON Lines and the Python API alike: the words with their character offsets,
a label and its probability per word, and the entity spans."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from tokcls.core.word_split import Word, split_words


def label_words(
    predictor, texts: list[str], words: list[list[Word]], documents: bool, progress: bool = False
) -> Iterator:
    """(text, words, labels, confidences) of each text; with `documents` the texts between blank ones form a
    document (the model's context=document)."""
    from tokcls.tasks.token.examples import Example

    document_of = list(itertools.accumulate(not text.strip() for text in texts)) if documents else None
    labels, confidences = predictor.predict(
        [Example([w.text for w in ws], None) for ws in words], progress=progress, documents=document_of
    )
    yield from zip(texts, words, labels, confidences)


def record(text: str, words: list[Word], labels: list[str], confidences: list[float], entities: list[dict]) -> dict:
    """One text's record, the fields in infer's order (commands/token_classification/infer.py writes the same)."""
    return {
        "text": text,
        "words": [w.text for w in words],
        "labels": labels,
        "offsets": [[w.start, w.end] for w in words],
        "confidences": [round(c, 4) for c in confidences],
        "entities": entities,
    }


def records(predictor, texts: list[str], words: list[list[Word]] | None) -> list[dict]:
    """Each text's record, every text its own document; a raw text longer than LONG_TEXT_CHARS is labelled in pieces
    as infer labels it (pre-split words are labelled as given, whatever their length)."""
    from tokcls.tasks.token.long_text import LONG_TEXT_CHARS, StreamingEntities
    from tokcls.tasks.token.spans import entity_spans, is_plain

    model = predictor.model
    plain, outside = is_plain(model.labels, model.outside_label), model.outside_label
    out: list[dict | None] = [None] * len(texts)
    short = [i for i, text in enumerate(texts) if words is not None or len(text) <= LONG_TEXT_CHARS]
    given = [words[i] if words is not None else split_words(texts[i]) for i in short]
    for i, (text, ws, ls, cs) in zip(short, label_words(predictor, [texts[i] for i in short], given, False)):
        out[i] = record(text, ws, ls, cs, entity_spans(text, ws, ls, cs, plain, outside))
    for i, text in enumerate(texts):
        if out[i] is None:
            out[i] = _long_record(predictor, text, StreamingEntities(text, plain, outside))
    return [r for r in out if r is not None]


def _long_record(predictor, text: str, entities) -> dict:
    from tokcls.tasks.token.long_text import label_in_pieces

    ws_all, ls_all, cs_all, spans = [], [], [], []
    for ws, ls, cs in label_in_pieces(predictor, text):
        ws_all += ws
        ls_all += ls
        cs_all += cs
        spans += entities.add(ws, ls, cs)
    return record(text, ws_all, ls_all, cs_all, spans + entities.finish())


def hf_answer(record: dict, words: bool):
    """The record in the Hugging Face token-classification pipeline's fields (aggregated entities); with `words`,
    also every word with its label (serve's "parameters": {"words": true})."""
    entities = [
        {"entity_group": e["type"], "score": e["confidence"], "word": e["text"], "start": e["start"], "end": e["end"]}
        for e in record["entities"]
    ]
    if not words:
        return entities
    listed = zip(record["words"], record["offsets"], record["labels"], record["confidences"])
    per_word = [
        {"word": word, "start": start, "end": end, "label": label, "score": score}
        for word, (start, end), label, score in listed
    ]
    return {"entities": entities, "words": per_word}
