"""How `infer` scales: time and peak memory against the number of sentences and their length.

Sizes: 1k, 10k and 100k sentences (the scored split repeated). Lengths: texts of 10, 100, 1,000 and
10,000 words (the split's words run together), the same number of words at every length. Time should
grow linearly with the input and memory stay flat: infer streams the input in chunks and windows
long texts. Each run is a child process (peak RSS from os.wait4). Writes OUT/scaling.json and a plot.

    python benchmarks/scaling.py -m MODEL.tcls --output-dir OUT [--data-dir DATA] [--plot docs/scaling.png]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

from compare_hf import DEFAULT_DATA, run_child

STEPS = Path(__file__).resolve().parent / "timed_steps.py"


def write_texts(path: Path, texts) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(text + "\n" for text in texts)
    return path


def infer(name: str, model: Path, texts: Path, out: Path, args) -> dict:
    timed = out / f"{name}.json"
    child = run_child(
        name,
        [
            sys.executable,
            str(STEPS),
            "tokcls-infer",
            "--out",
            str(timed),
            "--",
            "infer",
            "-r",
            str(out / name),
            "-m",
            str(model),
            f"input_file={texts}",
            "max_printed=0",
            f"batch_size={args.batch_size}",
            f"quantize={args.quantize}",
        ],
        out,
        args.threads,
    )
    result = {**child, **json.loads(timed.read_text())}
    (out / name / "infer_results.jsonl").unlink()  # up to hundreds of MB; only the timing matters here
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--model", type=Path, required=True, help="a model archive (.tcls)")
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA,
        help="text_test.txt or text_dev.txt is read from here (or from its converted copy)",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 100, 1_000, 10_000])
    parser.add_argument("--words-per-length", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--quantize", default="none")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--plot", type=Path, help="PNG to write (default OUT/scaling.png)")
    args = parser.parse_args(argv)

    source = next(
        (args.data_dir / name for name in ("text_test.txt", "text_dev.txt") if (args.data_dir / name).exists()), None
    )
    if source is None:
        from compare_hf import prepare_data

        if not args.data_dir.exists():
            print(f"skipped: no dataset at {args.data_dir}")
            return {}
        converted = prepare_data(args.data_dir.resolve(), args.output_dir.resolve(), args.threads)
        source = next(converted / n for n in ("text_test.txt", "text_dev.txt") if (converted / n).exists())
    out = args.output_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sentences = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    words = [w for line in sentences for w in line.split()]

    results = {"source": str(source), "sizes": [], "lengths": []}
    for n in args.sizes:
        texts = write_texts(out / f"sentences_{n}.txt", itertools.islice(itertools.cycle(sentences), n))
        run = infer(f"sentences_{n}", args.model, texts, out, args)
        n_words = sum(len(t.split()) for t in itertools.islice(itertools.cycle(sentences), n))
        results["sizes"].append(
            {"sentences": n, "words": n_words, **run, "sentences_per_second": round(n / run["seconds"], 1)}
        )
    stream = itertools.cycle(words)
    for length in args.lengths:
        count = max(1, args.words_per_length // length)
        texts = write_texts(
            out / f"length_{length}.txt", (" ".join(itertools.islice(stream, length)) for _ in range(count))
        )
        run = infer(f"length_{length}", args.model, texts, out, args)
        results["lengths"].append(
            {
                "words_per_text": length,
                "texts": count,
                "words": count * length,
                **run,
                "words_per_second": round(count * length / run["seconds"], 1),
            }
        )
    (out / "scaling.json").write_text(json.dumps(results, indent=2))
    print(format_table(results))
    plot(results, args.plot or out / "scaling.png")
    return results


def format_table(results: dict) -> str:
    lines = ["| input | words | time (s) | sentences/s or words/s | peak RSS (MB) |", "|---|---|---|---|---|"]
    for r in results["sizes"]:
        lines.append(
            f"| {r['sentences']:,} sentences | {r['words']:,} | {r['seconds']:.1f} | "
            f"{r['sentences_per_second']} sentences/s | {r['peak_rss_mb']} |"
        )
    for r in results["lengths"]:
        lines.append(
            f"| {r['texts']:,} texts of {r['words_per_text']:,} words | {r['words']:,} | {r['seconds']:.1f} | "
            f"{r['words_per_second']} words/s | {r['peak_rss_mb']} |"
        )
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (by_size, by_length) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = results["sizes"]
    by_size.loglog([r["sentences"] for r in sizes], [r["seconds"] for r in sizes], "o-", label="infer time")
    first = sizes[0]
    by_size.loglog(
        [r["sentences"] for r in sizes],
        [first["seconds"] * r["sentences"] / first["sentences"] for r in sizes],
        ":",
        color="grey",
        label="linear from the first point",
    )
    by_size.set(xlabel="sentences", ylabel="seconds", title="Time vs number of sentences")
    memory = by_size.twinx()
    memory.semilogx([r["sentences"] for r in sizes], [r["peak_rss_mb"] for r in sizes], "s--", color="tab:red")
    memory.set_ylabel("peak RSS (MB)", color="tab:red")
    memory.set_ylim(0, max(r["peak_rss_mb"] for r in sizes) * 1.3)
    by_size.legend(loc="upper left")

    lengths = results["lengths"]
    xs = [r["words_per_text"] for r in lengths]
    by_length.semilogx(xs, [r["seconds"] for r in lengths], "o-")
    by_length.set(
        xlabel="words per text (same total words)",
        ylabel="seconds",
        title="Time vs text length",
        ylim=(0, max(r["seconds"] for r in lengths) * 1.3),
    )
    memory = by_length.twinx()
    memory.semilogx(xs, [r["peak_rss_mb"] for r in lengths], "s--", color="tab:red")
    memory.set_ylabel("peak RSS (MB)", color="tab:red")
    memory.set_ylim(0, max(r["peak_rss_mb"] for r in lengths) * 1.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"Plot: {path}")


if __name__ == "__main__":
    main()
