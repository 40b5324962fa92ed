"""`tune` on a CoNLL-2003 subset: an 8-trial search over lr, head_lr and the head's dropout against the default spec.

Both are trained on the first --train-sentences sentences of the training split for --epochs epochs and scored
on the whole dev split by `evaluate` (the same code for both). The search chooses on dev, so its dev F1 is an
optimistic estimate of what the chosen values give on unseen data (the test split is not distributed here).

    python benchmarks/tune_conll.py --output-dir /tmp/tune_conll [--trials 8] [--train-sentences 2000] [--epochs 2]
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import yaml
from compare_hf import parse_with_data, run_child, training_benchmark_parser

REPO = Path(__file__).resolve().parents[1]
SPACE = {
    "optim.lr": "loguniform(1e-5, 3e-4)",
    "optim.head_lr": "loguniform(1e-4, 3e-3)",
    "model.head.fc_dropout": "uniform(0.0, 0.5)",
}


def dev_f1(name: str, archive: Path, data: Path, out: Path, threads: int) -> float:
    results = out / name
    run_child(
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
        ],
        out,
        threads,
    )
    return json.loads((results / "evaluation_report.json").read_text())["summary"]["entity_f1"]


def main(argv: list[str] | None = None) -> dict:
    parser = training_benchmark_parser(__doc__)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--train-sentences", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--extra", nargs="*", default=[], help="more overrides for both (tests: a tiny encoder)")
    parser.add_argument("--docs-images", type=Path, help="copy the plots here (docs)")
    args, data = parse_with_data(parser, argv)
    if data is None:
        return {}
    out = args.output_dir
    common = [
        f"data_dir={data}",
        f"training_ds.num_samples={args.train_sentences}",
        f"trainer.max_epochs={args.epochs}",
        "trainer.enable_progress_bar=false",
        *args.extra,
    ]
    default = run_child(
        "train_default",
        [sys.executable, "-m", "tokcls", "train", "-r", str(out / "default"), *common],
        out,
        args.threads,
    )
    default_f1 = dev_f1("dev_default", out / "default" / "checkpoints" / "tokcls.tcls", data, out, args.threads)
    spec = out / "tune.yaml"
    spec.write_text(yaml.safe_dump({"search": {"n_trials": args.trials, "params": SPACE}}, sort_keys=False))
    tune = run_child(
        "tune",
        [sys.executable, "-m", "tokcls", "tune", "-e", str(spec), "-r", str(out / "tune"), *common],
        out,
        args.threads,
    )
    best_f1 = dev_f1("dev_best", out / "tune" / "best.tcls", data, out, args.threads)
    log = (out / "logs" / "tune.log").read_text().splitlines()
    table = log[next(i for i, line in enumerate(log) if line.lstrip().startswith("trial  state")) :]
    print("\n".join(table))
    result = {
        "default_dev_f1": default_f1,
        "best_trial_dev_f1": best_f1,
        "default_wall_seconds": default["wall_seconds"],
        "tune_wall_seconds": tune["wall_seconds"],
        "trials": args.trials,
        "train_sentences": args.train_sentences,
        "epochs": args.epochs,
    }
    (out / "tune_conll.json").write_text(json.dumps(result, indent=2))
    print(
        f"\nDev entity F1: default spec {default_f1:.2f}, best trial {best_f1:.2f} "
        f"(default {default['wall_seconds']:.0f} s, search {tune['wall_seconds']:.0f} s)"
    )
    if args.docs_images:
        for plot in ("optimization_history.png", "param_importances.png", "intermediate_values.png"):
            if (out / "tune" / plot).exists():
                shutil.copy(out / "tune" / plot, args.docs_images / f"tune_conll_{plot}")
    return result


if __name__ == "__main__":
    main()
