"""What `infer` writes for some texts, read back: the reference the Python API and the service are held to."""

from __future__ import annotations

import json
from pathlib import Path


def infer_records(program_main, archive: Path, out: Path, texts: list[str], *extra: str) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "in.txt").write_text("".join(text + "\n" for text in texts), encoding="utf-8")
    argv = ["infer", "-r", str(out / "infer"), "-m", str(archive), f"input_file={out / 'in.txt'}", *extra]
    assert program_main(argv) == 0
    return [json.loads(line) for line in (out / "infer" / "infer_results.jsonl").read_text().splitlines()]
