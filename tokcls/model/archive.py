"""The model archive (.tcls): everything needed to run a trained model offline, and no pickle.

A tar of config.yaml (the resolved spec), model.json (the network's description: task, labels, head
and decoder settings), model.safetensors (every tensor of the network: encoder, head, a CRF's
transitions), label_ids.csv, encoder/config.json, tokenizer/ (the tokenizer files) and manifest.json
(the format, and every other member's size and SHA-256, checked on load). Format 1 archives (before
model.json) still load: their description is read from config.yaml. Written under a
temporary name and renamed, so a crash never leaves half an archive; extraction takes only
regular files with plain relative names. With a key (-k) the tar is encrypted and authenticated
(Fernet: AES-128-CBC + HMAC-SHA256) under a key derived from the passphrase with scrypt.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from omegaconf import OmegaConf
from safetensors.torch import load as load_tensors
from safetensors.torch import save_file as save_tensor_file

from tokcls.core.atomic import atomic_files
from tokcls.core.errors import InputError
from tokcls.core.input_files import read_bytes
from tokcls.tasks import FORMAT1_TASK, get_task

ENCRYPTED_MAGIC = b"TCLS-ENCRYPTED-1\n"
MAX_MEMBER_BYTES = 4 << 30  # no encoder file we know of comes near; a bigger member is not ours
MAX_ARCHIVE_BYTES = 16 << 30  # read whole into memory: a larger file is not an archive tokcls wrote
REQUIRED = ("config.yaml", "model.safetensors", "label_ids.csv", "encoder/config.json")
MANIFEST = "manifest.json"  # every other member's size and SHA-256
FORMAT = 2  # 1: before model.json (the token task, argmax decoding, head settings in config.yaml)
DESCRIPTION = "model.json"


def model_state(network) -> dict:
    """Every tensor of the network (the loss's class weights are training state, held by the LightningModule)."""
    return {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}


def _fernet(key: str, salt: bytes):
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    derived = Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(data: bytes, key: str) -> bytes:
    salt = os.urandom(16)
    return ENCRYPTED_MAGIC + salt + _fernet(key, salt).encrypt(data)


def decrypt(blob: bytes, key: str | None, path: Path) -> bytes:
    from cryptography.fernet import InvalidToken

    if not blob.startswith(ENCRYPTED_MAGIC):
        return blob
    if not key:
        raise InputError("the archive is encrypted", "pass the key it was written with: -k KEY", path)
    salt = blob[len(ENCRYPTED_MAGIC) : len(ENCRYPTED_MAGIC) + 16]
    try:
        return _fernet(key, salt).decrypt(blob[len(ENCRYPTED_MAGIC) + 16 :])
    except InvalidToken:
        raise InputError(
            "wrong key, or the archive was altered after it was written",
            "pass the key used when training (-k), or copy the archive again",
            path,
        ) from None


def _normalized(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No owner, time or permission bits of the machine that wrote it: the same model, the same members."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    info.mode = 0o644
    return info


def save_archive(path: str | Path, network, config, tokenizer, key: str | None = None) -> Path:
    """Stage every member as a file, then stream them into the tar: the weights are never held in
    memory a second time (they are the largest part, and training still holds model and optimizer)."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        (stage / "config.yaml").write_text(OmegaConf.to_yaml(config), encoding="utf-8")
        (stage / DESCRIPTION).write_text(json.dumps(network.describe(), indent=1), encoding="utf-8")
        save_tensor_file(model_state(network), str(stage / "model.safetensors"))
        (stage / "label_ids.csv").write_text("".join(f"{label}\n" for label in network.labels), encoding="utf-8")
        network.encoder.config.save_pretrained(stage / "encoder")
        tokenizer.save_pretrained(stage / "tokenizer")
        members = [f for f in sorted(stage.rglob("*")) if f.is_file()]
        manifest = {
            "format": FORMAT,
            "members": {
                f.relative_to(stage).as_posix(): {"sha256": sha256_file(f), "size": f.stat().st_size} for f in members
            },
        }
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        members.append(stage / MANIFEST)
        with atomic_files(path.parent) as out, out.open(path.name, "wb") as f:
            target = io.BytesIO() if key else f  # encryption needs the whole tar at once
            with tarfile.open(fileobj=target, mode="w") as tar:
                for file in members:
                    tar.add(file, arcname=file.relative_to(stage).as_posix(), filter=_normalized)
            if key:
                f.write(encrypt(target.getvalue(), key))
    return path


def sha256_file(path: Path) -> str:
    """The file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_manifest(files: dict[str, bytes], path: Path) -> None:
    """Every member's size and SHA-256 as listed when the archive was written; nothing missing, nothing added.

    This catches accidental damage and an edited member; it cannot stop someone who rewrites the manifest
    too. Only -k (an authenticated archive) does that."""
    if MANIFEST not in files:
        print(
            f"warning: {path} has no manifest (written by an earlier tokcls): its members are not checked",
            file=sys.stderr,
        )
        return
    try:
        listed = json.loads(files[MANIFEST])["members"]
    except (ValueError, KeyError, TypeError):
        raise InputError(
            "the archive's manifest is damaged", "copy the archive again, or re-create it with train", path
        ) from None
    present = set(files) - {MANIFEST}
    for name in sorted(present | set(listed)):
        entry = listed.get(name)
        if entry is None or name not in files:
            what = "is not in its manifest" if entry is None else "is listed in its manifest but missing"
            raise InputError(
                f"archive member {name!r} {what}", "copy the archive again, or re-create it with train", path
            )
        if len(files[name]) != entry.get("size") or hashlib.sha256(files[name]).hexdigest() != entry.get("sha256"):
            raise InputError(
                f"archive member {name!r} differs from what was written (SHA-256 mismatch)",
                "the file was damaged or edited: copy it again, or re-create it with train",
                path,
            )


def read_archive(path: str | Path, key: str | None = None) -> dict[str, bytes]:
    """The archive's files by name, checked against its manifest; refuses anything but regular files
    with plain relative names, sparse members, and members bigger in total than the archive itself.
    With a key, only an encrypted and authenticated archive is read."""
    path = Path(path)
    where = "check -m; train writes RESULTS/checkpoints/<name>.tcls"
    raw = read_bytes(path, "model archive", where, limit=MAX_ARCHIVE_BYTES)
    if path.suffix == ".ckpt" or raw[:2] == b"PK":  # a Lightning checkpoint (a zip of pickles), not an archive
        raise InputError(
            "this is a Lightning checkpoint (.ckpt: training state, resumed by train), not a model archive",
            f"give the archive the run wrote beside it: {path.parent}/<name>.tcls (e.g. tokcls.tcls)",
            path,
        )
    if key and not raw.startswith(ENCRYPTED_MAGIC):
        raise InputError(
            "-k was given, but this archive is not encrypted, so nothing proves who wrote it",
            "use the archive train wrote with -k, or leave out -k for an archive written without it",
            path,
        )
    blob = decrypt(raw, key, path)
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:") as tar:
            for member in tar:
                name = PurePosixPath(member.name)
                if name.is_absolute() or ".." in name.parts or not member.isreg():
                    raise InputError(
                        f"archive member {member.name!r} is not a plain file with a relative name",
                        "only use archives written by tokcls; this one may have been tampered with",
                        path,
                    )
                total += member.size
                # A tar stores every byte of a regular member, so the members cannot add up to more
                # than the archive; only a sparse member can, and tokcls never writes one.
                if member.issparse() or member.size > MAX_MEMBER_BYTES:
                    raise InputError(
                        f"archive member {member.name!r} claims {member.size} bytes"
                        f"{' in a sparse file' if member.issparse() else ', over the limit'}",
                        "only use archives written by tokcls; this one may have been tampered with",
                        path,
                    )
                if total > len(blob):
                    raise InputError(
                        f"archive member {member.name!r} claims more bytes than the archive holds: "
                        "the file is truncated or damaged",
                        "copy it again",
                        path,
                    )
                files[name.as_posix()] = tar.extractfile(member).read()
    except (tarfile.TarError, EOFError) as e:
        raise InputError(
            f"not a readable model archive ({e})", "the file is truncated or damaged: copy it again", path
        ) from None
    missing = [name for name in REQUIRED if name not in files]
    if missing:
        raise InputError(f"archive lacks {', '.join(missing)}", "re-create it with train", path)
    check_manifest(files, path)
    return files


def current_layout(config):
    """Archives written before the NeMo/TAO layout kept the window settings under `data`: moved to model.dataset."""
    if "data" in config and "dataset" not in config.get("model", {}):
        old = config.data
        config.model.dataset = {k: old[k] for k in old if k not in ("data_dir", "train_ds", "validation_ds")}
    return config


def _damaged(member: str, e: Exception, path: Path) -> InputError:
    return InputError(
        f"the archive's {member} is damaged ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})",
        "copy the archive again, or re-create it with train",
        path,
    )


def load_model(path: str | Path, key: str | None = None, inference: bool = False):
    """(network, tokenizer, train config) from an archive, checked: every tensor present and of its shape.
    `inference`: for running only (evaluate, infer, serve), which may use lighter code (saved_encoder_and_tokenizer)."""
    from tokcls.model.encoder import saved_encoder_and_tokenizer
    from tokcls.model.network import Network

    path = Path(path)
    files = read_archive(path, key)
    try:
        config = current_layout(OmegaConf.create(files["config.yaml"].decode("utf-8")))
        config.model.dataset  # noqa: B018 - the keys loading needs
        if DESCRIPTION not in files:  # format 1 (FORMAT1_TASK) describes its head in config.yaml
            config.model.head, config.model.dataset.pad_label  # noqa: B018
    except Exception as e:  # unparsable YAML, bad bytes or missing keys: the member is damaged
        raise _damaged("config.yaml", e, path) from None
    labels = files["label_ids.csv"].decode().split()
    try:
        description = (
            json.loads(files[DESCRIPTION])
            if DESCRIPTION in files
            else get_task(FORMAT1_TASK).describe_format1(config, labels)
        )
        description["task"], description["head"]  # noqa: B018
    except Exception as e:
        raise _damaged(DESCRIPTION, e, path) from None
    if description["labels"] != labels:
        raise InputError(
            f"{DESCRIPTION} and label_ids.csv list different labels",
            "the archive was altered or assembled by hand: re-create it with train",
            path,
        )
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            if name.startswith(("encoder/", "tokenizer/")):
                (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / name).write_bytes(data)
        try:
            encoder, tokenizer = saved_encoder_and_tokenizer(Path(tmp), inference)
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise InputError(
                f"the archive's tokenizer or encoder config does not load ({e})",
                "re-create the archive with train",
                path,
            ) from None
    try:
        network = Network.build(encoder, description)
    except (ValueError, TypeError, KeyError) as e:
        raise _damaged(DESCRIPTION, e, path) from None
    try:
        weights = load_tensors(files["model.safetensors"])
    except Exception as e:  # safetensors raises its own error type for a damaged file
        raise InputError(
            f"the archive's model.safetensors is damaged ({str(e).splitlines()[0]})",
            "copy the archive again, or re-create it with train",
            path,
        ) from None
    expected = network.state_dict()
    missing = [k for k in expected if k not in weights]
    unexpected = [k for k in weights if k not in expected]
    misshapen = [k for k in expected if k in weights and weights[k].shape != expected[k].shape]
    if missing or unexpected or misshapen:
        raise InputError(
            f"the weights do not fit the network the archive describes ({len(labels)} labels, "
            f"{description['head'].get('decoder', 'argmax')} decoder): missing {missing[:3]}, "
            f"unexpected {unexpected[:3]}, of another shape {misshapen[:3]}",
            "the archive was altered or assembled by hand: re-create it with train",
            path,
        )
    network.load_state_dict(weights)
    return network.eval(), tokenizer, config
