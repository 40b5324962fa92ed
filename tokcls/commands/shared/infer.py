"""infer's input and output, for both programs: the lines of input_batch or input_file, streamed a chunk at a time into
RESULTS/output_file, written whole or not at all."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from tokcls.core.errors import InputError
from tokcls.core.input_files import open_regular

INPUT_FIX = "check input_file: a text file, one text a line"
LINE_ENDS = (
    "Lines end at LF or CRLF (as wc -l counts them); a CR not followed by LF is kept inside the line's text, so "
    "every line of the file gives exactly one record."
)


INPUT_FIX = "check input_file: a text file, one text a line"


def check_input(config) -> None:
    """Something to label, before the model loads: a non-empty input_batch, or an input_file that is a regular file."""
    if config.input_file is not None:
        open_regular(config.input_file, "input file", INPUT_FIX).close()
    elif not config.input_batch:
        raise InputError(
            "input_batch is empty and no input_file is given: nothing to label",
            "give input_file=TEXT (one text a line) or input_batch=[first text,second text]",
        )


def _lines(config):
    if config.input_file is None:
        yield from config.input_batch
        return
    lone_cr = False
    with open_regular(config.input_file, "input file", INPUT_FIX) as f:
        for number, raw in enumerate(f, start=1):  # bytes, decoded line by line: an error names its line exactly
            try:
                line = raw.decode("utf-8").removesuffix("\n").removesuffix("\r")
            except UnicodeDecodeError as e:
                raise InputError(
                    f"line {number} is not valid UTF-8 ({e.reason} at byte {e.start})",
                    "re-save the file as UTF-8",
                    config.input_file,
                    number,
                ) from None
            if "\r" in line and not lone_cr:
                lone_cr = True
                print(f"{config.input_file}:{number}: a carriage return (CR) inside the line. {LINE_ENDS}")
            yield line


def printable(text: str) -> str:
    """The text with control and escape characters written as escapes, for the terminal only."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def stream_records(config, ctx, write_chunk, verb: str = "Labelled"):
    """Lines of input_batch / input_file, chunk_lines at a time, through `write_chunk(chunk, sink)` into
    RESULTS/output_file, written whole or not at all. Ctrl-C keeps the chunks finished so far, each complete."""
    from tokcls.core.atomic import atomic_files

    lines, count, interrupted, chunk_start = iter(_lines(config)), 0, False, 0
    output = ctx.results_dir / config.output_file
    with atomic_files(ctx.results_dir) as out, out.open(config.output_file) as sink:
        try:
            while chunk := list(itertools.islice(lines, config.chunk_lines)):
                chunk_start = sink.tell()
                write_chunk(chunk, sink)
                count += len(chunk)
        except KeyboardInterrupt:  # the file is still renamed into place, holding the whole chunks
            interrupted = True
            sink.seek(chunk_start)
            sink.truncate()
    if interrupted:
        print(
            f"\nInterrupted: {output} holds the first {count} input(s), each complete; run again to do the rest",
            file=sys.stderr,
        )
        raise SystemExit(130)
    print(f"{verb} {count} input(s); results in {output}")
    annotations = getattr(config, "annotations", None)
    if annotations is not None and annotations.format is not None:
        from tokcls.commands.shared.annotations import write_for_tool

        write_for_tool(output, annotations, ctx.results_dir, Path(ctx.model or "tokcls").stem)
    return output
