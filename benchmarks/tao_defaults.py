"""tokcls's defaults against TAO's train spec values, each difference alone and all together.

TAO's train.yaml: a 2-layer head with dropout 0.5, Adam without weight decay at one learning rate and
no schedule (NeMo runs a constant rate when `optim.sched` is absent), batch 64, 5 epochs. tokcls
differs on each (docs/tao.md). Every variant trains the same encoder on the same sentences and is
scored on the same dev split; the table gives dev entity F1 (the archived model, scored by
`evaluate`) and the training time without validation.

    python benchmarks/tao_defaults.py --output-dir /tmp/tao_defaults [--max-train-sentences 2000] [--threads 2]
"""

from __future__ import annotations

import json
import sys

from compare_hf import parse_with_data, run_child, training_benchmark_parser

TAO_HEAD = ["model.head.num_fc_layers=2", "model.head.fc_dropout=0.5"]
TAO_OPTIM = [
    "optim.name=adam",
    "optim.weight_decay=0.0",
    "optim.head_lr=null",
    "optim.sched.name=constant",
    "optim.sched.warmup_ratio=0.0",
]
TAO_SIZE = ["training_ds.batch_size=64", "trainer.max_epochs=5"]
VARIANTS = {
    "tokcls defaults": [],
    "TAO head (2 layers, dropout 0.5)": TAO_HEAD,
    "TAO optimizer (Adam, no decay, one lr, constant)": TAO_OPTIM,
    "TAO batch 64, 5 epochs": TAO_SIZE,
    "all TAO values": TAO_HEAD + TAO_OPTIM + TAO_SIZE,
}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = training_benchmark_parser(__doc__)
    parser.add_argument("--max-train-sentences", type=int, default=2000)
    parser.add_argument("--encoder", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--variants", type=int, nargs="*", help="run only these variants (numbers from 0, as listed)")
    args, data = parse_with_data(parser, argv)
    if data is None:
        return []
    out = args.output_dir
    rows = []
    for number, (name, overrides) in enumerate(VARIANTS.items()):
        if args.variants is not None and number not in args.variants:
            continue
        results = out / f"variant{number}"
        run_child(
            f"train{number}",
            [
                sys.executable,
                "-m",
                "tokcls",
                "train",
                "-r",
                str(results),
                f"data_dir={data}",
                f"model.language_model.pretrained_model_name={args.encoder}",
                f"training_ds.num_samples={args.max_train_sentences}",
                "trainer.enable_progress_bar=false",
                *overrides,
            ],
            out,
            args.threads,
        )
        run_child(
            f"evaluate{number}",
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
        timing = json.loads((results / "train_results.json").read_text())
        summary = json.loads((results / "dev" / "evaluation_report.json").read_text())["summary"]
        rows.append(
            {
                "variant": name,
                "overrides": overrides,
                "dev_f1": round(summary["entity_f1"], 2),
                "train_seconds": timing["train_seconds"],
                "epochs": timing["epochs"],
            }
        )
        print(f"{name}: dev F1 {summary['entity_f1']:.2f}, {timing['train_seconds']:.0f} s training", flush=True)
    (out / "tao_defaults.json").write_text(json.dumps(rows, indent=2))
    print(f"\n{args.max_train_sentences} training sentences of {args.data_dir.name}, {args.encoder}\n")
    print("| variant | dev entity F1 | training s (epochs) |\n|---|---|---|")
    for row in rows:
        print(f"| {row['variant']} | {row['dev_f1']:.2f} | {row['train_seconds']:.0f} ({row['epochs']}) |")
    return rows


if __name__ == "__main__":
    main()
