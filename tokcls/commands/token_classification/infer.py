"""infer: raw text -> words with offsets -> labels -> NeMo's Query/Result lines and JSON Lines."""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from typing import TYPE_CHECKING

from tokcls.commands.base import Command
from tokcls.commands.shared.infer import check_input, printable, run_in_workers, stream_records
from tokcls.commands.token_classification.specs import ProgramInferConfig

if TYPE_CHECKING:  # imported when run: --help never loads torch
    from tokcls.tasks.token.long_text import StreamingEntities

COMMAND = Command(
    "infer",
    "label raw text (input_batch or input_file) with a model archive; writes JSON Lines",
    ProgramInferConfig,
    ("-e", "-r", "-m", "-k", "-g"),
    requires_results=True,
    requires_model=True,
)

FIELDS = ("words", "labels", "offsets", "confidences", "entities")  # after "text", in this order


def _document_mode(predictor, config, chunk: list[str]) -> bool:
    """Whether lines are labelled with their document around them: context=document and an input_file with
    blank lines between documents (input_batch entries are each their own document)."""
    if predictor.context != "document":
        return False
    if config.input_file is not None and any(not text.strip() for text in chunk):
        print(
            "Document context: the lines between blank lines of input_file form a document (a document is also "
            f"cut every chunk_lines={config.chunk_lines} lines)"
        )
        return True
    where = (
        "input_batch: each entry is its own document" if config.input_file is None else "input_file has no blank lines"
    )
    print(f"Sentence mode: {where}, so there are no documents to give context (model.dataset.context=document)")
    return False


def _groups(chunk: list[str]):
    """Runs of ordinary lines, and each text too long for one example alone, in input order."""
    from tokcls.tasks.token.long_text import LONG_TEXT_CHARS

    for long, run in itertools.groupby(chunk, key=lambda text: len(text) > LONG_TEXT_CHARS):
        texts = list(run)
        yield from ([text] for text in texts) if long else [texts]


def _write_long_record(sink, text: str, labelled, entities: StreamingEntities) -> None:
    """The record of a very long text, written as its pieces are labelled: each field goes to a
    temporary file first (a field holds the whole text's values), then the files are copied out in order."""
    dumps = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    fields = {name: tempfile.TemporaryFile("w+", encoding="utf-8") for name in FIELDS}
    try:

        def append(name: str, items: list[str]) -> None:
            if items:
                fields[name].write(("," if fields[name].tell() else "") + ",".join(items))

        for ws, ls, cs in labelled:
            append("words", [dumps(w.text) for w in ws])
            append("labels", [dumps(label) for label in ls])
            append("offsets", [f"[{w.start},{w.end}]" for w in ws])
            append("confidences", [repr(round(c, 4)) for c in cs])
            append("entities", [dumps(span) for span in entities.add(ws, ls, cs)])
        append("entities", [dumps(span) for span in entities.finish()])
        sink.write(f'{{"text": {dumps(text)}')
        for name, f in fields.items():
            sink.write(f', "{name}": [')
            f.seek(0)
            shutil.copyfileobj(f, sink)
            sink.write("]")
        sink.write("}\n")
    finally:
        for f in fields.values():
            f.close()


def _json_line(text: str, ws, ls, cs, spans: list[dict]) -> str:
    """One JSON Lines record, built field by field: a line of a million words needs no dict of
    per-word lists (offsets as a list of pairs alone took more memory than the model)."""
    dumps = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    offsets = ",".join(f"[{w.start},{w.end}]" for w in ws)
    confidences = ",".join(f"{round(c, 4)!r}" for c in cs)
    return (
        f'{{"text": {dumps(text)}, "words": {dumps([w.text for w in ws])}, "labels": {dumps(ls)}, '
        f'"offsets": [{offsets}], "confidences": [{confidences}], "entities": {dumps(spans)}}}\n'
    )


def _shower(config):
    printed = [0]

    def show(query: str, result: str | None = None) -> None:
        if printed[0] < config.max_printed:
            print(f"Query : {query}" + (f"\nResult: {result}" if result is not None else ""))
            printed[0] += 1

    return show


def run(config, ctx):
    from tokcls.commands.token_classification import span
    from tokcls.core.word_split import split_words
    from tokcls.inference.runtime import load_for_inference
    from tokcls.tasks.token import long_text
    from tokcls.tasks.token.long_text import StreamingEntities, label_in_pieces
    from tokcls.tasks.token.records import label_words
    from tokcls.tasks.token.spans import entity_spans, is_plain

    if run_in_workers(run, config, ctx):  # -g N > 1: N processes over the shards, each with its model
        return None
    check_input(config)
    predictor = load_for_inference(ctx, config, config.batch_size)
    if predictor.task.name == span.SPAN:  # the program's second task: entities of candidate spans, nested or not
        return stream_records(config, ctx, span.infer_writer(predictor, config, _shower(config), _document_mode))
    model = predictor.model
    plain = is_plain(model.labels, model.outside_label)
    state = {
        "printed": 0,
        "documents": None,
    }  # context=document: decided on the first chunk (blank lines separate documents)

    def show(query: str, result: str | None = None) -> None:
        if state["printed"] < config.max_printed:
            print(f"Query : {query}" + (f"\nResult: {result}" if result is not None else ""))
            state["printed"] += 1

    def write_chunk(chunk: list[str], sink) -> None:
        if state["documents"] is None:
            state["documents"] = _document_mode(predictor, config, chunk)
        for group in _groups(chunk):
            if len(group) == 1 and len(group[0]) > long_text.LONG_TEXT_CHARS:
                text = group[0]
                _write_long_record(
                    sink, text, label_in_pieces(predictor, text), StreamingEntities(text, plain, model.outside_label)
                )
                show(f"{printable(text[:200])}... ({len(text)} characters, labelled in pieces: see the output file)")
                continue
            words = [split_words(text) for text in group]
            labelled = label_words(predictor, group, words, state["documents"], config.input_file is not None)
            for text, ws, ls, cs in labelled:
                sink.write(_json_line(text, ws, ls, cs, entity_spans(text, ws, ls, cs, plain, model.outside_label)))
                marked = " ".join(
                    w.text if lab == model.outside_label else f"{w.text}[{lab}]" for w, lab in zip(ws, ls)
                )
                show(printable(text), printable(marked))

    return stream_records(config, ctx, write_chunk)
