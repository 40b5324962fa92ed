"""Sentence against document context on CoNLL-2003: dev entity F1, training and evaluate time.

For each seed and context, `train` with the default spec plus model.dataset.context, then `evaluate` on dev
(the archive keeps its context). Sentence mode is the default spec as it is.

    python benchmarks/context.py --output-dir /tmp/context [--contexts sentence document] [--seeds 42 43] [--threads 2]
"""

from __future__ import annotations

import json
import statistics
import sys

from compare_hf import parse_with_data, run_child, training_benchmark_parser
from decoders import evaluate


def main(argv: list[str] | None = None) -> list[dict]:
    parser = training_benchmark_parser(__doc__, seeded=True)
    parser.add_argument("--contexts", nargs="+", default=["sentence", "document"])
    args, data = parse_with_data(parser, argv)
    if data is None:
        return []
    out = args.output_dir
    rows = []
    for seed in args.seeds:
        for context in args.contexts:
            name = f"{context}_{seed}"
            run_child(
                f"train_{name}",
                [
                    sys.executable,
                    "-m",
                    "tokcls",
                    "train",
                    "-r",
                    str(out / name),
                    f"data_dir={data}",
                    f"seed={seed}",
                    f"model.dataset.context={context}",
                    "trainer.enable_progress_bar=false",
                    *args.extra,
                ],
                out,
                args.threads,
            )
            timing = json.loads((out / name / "train_results.json").read_text())
            row = {
                "context": context,
                "seed": seed,
                "train_seconds": timing["train_seconds"],
                "optimizer_steps": timing["optimizer_steps"],
                **evaluate(f"dev_{name}", out / name / "checkpoints" / "tokcls.tcls", data, out, args.threads, None),
            }
            rows.append(row)
            print(
                f"{context} seed {seed}: dev F1 {row['dev_f1']:.2f}, training {row['train_seconds']:.0f} s "
                f"({row['optimizer_steps']} steps), evaluate {row['evaluate_seconds']:.0f} s",
                flush=True,
            )
    (out / "context.json").write_text(json.dumps(rows, indent=2))
    print(
        "\n| context | dev entity F1 (seeds) | mean | training s | steps | evaluate s (dev) |\n|---|---|---|---|---|---|"
    )
    for context in args.contexts:
        mine = [r for r in rows if r["context"] == context]
        f1s = " / ".join(f"{r['dev_f1']:.2f}" for r in mine)
        print(
            f"| {context} | {f1s} | {statistics.mean(r['dev_f1'] for r in mine):.2f} | "
            f"{statistics.mean(r['train_seconds'] for r in mine):.0f} | {mine[0]['optimizer_steps']} | "
            f"{statistics.mean(r['evaluate_seconds'] for r in mine):.1f} |"
        )
    return rows


if __name__ == "__main__":
    main()
