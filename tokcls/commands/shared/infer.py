"""infer's input and output, for both programs: the lines of input_batch or input_file, streamed a chunk at a time into
RESULTS/output_file, written whole or not at all."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from tokcls.commands.shared import shards
from tokcls.core.errors import InputError
from tokcls.core.input_files import open_regular

LINE_ENDS = (
    "Lines end at LF or CRLF (as wc -l counts them); a CR not followed by LF is kept inside the line's text, so "
    "every line of the file gives exactly one record."
)


INPUT_FIX = "check input_file: a text file, one text a line"


def check_input(config) -> None:
    """Something to label, before the model loads: a non-empty input_batch, or an input_file that is a regular file."""
    if config.input_file is not None and not Path(config.input_file).is_dir():  # a folder: a shard per file
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
    with open_regular(config.input_file, "input file", INPUT_FIX) as f:
        yield from decode_lines(f, Path(config.input_file), 1)


def decode_lines(raws, path: Path, first_number: int):
    """Lines of bytes as texts, line by line (an error names its line exactly: `first_number` is the first's)."""
    lone_cr = False
    for number, raw in enumerate(raws, start=first_number):
        try:
            line = raw.decode("utf-8").removesuffix("\n").removesuffix("\r")
        except UnicodeDecodeError as e:
            raise InputError(
                f"line {number} is not valid UTF-8 ({e.reason} at byte {e.start})",
                "re-save the file as UTF-8",
                path,
                number,
            ) from None
        if "\r" in line and not lone_cr:
            lone_cr = True
            print(f"{path}:{number}: a carriage return (CR) inside the line. {LINE_ENDS}")
        yield line


def printable(text: str) -> str:
    """The text with control and escape characters written as escapes, for the terminal only."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def stream_records(config, ctx, write_chunk, verb: str = "Labelled"):
    """Lines of input_batch / input_file, chunk_lines at a time, through `write_chunk(chunk, sink)` into
    RESULTS/output_file, written whole or not at all. Ctrl-C keeps the chunks finished so far, each complete."""
    from tokcls.core.atomic import atomic_files

    if config.input_file is not None and shards.sharding_on(config):
        return _stream_shards(config, ctx, write_chunk, verb)
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
    _write_for_tool(config, ctx, output)
    return output


def _write_for_tool(config, ctx, output: Path) -> None:
    annotations = getattr(config, "annotations", None)
    if annotations is not None and annotations.format is not None:
        from tokcls.commands.shared.annotations import write_for_tool

        write_for_tool(output, annotations, ctx.results_dir, Path(ctx.model or "tokcls").stem)


def run_in_workers(run, config, ctx) -> bool:
    """`-g N` (N > 1): `run` (the program's infer) in N worker processes over the shards, then the parts joined;
    False when this run has one process (the caller labels the input itself)."""
    if shards.workers(config) <= 1:
        return False
    check_input(config)
    if config.input_file is None:
        raise InputError(
            f"-g {shards.workers(config)} needs input_file: workers share the shards of a file or folder",
            "give input_file=TEXT (or a folder), or -g 1 for input_batch",
        )
    from tokcls.commands.shared.workers import run_workers

    shards.start_run(config, ctx)  # the run manifest checked once, before N models load
    run_workers(run, config, ctx)
    _finish_shards(config, ctx, *shards.start_run(config, ctx))
    return True


def _stream_shards(config, ctx, write_chunk, verb: str):
    """This job's shards (all of them, or shard.index of shard.count), each skipped when done, then the join."""
    folder, pieces = shards.start_run(config, ctx)
    index, count = config.shard.index, config.shard.count
    mine = [p for p in pieces if index is None or p.number % count == index]
    labelled, skipped = 0, 0
    for piece in mine:
        if shards.is_done(folder, piece):
            skipped += 1
            continue
        try:
            labelled += shards.label_piece(
                folder, piece, iter(shards.read_piece(piece, decode_lines)), write_chunk, config.chunk_lines
            )
        except KeyboardInterrupt:
            print(f"\nInterrupted: the shards done so far are kept in {folder}; run again to resume", file=sys.stderr)
            raise SystemExit(130) from None
    print(f"{verb} {labelled} input(s) in {len(mine) - skipped} shard(s); {skipped} shard(s) were done already")
    return _finish_shards(config, ctx, folder, pieces)


def _finish_shards(config, ctx, folder: Path, pieces) -> Path:
    output = ctx.results_dir / config.output_file
    done = sum(shards.is_done(folder, p) for p in pieces)
    if not config.shard.merge or not shards.merge(folder, pieces, output):
        print(f"{done} of {len(pieces)} shard(s) done in {folder}; output_file is written once all are")
        return folder
    print(f"All {len(pieces)} shard(s) done: {sum(p.lines for p in pieces)} input(s); results in {output}")
    _write_for_tool(config, ctx, output)
    return output
