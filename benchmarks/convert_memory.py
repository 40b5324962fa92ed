"""dataset_convert on a large CoNLL file: peak memory against the input's size, and time.

A 200 MB file once peaked at 2.3 GB (11.5x the input: every sentence, its converted tags and the
statistics were held at once); the converter now streams each file twice (a scan, then the
conversion), so the peak stays near the interpreter's own, whatever the input's size.

    python benchmarks/convert_memory.py --output-dir /tmp/convert_memory [--megabytes 200] [--repo OTHER_CHECKOUT]

--repo runs another checkout's converter on the same file (e.g. a `git worktree` of an earlier commit),
so that both are measured in one run on one machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from compare_hf import REPO, run_child

WORDS = ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", ".", "Peter", "Blackburn", "said"]
TAGS = ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O", "B-PER", "I-PER", "O"]


def write_conll(folder: Path, megabytes: float, seed: int = 0) -> Path:
    """train.txt of about `megabytes` MB (sentences of 5-30 tokens, 4 columns, -DOCSTART- every 20 sentences) and a
    small dev.txt."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1e6)
    with open(folder / "train.txt", "w", encoding="utf-8") as f:
        written, sentences = 0, 0
        while written < target:
            if sentences % 20 == 0:
                written += f.write("-DOCSTART- -X- -X- O\n\n")
            for _ in range(rng.randint(5, 30)):
                i = rng.randrange(len(WORDS))
                written += f.write(f"{WORDS[i]} NNP B-NP {TAGS[i]}\n")
            written += f.write("\n")
            sentences += 1
    (folder / "dev.txt").write_text("Peter NNP B-NP B-PER\nsaid VBD B-VP O\n\n", encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--megabytes", type=float, default=200.0)
    parser.add_argument("--repo", type=Path, action="append", default=[], help="another checkout to measure too")
    args = parser.parse_args(argv)
    source = write_conll(args.output_dir / "source", args.megabytes)
    size_mb = (source / "train.txt").stat().st_size / 1e6
    results = {"input_mb": round(size_mb, 1), "runs": {}}
    for number, (name, repo) in enumerate([("this checkout", REPO)] + [(str(r), r) for r in args.repo]):
        code = (
            f"import sys; sys.path.insert(0, {str(repo)!r}); from tokcls.cli import main; sys.exit(main(sys.argv[1:]))"
        )
        target = args.output_dir / f"out{number}"
        run = run_child(
            f"convert_{number}",
            [sys.executable, "-c", code, "dataset_convert", f"source_data_dir={source}", f"target_data_dir={target}"],
            args.output_dir,
            1,
        )
        run["peak_over_input"] = round(run["peak_rss_mb"] / size_mb, 2)
        results["runs"][name] = run
    print(f"\ndataset_convert of a {size_mb:.0f} MB CoNLL file")
    print(f"{'checkout':<40}{'seconds':>10}{'peak RSS MB':>14}{'peak / input':>14}")
    for name, run in results["runs"].items():
        print(f"{name:<40}{run['wall_seconds']:>10}{run['peak_rss_mb']:>14}{run['peak_over_input']:>14}")
    (args.output_dir / "convert_memory.json").write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
