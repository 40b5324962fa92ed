"""FastDropout against torch's dropout: training steps on the same batches, interleaved in one process.

"fast" is what training runs: FastDropout layers and the attention weights' dropout by attention_with_fast_dropout;
"torch" is torch's dropout layers and transformers' sdpa attention (torch's Bernoulli on the attention weights).

End-to-end runs on a shared machine drift by more than the few percent at stake, so each batch is
stepped with both (in alternating order), after one untimed step that makes every shape warm.
Prints ms per step for each and the time by batch length.

    python benchmarks/dropout_ab.py --data-dir DATA [--batches 40] [--threads 2] [--max-seq-length 512]
"""

from __future__ import annotations

import time

import torch
from profile_step import load_if_present, step_parser, train_step

from tokcls.model.dropout import FAST_ATTENTION, FastDropout, use_fast_attention_dropout


def main(argv=None) -> dict:
    parser = step_parser(__doc__)
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args(argv)
    loaded = load_if_present(args)
    if loaded is None:
        return {}
    data, model, optimizer, _ = loaded
    places = [
        (parent, name, child)
        for parent in model.modules()
        for name, child in parent.named_children()
        if isinstance(child, FastDropout)
    ]
    variants = {"torch": lambda d: torch.nn.Dropout(d.p), "fast": lambda d: d}
    encoder = model.network.encoder
    attention = {"torch": "sdpa", "fast": FAST_ATTENTION if use_fast_attention_dropout(encoder) else "sdpa"}

    def use(kind: str) -> None:
        for parent, name, fast in places:
            setattr(parent, name, variants[kind](fast))
        encoder.set_attn_implementation(attention[kind])

    model.train()
    seconds: dict[str, list[float]] = {kind: [] for kind in variants}
    lengths = []
    for i, batch in zip(range(args.batches), data.train_dataloader()):
        use("torch")
        train_step(model, optimizer, batch)  # warm: the first step at a new shape pays for allocation
        for kind in ("torch", "fast") if i % 2 else ("fast", "torch"):
            use(kind)
            start = time.perf_counter()
            train_step(model, optimizer, batch)
            seconds[kind].append(time.perf_counter() - start)
        lengths.append(batch["input_ids"].shape[1])
    mean = {kind: 1000 * sum(s) / len(s) for kind, s in seconds.items()}
    print(
        f"{len(lengths)} batches, {len(places)} dropout layers, attention {attention['fast']}: "
        f"torch {mean['torch']:.1f} ms a step, "
        f"FastDropout {mean['fast']:.1f} ms ({100 * (mean['fast'] / mean['torch'] - 1):+.1f}%)"
    )
    print("length  torch ms  fast ms")
    for length, a, b in sorted(zip(lengths, seconds["torch"], seconds["fast"]))[:: max(1, len(lengths) // 10)]:
        print(f"{length:6d}  {1000 * a:8.0f}  {1000 * b:7.0f}")
    return {"batches": len(lengths), "torch_ms": round(mean["torch"], 1), "fast_ms": round(mean["fast"], 1)}


if __name__ == "__main__":
    main()
