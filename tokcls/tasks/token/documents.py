"""Document context: the sentences of a document encoded together, each word seeing its neighbours.

Consecutive sentences of one document are packed into one unit (their words one after another); the
windows of features.py then cut the unit as they cut any long sentence, and each word is owned
by the window where it has the most context on both sides. Every sub-token is still computed once,
so the context costs only the longer windows. Units keep the sentences' order, so the word scores of
all units, unit after unit, are those of all sentences, sentence after sentence: reports, predictions
files and JSON Lines stay per sentence, and each sentence is decoded on its own.
"""

from __future__ import annotations

from tokcls.tasks.token.examples import Example


def pack(examples: list[Example], documents: list[str]) -> tuple[list[Example], list[int]]:
    """(one example per run of consecutive sentences of a document, the words of each unit)."""
    units: list[Example] = []
    sizes: list[int] = []
    previous = object()
    for example, document in zip(examples, documents):
        if document != previous or not units:
            units.append(Example([], [] if example.labels is not None else None))
            sizes.append(0)
            previous = document
        unit = units[-1]
        unit.words.extend(example.words)
        if unit.labels is not None and example.labels is not None:
            unit.labels.extend(example.labels)
        sizes[-1] += len(example.words)
    return units, sizes
