"""The model archive: contents, encryption, and refusal of anything that is not plain data."""
import io
import tarfile

import pytest

from conversion.errors import InputError
from tokcls.archive import ENCRYPTED_MAGIC, decrypt, encrypt, read_archive


def make_tar(path, members):
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def regular(name, data=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


VALID = [regular(n) for n in ("config.yaml", "model.safetensors", "label_ids.csv", "encoder/config.json")]


def test_a_valid_archive_reads(tmp_path):
    files = read_archive(make_tar(tmp_path / "m.tcls", VALID))
    assert set(files) == {"config.yaml", "model.safetensors", "label_ids.csv", "encoder/config.json"}


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside", "a/../../outside"])
def test_unsafe_names_are_refused(tmp_path, bad):
    with pytest.raises(InputError, match="not a plain file"):
        read_archive(make_tar(tmp_path / "m.tcls", VALID + [regular(bad)]))


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE])
def test_links_and_devices_are_refused(tmp_path, kind):
    info = tarfile.TarInfo("tokenizer/vocab.txt")
    info.type = kind
    info.linkname = "/etc/passwd"
    with pytest.raises(InputError, match="not a plain file"):
        read_archive(make_tar(tmp_path / "m.tcls", VALID + [(info, None)]))


def test_missing_members_and_truncation_are_reported(tmp_path):
    with pytest.raises(InputError, match="lacks encoder/config.json"):
        read_archive(make_tar(tmp_path / "m.tcls", VALID[:3]))
    whole = make_tar(tmp_path / "ok.tcls", VALID + [regular("big", b"y" * 100_000)]).read_bytes()
    (tmp_path / "cut.tcls").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="truncated or damaged"):
        read_archive(tmp_path / "cut.tcls")


def test_encryption_round_trip_and_wrong_or_missing_key(tmp_path):
    plain = make_tar(tmp_path / "m.tcls", VALID).read_bytes()
    blob = encrypt(plain, "s3cret")
    assert blob.startswith(ENCRYPTED_MAGIC) and plain not in blob
    (tmp_path / "enc.tcls").write_bytes(blob)
    assert set(read_archive(tmp_path / "enc.tcls", key="s3cret")) == set(read_archive(tmp_path / "m.tcls"))
    with pytest.raises(InputError, match="wrong key"):
        read_archive(tmp_path / "enc.tcls", key="guess")
    with pytest.raises(InputError, match="-k KEY"):
        read_archive(tmp_path / "enc.tcls")
    tampered = bytearray(blob)
    tampered[-40] ^= 1
    with pytest.raises(InputError, match="altered"):
        decrypt(bytes(tampered), "s3cret", tmp_path / "x")


def test_a_tampered_archive_is_refused_on_load(trained, tmp_path):
    from tokcls.archive import load_model

    _, archive, _ = trained
    files = read_archive(archive, key="key1")
    files["label_ids.csv"] = files["label_ids.csv"] + b"B-EXTRA\n"  # one label more than the head has rows
    tampered = tmp_path / "tampered.tcls"
    with tarfile.open(tampered, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(InputError, match="head does not match the 5 labels"):
        load_model(tampered)
    model, tokenizer, config = load_model(archive, key="key1")
    assert model.labels == ["O", "B-LOC", "B-PER", "I-PER"] and not model.training


def test_members_over_the_size_bound_are_refused(tmp_path, monkeypatch):
    from tokcls import archive

    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 1000)  # a real 4 GiB member would fill the test disk
    with pytest.raises(InputError, match="over the limit"):
        read_archive(make_tar(tmp_path / "m.tcls", VALID + [regular("tokenizer/vocab.txt", b"v" * 1001)]))
    assert set(read_archive(make_tar(tmp_path / "ok.tcls", VALID + [regular("tokenizer/vocab.txt", b"v" * 1000)])))


def test_a_saved_archive_is_plain_files_without_machine_metadata_and_round_trips(trained, tmp_path):
    import torch

    from tokcls.archive import load_model, save_archive

    _, archive, _ = trained
    model, tokenizer, config = load_model(archive, key="key1")
    save_archive(tmp_path / "plain.tcls", model, config, tokenizer)  # no key: streamed straight into the file
    with tarfile.open(tmp_path / "plain.tcls") as tar:
        members = tar.getmembers()
    assert {"config.yaml", "model.safetensors", "label_ids.csv", "encoder/config.json"} <= {m.name for m in members}
    assert all(m.isfile() and m.uid == 0 and m.uname == "" and m.mtime == 0 and m.mode == 0o644 for m in members)
    again, _, _ = load_model(tmp_path / "plain.tcls")
    assert again.labels == model.labels
    for (name, a), (_, b) in zip(model.state_dict().items(), again.state_dict().items()):
        assert torch.equal(a, b), name
