"""Paths that are not regular files (a device that never ends, a FIFO nobody writes to, a folder) given where a
file is read: each is refused by name before anything is read. Every case runs under a memory limit and an
alarm of its own, so a regression fails here with MemoryError or a timeout, never by the kernel's OOM killer."""

import os
import resource
import signal
from contextlib import contextmanager

import pytest

from tests.conftest import write_columns, write_ner_dataset
from tokcls.cli import main

HEADROOM = 2 << 30  # bytes the command may map beyond what the test process already has


def _mapped_bytes() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))


@contextmanager
def bounded(seconds: int = 60):
    """The block runs with at most HEADROOM more address space and `seconds` of time."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_mapped_bytes() + HEADROOM, hard))

    def timeout(*_):
        raise TimeoutError(f"still running after {seconds} s: an endless read?")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def refused(argv, capsys, what: str, program: str = "token_classification") -> str:
    with bounded():
        code = main(argv, program)
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    assert what in err, err
    return err


@pytest.mark.parametrize("endless", ["/dev/zero", "fifo"])
def test_infer_refuses_an_endless_input_file_and_model(endless, fifo, tmp_path, trained, capsys):
    path = str(fifo) if endless == "fifo" else endless
    kind = "a FIFO (named pipe)" if endless == "fifo" else "a character device"
    archive = trained[1]
    err = refused(
        ["infer", "-r", str(tmp_path / "r"), "-m", str(archive), "-k", "key1", f"input_file={path}"],
        capsys,
        f"{path}: input file is {kind}, not a regular file",
    )
    assert "Labelled" not in err
    refused(["infer", "-r", str(tmp_path / "r"), "-m", path], capsys, f"{path}: model archive is {kind}")


def test_evaluate_and_train_refuse_an_endless_split(fifo, tmp_path, capsys, tiny_encoder):
    data = write_ner_dataset(tmp_path / "data", n_train=8, n_dev=4)
    (data / "labels_test.txt").write_text("O\n")
    os.symlink("/dev/zero", data / "text_test.txt")
    refused(
        ["evaluate", "-r", str(tmp_path / "e"), "-m", str(tmp_path / "none.tcls"), f"data_dir={data}"],
        capsys,
        "text_test.txt: file is a character device",
    )
    (data / "text_dev.txt").unlink()
    os.rename(fifo, data / "text_dev.txt")
    refused(
        [
            "train",
            "-r",
            str(tmp_path / "t"),
            f"data_dir={data}",
            "model.language_model.pretrained_model_name=splade-tiny",
        ],
        capsys,
        "text_dev.txt: file is a FIFO",
    )


def test_dataset_convert_refuses_an_endless_source(fifo, tmp_path, capsys):
    source = tmp_path / "src"
    write_columns(source / "train.txt", [[("Peter", "B-PER")]])
    os.rename(fifo, source / "dev.txt")
    refused(
        ["dataset_convert", f"source_data_dir={source}", f"target_data_dir={tmp_path / 'out'}"],
        capsys,
        "dev.txt: file is a FIFO",
    )
    assert not list((tmp_path / "out").glob("*.txt"))  # nothing converted
    text_source = tmp_path / "text_src"
    text_source.mkdir()
    (text_source / "train.tsv").write_text("text\tlabel\na text\tx\n")
    os.symlink("/dev/zero", text_source / "dev.tsv")
    refused(
        ["dataset_convert", f"source_data_dir={text_source}", f"target_data_dir={tmp_path / 'out2'}"],
        capsys,
        "dev.tsv: source file is a character device",
        "text_classification",
    )
