"""Mixed precision against float32: training speed and dev entity F1, the same spec and seed otherwise.

Each precision trains the default spec (gradient clipping on) on the first --max-train-sentences of
CoNLL-2003 and is scored on the dev split; the runs alternate (32, bf16, 32, bf16, ...) so that a busier
machine weighs on both alike. On a CPU without bf16 units (AVX2 only), bf16 autocast is emulated.

    python benchmarks/precision.py --output-dir /tmp/precision [--precisions 32-true bf16-mixed] [--max-train-sentences 1000]
"""

from __future__ import annotations

import json
import sys

from compare_hf import parse_with_data, run_child, training_benchmark_parser


def main(argv: list[str] | None = None) -> list[dict]:
    parser = training_benchmark_parser(__doc__, seeded=True)
    parser.add_argument("--precisions", nargs="+", default=["32-true", "bf16-mixed"])
    parser.add_argument("--max-train-sentences", type=int, default=1000)
    args, data = parse_with_data(parser, argv)
    if data is None:
        return []
    out, rows = args.output_dir, []
    for seed in args.seeds:
        for precision in args.precisions:
            name = f"{precision}_{seed}"
            results = out / name
            run_child(
                f"train_{name}",
                [
                    sys.executable,
                    "-m",
                    "tokcls",
                    "train",
                    "-r",
                    str(results),
                    f"data_dir={data}",
                    f"seed={seed}",
                    f"trainer.precision={precision}",
                    "trainer.enable_progress_bar=false",
                    f"training_ds.num_samples={args.max_train_sentences}",
                    *args.extra,
                ],
                out,
                args.threads,
            )
            timing = json.loads((results / "train_results.json").read_text())
            run_child(
                f"dev_{name}",
                [
                    sys.executable,
                    "-m",
                    "tokcls",
                    "evaluate",
                    "-r",
                    str(results / "dev"),
                    "-m",
                    str(results / "checkpoints" / "tokcls.tcls"),
                    f"data_dir={data}",
                    "test_ds.text_file=text_dev.txt",
                    "test_ds.labels_file=labels_dev.txt",
                ],
                out,
                args.threads,
            )
            summary = json.loads((results / "dev" / "evaluation_report.json").read_text())["summary"]
            rows.append(
                {
                    "precision": precision,
                    "seed": seed,
                    "train_seconds": timing["train_seconds"],
                    "sentences_per_second": timing["train_sentences_per_second"],
                    "dev_f1": summary["entity_f1"],
                }
            )
            print(
                f"{precision} seed {seed}: {timing['train_sentences_per_second']} sentences/s, dev F1 "
                f"{summary['entity_f1']:.2f}",
                flush=True,
            )
    (out / "precision.json").write_text(json.dumps(rows, indent=2))
    base = {r["seed"]: r["sentences_per_second"] for r in rows if r["precision"] == args.precisions[0]}
    print(
        f"\n| precision | seed | training s | sentences/s | speed vs {args.precisions[0]} | dev entity F1 |\n|---|---|---|---|---|---|"
    )
    for r in rows:
        print(
            f"| {r['precision']} | {r['seed']} | {r['train_seconds']:.0f} | {r['sentences_per_second']} | "
            f"{r['sentences_per_second'] / base[r['seed']]:.2f}x | {r['dev_f1']:.2f} |"
        )
    return rows


if __name__ == "__main__":
    main()
