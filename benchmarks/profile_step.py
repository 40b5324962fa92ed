"""Where a training step and an inference batch spend their time, by torch.profiler.

Runs tokcls's own pieces (data module, model, fused optimizer) outside Lightning on the training
split's batches: first as tokcls forms them (length-bucketed), then as the Hugging Face recipe does
(random order, padded to the batch's longest), then inference batches of the scored split sorted by
length. For each it prints the time per step, the share of padding, the split forward / backward /
optimizer, and the operators that take the most time grouped by kind.

    python benchmarks/profile_step.py --data-dir DATA [--encoder NAME] [--steps 10] [--threads 2] [--out P.json]
        [--decoder argmax|constrained|crf]   (the CRF default against argmax on the same batches)

DATA is a directory in the text/labels layout (dataset_convert's output).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile, record_function

PHASES = ("forward", "backward", "optimizer")
# Operator name fragments -> the kind of work they are (first match wins).
KINDS = [
    ("optimizer (fused AdamW)", ("_fused_adam",)),
    ("matrix products", ("addmm", "aten::mm", "bmm", "baddbmm", "matmul", "linear")),
    ("attention kernel", ("scaled_dot_product", "_flash_attention", "softmax")),
    ("embedding backward", ("embedding_dense_backward", "embedding_backward", "index_add", "index_put")),
    ("layer norm", ("layer_norm",)),
    (
        "GELU / dropout / elementwise",
        (
            "gelu",
            "dropout",
            "native_dropout",
            "aten::add",
            "aten::mul",
            "aten::div",
            "aten::copy_",
            "aten::fill_",
            "aten::zero_",
            "aten::where",
            "bernoulli",
        ),
    ),
    ("loss", ("cross_entropy", "nll_loss", "log_softmax")),
]


def kind_of(name: str) -> str:
    return next((kind for kind, fragments in KINDS if any(f in name for f in fragments)), "other")


def load(args):
    from tokcls.config.loading import load_spec
    from tokcls.data.datamodule import DataModule
    from tokcls.data.labels import read_label_ids
    from tokcls.model.encoder import load_encoder, load_tokenizer
    from tokcls.model.network import Network
    from tokcls.tasks import get_task
    from tokcls.tasks.token.specs import TrainConfig
    from tokcls.training.module import TaskModule
    from tokcls.training.optim import build_optimizer

    config = load_spec(
        TrainConfig,
        None,
        [
            f"data_dir={args.data_dir}",
            f"model.language_model.pretrained_model_name={args.encoder}",
            f"training_ds.batch_size={args.batch_size}",
            f"validation_ds.batch_size={args.batch_size}",
            "model.dataset.use_cache=false",
            f"model.dataset.max_seq_length={getattr(args, 'max_seq_length', 128)}",
            *([f"model.head.decoder={args.decoder}"] if getattr(args, "decoder", None) else []),
        ],
    )
    torch.manual_seed(config.seed)
    labels = read_label_ids(Path(args.data_dir) / "label_ids.csv")
    tokenizer = load_tokenizer(config.model)
    task = get_task("token_classification")
    data = DataModule(config, tokenizer, labels, task, config.seed)
    data.prepare()
    head = task.head_settings(config.model.head, [e.labels for e in data.train_examples], "O")
    network = Network.build(
        load_encoder(config.model), {"task": task.name, "labels": labels, "outside_label": "O", "head": head}
    )
    model = TaskModule(network, config.optim)
    return data, model, build_optimizer(network.parameter_groups(), config.optim), tokenizer.pad_token_id


def step_parser(doc: str) -> argparse.ArgumentParser:
    """The options every training-step benchmark takes (this script and dropout_ab.py)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="text/labels layout (dataset_convert output)")
    parser.add_argument("--encoder", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--max-seq-length", type=int, default=128, help="model.dataset.max_seq_length (windows)")
    return parser


def load_if_present(args):
    """load(args) with torch on args.threads threads; None (and a line saying so) without the data."""
    if not (args.data_dir / "text_train.txt").exists():
        print(f"skipped: no text_train.txt in {args.data_dir}")
        return None
    torch.set_num_threads(args.threads)
    return load(args)


def random_batches(data, pad_id: int, batch_size: int, seed: int):
    """The HF recipe's batches: shuffled windows padded to the batch's longest."""
    from torch.utils.data import DataLoader

    from tokcls.data.batching import Collate, WindowDataset

    return DataLoader(
        WindowDataset(data.train_features),
        batch_size=batch_size,
        shuffle=True,
        collate_fn=Collate(pad_id),
        generator=torch.Generator().manual_seed(seed),
    )


def padding_share(batches) -> float:
    real = sum(int(b["attention_mask"].sum()) for b in batches)
    return 1 - real / sum(b["attention_mask"].numel() for b in batches)


def train_step(model, optimizer, batch) -> None:
    with record_function("forward"):
        logits = model(batch["input_ids"], batch["attention_mask"], **model.task.head_inputs(batch))
        total, count = model.task.loss(model.network.decoder, logits, batch, None)
        loss = total / count
    with record_function("backward"):
        loss.backward()
    with record_function("optimizer"):
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


def infer_step(model, batch) -> None:
    with record_function("forward"):
        model(batch["input_ids"], batch["attention_mask"], **model.task.head_inputs(batch)).argmax(-1)


def profiled(step, batches, warmup: int = 2) -> dict:
    """Run `step` on every batch (the first `warmup` unprofiled) and summarize the profile."""
    for batch in batches[:warmup]:
        step(batch)
    measured = batches[warmup:]
    if not measured:
        raise SystemExit(f"only {len(batches)} batches: the split is too small to profile after {warmup} warm-up ones")
    start = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for batch in measured:
            step(batch)
    wall = time.perf_counter() - start
    events = prof.key_averages()
    phases = {e.key: e.cpu_time_total / 1e6 for e in events if e.key in PHASES}
    kinds: dict[str, float] = defaultdict(float)
    for e in events:
        if e.key not in PHASES:
            kinds[kind_of(e.key)] += e.self_cpu_time_total / 1e6
    top = sorted((e for e in events if e.key not in PHASES), key=lambda e: -e.self_cpu_time_total)[:12]
    profiled_total = sum(kinds.values())
    return {
        "steps": len(measured),
        "ms_per_step": round(1000 * wall / len(measured), 1),
        "padding_share": round(padding_share(measured), 3),
        "phase_share": {k: round(v / sum(phases.values()), 3) for k, v in phases.items()},
        "kind_share": {k: round(v / profiled_total, 3) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])},
        "top_operators_ms_per_step": {e.key: round(e.self_cpu_time_total / 1e3 / len(measured), 1) for e in top},
    }


def report(name: str, result: dict) -> None:
    print(
        f"\n## {name}: {result['ms_per_step']} ms per batch ({result['steps']} batches profiled), "
        f"{100 * result['padding_share']:.0f}% of positions are padding"
    )
    print("phases: " + ", ".join(f"{k} {100 * v:.0f}%" for k, v in result["phase_share"].items()))
    print("by kind of operator (self time):")
    for kind, share in result["kind_share"].items():
        print(f"  {kind:32s} {100 * share:5.1f}%")
    print("top operators (self ms per batch):")
    for op, ms in result["top_operators_ms_per_step"].items():
        print(f"  {op:44s} {ms:8.1f}")


def main(argv=None) -> dict:
    parser = step_parser(__doc__)
    parser.add_argument("--steps", type=int, default=10, help="batches profiled in each setting (after 2 warm-up ones)")
    parser.add_argument("--out", type=Path, help="JSON file to write")
    parser.add_argument("--decoder", choices=["argmax", "constrained", "crf"], help="the head's; default: the spec's")
    args = parser.parse_args(argv)
    loaded = load_if_present(args)
    if loaded is None:
        return {}
    data, model, optimizer, pad_id = loaded
    n = args.steps + 2
    bucketed = list(data.train_dataloader())[:n]
    shuffled = [b for _, b in zip(range(n), random_batches(data, pad_id, args.batch_size, seed=0))]
    results = {"threads": args.threads}
    model.train()
    results["train_bucketed"] = profiled(lambda b: train_step(model, optimizer, b), bucketed)
    results["train_random"] = profiled(lambda b: train_step(model, optimizer, b), shuffled)
    model.eval()
    scored = list(data.val_dataloader())
    middle = max(0, len(scored) // 2 - n // 2)  # sorted longest first: batches of typical length
    with torch.inference_mode():
        results["infer_sorted"] = profiled(lambda b: infer_step(model, b), scored[middle : middle + n])
    report("training step, tokcls batches (length-bucketed)", results["train_bucketed"])
    report("training step, HF recipe batches (random, padded to the longest)", results["train_random"])
    report("inference batch (sorted by length)", results["infer_sorted"])
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
