"""Steps that compare_hf.py and scaling.py run in child processes, each timing its own work.

Timing inside the child leaves out the interpreter start and the imports (several seconds, the same
for both systems), which would otherwise swamp short inference runs. Each step writes a JSON file.

    python benchmarks/timed_steps.py matmul --out M.json
    python benchmarks/timed_steps.py tokcls-infer --out T.json [--program text_classification] -- infer -r R -m M.tcls input_file=...
    python benchmarks/timed_steps.py hf-pipeline --out H.json --model DIR --input TEXTS --batch-size 32
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# (rows, inner, outer) of the matrix products in one MiniLM layer on a batch of ~1,000 tokens:
# Q/K/V/output projections, feed-forward up and down.
MINILM_SHAPES = [(1024, 384, 384), (1024, 384, 1536), (1024, 1536, 384)]


def matmul_rate(shapes=MINILM_SHAPES, seconds: float = 3.0) -> float:
    """GFLOP/s of float32 matrix products at these shapes with torch's current thread count."""
    import torch

    operands = [(torch.randn(m, k), torch.randn(k, n)) for m, k, n in shapes]
    flops_per_round = sum(2 * m * k * n for m, k, n in shapes)
    for a, b in operands:  # warm up the kernels and caches
        a @ b
    rounds, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for a, b in operands:
            a @ b
        rounds += 1
    return flops_per_round * rounds / (time.perf_counter() - start) / 1e9


def tokcls_command(argv: list[str], program: str = "token_classification") -> float:
    """Seconds one tokcls command (of `program`) takes in this process (archive load included)."""
    import transformers  # noqa: F401  imported before the clock, as hf_pipeline imports it before its clock

    from tokcls.cli import main

    start = time.perf_counter()
    code = main(argv, program)
    if code != 0:
        raise SystemExit(f"{program} {' '.join(argv)} exited with {code}")
    return time.perf_counter() - start


def hf_pipeline(model: str, input_file: str, batch_size: int, task: str = "token-classification") -> tuple[float, int]:
    """Seconds for transformers' pipeline (model load included) over every line, and what it found: entities
    (token-classification, aggregated as `infer` does) or labelled texts (text-classification, truncated at the
    model's length, as the recipe trains)."""
    from transformers import pipeline

    texts = Path(input_file).read_text(encoding="utf-8").splitlines()
    start = time.perf_counter()
    if task == "text-classification":
        classify = pipeline(task, model=model, device="cpu")
        found = len(classify(texts, batch_size=batch_size, truncation=True))
    else:
        tagger = pipeline(task, model=model, aggregation_strategy="first", device="cpu")
        found = sum(len(entities) for entities in tagger(texts, batch_size=batch_size))
    return time.perf_counter() - start, found


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["matmul", "tokcls-infer", "hf-pipeline"])
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--model")
    parser.add_argument("--input")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--task", default="token-classification", choices=["token-classification", "text-classification"]
    )
    parser.add_argument(
        "--program", default="token_classification", help="tokcls-infer: the program whose command follows --"
    )
    argv = sys.argv[1:] if argv is None else argv
    # tokcls-infer: what follows "--" is the token_classification command line
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)

    import torch

    result: dict = {"threads": torch.get_num_threads()}
    if args.step == "matmul":
        result["gflops"] = round(matmul_rate(), 1)
    elif args.step == "tokcls-infer":
        result["seconds"] = round(tokcls_command(command, args.program), 3)
    else:
        seconds, entities = hf_pipeline(args.model, args.input, args.batch_size, args.task)
        result.update(seconds=round(seconds, 3), entities=entities)
    Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
