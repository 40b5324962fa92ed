"""The model archive: contents, encryption, and refusal of anything that is not plain data."""

import hashlib
import io
import json
import shutil
import subprocess
import tarfile

import pytest

from tokcls.core.errors import InputError
from tokcls.model.archive_files import ENCRYPTED_MAGIC, decrypt, encrypt, read_archive


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
    from tokcls.model.archive import load_model

    _, archive, _ = trained
    files = read_archive(archive, key="key1")
    files["label_ids.csv"] = files["label_ids.csv"] + b"B-EXTRA\n"  # one label more than the head has rows
    files["manifest.json"] = manifest_for(
        files
    )  # a deliberate edit, manifest rewritten too: the label check catches it
    tampered = tmp_path / "tampered.tcls"

    def write():
        with tarfile.open(tampered, "w") as tar:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

    write()
    with pytest.raises(InputError, match="model.json and label_ids.csv list different labels"):
        load_model(tampered)
    description = json.loads(files["model.json"])  # the description edited alike: the weights' shapes catch it
    description["labels"].append("B-EXTRA")
    files["model.json"] = json.dumps(description).encode()
    files["manifest.json"] = manifest_for(files)
    write()
    with pytest.raises(InputError, match=r"do not fit the network the archive describes \(5 labels.*of another shape"):
        load_model(tampered)
    model, tokenizer, config = load_model(archive, key="key1")
    assert model.labels == ["O", "B-LOC", "B-PER", "I-PER"] and not model.training


def test_members_over_the_size_bound_are_refused(tmp_path, monkeypatch):
    from tokcls.model import archive_files as archive

    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 1000)  # a real 4 GiB member would fill the test disk
    with pytest.raises(InputError, match="over the limit"):
        read_archive(make_tar(tmp_path / "m.tcls", VALID + [regular("tokenizer/vocab.txt", b"v" * 1001)]))
    assert set(read_archive(make_tar(tmp_path / "ok.tcls", VALID + [regular("tokenizer/vocab.txt", b"v" * 1000)])))


def test_a_saved_archive_is_plain_files_without_machine_metadata_and_round_trips(trained, tmp_path):
    import torch

    from tokcls.model.archive import load_model, save_archive

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


def manifest_for(files: dict) -> bytes:
    members = {
        n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in files.items() if n != "manifest.json"
    }
    return json.dumps({"format": 1, "members": members}).encode()


def write_tar(path, files: dict):
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_an_edited_member_is_refused_by_the_manifest(trained, tmp_path):
    _, archive, _ = trained
    files = read_archive(archive, key="key1")
    assert set(json.loads(files["manifest.json"])["members"]) == set(files) - {"manifest.json"}
    for edit in ("label_ids.csv", "model.safetensors"):
        changed = dict(files)
        changed[edit] = (
            files[edit].replace(b"B-LOC", b"B-PER") if edit == "label_ids.csv" else files[edit][:-4] + b"\0\0\0\1"
        )
        with pytest.raises(InputError, match=f"member '{edit}' differs from what was written"):
            read_archive(write_tar(tmp_path / f"{edit}.tcls", changed))
    extra = dict(files, **{"tokenizer/added.txt": b"x"})
    with pytest.raises(InputError, match="is not in its manifest"):
        read_archive(write_tar(tmp_path / "extra.tcls", extra))


def test_with_k_only_an_authenticated_archive_loads(trained, tmp_path):
    _, archive, _ = trained
    plain = write_tar(tmp_path / "plain.tcls", read_archive(archive, key="key1"))  # a swapped-in plain file
    with pytest.raises(InputError, match="-k was given, but this archive is not encrypted"):
        read_archive(plain, key="key1")
    assert read_archive(plain)  # without -k it is an ordinary (manifest-checked) archive


def test_sparse_members_and_damaged_members_are_refused(trained, tmp_path, capsys):
    from tokcls.model.archive import load_model

    _, archive, _ = trained
    files = read_archive(archive, key="key1")
    if shutil.which("tar"):  # GNU tar writes real sparse members: 50 MB claimed, a few kB stored
        folder = tmp_path / "members"
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        with open(folder / "tokenizer" / "huge.bin", "wb") as f:
            f.truncate(50_000_000)
        names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        subprocess.run(["tar", "--sparse", "-cf", str(tmp_path / "sparse.tcls"), "-C", str(folder), *names], check=True)
        assert (tmp_path / "sparse.tcls").stat().st_size < 50_000_000  # the weights, not the hole
        with pytest.raises(InputError, match="claims 50000000 bytes in a sparse file"):
            read_archive(tmp_path / "sparse.tcls")
    for member, garbage, message in (
        ("config.yaml", b"model: [unclosed", "config.yaml is damaged"),
        ("model.safetensors", b"not tensors", "model.safetensors is damaged"),
    ):
        damaged = dict(files, **{member: garbage})
        damaged["manifest.json"] = manifest_for(damaged)
        with pytest.raises(InputError, match=message):
            load_model(write_tar(tmp_path / f"{member}.tcls", damaged))
    legacy = {k: v for k, v in files.items() if k != "manifest.json"}
    assert read_archive(write_tar(tmp_path / "legacy.tcls", legacy))
    assert "has no manifest (written by an earlier tokcls)" in capsys.readouterr().err
