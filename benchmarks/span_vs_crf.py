"""Span NER (flat decoding), word shapes (`--systems crf shapes`) or the 12-layer all-mpnet-base-v2 encoder (`--systems
crf mpnet`, the "quality" option) against the CRF default on CoNLL-2003: dev entity F1, training time, inference
speed, peak memory.

For each seed, two trainings with the default spec (full training split, 3 epochs unless --extra says otherwise):
model.head.decoder=crf (the token task's default) and model.task=span_classification. Runs are interleaved
(crf, span, crf, span) so that a busier machine weighs on both alike; each evaluate on the dev split is timed in a
fresh process (start-up and loading included) and its sentences per second reported.

    python benchmarks/span_vs_crf.py --output-dir /tmp/span [--seeds 42 43] [--threads 2] [--systems crf span shapes]
"""

from __future__ import annotations

import json
import statistics
import sys

from compare_hf import parse_with_data, run_child, training_benchmark_parser

SYSTEMS = {
    "crf": ["model.head.decoder=crf"],
    "span": ["model.task=span_classification"],
    "shapes": ["model.head.decoder=crf", "model.head.shape_embedding_dim=16"],  # the CRF and each word's shape
    "span_shapes": ["model.task=span_classification", "model.head.shape_embedding_dim=16"],
    "mpnet": [
        "model.head.decoder=crf",
        "model.language_model.pretrained_model_name=sentence-transformers/all-mpnet-base-v2",
    ],
}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = training_benchmark_parser(__doc__, seeded=True)
    parser.add_argument("--max-train-sentences", type=int, default=-1)
    parser.add_argument("--systems", nargs="+", choices=sorted(SYSTEMS), default=["crf", "span"])
    args, data = parse_with_data(parser, argv)
    if data is None:
        return []
    out = args.output_dir
    dev_sentences = sum(1 for _ in (data / "text_dev.txt").open())
    rows = []
    for seed in args.seeds:
        for system, keys in ((name, SYSTEMS[name]) for name in args.systems):
            results = out / f"{system}_{seed}"
            train = run_child(
                f"train_{system}_{seed}",
                [sys.executable, "-m", "tokcls", "train", "-r", str(results), f"data_dir={data}", f"seed={seed}", *keys]
                + ["trainer.enable_progress_bar=false", f"training_ds.num_samples={args.max_train_sentences}"]
                + args.extra,
                out,
                args.threads,
            )
            timing = json.loads((results / "train_results.json").read_text())
            evaluated = out / f"dev_{system}_{seed}"
            run = run_child(
                f"dev_{system}_{seed}",
                [sys.executable, "-m", "tokcls", "evaluate", "-r", str(evaluated), "-m"]
                + [str(results / "checkpoints" / "tokcls.tcls"), f"data_dir={data}"]
                + ["test_ds.text_file=text_dev.txt", "test_ds.labels_file=labels_dev.txt"],
                out,
                args.threads,
            )
            report = json.loads((evaluated / "evaluation_report.json").read_text())
            row = {
                "system": system,
                "seed": seed,
                "dev_f1": report["summary"]["entity_f1"],
                "train_seconds": timing["train_seconds"],
                "train_peak_rss_mb": train["peak_rss_mb"],
                "evaluate_seconds": run["wall_seconds"],
                "evaluate_sentences_per_second": round(dev_sentences / run["wall_seconds"], 1),
                "evaluate_peak_rss_mb": run["peak_rss_mb"],
            }
            rows.append(row)
            print(
                f"{system} seed {seed}: dev F1 {row['dev_f1']:.2f}, training {row['train_seconds']:.0f} s "
                f"(peak {row['train_peak_rss_mb']} MB), evaluate {row['evaluate_seconds']:.0f} s",
                flush=True,
            )
    (out / "span_vs_crf.json").write_text(json.dumps(rows, indent=2))
    print(
        "\n| system | dev entity F1 (seeds) | mean | training s | train peak MB | evaluate sentences/s | eval peak MB |"
    )
    print("|---|---|---|---|---|---|---|")
    for system in args.systems:
        mine = [r for r in rows if r["system"] == system]
        if not mine:
            continue
        means = {key: statistics.mean(r[key] for r in mine) for key in mine[0] if key not in ("system", "seed")}
        f1s = " / ".join(f"{r['dev_f1']:.2f}" for r in mine)
        print(
            f"| {system} | {f1s} | {means['dev_f1']:.2f} | {means['train_seconds']:.0f} "
            f"| {means['train_peak_rss_mb']:.0f} | {means['evaluate_sentences_per_second']:.1f} "
            f"| {means['evaluate_peak_rss_mb']:.0f} |"
        )
    return rows


if __name__ == "__main__":
    main()
