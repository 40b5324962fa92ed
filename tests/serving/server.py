"""A real `serve` process on 127.0.0.1 for the tests, and a small HTTP client (standard library only)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, program: str, archive: Path, *extra: str, log: Path):
        self.port = free_port()
        argv = [str(BIN / program), "serve", "-m", str(archive), f"server.port={self.port}", *extra]
        self.log = log
        env = os.environ | {"OMP_NUM_THREADS": "1"}
        self.process = subprocess.Popen(argv, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{log.read_text()}")
            with contextlib.suppress(OSError):
                if self.get("/health")[0] == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"serve did not answer /health within 120 s:\n{log.read_text()}")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, parsed JSON body) of one request on its own connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
            response = connection.getresponse()
            data = response.read()
            return response.status, response.headers, json.loads(data) if data else None
        finally:
            connection.close()

    def get(self, path: str):
        return self.request("GET", path)

    def predict(self, body) -> tuple:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.request("POST", "/predict", raw, {"Content-Type": "application/json"})

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
