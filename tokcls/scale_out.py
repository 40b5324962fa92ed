"""Labelling on more than one machine with Ray Data (docs/scale_out.md): `Labeller`, a load-once callable class for
`ray.data.Dataset.map_batches` built on the Python API (each worker loads the archive once and labels batch after
batch), and `python -m tokcls.scale_out` to run it over JSON Lines, parquet or text files on a Ray cluster.

    import ray, tokcls.scale_out as so
    ds = ray.data.read_json("texts.jsonl").map_batches(
        so.Labeller, fn_constructor_kwargs={"path": "model.tcls"}, concurrency=4, batch_size=256)

Each output row keeps the input's columns and adds `record`: infer's JSON Lines record of that text, as a string.
Ray is an optional extra (`pip install 'tokcls[ray]'`); nothing here imports it until it is used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tokcls.core.errors import InputError

RAY_MISSING = "Ray is not installed: pip install 'tokcls[ray]' (or pip install 'ray[data]')"


def import_ray():
    try:
        import ray
        import ray.data  # noqa: F401  (the part this module uses; ray alone may come without it)
    except ImportError:
        raise InputError(RAY_MISSING, "install it on every machine of the cluster, or label with infer -g N") from None
    return ray


class Labeller:
    """map_batches' callable class: the archive loaded once per worker (`tokcls.load` with `options`), then each batch
    labelled; `text_column` holds the texts (text pairs for a pair model: "text<TAB>text_b")."""

    def __init__(
        self, path: str, key: str | None = None, text_column: str = "text", threads: int | None = None, **options: Any
    ):
        import tokcls

        if threads is not None:  # the CPUs Ray gave this worker; torch would otherwise take every core
            import torch

            torch.set_num_threads(threads)
        self.model = tokcls.load(path, key=key, **options)
        self.text_column = text_column

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        if self.text_column not in batch:
            raise InputError(
                f"the batch has no column {self.text_column!r} (it has {', '.join(map(repr, batch))})",
                "name the texts' column with text_column=",
            )
        texts = [str(text) for text in batch[self.text_column]]
        records = self.model.predict(texts) if texts else []
        out = dict(batch)
        out["record"] = np.array([json.dumps(r, ensure_ascii=False) for r in records], dtype=object)
        return out


# Reading asks for no CPU: with the labelling actors holding every CPU of the cluster (2 workers of 1 thread on a
# 2-core machine), a read task that needs one never starts and the job waits forever.
READ = {"ray_remote_args": {"num_cpus": 0}}


def read(ray, source: Path, text_column: str):
    """A dataset of the input: parquet, JSON Lines (.jsonl/.json) or text (.txt, a line a text, column "text")."""
    suffixes = {p.suffix for p in source.iterdir()} if source.is_dir() else {source.suffix}
    if suffixes <= {".parquet"}:
        return ray.data.read_parquet(str(source), **READ)
    if suffixes <= {".jsonl", ".json"}:
        return ray.data.read_json(str(source), **READ)
    if suffixes <= {".txt"}:
        if text_column != "text":
            raise InputError("a text file's column is always 'text'", "leave out --text-column", source)
        return ray.data.read_text(str(source), **READ)
    raise InputError(
        f"cannot tell the input's format from {sorted(suffixes)}",
        "give .parquet, .jsonl/.json or .txt files (a folder: one kind of them)",
        source,
    )


def label(ds, archive: str, key: str | None, workers: int, batch_size: int, threads: int, text_column: str, **opts):
    """The dataset with its `record` column: `workers` actors of `threads` CPUs, each with the model loaded once."""
    return ds.map_batches(
        Labeller,
        fn_constructor_kwargs={"path": archive, "key": key, "text_column": text_column, "threads": threads, **opts},
        concurrency=workers,
        batch_size=batch_size,
        num_cpus=threads,
        batch_format="numpy",
    )


def write_records(ds, output: Path) -> int:
    """infer's JSON Lines, in input order, streamed to `output` through the driver and renamed into place whole."""
    from tokcls.core.atomic import atomic_files

    count = 0
    with atomic_files(output.parent) as out, out.open(output.name) as sink:
        for batch in ds.iter_batches(batch_format="numpy"):
            for record in batch["record"]:
                sink.write(f"{record}\n")
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tokcls.scale_out", description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", help="the model archive (.tcls), on a path every node can read")
    parser.add_argument("input", type=Path, help="a .jsonl/.json, .parquet or .txt file, or a folder of one kind")
    parser.add_argument("output", type=Path, help="the JSON Lines file written (infer's records, in input order)")
    parser.add_argument("-k", "--key", default=None, help="the archive's key (-k)")
    parser.add_argument("--workers", type=int, default=2, help="model copies (Ray actors), each loading it once")
    parser.add_argument("--threads", type=int, default=1, help="CPUs (torch threads) per worker")
    parser.add_argument("--batch-size", type=int, default=256, help="texts per map_batches call")
    parser.add_argument("--text-column", default="text", help="the column of the texts (JSON Lines, parquet)")
    parser.add_argument("--address", default=None, help="a Ray cluster (ray.init's address); none: a local one")
    args = parser.parse_args(argv)
    try:
        ray = import_ray()
        if not ray.is_initialized():
            ray.init(address=args.address, include_dashboard=False, log_to_driver=False)
        ray.data.DataContext.get_current().execution_options.preserve_order = True  # the output in input order
        ds = read(ray, args.input, args.text_column)
        columns = ds.schema().names
        if args.text_column not in columns:
            raise InputError(
                f"the input has no column {args.text_column!r} (it has {', '.join(map(repr, columns))})",
                "name the texts' column with --text-column",
                args.input,
            )
        labelled = label(ds, args.archive, args.key, args.workers, args.batch_size, args.threads, args.text_column)
        count = write_records(labelled, args.output)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"Labelled {count} input(s) with {args.workers} Ray worker(s); results in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
