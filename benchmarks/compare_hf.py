"""tokcls against the Hugging Face recipe on one dataset and encoder, one after the other, same threads.

1. train: tokcls `train` vs the `Trainer` recipe (benchmarks/hf_recipe.py: run_ner style), same
   encoder, epochs, learning rate, batch size, warmup, weight decay, max length and seed;
2. accuracy: tokcls `evaluate` (float32, int8, ONNX, ONNX int8) vs the recipe's seqeval scoring, on
   the test split or dev where there is none (words the recipe truncates count as missed);
3. inference: tokcls `infer` vs `pipeline("token-classification", aggregation_strategy="first")`
   over the same sentences as raw text, same batch size.

Every step is a child process (peak RSS from os.wait4); steps time their own work. The machine's
float32 matmul rate is measured first, and each system's GFLOP/s on real (unpadded) tokens is
reported as a share of it. Prints a Markdown table and writes OUT/compare_hf.json.

    python benchmarks/compare_hf.py --output-dir /tmp/compare [--max-train-sentences 3000] [--threads 2]

Needs the bench extra (pip install -e '.[bench,onnx]').
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from hf_recipe import add_recipe_arguments

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "conll2003_en"
VARIANTS = [("pytorch", "none"), ("pytorch", "int8"), ("onnx", "none"), ("onnx", "int8")]


def run_child(name: str, argv: list[str], out: Path, threads: int) -> dict:
    """Run one step with `threads` threads; its output goes to OUT/logs/<name>.log."""
    env = dict(
        os.environ,
        OMP_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
        TOKENIZERS_PARALLELISM="false",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    log = out / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"[{time.strftime('%H:%M:%S')}] {name}: {' '.join(argv[1:])}", flush=True)
    start = time.perf_counter()
    with open(log, "w") as sink:
        child = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{name} failed (exit {child.returncode}); its output: {log}")
    return {"wall_seconds": round(time.perf_counter() - start, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024)}


def training_benchmark_parser(doc: str, seeded: bool = False) -> argparse.ArgumentParser:
    """The options of the benchmarks that train with tokcls's command line: data, output, threads; with `seeded`
    also the seeds and extra train overrides of the runs compared over seeds."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    if seeded:
        parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43])
        parser.add_argument(
            "--extra", nargs="*", default=[], help="more train overrides (tests: a tiny encoder, one epoch)"
        )
    return parser


def parse_with_data(parser: argparse.ArgumentParser, argv: list[str] | None):
    """(args, the text/labels folder of args.data_dir, converted into the output dir when needed); the folder is
    None, and that said, without the dataset."""
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"skipped: no dataset at {args.data_dir}")
        return args, None
    return args, prepare_data(args.data_dir, args.output_dir, args.threads)


def prepare_data(source: Path, out: Path, threads: int) -> Path:
    """The text/labels layout: as it is, or converted from CoNLL columns into OUT/data."""
    if (source / "text_train.txt").exists():
        return source
    if not source.is_dir():
        raise SystemExit(f"no dataset at {source}: give --data-dir (CoNLL columns or dataset_convert output)")
    run_child(
        "convert",
        [
            sys.executable,
            "-m",
            "tokcls",
            "dataset_convert",
            "-r",
            str(out / "convert"),
            f"source_data_dir={source}",
            f"target_data_dir={out / 'data'}",
        ],
        out,
        threads,
    )
    return out / "data"


def forward_gflop(lengths: list[int], encoder_config) -> float:
    """Forward GFLOP of the encoder over sequences of these lengths, without padding."""
    h, ffn, layers = encoder_config.hidden_size, encoder_config.intermediate_size, encoder_config.num_hidden_layers
    per_token = 2 * (4 * h * h + 2 * h * ffn)  # projections and feed-forward
    return layers * sum(t * per_token + 4 * t * t * h for t in lengths) / 1e9  # + scores and weighted sum


def sub_token_lengths(tokenizer, sentences: list[list[str]], max_length: int) -> list[int]:
    lengths = [len(ids) for ids in tokenizer(sentences, is_split_into_words=True)["input_ids"]]
    return [min(t, max_length) for t in lengths]  # windows of long sentences: about max_length each


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output-dir", type=Path, required=True)
    add_recipe_arguments(parser)
    parser.add_argument("--infer-batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)
    if not args.data_dir.exists():
        print(f"skipped: no dataset at {args.data_dir}")
        return {}

    out = args.output_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    py, threads = sys.executable, args.threads
    data = prepare_data(args.data_dir.resolve(), out, threads)
    split = "test" if (data / "text_test.txt").exists() else "dev"
    steps = Path(__file__).resolve().parent / "timed_steps.py"

    from tokcls.tasks.token.examples import read_examples

    train = read_examples(data / "text_train.txt", data / "labels_train.txt", args.max_train_sentences)
    scored = read_examples(data / f"text_{split}.txt", data / f"labels_{split}.txt", args.max_eval_sentences)
    raw = out / f"raw_{split}.txt"
    raw.write_text("".join(" ".join(e.words) + "\n" for e in scored), encoding="utf-8")

    run_child("matmul", [py, str(steps), "matmul", "--out", str(out / "matmul.json")], out, threads)
    machine_gflops = json.loads((out / "matmul.json").read_text())["gflops"]

    # 1. training
    tok_train_dir = out / "tokcls_train"
    tok_train = run_child(
        "tokcls_train",
        [
            py,
            "-m",
            "tokcls",
            "train",
            "-r",
            str(tok_train_dir),
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
            f"validation_ds.text_file=text_{split}.txt",
            f"validation_ds.labels_file=labels_{split}.txt",
            f"validation_ds.num_samples={args.max_eval_sentences}",
            # Validate once, after the last epoch, so the archive is the last epoch's model as the recipe's is.
            f"trainer.check_val_every_n_epoch={args.epochs}",
            "trainer.enable_progress_bar=false",
        ],
        out,
        threads,
    )
    tok_train.update(json.loads((tok_train_dir / "train_results.json").read_text()))
    archive = tok_train_dir / "checkpoints" / "tokcls.tcls"

    hf_dir = out / "hf"
    hf_train = run_child(
        "hf_train",
        [
            py,
            str(REPO / "benchmarks" / "hf_recipe.py"),
            "--data-dir",
            str(data),
            "--output-dir",
            str(hf_dir),
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
            "--eval-split",
            split,
            "--max-eval-sentences",
            str(args.max_eval_sentences),
            "--save-model",
        ],
        out,
        threads,
    )
    hf_train.update(json.loads((hf_dir / "hf_result.json").read_text()))

    # 2. accuracy, 3. inference, for each runtime
    run_child(
        "tokcls_export_onnx",
        [py, "-m", "tokcls", "export", "-r", str(out / "onnx"), "-m", str(archive), "format=onnx"],
        out,
        threads,
    )
    variants = {}
    for runtime, quantize in VARIANTS:
        name = runtime if quantize == "none" else f"{runtime}_{quantize}"
        options = [f"runtime={runtime}", f"quantize={quantize}", f"onnx_file={out / 'onnx' / 'model.onnx'}"]
        run_child(
            f"tokcls_evaluate_{name}",
            [
                py,
                "-m",
                "tokcls",
                "evaluate",
                "-r",
                str(out / f"evaluate_{name}"),
                "-m",
                str(archive),
                f"data_dir={data}",
                f"test_ds.text_file=text_{split}.txt",
                f"test_ds.labels_file=labels_{split}.txt",
                f"test_ds.num_samples={args.max_eval_sentences}",
                *options,
            ],
            out,
            threads,
        )
        entity = json.loads((out / f"evaluate_{name}" / "evaluation_report.json").read_text())["entity"]["micro avg"]
        timed = out / f"infer_{name}.json"
        child = run_child(
            f"tokcls_infer_{name}",
            [
                py,
                str(steps),
                "tokcls-infer",
                "--out",
                str(timed),
                "--",
                "infer",
                "-r",
                str(out / f"infer_{name}"),
                "-m",
                str(archive),
                f"input_file={raw}",
                f"batch_size={args.infer_batch_size}",
                "max_printed=0",
                *options,
            ],
            out,
            threads,
        )
        variants[name] = {
            "entity_f1": entity["f1"],
            "entity_precision": entity["precision"],
            "entity_recall": entity["recall"],
            "infer": {**child, **json.loads(timed.read_text())},
        }
    timed = out / "hf_pipeline.json"
    hf_infer = run_child(
        "hf_pipeline",
        [
            py,
            str(steps),
            "hf-pipeline",
            "--out",
            str(timed),
            "--model",
            str(hf_dir / "model"),
            "--input",
            str(raw),
            "--batch-size",
            str(args.infer_batch_size),
        ],
        out,
        threads,
    )
    hf_infer.update(json.loads(timed.read_text()))
    one_sentence = one_sentence_latency(py, steps, archive, hf_dir / "model", raw, out, threads)

    result = summarize(args, out, train, scored, machine_gflops, tok_train, hf_train, variants, hf_infer)
    result["one_sentence_wall_seconds"] = one_sentence
    (out / "compare_hf.json").write_text(json.dumps(result, indent=2))
    print(format_table(result))
    print(f"\nJSON: {out / 'compare_hf.json'}; logs: {out / 'logs'}")
    return result


def one_sentence_latency(py, steps, archive, hf_model, raw: Path, out: Path, threads: int) -> dict:
    """What a user waits for one sentence from the shell: a fresh process each, start-up and loading included."""
    one = out / "one_sentence.txt"
    one.write_text(raw.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    tok = [py, "-m", "tokcls", "infer", "-r", str(out / "infer_one"), "-m", str(archive), f"input_file={one}"]
    hf = [py, str(steps), "hf-pipeline", "--out", str(out / "hf_one.json"), "--model", str(hf_model), "--input"]
    return {
        "tokcls": run_child("tokcls_infer_one_sentence", tok, out, threads)["wall_seconds"],
        "hf": run_child("hf_pipeline_one_sentence", [*hf, str(one)], out, threads)["wall_seconds"],
    }


def summarize(args, out, train, scored, machine_gflops, tok_train, hf_train, variants, hf_infer) -> dict:
    from transformers import AutoConfig, AutoTokenizer

    from tokcls.model.encoder import resolve_encoder

    name = resolve_encoder(args.encoder)
    config, tokenizer = AutoConfig.from_pretrained(name), AutoTokenizer.from_pretrained(name)
    train_gflop = (
        3 * args.epochs * forward_gflop(sub_token_lengths(tokenizer, [e.words for e in train], args.max_length), config)
    )
    infer_gflop = forward_gflop(sub_token_lengths(tokenizer, [e.words for e in scored], args.max_length), config)
    sentences = len(scored)

    def rate(gflop, seconds):
        return {
            "gflops_real_tokens": round(gflop / seconds, 1),
            "share_of_matmul_rate": round(gflop / seconds / machine_gflops, 3),
        }

    tok_infer = {
        k: {
            **v,
            "infer_sentences_per_second": round(sentences / v["infer"]["seconds"], 1),
            **rate(infer_gflop, v["infer"]["seconds"]),
        }
        for k, v in variants.items()
    }
    hf = {
        "entity_f1": hf_train["entity_f1"],
        "entity_precision": hf_train["entity_precision"],
        "entity_recall": hf_train["entity_recall"],
        "train_sentences_per_second": hf_train["train_sentences_per_second"],
        "train": {**hf_train, **rate(train_gflop, hf_train["train_seconds"])},
        "infer_sentences_per_second": round(sentences / hf_infer["seconds"], 1),
        "infer": {**hf_infer, **rate(infer_gflop, hf_infer["seconds"])},
    }
    tok = {
        **tok_infer["pytorch"],
        "train_sentences_per_second": tok_train["train_sentences_per_second"],
        "train": {**tok_train, **rate(train_gflop, tok_train["train_seconds"])},
    }
    return {
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {
            "cpu": _cpu_name(),
            "threads": args.threads,
            "matmul_gflops_fp32": machine_gflops,
            "python": platform.python_version(),
        },
        "train_sentences": len(train),
        "scored_sentences": sentences,
        "train_gflop_real_tokens": round(train_gflop, 1),
        "infer_gflop_real_tokens": round(infer_gflop, 2),
        "tokcls": tok,
        "tokcls_runtimes": tok_infer,
        "hf": hf,
        "ratios": {
            "train_speed": round(tok["train_sentences_per_second"] / hf["train_sentences_per_second"], 2),
            **{
                f"infer_speed_{k}": round(v["infer_sentences_per_second"] / hf["infer_sentences_per_second"], 2)
                for k, v in tok_infer.items()
            },
            "entity_f1_difference_points": round(100 * (tok["entity_f1"] - hf["entity_f1"]), 2),
            "train_peak_rss": round(tok["train"]["peak_rss_mb"] / hf["train"]["peak_rss_mb"], 2),
            "infer_peak_rss": round(tok["infer"]["peak_rss_mb"] / hf["infer"]["peak_rss_mb"], 2),
        },
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def format_table(r: dict) -> str:
    tok, hf, ratios = r["tokcls"], r["hf"], r["ratios"]
    m = r["machine"]

    def pct(x):
        return f"{100 * x:.2f}"

    rows = [
        (
            "entity F1 (P / R)",
            f"{pct(tok['entity_f1'])} ({pct(tok['entity_precision'])} / {pct(tok['entity_recall'])})",
            f"{pct(hf['entity_f1'])} ({pct(hf['entity_precision'])} / {pct(hf['entity_recall'])})",
            f"{ratios['entity_f1_difference_points']:+.2f} points",
        ),
        (
            "train sentences/s",
            tok["train_sentences_per_second"],
            hf["train_sentences_per_second"],
            f"{ratios['train_speed']}×",
        ),
        (
            "train GFLOP/s on real tokens (share of matmul rate)",
            f"{tok['train']['gflops_real_tokens']} ({pct(tok['train']['share_of_matmul_rate'])}%)",
            f"{hf['train']['gflops_real_tokens']} ({pct(hf['train']['share_of_matmul_rate'])}%)",
            "",
        ),
        (
            "train peak RSS (MB)",
            tok["train"]["peak_rss_mb"],
            hf["train"]["peak_rss_mb"],
            f"{ratios['train_peak_rss']}×",
        ),
        (
            "inference sentences/s, float32",
            tok["infer_sentences_per_second"],
            hf["infer_sentences_per_second"],
            f"{ratios['infer_speed_pytorch']}×",
        ),
        (
            "inference GFLOP/s on real tokens (share)",
            f"{tok['gflops_real_tokens']} ({pct(tok['share_of_matmul_rate'])}%)",
            f"{hf['infer']['gflops_real_tokens']} ({pct(hf['infer']['share_of_matmul_rate'])}%)",
            "",
        ),
        (
            "inference peak RSS (MB)",
            tok["infer"]["peak_rss_mb"],
            hf["infer"]["peak_rss_mb"],
            f"{ratios['infer_peak_rss']}×",
        ),
    ]
    rows.append(
        (
            "inference wall s, fresh process (start-up + load + labelling)",
            tok["infer"]["wall_seconds"],
            hf["infer"]["wall_seconds"],
            f"{hf['infer']['wall_seconds'] / tok['infer']['wall_seconds']:.2f}× faster",
        )
    )
    if "one_sentence_wall_seconds" in r:
        one = r["one_sentence_wall_seconds"]
        rows.append(("one sentence from the shell, s", one["tokcls"], one["hf"], f"{one['hf'] / one['tokcls']:.2f}×"))
    for name, v in r["tokcls_runtimes"].items():
        if name == "pytorch":
            continue
        rows.append(
            (
                f"tokcls {name.replace('_', ' ')}: inference sentences/s (entity F1)",
                f"{v['infer_sentences_per_second']} ({pct(v['entity_f1'])}, {100 * (v['entity_f1'] - tok['entity_f1']):+.2f})",
                hf["infer_sentences_per_second"],
                f"{ratios[f'infer_speed_{name}']}×",
            )
        )
    lines = [
        f"{r['train_sentences']} train sentences × {r['settings']['epochs']} epochs, {r['scored_sentences']} scored; "
        f"{m['cpu']}, {m['threads']} threads, float32 matmul {m['matmul_gflops_fp32']} GFLOP/s",
        "",
        "| | tokcls | HF recipe / pipeline | tokcls vs HF |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
