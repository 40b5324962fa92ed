"""Sources that already hold words, one tag each: CoNLL-U (INCEpTION's and Universal Dependencies' format, read by
the `conllu` parser) and Hugging Face datasets exported as JSON Lines or parquet (`tokens` + `ner_tags`). Their tags
go through the same scheme detection and conversion as CoNLL columns.

- CoNLL-U: `tag_field` names the tag: a column (upos, xpos, deprel, ...) or a key of the MISC column as misc:KEY
  (e.g. misc:NER for NER=B-PER); multiword-token ranges (1-2) and empty nodes (8.1) are not words and are skipped;
  `# newdoc` starts a document. A word without the tag is refused, naming the sentence.
- Hugging Face: each record holds the words (`tokens` or `words`) and the tags (`ner_tags`, `pos_tags`, `tags` or
  `labels`, or `tag_field`): tag names, or ids into `label_names` (the dataset's ClassLabel names, in order).
  parquet needs pyarrow (`pip install pyarrow`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from conversion.annotations.records import read_json_lines
from conversion.columns import Sentence
from conversion.errors import ConversionError

WORD_KEYS = ("tokens", "words")
TAG_KEYS = ("ner_tags", "pos_tags", "chunk_tags", "tags", "labels")


def conllu_sentences(path: Path, options) -> Iterator[Sentence]:
    import conllu

    field = options.tag_field or "misc:NER"
    document = 0
    with path.open(encoding="utf-8") as f:
        for number, tokens in enumerate(conllu.parse_incr(f), start=1):
            if "newdoc" in tokens.metadata or "newdoc id" in tokens.metadata:
                document += 1
            words, tags = [], []
            for token in tokens:
                if not isinstance(token["id"], int):
                    continue  # a multiword token's range or an empty node
                words.append(token["form"])
                tags.append(_conllu_tag(token, field, f"{path}, sentence {number}"))
            if words:
                yield Sentence(words, tags, number, document, f"{path}, sentence {number}")


def _conllu_tag(token, field: str, where: str) -> str:
    if field.startswith("misc:"):
        value = (token.get("misc") or {}).get(field[5:])
    else:
        value = token.get(field)
    if not isinstance(value, str) or not value or value == "_":
        raise ConversionError(
            f"{where}: the word {token['form']!r} has no {field}",
            "set tag_field to the column that holds the tags (upos, xpos, deprel, or misc:KEY for KEY=TAG in MISC)",
        )
    return value


def hf_sentences(path: Path, options) -> Iterator[Sentence]:
    rows = _parquet_rows(path) if path.suffix == ".parquet" else read_json_lines(path, "a datasets to_json() file")
    names = list(options.label_names or [])
    for number, row in rows:
        where = f"{path}, {'row' if path.suffix == '.parquet' else 'line'} {number}"
        words = next((row[k] for k in WORD_KEYS if k in row), None)
        tag_key = options.tag_field or next((k for k in TAG_KEYS if k in row), None)
        tags = row.get(tag_key) if tag_key else None
        if not isinstance(words, list) or not isinstance(tags, list) or len(words) != len(tags):
            raise ConversionError(
                f"{where}: needs a word list ({' or '.join(WORD_KEYS)}) and a tag list of the same length "
                f"({' or '.join(TAG_KEYS)}, or tag_field)",
                "export the dataset with its tokens and tags columns",
            )
        if any(isinstance(tag, int) for tag in tags):
            if not names:
                raise ConversionError(
                    f"{where}: the tags are ids ({tags[:5]}...) and no label_names are given",
                    "set label_names to the dataset's ClassLabel names in order, e.g. "
                    "dataset.features['ner_tags'].feature.names",
                )
            try:
                tags = [names[tag] for tag in tags]
            except (IndexError, TypeError):
                raise ConversionError(f"{where}: a tag id outside label_names", "check label_names") from None
        yield Sentence([str(w) for w in words], [str(t) for t in tags], number, 0, where)


def _parquet_rows(path: Path):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ConversionError(
            "reading parquet needs pyarrow, which is not installed",
            "pip install 'tokcls[parquet]' (pyarrow), or export the dataset with to_json()",
            path,
        ) from None
    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1000):
        for row in batch.to_pylist():
            number += 1
            yield number, row
