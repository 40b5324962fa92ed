"""A plain archive's weights are views of the archive mapped into memory: not copied, never written back."""

import hashlib
import sys
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from tests.tasks.test_seam import crf_network
from tokcls.core.errors import InputError
from tokcls.model.archive import load_model, save_archive
from tokcls.model.tensor_views import tensor_views

CONFIG = OmegaConf.create({"model": {"head": {}, "dataset": {"pad_label": "O"}}})


def _mapped_ranges(path: Path) -> list[tuple[int, int]]:
    """The address ranges at which this process maps `path` (Linux's /proc/self/maps)."""
    ranges = []
    for line in Path("/proc/self/maps").read_text().splitlines():
        if line.endswith(str(path)):
            start, end = (int(x, 16) for x in line.split()[0].split("-"))
            ranges.append((start, end))
    return ranges


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_the_weights_are_the_mapped_archive_and_training_them_leaves_the_file_alone(
    tiny_encoder, tiny_tokenizer, tmp_path
):
    network = crf_network(tiny_encoder)
    path = save_archive(tmp_path / "m.tcls", network, CONFIG, tiny_tokenizer)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    loaded, _, _ = load_model(path)
    ranges = _mapped_ranges(path)
    assert ranges, "the archive is not mapped"
    for name, parameter in loaded.named_parameters():
        assert any(start <= parameter.data_ptr() < end for start, end in ranges), f"{name} was copied"
        assert torch.equal(parameter, dict(network.named_parameters())[name])
    with torch.no_grad():  # fine-tune writes into its weights: its own copy of those pages, not the file
        for parameter in loaded.parameters():
            parameter.add_(1.0)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    again, _, _ = load_model(path)
    assert all(torch.equal(p, q) for p, q in zip(again.parameters(), network.parameters()))


def test_an_encrypted_archive_loads_the_same_weights(tiny_encoder, tiny_tokenizer, tmp_path):
    network = crf_network(tiny_encoder)
    loaded, _, _ = load_model(save_archive(tmp_path / "k.tcls", network, CONFIG, tiny_tokenizer, key="k1"), "k1")
    assert all(torch.equal(p, q) for p, q in zip(loaded.parameters(), network.parameters()))
    assert all(p.requires_grad for p in loaded.parameters())  # fine-tune trains them


def test_views_hold_what_the_safetensors_library_reads():
    tensors = {
        "matrix": torch.randn(3, 4),
        "ids": torch.arange(5),
        "flags": torch.tensor([True, False, True]),
        "none": torch.randn(0, 3),
        "half": torch.randn(2).half(),
        "scalar": torch.tensor(3.0),
    }
    raw = save_tensors(tensors)
    buffer = bytearray(raw)
    views = tensor_views(memoryview(buffer))
    reference = load_tensors(raw)
    assert set(views) == set(reference)
    for name, tensor in reference.items():
        assert views[name].dtype == tensor.dtype and torch.equal(views[name], tensor), name
    views["matrix"][0, 0] = 42.0  # a view: writing it writes the buffer
    assert load_tensors(bytes(buffer))["matrix"][0, 0] == 42.0


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:5],  # shorter than the header's length field
        lambda raw: raw[:-1],  # the last tensor cut short
        lambda raw: b"\xff" * 8 + raw[8:],  # a header longer than the file
        lambda raw: raw[:8] + raw[8:].replace(b'"F32"', b'"F99"', 1),  # an unknown dtype
    ],
)
def test_a_damaged_weights_file_is_a_value_error(damage):
    with pytest.raises(ValueError):
        tensor_views(memoryview(bytearray(damage(save_tensors({"w": torch.randn(4, 4), "b": torch.randn(4)})))))


def test_an_empty_archive_is_refused_naming_it(tmp_path):
    (tmp_path / "empty.tcls").write_bytes(b"")
    with pytest.raises(InputError, match="model archive is empty"):
        load_model(tmp_path / "empty.tcls")
