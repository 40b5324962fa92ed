"""An archive's weights are views of the one buffer the file was read into: not copied again, not mapped."""

import subprocess
import sys

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


def test_the_weights_are_views_of_the_archive_read_once(tiny_encoder, tiny_tokenizer, tmp_path, monkeypatch):
    """No copy of the weights after the one read of the file: every parameter lies in the buffer the archive was read
    into."""
    from tokcls.model import archive

    network = crf_network(tiny_encoder)
    path = save_archive(tmp_path / "m.tcls", network, CONFIG, tiny_tokenizer)
    buffers = []

    def recording(buffer):
        start = torch.frombuffer(buffer, dtype=torch.uint8).data_ptr()
        buffers.append((start, start + len(buffer)))
        return tensor_views(buffer)

    monkeypatch.setattr(archive, "tensor_views", recording)
    loaded, _, _ = load_model(path)
    ((start, end),) = buffers
    for name, parameter in loaded.named_parameters():
        assert start <= parameter.data_ptr() < end, f"{name} was copied out of the archive's buffer"
        assert torch.equal(parameter, dict(network.named_parameters())[name])
        assert parameter.requires_grad  # fine-tune trains them


def test_an_archive_copied_over_in_place_leaves_a_loaded_model_alone(tiny_encoder, tiny_tokenizer, tmp_path):
    """`cp other.tcls model.tcls` truncates and rewrites the file a server loaded: had it been memory-mapped, the
    server's weights would change under it or it would die of SIGBUS. Run in a child process for that reason."""
    path = save_archive(tmp_path / "m.tcls", crf_network(tiny_encoder), CONFIG, tiny_tokenizer)
    code = (
        "import sys, torch\n"
        "from tokcls.model.archive import load_model\n"
        "network, _, _ = load_model(sys.argv[1])\n"
        "before = [p.clone() for p in network.parameters()]\n"
        "open(sys.argv[1], 'r+b').truncate(0)\n"
        "open(sys.argv[1], 'wb').write(b'\\0' * 4096)\n"
        "print(all(torch.equal(p, q) for p, q in zip(network.parameters(), before)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True"


def test_an_encrypted_archive_loads_the_same_weights_and_they_can_be_trained(tiny_encoder, tiny_tokenizer, tmp_path):
    network = crf_network(tiny_encoder)
    loaded, _, _ = load_model(save_archive(tmp_path / "k.tcls", network, CONFIG, tiny_tokenizer, key="k1"), "k1")
    assert all(torch.equal(p, q) for p, q in zip(loaded.parameters(), network.parameters()))
    with torch.no_grad():  # fine-tune writes into them in place
        for parameter in loaded.parameters():
            parameter.add_(1.0)
    assert all(torch.equal(p, q + 1.0) for p, q in zip(loaded.parameters(), network.parameters()))


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
