"""infer: raw text -> words with offsets -> labels -> NeMo's Query/Result lines and JSON Lines."""
from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from conversion.atomic import atomic_files
from conversion.errors import InputError
from tokcls.data.examples import Example
from tokcls.data.text_split import split_words
from tokcls.model.predict import predict
from tokcls.model.runtime import load_for_inference
from tokcls.model.spans import entity_spans, is_plain


def _lines(config):
    if config.input_file is None:
        yield from config.input_batch
        return
    try:
        with open(config.input_file, "rb") as f:  # bytes, decoded line by line: an error names its line exactly
            for number, raw in enumerate(f, start=1):
                try:
                    yield raw.decode("utf-8").rstrip("\n").rstrip("\r")
                except UnicodeDecodeError as e:
                    raise InputError(f"line {number} is not valid UTF-8 ({e.reason} at byte {e.start})",
                                     "re-save the file as UTF-8", config.input_file, number) from None
    except (FileNotFoundError, IsADirectoryError) as e:
        raise InputError(f"input file not found ({e.strerror})", "check input_file: a text file", config.input_file) from None


def printable(text: str) -> str:
    """The text with control and escape characters written as escapes, for the terminal only."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def _records(model, tokenizer, settings, config, chunk: list[str], device, plain: bool):
    words = [split_words(text) for text in chunk]
    labels, confidences = predict(model, tokenizer, [Example([w.text for w in ws], None) for ws in words],
                                  settings, config.batch_size, progress=config.input_file is not None, device=device)
    for text, ws, ls, cs in zip(chunk, words, labels, confidences):
        yield text, ws, ls, {"text": text, "words": [w.text for w in ws], "labels": ls,
                             "offsets": [[w.start, w.end] for w in ws], "confidences": [round(c, 4) for c in cs],
                             "entities": entity_spans(text, ws, ls, cs, plain, model.outside_label)}


def run(config, args) -> Path:
    model, tokenizer, settings, device = load_for_inference(args, config)
    plain = is_plain(model.labels, model.outside_label)
    lines, printed, count, interrupted = iter(_lines(config)), 0, 0, False
    output = Path(args.results_dir) / config.output_file
    with atomic_files(Path(args.results_dir)) as out, out.open(config.output_file) as sink:
        try:
            while chunk := list(itertools.islice(lines, config.chunk_lines)):
                rows = []
                for text, ws, ls, record in _records(model, tokenizer, settings, config, chunk, device, plain):
                    rows.append(json.dumps(record, ensure_ascii=False) + "\n")
                    if printed < config.max_printed:
                        marked = " ".join(w.text if l == model.outside_label else f"{w.text}[{l}]" for w, l in zip(ws, ls))
                        print(f"Query : {printable(text)}\nResult: {printable(marked)}")
                        printed += 1
                sink.write("".join(rows))  # a chunk is written whole, so an interruption keeps whole chunks only
                count += len(chunk)
        except KeyboardInterrupt:  # Ctrl-C: keep the chunks labelled so far (the file is still renamed into place)
            interrupted = True
    if interrupted:
        print(f"\nInterrupted: {output} holds the first {count} input(s), each complete; run again to label the rest",
              file=sys.stderr)
        raise SystemExit(130)
    print(f"Labelled {count} input(s); results in {output}")
    return output
