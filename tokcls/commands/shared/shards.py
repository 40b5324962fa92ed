"""Sharded, resumable infer (docs/scale_out.md): the input cut into pieces by one rule, each piece labelled into
RESULTS/<output_file>.shards/part-NNNNN.jsonl under a temporary name, renamed when whole, then committed by a manifest
beside it; a rerun skips the pieces whose manifest and part agree and redoes the rest; once every piece is there, the
parts joined in input order become output_file, byte for byte what one uninterrupted run writes.

The rule: an input file is cut every shard.lines lines (piece k holds lines k*L+1 .. (k+1)*L); a folder gives a piece
per file, in name order. A job with shard.index=i, shard.count=n labels the pieces k with k % n == i (a SLURM array
job passes its task id and count); without shard.index a job labels every piece not yet done.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from tokcls.core.atomic import atomic_files
from tokcls.core.errors import InputError
from tokcls.core.input_files import open_regular

RUN_MANIFEST = "run.json"
DEFAULT_LINES = 10_000
RESTART = "delete {folder} to start over"


@dataclass(frozen=True)
class Piece:
    number: int
    source: str  # the file its lines come from
    first_line: int  # 1-based number of its first line in `source`
    lines: int
    offset: int  # byte offset of its first line
    size: int  # its bytes in `source`

    @property
    def name(self) -> str:
        return f"part-{self.number:05d}"


def sharding_on(config) -> bool:
    """Whether this infer run is sharded: shard.lines, shard.index or shard.count set, -g N > 1, or a folder as input."""
    shard = config.shard
    folder = config.input_file is not None and Path(config.input_file).is_dir()
    return folder or shard.lines is not None or shard.index is not None or shard.count > 1 or workers(config) > 1


def workers(config) -> int:
    """-g N > 1 on an infer: N worker processes on this machine, each with its model, over the shards."""
    return max(1, int(config.trainer.devices))


def _scan(path: Path, lines_per_piece: int, first_number: int, digest) -> list[Piece]:
    """The pieces of one file, and its bytes fed to `digest` (one pass: the digest costs no second read)."""
    pieces: list[Piece] = []
    start, offset, count = 0, 0, 0
    with open_regular(path, "input file", "check input_file: a text file (one text a line) or a folder of them") as f:
        for raw in f:
            digest.update(raw)
            count += 1
            offset += len(raw)
            if count == lines_per_piece:
                pieces.append(
                    Piece(
                        first_number + len(pieces),
                        str(path),
                        len(pieces) * lines_per_piece + 1,
                        count,
                        start,
                        offset - start,
                    )
                )
                start, count = offset, 0
    if count:
        pieces.append(
            Piece(
                first_number + len(pieces), str(path), len(pieces) * lines_per_piece + 1, count, start, offset - start
            )
        )
    return pieces


def plan(config) -> tuple[list[Piece], str]:
    """Every piece of the input, in input order, and the input's SHA-256 (of its files' names and bytes for a folder)."""
    source = Path(config.input_file)
    digest = hashlib.sha256()
    if not source.is_dir():
        return _scan(source, config.shard.lines or DEFAULT_LINES, 0, digest), digest.hexdigest()
    files = sorted(p for p in source.iterdir() if not p.name.startswith(".") and p.is_file())
    if not files:
        raise InputError("the input folder holds no file", "put the text files to label in it", source)
    pieces: list[Piece] = []
    for path in files:  # a piece per file: its lines are never cut, whatever shard.lines says
        digest.update(path.name.encode() + b"\0")
        whole = _scan(path, 2**62, len(pieces), digest)
        pieces += whole or [Piece(len(pieces), str(path), 1, 0, 0, 0)]
    return pieces, digest.hexdigest()


def read_piece(piece: Piece, decode):
    """The piece's texts: its bytes from `source`, through infer's line decoding (errors name the file's own line)."""
    with open_regular(piece.source, "input file", "check input_file") as f:
        f.seek(piece.offset)
        yield from decode(itertools.islice(f, piece.lines), Path(piece.source), piece.first_line)


def _settings_digest(config) -> str:
    """What makes two runs' records differ: the spec without the keys that only say which job does which shard."""
    from omegaconf import OmegaConf

    spec: dict = OmegaConf.to_container(config, resolve=True)  # type: ignore[assignment]  # a spec is a mapping
    for key in ("max_printed", "annotations"):
        spec.pop(key, None)
    spec["shard"] = {"lines": spec["shard"]["lines"]}
    spec["trainer"] = {"accelerator": spec["trainer"]["accelerator"]}
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _write_json(folder: Path, name: str, value: dict) -> None:
    with atomic_files(folder) as out, out.open(name) as f:
        f.write(json.dumps(value, indent=1, sort_keys=True) + "\n")


def check_run(folder: Path, run: dict) -> None:
    """Start the run's manifest, or refuse to resume one made from another input, archive or spec."""
    path = folder / RUN_MANIFEST
    if path.exists():
        before = json.loads(path.read_text(encoding="utf-8"))
        for key, what, fix in (
            ("input_sha256", "the input", "give the input the finished shards were labelled from"),
            ("archive_sha256", "the model archive", "give the archive they were labelled with"),
            ("settings_sha256", "the infer spec (a key that changes the records)", "give the spec they were made with"),
            ("pieces", "the shard rule (shard.lines)", "give the shard.lines they were cut with"),
        ):
            if before.get(key) != run[key]:
                raise InputError(
                    f"cannot resume: {what} changed since the shards in {folder} were written "
                    f"({str(before.get(key))[:12]} then, {str(run[key])[:12]} now)",
                    f"{fix}, or {RESTART.format(folder=folder)}",
                    folder / RUN_MANIFEST,
                )
        return
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder, RUN_MANIFEST, run)


def start_run(config, ctx) -> tuple[Path, list[Piece]]:
    """The shard folder and its pieces; the run manifest written, or checked against the one there."""
    from tokcls.model.archive_files import sha256_file

    if config.shard.lines is not None and config.shard.lines % config.chunk_lines:
        raise InputError(
            f"shard.lines={config.shard.lines} is not a multiple of chunk_lines={config.chunk_lines}",
            "the shards must end where chunks end for their records to equal an unsharded run's: set shard.lines to "
            f"a multiple of chunk_lines (e.g. {config.chunk_lines * max(1, config.shard.lines // config.chunk_lines)})",
        )
    if config.shard.index is not None and config.shard.index >= config.shard.count:
        raise InputError(
            f"shard.index={config.shard.index} with shard.count={config.shard.count}: the indexes run 0 .. count-1",
            "set shard.count to the number of jobs (SLURM: $SLURM_ARRAY_TASK_COUNT, with --array=0-(N-1))",
        )
    pieces, input_sha = plan(config)
    folder = ctx.results_dir / f"{config.output_file}.shards"
    run = {
        "input": str(Path(config.input_file).resolve()),
        "input_sha256": input_sha,
        "archive_sha256": sha256_file(Path(ctx.model)),
        "settings_sha256": _settings_digest(config),
        "pieces": len(pieces),
        "records": sum(p.lines for p in pieces),
    }
    check_run(folder, run)
    return folder, pieces


def is_done(folder: Path, piece: Piece) -> bool:
    """A piece is done when its manifest (written last) is there and names the part that is there."""
    manifest, part = folder / f"{piece.name}.json", folder / f"{piece.name}.jsonl"
    if not manifest.exists() or not part.exists():
        return False
    written = json.loads(manifest.read_text(encoding="utf-8"))
    return written.get("piece") == asdict(piece) and written.get("bytes") == part.stat().st_size


def label_piece(folder: Path, piece: Piece, texts, write_chunk, chunk_lines: int) -> int:
    """The piece labelled into its part (renamed when whole), then its manifest: the commit."""
    for stale in folder.glob(f".{piece.name}.json*.tmp"):  # what a killed run left of this piece
        stale.unlink(missing_ok=True)
    digest, records = hashlib.sha256(), 0
    with atomic_files(folder) as out, out.open(f"{piece.name}.jsonl") as sink:
        while chunk := list(itertools.islice(texts, chunk_lines)):
            write_chunk(chunk, sink)
            records += len(chunk)
    part = folder / f"{piece.name}.jsonl"
    with part.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    _write_json(
        folder,
        f"{piece.name}.json",
        {"piece": asdict(piece), "records": records, "bytes": part.stat().st_size, "sha256": digest.hexdigest()},
    )
    return records


def merge(folder: Path, pieces: list[Piece], output: Path) -> bool:
    """output_file as the parts joined in input order, when every piece is done (each part checked against its
    manifest's SHA-256 while it is copied); False when some are not done yet."""
    if not all(is_done(folder, piece) for piece in pieces):
        return False
    with atomic_files(output.parent) as out, out.open(output.name, "wb") as sink:
        for piece in pieces:
            expected = json.loads((folder / f"{piece.name}.json").read_text(encoding="utf-8"))["sha256"]
            digest = hashlib.sha256()
            with (folder / f"{piece.name}.jsonl").open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
                    sink.write(block)
            if digest.hexdigest() != expected:
                raise InputError(
                    f"{piece.name}.jsonl changed after it was written (SHA-256 differs from its manifest)",
                    f"delete {piece.name}.json and run again to label that shard anew",
                    folder,
                )
    return True
