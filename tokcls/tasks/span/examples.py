"""Span examples: a sentence's words and its entities as word spans (start, end, type; end exclusive), which may nest.

Read from the token layout: text_<split>.txt (one sentence a line, words split on whitespace) and a labels file of
the same number of lines that holds either IOB tags (flat entities, read as seqeval reads them) or, one JSON array a
line, the spans themselves: `[[0, 2, "PER"], [1, 2, "LOC"]]` (dataset_convert writes spans_<split>.jsonl so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from conversion.schemes import read_entities
from tokcls.core.errors import InputError
from tokcls.core.input_files import read_text_lines

NONE = "O"  # the label of a candidate span that is no entity
WHERE = "check data_dir and the text_file/labels_file keys of training_ds, validation_ds or test_ds"
REMAKE = "re-create it with token_classification dataset_convert"
SPAN_FIX = 'one JSON array a line: [[start, end, "TYPE"], ...], word indices, end exclusive'


def candidates(n_words: int, max_width: int) -> list[tuple[int, int]]:
    """Every span of 1..max_width words of a sentence of n_words, start by start, shortest first: the order of the
    head's rows and of the decoders' input."""
    return [(s, s + w) for s in range(n_words) for w in range(1, min(max_width, n_words - s) + 1)]


@dataclass
class SpanExample:
    words: list[str]
    spans: list[tuple[int, int, str]] | None  # None when there are no gold labels (inference)
    max_width: int = 8  # model.span.max_entity_length: which spans are candidates
    # Document context: the words of each sentence packed into this example (None: the example is one sentence).
    # Candidates never cross a sentence's edge, so a document's candidates are its sentences', sentence after sentence.
    sentences: list[int] | None = None

    def candidate_spans(self, max_width: int | None = None) -> list[tuple[int, int]]:
        """The example's candidate spans (up to max_width words, default its own) in the order of its rows: the
        sentence's, or each packed sentence's in turn."""
        width = self.max_width if max_width is None else max_width
        if self.sentences is None:
            return candidates(len(self.words), width)
        spans, begin = [], 0
        for n in self.sentences:
            spans += [(begin + s, begin + e) for s, e in candidates(n, width)]
            begin += n
        return spans

    @property
    def labels(self) -> list[str] | None:
        """The gold label of every candidate span (its type, or NONE), in candidate order: what the label statistics
        and the class weights count."""
        if self.spans is None:
            return None
        gold = {(start, end): type_ for start, end, type_ in self.spans}
        return [gold.get(span, NONE) for span in self.candidate_spans()]


def pack(examples: list[SpanExample], documents: list) -> tuple[list[SpanExample], list[int]]:
    """Document context: (one example per run of consecutive sentences of a document, with their spans moved to the
    packed words, and the candidate spans of each): unit after unit, the candidates are the sentences' in order."""
    units: list[SpanExample] = []
    sizes: list[int] = []
    previous = object()
    for example, document in zip(examples, documents):
        if document != previous or not units:
            units.append(SpanExample([], [] if example.spans is not None else None, example.max_width, []))
            sizes.append(0)
            previous = document
        unit, begin = units[-1], len(units[-1].words)
        unit.words.extend(example.words)
        assert unit.sentences is not None
        unit.sentences.append(len(example.words))
        if unit.spans is not None and example.spans is not None:
            unit.spans.extend((begin + s, begin + e, t) for s, e, t in example.spans)
        sizes[-1] += len(candidates(len(example.words), example.max_width))
    return units, sizes


def _spans(line: str, n_words: int, path: Path, number: int) -> list[tuple[int, int, str]]:
    try:
        records = json.loads(line)
        spans = [(int(s), int(e), str(t)) for s, e, t in records]
    except (ValueError, TypeError) as e:
        raise InputError(f"not a list of [start, end, type] spans ({e})", SPAN_FIX, path, number) from None
    for start, end, type_ in spans:
        if not 0 <= start < end <= n_words or not type_ or type_ == NONE:
            raise InputError(
                f"span [{start}, {end}, {type_!r}] does not fit the sentence's {n_words} words",
                SPAN_FIX + f"; {NONE!r} is not a type",
                path,
                number,
            )
    return sorted(set(spans))


def read_span_examples(
    text_file: str | Path, labels_file: str | Path | None, num_samples: int = -1, max_width: int = 8
) -> list[SpanExample]:
    text_file = Path(text_file)
    texts = read_text_lines(text_file, WHERE, REMAKE)
    keep = slice(None) if num_samples is None or num_samples < 0 else slice(num_samples)
    if labels_file is None:
        return [SpanExample(line.split(), None, max_width) for line in texts[keep]]
    labels_file = Path(labels_file)
    lines = read_text_lines(labels_file, WHERE, REMAKE)
    if len(lines) != len(texts):
        raise InputError(
            f"{len(texts)} lines in {text_file} but {len(lines)} in {labels_file}",
            "the two files must have one line per sentence each; re-create them with dataset_convert",
            labels_file,
        )
    examples = []
    for number, (text, line) in enumerate(zip(texts[keep], lines[keep]), start=1):
        words = text.split()
        if line.lstrip().startswith("["):
            spans = _spans(line, len(words), labels_file, number)
        else:
            tags = line.split()
            if len(tags) != len(words):
                raise InputError(
                    f"{len(words)} words in {text_file} but {len(tags)} labels here",
                    "every word needs exactly one label on the same line number of the labels file",
                    labels_file,
                    number,
                )
            spans = sorted({(e.start, e.end, e.type) for e in read_entities(tags) if e.type})
        examples.append(SpanExample(words, spans, max_width))
    return examples


def entity_types(label_map: list[str]) -> list[str]:
    """The span labels of a label map: NONE first, then the entity types its tags name (B-PER, I-PER -> PER) or, for a
    span data set's map, its types as they are."""
    types = []
    for label in label_map:
        if label == NONE:
            continue
        name = label[2:] if len(label) > 2 and label[1] == "-" and label[0] in "BIESLU" else label
        if name not in types:
            types.append(name)
    return [NONE, *types]
