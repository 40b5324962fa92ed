"""text_classification against the Hugging Face sequence-classification recipe on one dataset (train -> dev), one
after the other, same threads, same encoder, epochs, batch size, learning rate, warmup, weight decay, max length, seed.

1. tokcls: dataset_convert, train (validation once, after the last epoch), evaluate on dev (windows pooled), the
   same model scored on each dev text's first window only (what truncation keeps), infer on the raw dev texts;
2. the recipe (benchmarks/text_hf_recipe.py: truncation at max length, random padded batches).

Every step is a child process (peak RSS from os.wait4). Prints a Markdown table and writes OUT/text_compare_hf.json.

    python benchmarks/text_compare_hf.py --dataset trec6_en --output-dir /tmp/trec [--epochs 3] [--max-length 256]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from compare_hf import REPO, run_child
from hf_recipe import add_recipe_arguments

SHARED = REPO.parent / "shared" / "data"
CONVERT = {
    "trec6_en": ["text_column=sentence"],
    "vader_movie_en": ["text_column=sentence", "label_column=score", "problem_type=regression"],
}


def first_window_scores(archive: Path, dev: Path, out: Path) -> None:
    """Accuracy and macro F1 of the archive on dev when each text is scored by its first window alone."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    from tokcls.inference.predictor import Predictor
    from tokcls.model.archive import load_model
    from tokcls.tasks.text.examples import read_text_examples
    from tokcls.tasks.text.features import text_window_settings

    network, tokenizer, config = load_model(archive)
    if network.decoder.problem_type != "single_label_classification":
        out.write_text(json.dumps({}))  # accuracy and macro F1 are single-label measures
        return
    examples = read_text_examples(dev, network.labels, network.decoder.problem_type)
    predictor = Predictor(network, tokenizer, text_window_settings(config.model.dataset), 32)
    parts = predictor._outputs(examples, progress=False, shuffle=False)
    example, window = (np.concatenate([p[i] for p in parts]) for i in (0, 1))
    rows = np.concatenate([p[2].numpy() for p in parts])
    first = window == 0
    import torch

    scores = predictor.task.text_scores(example[first], torch.from_numpy(rows[first]))
    pred = [p[0] for p in network.decoder.decode(scores)]
    gold = [e.labels[0] for e in examples]
    out.write_text(
        json.dumps(
            {
                "accuracy": accuracy_score(gold, pred),
                "macro_f1": f1_score(gold, pred, average="macro"),
                "texts_with_more_windows": int(len(set(example[~first].tolist()))),
            }
        )
    )


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="trec6_en")
    parser.add_argument("--data-root", type=Path, default=SHARED)
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-hf", action="store_true", help="tokcls only (the window comparison)")
    parser.add_argument("--extra", nargs="*", default=[], help="more tokcls train overrides (tests: a tiny encoder)")
    add_recipe_arguments(parser)
    args = parser.parse_args(argv)
    source = args.data_root / args.dataset
    if not source.is_dir():
        print(f"skipped: no dataset at {source}")
        return {}
    out = args.output_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    py, threads, data = sys.executable, args.threads, out / "data"
    tc = [py, "-c", "import sys; from tokcls.cli import text_main; sys.exit(text_main())"]
    run_child(
        "convert",
        tc
        + [
            "dataset_convert",
            "-r",
            str(out / "convert"),
            f"source_data_dir={source}",
            f"target_data_dir={data}",
            *CONVERT.get(args.dataset, []),
        ],
        out,
        threads,
    )
    train_dir = out / "tokcls_train"
    tok_train = run_child(
        "tokcls_train",
        tc
        + [
            "train",
            "-r",
            str(train_dir),
            f"data_dir={data}",
            f"seed={args.seed}",
            f"model.language_model.pretrained_model_name={args.encoder}",
            f"trainer.max_epochs={args.epochs}",
            f"training_ds.batch_size={args.batch_size}",
            f"optim.lr={args.lr}",
            f"optim.sched.warmup_ratio={args.warmup_ratio}",
            f"optim.weight_decay={args.weight_decay}",
            f"model.dataset.max_seq_length={args.max_length}",
            f"training_ds.num_samples={args.max_train_sentences}",
            f"validation_ds.num_samples={args.max_eval_sentences}",
            f"trainer.check_val_every_n_epoch={args.epochs}",
            "trainer.enable_progress_bar=false",
            *args.extra,
        ],
        out,
        threads,
    )
    tok_train.update(json.loads((train_dir / "train_results.json").read_text()))
    archive = train_dir / "checkpoints" / "tokcls_text.tcls"
    run_child(
        "tokcls_evaluate",
        tc
        + [
            "evaluate",
            "-r",
            str(out / "evaluate"),
            "-m",
            str(archive),
            f"data_dir={data}",
            "test_ds.file_path=dev.tsv",
            f"test_ds.num_samples={args.max_eval_sentences}",
        ],
        out,
        threads,
    )
    summary = json.loads((out / "evaluate" / "evaluation_report.json").read_text())["summary"]
    dev = out / "dev_raw.txt"
    texts = [line.rsplit("\t", 1)[0] for line in (data / "dev.tsv").read_text(encoding="utf-8").splitlines()]
    texts = texts[: args.max_eval_sentences] if args.max_eval_sentences > 0 else texts
    dev.write_text("\n".join(texts) + "\n", encoding="utf-8")
    (out / "dev_scored.tsv").write_text(
        "".join(lab + "\n" for lab in (data / "dev.tsv").read_text(encoding="utf-8").splitlines()[: len(texts)])
    )
    run_child(
        "first_window",
        [py, __file__, "--first-window", str(archive), str(out / "dev_scored.tsv"), str(out / "first_window.json")],
        out,
        threads,
    )
    timed = out / "infer_timed.json"
    infer = run_child(
        "tokcls_infer",
        [
            py,
            str(REPO / "benchmarks" / "timed_steps.py"),
            "tokcls-infer",
            "--out",
            str(timed),
            "--program",
            "text_classification",
            "--",
            "infer",
            "-r",
            str(out / "infer"),
            "-m",
            str(archive),
            f"input_file={dev}",
            f"batch_size={args.batch_size}",
            "max_printed=0",
        ],
        out,
        threads,
    )
    infer.update(json.loads(timed.read_text()))
    result = {
        "dataset": args.dataset,
        "encoder": args.encoder,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "max_length": args.max_length,
        "dev_texts": len(texts),
        "tokcls": {
            "summary": summary,
            "accuracy": summary.get("accuracy", 0) / 100,
            "macro_f1": summary.get("macro_f1", 0) / 100,
            "first_window": json.loads((out / "first_window.json").read_text()),
            "train_seconds": tok_train["train_seconds"],
            "train_texts_per_second": tok_train["train_sentences_per_second"],
            "train_peak_rss_mb": tok_train["peak_rss_mb"],
            "infer_seconds": infer["seconds"],
            "infer_texts_per_second": round(len(texts) / infer["seconds"], 1),
            "infer_peak_rss_mb": infer["peak_rss_mb"],
            "infer_wall_seconds": infer["wall_seconds"],  # a fresh process: start-up and load included
        },
    }
    if not args.skip_hf:
        hf = run_child(
            "hf_train",
            [
                py,
                str(REPO / "benchmarks" / "text_hf_recipe.py"),
                "--data-dir",
                str(data),
                "--output-dir",
                str(out / "hf"),
                "--encoder",
                args.encoder,
                "--epochs",
                str(args.epochs),
                "--batch-size",
                str(args.batch_size),
                "--lr",
                str(args.lr),
                "--warmup-ratio",
                str(args.warmup_ratio),
                "--weight-decay",
                str(args.weight_decay),
                "--max-length",
                str(args.max_length),
                "--seed",
                str(args.seed),
                "--max-train-sentences",
                str(args.max_train_sentences),
                "--max-eval-sentences",
                str(args.max_eval_sentences),
            ],
            out,
            threads,
        )
        result["hf"] = json.loads((out / "hf" / "hf_result.json").read_text()) | {"peak_rss_mb": hf["peak_rss_mb"]}
        steps = [py, str(REPO / "benchmarks" / "timed_steps.py"), "hf-pipeline", "--task", "text-classification"]
        steps += ["--out", str(out / "hf_infer.json"), "--model", str(out / "hf" / "model"), "--input", str(dev)]
        steps += ["--batch-size", str(args.batch_size)]
        result["hf"]["infer_wall_seconds"] = run_child("hf_pipeline", steps, out, threads)["wall_seconds"]
    (out / "text_compare_hf.json").write_text(json.dumps(result, indent=2))
    print(format_table(result))
    return result


def format_table(r: dict) -> str:
    t = r["tokcls"]
    if not t["first_window"]:  # regression
        return (
            f"{r['dataset']}: tokcls "
            + ", ".join(f"{k} {v:.4f}" for k, v in t["summary"].items() if v is not None)
            + f"; train {t['train_texts_per_second']} texts/s, infer {t['infer_texts_per_second']} texts/s"
        )
    lines = [
        f"{r['dataset']} ({r['encoder']}, {r['epochs']} epochs, batch {r['batch_size']}, lr {r['lr']}, max length "
        f"{r['max_length']}; dev {r['dev_texts']} texts)",
        "",
        "| system | accuracy | macro F1 | train texts/s | train peak RSS MB | infer texts/s |",
        "|---|---|---|---|---|---|",
        f"| tokcls (windows pooled) | {100 * t['accuracy']:.2f} | {100 * t['macro_f1']:.2f} | {t['train_texts_per_second']} | "
        f"{t['train_peak_rss_mb']} | {t['infer_texts_per_second']} |",
        f"| tokcls, first window only | {100 * t['first_window']['accuracy']:.2f} | {100 * t['first_window']['macro_f1']:.2f} | | | |",
    ]
    if "hf" in r:
        h = r["hf"]
        lines.append(
            f"| HF Trainer recipe (truncated) | {100 * h['accuracy']:.2f} | {100 * h['macro_f1']:.2f} | "
            f"{h['train_texts_per_second']} | {h['peak_rss_mb']} | {h['eval_texts_per_second']} |"
        )
        lines.append(
            f"\ntraining speed tokcls / HF: {t['train_texts_per_second'] / h['train_texts_per_second']:.2f}x; "
            f"dev texts longer than max length: {h['dev_texts_truncated']}"
        )
        if "infer_wall_seconds" in h:
            lines.append(
                f"labelling the dev texts from the shell (a fresh process: start-up, load, labelling): tokcls "
                f"{t['infer_wall_seconds']} s, pipeline() {h['infer_wall_seconds']} s, "
                f"{h['infer_wall_seconds'] / t['infer_wall_seconds']:.2f}x"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--first-window":
        first_window_scores(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()
