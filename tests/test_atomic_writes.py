"""Nothing half-written: a write that fails midway (a full disk) leaves the previous file intact."""

import errno
import shutil

import pytest
from omegaconf import OmegaConf

from tests.conftest import write_ner_dataset
from tokcls.cli import main
from tokcls.commands.token_classification import export
from tokcls.core import atomic
from tokcls.data import cache
from tokcls.data.windows import WindowSettings
from tokcls.model.archive import load_model, save_archive
from tokcls.tasks.token.data import load_split


class FullDisk:
    """A file that takes half of the first write, then fails as a full disk does."""

    def __init__(self, file):
        self.file = file

    def write(self, data):
        self.file.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def __getattr__(self, name):
        return getattr(self.file, name)


def fill_disk(monkeypatch):
    real_open = atomic.AtomicFiles.open
    monkeypatch.setattr(atomic.AtomicFiles, "open", lambda self, *a, **k: FullDisk(real_open(self, *a, **k)))


def leftovers(directory):
    """Temporary files or staging folders left behind."""
    return [p.name for p in directory.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".staging.")]


def test_a_full_disk_while_rewriting_the_archive_keeps_the_previous_one(trained, tmp_path, monkeypatch):
    _, archive, _ = trained
    path = shutil.copy(archive, tmp_path / "model.tcls")
    before = (tmp_path / "model.tcls").read_bytes()
    model, tokenizer, config = load_model(path, "key1")
    fill_disk(monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        save_archive(path, model, config, tokenizer, key="key1")
    monkeypatch.undo()
    assert (tmp_path / "model.tcls").read_bytes() == before and leftovers(tmp_path) == []
    assert load_model(path, "key1")[0].labels == model.labels


def test_a_full_disk_while_caching_features_keeps_the_previous_cache(tmp_path, tiny_tokenizer, monkeypatch):
    data = write_ner_dataset(tmp_path / "data", n_train=20, n_dev=5)
    split = OmegaConf.create({"text_file": "text_train.txt", "labels_file": "labels_train.txt", "num_samples": -1})
    labels = ["O", "B-LOC", "B-PER", "I-PER"]
    _, features, info, _ = load_split(split, data, tiny_tokenizer, labels, WindowSettings())
    [path] = (data / ".tokcls_cache").glob("features_*.safetensors")
    before = path.read_bytes()
    fill_disk(monkeypatch)
    assert cache.store(path, features, info) is None  # reported as a warning: a cache is optional
    monkeypatch.undo()
    assert path.read_bytes() == before and leftovers(data) == []
    assert cache.load(path) is not None


def test_a_failed_export_leaves_the_previous_export_untouched(trained, tmp_path, monkeypatch):
    _, archive, _ = trained
    out = tmp_path / "onnx"
    assert main(["export", "-r", str(out), "-m", str(archive), "-k", "key1", "format=onnx"]) == 0

    def exported():  # the log and the resolved spec record each run; the rest is the model
        return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith("export_")}

    before = exported()
    assert "model.onnx" in before
    monkeypatch.setattr(export, "compare", lambda *a: (1.0, True))  # the check fails after writing
    assert main(["export", "-r", str(out), "-m", str(archive), "-k", "key1", "format=onnx"]) == 2
    assert exported() == before
    assert leftovers(out) == []
