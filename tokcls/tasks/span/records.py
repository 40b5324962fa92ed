"""What a text labelled by a span model is, for infer's JSON Lines and the Python API alike: the words with their
character offsets and the entities (nested ones included), each with its type, character offsets, text, probability
and word range [first, last + 1)."""

from __future__ import annotations

import itertools

from tokcls.core.word_split import Word


def records(
    predictor, texts: list[str], words: list[list[Word]], progress: bool = False, documents: bool = False
) -> list[dict]:
    """Each text's record; with `documents` the texts between blank ones form a document (context=document)."""
    from tokcls.tasks.span.examples import SpanExample

    width = predictor.model.decoder.max_width
    examples = predictor.task.unlabelled([SpanExample([w.text for w in ws], None, width) for ws in words])
    document_of = list(itertools.accumulate(not text.strip() for text in texts)) if documents else None
    prediction = predictor.run(examples, progress=progress, documents=document_of)
    out = []
    for text, ws, spans, confidences in zip(texts, words, prediction.labels, prediction.confidences):
        entities = [
            {
                "type": type_,
                "start": ws[s].start,
                "end": ws[e - 1].end,
                "text": text[ws[s].start : ws[e - 1].end],
                "confidence": round(confidence, 4),
                "words": [s, e],
            }
            for (s, e, type_), confidence in zip(spans, confidences)
        ]
        out.append(
            {
                "text": text,
                "words": [w.text for w in ws],
                "offsets": [[w.start, w.end] for w in ws],
                "entities": entities,
            }
        )
    return out


def hf_answer(record: dict, words: bool):
    """The record in the Hugging Face token-classification pipeline's fields, nested entities each on its own, plus
    `words` ([first, last + 1)); with `words` also every word and its offsets (a span model labels no single word)."""
    entities = [
        {"entity_group": e["type"], "score": e["confidence"], "word": e["text"], "start": e["start"], "end": e["end"]}
        | {"words": e["words"]}
        for e in record["entities"]
    ]
    if not words:
        return entities
    listed = zip(record["words"], record["offsets"])
    return {"entities": entities, "words": [{"word": w, "start": s, "end": e} for w, (s, e) in listed]}
