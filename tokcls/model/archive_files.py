"""An archive's members as they are on disk: decrypted, bounded, checked against the manifest.

The archive is a tar, or with a key (-k) that tar encrypted and authenticated (Fernet: AES-128-CBC + HMAC-SHA256)
under a key derived from the passphrase with scrypt. The file is read into memory in one pass and each member is a
view of that buffer: the weights (almost all of an archive) are not copied again on their way into the network.
Extraction takes only regular files with plain relative names.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
from pathlib import Path, PurePosixPath

from tokcls.core.errors import InputError
from tokcls.core.input_files import filled, read_into_memory

ENCRYPTED_MAGIC = b"TCLS-ENCRYPTED-1\n"
MAX_MEMBER_BYTES = 4 << 30  # no encoder file we know of comes near; a bigger member is not ours
MAX_ARCHIVE_BYTES = 16 << 30  # a larger file is not an archive tokcls wrote
REQUIRED = ("config.yaml", "model.safetensors", "label_ids.csv", "encoder/config.json")
MANIFEST = "manifest.json"  # every other member's size and SHA-256


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


def sha256_file(path: Path) -> str:
    """The file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_manifest(files: dict, path: Path) -> None:
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
        listed = json.loads(bytes(files[MANIFEST]))["members"]
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


def open_members(path: str | Path, key: str | None = None) -> dict[str, memoryview]:
    """The archive's files by name, each a view of the archive read into memory (or decrypted), checked against its
    manifest; refuses anything but regular files with plain relative names, sparse members, and members bigger in
    total than the archive itself. With a key, only an encrypted and authenticated archive is read."""
    path = Path(path)
    where = "check -m; train writes RESULTS/checkpoints/<name>.tcls"
    data = read_into_memory(path, "model archive", where, limit=MAX_ARCHIVE_BYTES)
    head = bytes(data[: len(ENCRYPTED_MAGIC)])
    if path.suffix == ".ckpt" or head[:2] == b"PK":  # a Lightning checkpoint (a zip of pickles), not an archive
        raise InputError(
            "this is a Lightning checkpoint (.ckpt: training state, resumed by train), not a model archive",
            f"give the archive the run wrote beside it: {path.parent}/<name>.tcls (e.g. tokcls.tcls)",
            path,
        )
    if key and head != ENCRYPTED_MAGIC:
        raise InputError(
            "-k was given, but this archive is not encrypted, so nothing proves who wrote it",
            "use the archive train wrote with -k, or leave out -k for an archive written without it",
            path,
        )
    if head == ENCRYPTED_MAGIC:
        plain = io.BytesIO(decrypt(data[:], key, path))
        data = filled(len(plain.getbuffer()), plain.readinto, "decrypted model archive", "copy it again", path)
    whole = memoryview(data)
    files: dict[str, memoryview] = {}
    total = 0
    try:
        with tarfile.open(fileobj=data, mode="r:") as tar:  # the buffer is a file object too
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
                if total > len(whole) or member.offset_data + member.size > len(whole):
                    raise InputError(
                        f"archive member {member.name!r} claims more bytes than the archive holds: "
                        "the file is truncated or damaged",
                        "copy it again",
                        path,
                    )
                files[name.as_posix()] = whole[member.offset_data : member.offset_data + member.size]
    except (tarfile.TarError, EOFError) as e:
        raise InputError(
            f"not a readable model archive ({e})", "the file is truncated or damaged: copy it again", path
        ) from None
    missing = [name for name in REQUIRED if name not in files]
    if missing:
        raise InputError(f"archive lacks {', '.join(missing)}", "re-create it with train", path)
    check_manifest(files, path)
    return files


def read_archive(path: str | Path, key: str | None = None) -> dict[str, bytes]:
    """open_members, each member's bytes copied out."""
    return {name: bytes(view) for name, view in open_members(path, key).items()}
