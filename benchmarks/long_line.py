"""infer on one very long line against the same text as ordinary lines: time and peak memory.

A 4.3 MB single line once took 5 min 15 s and 1.8 GB (the windows' word ownership was quadratic, and
the whole line was one example); now a line over 200,000 characters is labelled in pieces and written
as it goes, so both inputs cost about the same time and memory.

    python benchmarks/long_line.py -m MODEL.tcls --output-dir /tmp/long_line [--megabytes 4] [--threads 2] [-k KEY]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from compare_hf import run_child

VOCABULARY = ["the", "john", "smith", "visited", "paris", "and", "berlin", ",", ".", "yesterday", "EU", "rejects"]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-m", "--model", type=Path, required=True)
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--megabytes", type=float, default=4.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-k", "--key", help="the archive's key, when it was written with -k")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"skipped: no model archive at {args.model}")
        return {}
    out = args.output_dir
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    words = [rng.choice(VOCABULARY) for _ in range(int(args.megabytes * 1e6 / 5.5))]
    (out / "one_line.txt").write_text(" ".join(words) + "\n")
    (out / "lines.txt").write_text("".join(" ".join(words[i : i + 20]) + "\n" for i in range(0, len(words), 20)))
    results = {}
    for name in ("lines", "one_line"):
        source = out / f"{name}.txt"
        results[name] = run_child(
            name,
            [
                sys.executable,
                "-m",
                "tokcls",
                "infer",
                "-r",
                str(out / name),
                "-m",
                str(args.model),
                *(["-k", args.key] if args.key else []),
                f"input_file={source}",
                "max_printed=0",
            ],
            out,
            args.threads,
        )
        results[name]["megabytes"] = round(source.stat().st_size / 1e6, 2)
    (out / "long_line.json").write_text(json.dumps(results, indent=2))
    print(f"\n{len(words)} words, {results['one_line']['megabytes']} MB\n")
    print("| input | wall s | peak RSS MB |\n|---|---|---|")
    for name, row in results.items():
        print(f"| {name.replace('_', ' ')} | {row['wall_seconds']} | {row['peak_rss_mb']} |")
    return results


if __name__ == "__main__":
    main()
