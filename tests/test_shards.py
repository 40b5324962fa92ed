"""Sharded, resumable infer (docs/scale_out.md): shards cover the input once in order, a killed run resumes to the
uninterrupted run's bytes, -g 2 workers equal one process, a SLURM-style pair of jobs equals one, changes refused."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from tokcls.cli import main, text_main
from tokcls.commands.shared import shards
from tokcls.commands.shared.infer import decode_lines


def _config(path: Path, lines: int | None):
    return SimpleNamespace(input_file=str(path), shard=SimpleNamespace(lines=lines))


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="ab \r😀", max_size=6), max_size=30),
    lines=st.integers(1, 7),
    final_newline=st.booleans(),
)
def test_shards_hold_every_line_once_in_order(tmp_path_factory, texts, lines, final_newline):
    path = tmp_path_factory.mktemp("plan") / "in.txt"
    body = "\n".join(texts) + ("\n" if final_newline and texts else "")
    path.write_bytes(body.encode())
    pieces, digest = shards.plan(_config(path, lines))
    with path.open("rb") as f:
        whole = list(decode_lines(f, path, 1))
    got = [text for piece in pieces for text in shards.read_piece(piece, decode_lines)]
    assert got == whole
    assert [p.number for p in pieces] == list(range(len(pieces)))
    assert all(p.lines == lines for p in pieces[:-1]) and all(0 < p.lines <= lines for p in pieces)
    assert [p.first_line for p in pieces] == [1 + k * lines for k in range(len(pieces))]
    assert shards.plan(_config(path, lines))[1] == digest


def _lines(n: int) -> str:
    names = ["paris", "john smith", "the store", "berlin and rome", "mary"]
    return "".join(f"{names[i % 5]} went to {names[(i * 3) % 5]} on day {i} .\n" for i in range(n))


def _infer(trained, out: Path, source: Path, *extra: str) -> int:
    _, archive, _ = trained
    return main(["infer", "-r", str(out), "-m", str(archive), "-k", "key1", f"input_file={source}", *extra])


def test_sharded_infer_equals_one_run_and_a_rerun_skips_every_shard(trained, tmp_path, capsys):
    source = tmp_path / "in.txt"
    source.write_text(_lines(95))
    assert _infer(trained, tmp_path / "one", source, "chunk_lines=10") == 0
    whole = (tmp_path / "one" / "infer_results.jsonl").read_bytes()
    assert _infer(trained, tmp_path / "sharded", source, "chunk_lines=10", "shard.lines=20") == 0
    assert (tmp_path / "sharded" / "infer_results.jsonl").read_bytes() == whole
    manifests = sorted((tmp_path / "sharded" / "infer_results.jsonl.shards").glob("part-*.json"))
    assert [json.loads(m.read_text())["records"] for m in manifests] == [20, 20, 20, 20, 15]
    capsys.readouterr()
    assert _infer(trained, tmp_path / "sharded", source, "chunk_lines=10", "shard.lines=20") == 0
    assert "Labelled 0 input(s) in 0 shard(s); 5 shard(s) were done already" in capsys.readouterr().out


def test_array_jobs_join_when_the_last_is_done_and_changes_are_refused(trained, span_trained, tmp_path, capsys):
    source = tmp_path / "in.txt"
    source.write_text(_lines(50))
    assert _infer(trained, tmp_path / "one", source, "chunk_lines=10") == 0
    jobs = tmp_path / "jobs"
    assert _infer(trained, jobs, source, "chunk_lines=10", "shard.lines=10", "shard.index=0", "shard.count=2") == 0
    assert not (jobs / "infer_results.jsonl").exists()  # shards 1 and 3 are not done yet
    assert "3 of 5 shard(s) done" in capsys.readouterr().out

    changed = tmp_path / "changed.txt"
    changed.write_text(_lines(49) + "another line .\n")
    source.rename(tmp_path / "kept.txt")
    changed.rename(source)
    assert _infer(trained, jobs, source, "chunk_lines=10", "shard.lines=10", "shard.index=1", "shard.count=2") == 2
    err = capsys.readouterr().err
    assert "cannot resume: the input changed" in err and "delete" in err and "infer_results.jsonl.shards" in err
    (tmp_path / "kept.txt").replace(source)

    _, span_archive = span_trained[0], span_trained[2]
    argv = ["infer", "-r", str(jobs), "-m", str(span_archive), f"input_file={source}", "chunk_lines=10"]
    assert main([*argv, "shard.lines=10", "shard.index=1", "shard.count=2"]) == 2
    assert "cannot resume: the model archive changed" in capsys.readouterr().err

    assert _infer(trained, jobs, source, "chunk_lines=10", "shard.lines=10", "shard.index=1", "shard.count=2") == 0
    assert (jobs / "infer_results.jsonl").read_bytes() == (tmp_path / "one" / "infer_results.jsonl").read_bytes()


def test_a_run_killed_mid_shard_resumes_to_the_same_bytes(trained, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text(_lines(3000))
    _, archive, _ = trained
    argv = [sys.executable, "-m", "tokcls", "infer", "-r", str(tmp_path / "killed"), "-m", str(archive), "-k", "key1"]
    argv += [f"input_file={source}", "chunk_lines=50", "shard.lines=500"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    folder = tmp_path / "killed" / "infer_results.jsonl.shards"
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not (folder / "part-00000.json").exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = sorted(p.name for p in folder.glob("part-*.json"))
    assert "part-00000.json" in done and len(done) < 6, done  # killed after the first shard, before the last
    assert not (tmp_path / "killed" / "infer_results.jsonl").exists()

    resumed = subprocess.run(argv, env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(done)} shard(s) were done already" in resumed.stdout
    assert _infer(trained, tmp_path / "one", source, "chunk_lines=50") == 0
    assert (tmp_path / "killed" / "infer_results.jsonl").read_bytes() == (
        tmp_path / "one" / "infer_results.jsonl"
    ).read_bytes()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_two_workers_give_the_output_of_one_process(trained, tmp_path, capsys):
    source = tmp_path / "in.txt"
    source.write_text(_lines(120))
    assert _infer(trained, tmp_path / "one", source, "chunk_lines=10") == 0
    assert _infer(trained, tmp_path / "two", source, "chunk_lines=10", "shard.lines=20", "-g", "2") == 0
    assert "Labelling with 2 worker processes" in capsys.readouterr().out
    assert (tmp_path / "two" / "infer_results.jsonl").read_bytes() == (
        tmp_path / "one" / "infer_results.jsonl"
    ).read_bytes()


def test_a_folder_is_a_shard_per_file_in_name_order(text_trained, tmp_path):
    data, archive = text_trained
    texts = (data / "dev.tsv").read_text().splitlines()[1:13]
    folder = tmp_path / "in"
    folder.mkdir()
    for name, part in (("b.txt", texts[4:9]), ("a.txt", texts[:4]), ("c.txt", texts[9:])):
        (folder / name).write_text("".join(t.split("\t")[0] + "\n" for t in part))
    (tmp_path / "all.txt").write_text("".join((folder / n).read_text() for n in ("a.txt", "b.txt", "c.txt")))
    for out, source in (("one", tmp_path / "all.txt"), ("folder", folder)):
        # batch_size=1: a text padded in another batch differs in the 6th digit, which is not what this checks
        argv = ["infer", "-r", str(tmp_path / out), "-m", str(archive), f"input_file={source}", "batch_size=1"]
        assert text_main(argv) == 0
    assert (tmp_path / "folder" / "infer_results.jsonl").read_bytes() == (
        tmp_path / "one" / "infer_results.jsonl"
    ).read_bytes()
    manifests = sorted((tmp_path / "folder" / "infer_results.jsonl.shards").glob("part-*.json"))
    assert [Path(json.loads(m.read_text())["piece"]["source"]).name for m in manifests] == ["a.txt", "b.txt", "c.txt"]


def test_shard_settings_are_checked(trained, tmp_path, capsys):
    source = tmp_path / "in.txt"
    source.write_text(_lines(5))
    assert _infer(trained, tmp_path / "r", source, "shard.lines=15", "chunk_lines=10") == 2
    assert "not a multiple of chunk_lines" in capsys.readouterr().err
    assert _infer(trained, tmp_path / "r", source, "shard.index=2", "shard.count=2") == 2
    assert "the indexes run 0 .. count-1" in capsys.readouterr().err
