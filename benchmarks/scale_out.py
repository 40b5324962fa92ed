"""Labelling a large input past one process (docs/scale_out.md): sentences/s and peak memory per worker for one infer
process, `infer -g 2` and Ray Data (`python -m tokcls.scale_out`), and what a SIGKILL at the midpoint costs.

The input is the CoNLL-2003 training text (one sentence a line, 14,041 lines) repeated until it holds --sentences
lines. Each system runs in a fresh process with start-up and loading included; memory is each worker's VmHWM, read
from /proc while it runs. The kill: a sharded run is killed when half of its shards are committed, then rerun; the cost
is (killed run + resume) minus an uninterrupted sharded run.

    python benchmarks/scale_out.py --archive MODEL.tcls --data-dir DATA --output-dir /tmp/scale [--sentences 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

WORKER_MARKS = ("tokcls", "MapWorker", "multiprocessing.spawn")


class MemorySampler(threading.Thread):
    """The peak resident memory (VmHWM) of every process of the run that labels: the command, its spawned workers,
    Ray's map workers."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.peaks, self.stop = root, {}, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for process in psutil.process_iter(["pid", "cmdline"]):
                cmdline = " ".join(process.info["cmdline"] or [])
                if process.info["pid"] == self.root or any(mark in cmdline for mark in WORKER_MARKS):
                    try:
                        status = Path(f"/proc/{process.info['pid']}/status").read_text()
                    except OSError:
                        continue
                    hwm = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")), 0)
                    self.peaks[process.info["pid"]] = max(self.peaks.get(process.info["pid"], 0), hwm // 1024)


def timed(name: str, argv: list[str], out: Path, env: dict, kill_when=None) -> dict:
    log = out / f"{name}.log"
    print(f"[{time.strftime('%H:%M:%S')}] {name}: {' '.join(argv[1:])}", flush=True)
    start = time.perf_counter()
    with log.open("w") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        sampler = MemorySampler(process.pid)
        sampler.start()
        while process.poll() is None:
            if kill_when is not None and kill_when():
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                break
            time.sleep(0.1)
        sampler.stop.set()
    wall = time.perf_counter() - start
    if kill_when is None and process.returncode != 0:
        raise SystemExit(f"{name} failed (exit {process.returncode}); see {log}")
    workers = sorted(sampler.peaks.values(), reverse=True)
    return {"system": name, "wall_seconds": round(wall, 1), "peak_mb_per_worker": workers[:4]}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", required=True)
    parser.add_argument("--data-dir", type=Path, required=True, help="dataset_convert's output of CoNLL-2003")
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--shard-lines", type=int, default=10_000)
    parser.add_argument("--chunk-lines", type=int, default=2_000, help="infer's chunk_lines (divides --shard-lines)")
    parser.add_argument("-k", "--key", default=None, help="the archive's key")
    parser.add_argument("--systems", nargs="+", default=["one", "two", "ray", "kill"])
    args = parser.parse_args(argv)
    out = args.output_dir
    out.mkdir(parents=True, exist_ok=True)
    source = out / "sentences.txt"
    train = (args.data_dir / "text_train.txt").read_text(encoding="utf-8").splitlines()
    with source.open("w", encoding="utf-8") as f:
        for i in range(args.sentences):
            f.write(train[i % len(train)] + "\n")
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false")
    one_thread = dict(env, OMP_NUM_THREADS="1")
    infer = [sys.executable, "-m", "tokcls", "infer", "-m", args.archive, f"input_file={source}", "max_printed=0"]
    infer += [f"chunk_lines={args.chunk_lines}"] + (["-k", args.key] if args.key else [])
    shard = f"shard.lines={args.shard_lines}"
    runs = []
    if "one" in args.systems:
        runs.append(timed("one process", [*infer, "-r", str(out / "one")], out, dict(env, OMP_NUM_THREADS="2")))
    if "two" in args.systems:
        runs.append(timed("-g 2 workers", [*infer, "-r", str(out / "two"), shard, "-g", "2"], out, env))
    if "ray" in args.systems:
        ray = [sys.executable, "-m", "tokcls.scale_out", args.archive, str(source), str(out / "ray.jsonl")]
        ray += ["-k", args.key] if args.key else []
        runs.append(timed("Ray, 2 workers", [*ray, "--workers", "2", "--threads", "1"], out, one_thread))
    if "kill" in args.systems:
        folder = out / "kill" / "infer_results.jsonl.shards"
        total = -(-args.sentences // args.shard_lines)
        half = lambda: len(list(folder.glob("part-*.json"))) >= total // 2  # noqa: E731
        sharded = [*infer, "-r", str(out / "kill"), shard]
        whole = timed("sharded, uninterrupted", [*infer, "-r", str(out / "whole"), shard], out, env)
        killed = timed("sharded, killed at half", sharded, out, env, kill_when=half)
        resumed = timed("sharded, resumed", sharded, out, env)
        same = (out / "kill" / "infer_results.jsonl").read_bytes() == (
            out / "whole" / "infer_results.jsonl"
        ).read_bytes()
        redone = killed["wall_seconds"] + resumed["wall_seconds"] - whole["wall_seconds"]
        runs += [whole, killed, resumed]
        print(f"kill at the midpoint: {redone:.1f} s more than uninterrupted; output identical: {same}")
    (out / "scale_out.json").write_text(json.dumps(runs, indent=2))
    print(f"\n{args.sentences} sentences\n| system | wall s | sentences/s | peak MB per worker |\n|---|---|---|---|")
    for run in runs:
        rate = args.sentences / run["wall_seconds"]
        print(f"| {run['system']} | {run['wall_seconds']} | {rate:.0f} | {run['peak_mb_per_worker']} |")
    return runs


if __name__ == "__main__":
    main()
