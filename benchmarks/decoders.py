"""argmax, constrained and CRF decoding on CoNLL-2003: dev entity F1, invalid transitions, time.

For each seed, two trainings with the default spec (full training split, 3 epochs): model.head.decoder=argmax
and =crf. The argmax model is scored twice, as trained and with model.head.decoder=constrained (the same
network, decoded by Viterbi within the tag scheme: constrained decoding changes no training). Runs are
interleaved (argmax, crf, argmax, crf) so that a busier machine weighs on both alike.

    python benchmarks/decoders.py --output-dir /tmp/decoders [--seeds 42 43] [--threads 2]
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from compare_hf import parse_with_data, run_child, training_benchmark_parser


def evaluate(name: str, archive: Path, data: Path, out: Path, threads: int, decoder: str | None) -> dict:
    results = out / name
    run = run_child(
        name,
        [
            sys.executable,
            "-m",
            "tokcls",
            "evaluate",
            "-r",
            str(results),
            "-m",
            str(archive),
            f"data_dir={data}",
            "test_ds.text_file=text_dev.txt",
            "test_ds.labels_file=labels_dev.txt",
            *([f"model.head.decoder={decoder}"] if decoder else []),
        ],
        out,
        threads,
    )
    report = json.loads((results / "evaluation_report.json").read_text())
    return {
        "dev_f1": report["summary"]["entity_f1"],
        "invalid_transitions": report["invalid_transitions"]["count"],
        "evaluate_seconds": run["wall_seconds"],
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = training_benchmark_parser(__doc__, seeded=True)
    parser.add_argument("--max-train-sentences", type=int, default=-1)
    args, data = parse_with_data(parser, argv)
    if data is None:
        return []
    out = args.output_dir
    rows = []
    for seed in args.seeds:
        for trained in ("argmax", "crf"):
            results = out / f"{trained}_{seed}"
            run_child(
                f"train_{trained}_{seed}",
                [
                    sys.executable,
                    "-m",
                    "tokcls",
                    "train",
                    "-r",
                    str(results),
                    f"data_dir={data}",
                    f"seed={seed}",
                    f"model.head.decoder={trained}",
                    "trainer.enable_progress_bar=false",
                    f"training_ds.num_samples={args.max_train_sentences}",
                    *args.extra,
                ],
                out,
                args.threads,
            )
            timing = json.loads((results / "train_results.json").read_text())
            archive = results / "checkpoints" / "tokcls.tcls"
            for decoder in ["argmax", "constrained"] if trained == "argmax" else ["crf"]:
                row = {
                    "decoder": decoder,
                    "seed": seed,
                    "train_seconds": timing["train_seconds"],
                    **evaluate(f"dev_{decoder}_{seed}", archive, data, out, args.threads, decoder),
                }
                rows.append(row)
                print(
                    f"{decoder} seed {seed}: dev F1 {row['dev_f1']:.2f}, {row['invalid_transitions']} invalid transitions, "
                    f"training {row['train_seconds']:.0f} s, evaluate {row['evaluate_seconds']:.0f} s",
                    flush=True,
                )
    (out / "decoders.json").write_text(json.dumps(rows, indent=2))
    print(
        "\n| decoder | dev entity F1 (seeds) | mean | invalid transitions | training s | evaluate s (dev) |\n|---|---|---|---|---|---|"
    )
    for decoder in ("argmax", "constrained", "crf"):
        mine = [r for r in rows if r["decoder"] == decoder]
        if mine:
            f1s = " / ".join(f"{r['dev_f1']:.2f}" for r in mine)
            invalid = " / ".join(str(r["invalid_transitions"]) for r in mine)
            print(
                f"| {decoder} | {f1s} | {statistics.mean(r['dev_f1'] for r in mine):.2f} | {invalid} "
                f"| {statistics.mean(r['train_seconds'] for r in mine):.0f} | {statistics.mean(r['evaluate_seconds'] for r in mine):.1f} |"
            )
    return rows


if __name__ == "__main__":
    main()
