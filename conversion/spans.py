"""The span files of dataset_convert (span_columns): several tag columns of CoNLL-style files, each read as entities
(seqeval's reading, any scheme), joined into one span set per sentence that may nest, for token_classification's
span task (model.task=span_classification; docs/span.md).

spans_<split>.jsonl holds one JSON array a line, [[start, end, "TYPE"], ...] (word indices, end exclusive), line for
line with text_<split>.txt; span_label_ids.csv names the types (O first). CoNLL-2003 with span_columns=[2, 3] gives its
noun-phrase chunks and its entities as one set: an entity inside its noun phrase is annotated nesting.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from conversion.columns import ColumnFormat, iter_sentences
from conversion.errors import ConversionError
from conversion.schemes import read_entities


def sentence_spans(columns: list[list[str]], types: set[str] | None, outside: str) -> list[list]:
    """The entities of each tag column, joined (sorted, duplicates once); `types`: the ones kept (None: all)."""
    spans = set()
    for tags in columns:
        for entity in read_entities(tags, outside):
            if entity.type and (types is None or entity.type in types):
                spans.add((entity.start, entity.end, entity.type))
    return [list(span) for span in sorted(spans)]


def write_span_files(options, files: dict, out) -> tuple[set[str], dict]:
    """spans_<split>.jsonl of every split through `out` (the conversion's all-or-nothing group) and span_label_ids.csv;
    returns (the names written, facts per split: spans, nested spans, spans sharing their words with another type)."""
    types = set(options.span_types) if options.span_types else None
    written, facts = set(), {}
    found: Counter[str] = Counter()
    for split, f in files.items():
        readers = [
            iter_sentences(f.path, ColumnFormat(options.token_column, column, options.delimiter, options.encoding))
            for column in options.span_columns
        ]
        counts: Counter[str] = Counter()
        with out.open(f"spans_{split}.jsonl") as sink:
            for sentences in zip(*readers, strict=True):
                if len({len(s.words) for s in sentences}) != 1:
                    raise ConversionError(
                        f"the span columns {list(options.span_columns)} differ in length",
                        "every span column needs a tag on every word line",
                        f.path,
                        sentences[0].first_line,
                    )
                spans = sentence_spans([s.tags for s in sentences], types, options.outside_label)
                sink.write(json.dumps(spans, ensure_ascii=False) + "\n")
                found.update(t for *_, t in spans)
                counts["spans"] += len(spans)
                counts["nested"] += sum(
                    1 for a in spans if any(b != a and b[0] <= a[0] and a[1] <= b[1] for b in spans)
                )
                boundaries = Counter((s, e) for s, e, _ in spans)
                counts["same_words_other_type"] += sum(n - 1 for n in boundaries.values() if n > 1)
        written.add(f"spans_{split}.jsonl")
        facts[split] = dict(counts)
    if types is not None and types - set(found):
        raise ConversionError(
            f"span_types {sorted(types - set(found))} occur in no span column",
            f"the columns {list(options.span_columns)} have the types {sorted(found)}",
            Path(options.source_data_dir),
        )
    with out.open("span_label_ids.csv") as ids:
        ids.writelines(f"{label}\n" for label in [options.outside_label, *sorted(found)])
    written.add("span_label_ids.csv")
    return written, facts
