"""infer: raw text -> words with offsets -> labels -> NeMo's Query/Result lines and JSON Lines."""
from __future__ import annotations

import itertools
import json
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
    number = 0
    try:
        with open(config.input_file, encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                yield line.rstrip("\n").rstrip("\r")
    except FileNotFoundError:
        raise InputError("input file not found", "check input_file", config.input_file) from None
    except UnicodeDecodeError as e:
        raise InputError(f"not valid UTF-8 after line {number - 1} ({e.reason})", "re-save the file as UTF-8",
                         config.input_file) from None


def run(config, args) -> Path:
    model, tokenizer, settings, device = load_for_inference(args, config)
    plain = is_plain(model.labels, model.outside_label)
    lines, printed, count = iter(_lines(config)), 0, 0
    with atomic_files(Path(args.results_dir)) as out, out.open(config.output_file) as sink:
        while chunk := list(itertools.islice(lines, config.chunk_lines)):
            words = [split_words(text) for text in chunk]
            labels, confidences = predict(model, tokenizer, [Example([w.text for w in ws], None) for ws in words],
                                          settings, config.batch_size, progress=config.input_file is not None, device=device)
            for text, ws, ls, cs in zip(chunk, words, labels, confidences):
                spans = entity_spans(text, ws, ls, cs, plain, model.outside_label)
                sink.write(json.dumps({"text": text, "words": [w.text for w in ws], "labels": ls,
                                       "offsets": [[w.start, w.end] for w in ws], "confidences": [round(c, 4) for c in cs],
                                       "entities": spans}, ensure_ascii=False) + "\n")
                if printed < config.max_printed:
                    marked = " ".join(w.text if l == model.outside_label else f"{w.text}[{l}]" for w, l in zip(ws, ls))
                    print(f"Query : {text}\nResult: {marked}")
                    printed += 1
            count += len(chunk)
    print(f"Labelled {count} input(s); results in {Path(args.results_dir) / config.output_file}")
    return Path(args.results_dir) / config.output_file
