"""`infer -g N` (N > 1): N worker processes on this machine, each loading the model once and labelling the shards
k with k % N == its index (docs/scale_out.md); the parent joins the parts when all of them are done.

Each worker is a spawned process (no fork of a process holding torch's thread pools) with cores / N threads, or on a
machine with GPUs its own GPU (CUDA_VISIBLE_DEVICES set before CUDA starts)."""

from __future__ import annotations

import multiprocessing
import os
import sys

from tokcls.core.errors import InputError


def _worker(run, config, ctx, index: int, count: int, threads: int) -> None:
    if str(config.trainer.accelerator) != "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = str(index)  # read when CUDA starts, which is later than this
    import torch

    torch.set_num_threads(threads)
    config.shard.index, config.shard.count, config.shard.merge = index, count, False
    config.trainer.devices = 1
    config.max_printed = config.max_printed if index == 0 else 0  # one worker shows the Query/Result lines
    try:
        run(config, ctx)
    except InputError as e:
        print(f"worker {index}: {e}", file=sys.stderr)
        sys.exit(2)


def run_workers(run, config, ctx) -> None:
    """`run` (the program's infer) in N processes over the shards; an InputError when one of them fails."""
    count = int(config.trainer.devices)
    if config.shard.index is not None:
        raise InputError(
            f"-g {count} with shard.index={config.shard.index}: a job is either one of N workers here or one shard "
            "of an array job",
            "leave out shard.index to run the workers over every shard, or -g 1 for one shard of an array job",
        )
    threads = max(1, (os.cpu_count() or count) // count)
    print(f"Labelling with {count} worker processes, {threads} thread(s) each")
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_worker, args=(run, config, ctx, i, count, threads)) for i in range(count)]
    for process in processes:
        process.start()
    failed = []
    for index, process in enumerate(processes):
        process.join()
        if process.exitcode:
            failed.append((index, process.exitcode))
    if failed:
        raise InputError(
            "worker(s) " + ", ".join(f"{i} (exit {code})" for i, code in failed) + " stopped before their shards were "
            "done; the shards finished are kept",
            "see the worker's message above, fix it and run the same command again: it resumes",
        )
