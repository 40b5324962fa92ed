"""tokcls serve against the service a user would write today (benchmarks/serve_peer_app.py: FastAPI calling
transformers.pipeline per request on the HF export of the same archive), and against tokcls serve without
micro-batching (server.max_batch_size=1). Traffic goes to 127.0.0.1 only, bounded in requests and seconds.

For each system: the time from starting the process to the first answer (model loaded), then for 1, 8 and 32
concurrent clients (each a thread with a keep-alive connection, one CoNLL dev sentence per request, in order)
latency p50 / p95 / p99 and texts per second, and at the end the server's peak memory (VmHWM). Every server runs
with --threads intra-op threads; systems run one after the other on the same machine.

    python benchmarks/serve_load.py --archive MODEL.tcls --hf-dir EXPORT_DIR --sentences DATA/text_dev.txt \
        --output-dir /tmp/serve [--requests 300] [--seconds 60] [--threads 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LEVELS = (1, 8, 32)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(connection: http.client.HTTPConnection, text: str) -> int:
    connection.request("POST", "/predict", json.dumps({"inputs": text}), {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status


def start(argv: list[str], env: dict, log: Path, port: int, first: str) -> tuple[subprocess.Popen, float]:
    """The server process and the seconds from its start to its first answer of /predict."""
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    while time.monotonic() - started < 300:
        if process.poll() is not None:
            raise SystemExit(f"{argv[0]} exited: see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if _post(connection, first) == 200:
                return process, time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"no answer within 300 s: see {log}")


def load(port: int, sentences: list[str], clients: int, requests: int, seconds: float) -> dict:
    """`requests` requests (fewer if `seconds` run out) from `clients` threads; latencies of the answered ones."""
    latencies: list[float] = []
    failures = [0]
    lock, counter = threading.Lock(), iter(range(requests))
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            sent = time.monotonic()
            try:
                ok = _post(connection, sentences[i % len(sentences)]) == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            with lock:
                if ok:
                    latencies.append(time.monotonic() - sent)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {
        "clients": clients,
        "answered": len(latencies),
        "failed": failures[0],
        "texts_per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * cuts[49],
        "p95_ms": 1000 * cuts[94],
        "p99_ms": 1000 * cuts[98],
    }


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def systems(args, port: int) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    tokcls = [str(bin_dir / "token_classification"), "serve", "-m", str(args.archive), f"server.port={port}"]
    tokcls += ["server.max_queue=100000", "server.max_texts=100000"] + (["-k", args.key] if args.key else [])
    peer = [sys.executable, "-m", "uvicorn", "serve_peer_app:app", "--app-dir", str(HERE), "--port", str(port)]
    return {
        "tokcls serve": tokcls,
        "pipeline app": peer + ["--log-level", "warning", "--no-access-log"],
        "tokcls serve, max_batch_size=1": tokcls + ["server.max_batch_size=1"],
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--key", default=None, help="-k of an encrypted archive")
    parser.add_argument("--hf-dir", type=Path, required=True, help="export format=hf of the same archive")
    parser.add_argument("--sentences", type=Path, required=True, help="one text a line (CoNLL dev: text_dev.txt)")
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=300, help="requests per concurrency level")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per concurrency level")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    sentences = [line for line in args.sentences.read_text(encoding="utf-8").splitlines() if line.strip()]
    env = os.environ | {
        "OMP_NUM_THREADS": str(args.threads),
        "MKL_NUM_THREADS": str(args.threads),
        "HF_MODEL_DIR": str(args.hf_dir),
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_OFFLINE": "1",
    }
    rows = []
    port = _port()
    for name, command in systems(args, port).items():
        log = args.output_dir / (name.split(",")[0].replace(" ", "_") + f"_{len(rows)}.log")
        process, first_answer = start(command, env, log, port, sentences[0])
        try:
            for clients in LEVELS:
                load(port, sentences[-50:], clients, 5 * clients, 30)  # warm-up, other sentences than measured
                row = {"system": name, "first_answer_s": first_answer}
                row |= load(port, sentences, clients, args.requests, args.seconds)
                rows.append(row)
                print(json.dumps(row), flush=True)
            for row in rows[-len(LEVELS) :]:
                row["peak_rss_mb"] = peak_rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(60)
    print(f"\n| system | clients | texts/s | p50 ms | p95 ms | p99 ms | first answer s | peak MB |\n|{'---|' * 8}")
    for r in rows:
        print(
            f"| {r['system']} | {r['clients']} | {r['texts_per_s']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['first_answer_s']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    (args.output_dir / "serve_load.json").write_text(json.dumps(rows, indent=2))
    return rows


if __name__ == "__main__":
    main()
