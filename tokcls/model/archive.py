"""The model archive (.tcls): everything needed to run a trained model offline, and no pickle.

A tar of config.yaml (the resolved spec), model.json (the network's description: task, labels, head
and decoder settings), model.safetensors (every tensor of the network: encoder, head, a CRF's
transitions), label_ids.csv, encoder/config.json, tokenizer/ (the tokenizer files) and manifest.json
(the format, and every other member's size and SHA-256, checked on load). Format 1 archives (before
model.json) still load: their description is read from config.yaml. Written under a
temporary name and renamed, so a crash never leaves half an archive. Reading the members (read into
memory once, decrypted with -k, checked): archive_files.py; the network's weights are views of them (tensor_views.py).
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path

from omegaconf import OmegaConf
from safetensors.torch import save_file as save_tensor_file

from tokcls.core.atomic import atomic_files
from tokcls.core.errors import InputError
from tokcls.model.archive_files import MANIFEST, encrypt, open_members, sha256_file
from tokcls.model.tensor_views import tensor_views
from tokcls.tasks import FORMAT1_TASK, get_task

FORMAT = 2  # 1: before model.json (the token task, argmax decoding, head settings in config.yaml)
DESCRIPTION = "model.json"


def model_state(network) -> dict:
    """Every tensor of the network (the loss's class weights are training state, held by the LightningModule)."""
    return {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}


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
    files = open_members(path, key)
    try:
        config = current_layout(OmegaConf.create(bytes(files["config.yaml"]).decode("utf-8")))
        config.model.dataset  # noqa: B018 - the keys loading needs
        if DESCRIPTION not in files:  # format 1 (FORMAT1_TASK) describes its head in config.yaml
            config.model.head, config.model.dataset.pad_label  # noqa: B018
    except Exception as e:  # unparsable YAML, bad bytes or missing keys: the member is damaged
        raise _damaged("config.yaml", e, path) from None
    labels = bytes(files["label_ids.csv"]).decode().split()
    try:
        description = (
            json.loads(bytes(files[DESCRIPTION]))
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
        weights = tensor_views(files["model.safetensors"])
    except Exception as e:  # an entry of the wrong type, as well as the ValueErrors of a damaged file
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
    # assign: the parameters become the views of the archive's buffer (of the network's dtype: an archive written
    # in another precision is converted), not copies of them
    network.load_state_dict({k: v.to(expected[k].dtype) for k, v in weights.items()}, assign=True)
    return network.eval(), tokenizer, config
