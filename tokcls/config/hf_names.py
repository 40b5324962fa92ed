"""Hugging Face Trainer argument names (`--learning_rate 1e-3`) and the spec keys that mean the same.

Read from the help texts (`(Hugging Face: learning_rate)`), the one place each key is described, so a
user who types the flags of the HF recipes is told the key=value to write instead.
"""

from __future__ import annotations

import dataclasses
import re

NOTE = re.compile(r"Hugging Face: ([a-z0-9_/]+)")
# Flags whose key is one of several splits' (the help text of SplitConfig.batch_size is shared by all three).
SPLIT_FLAGS = {
    "per_device_train_batch_size": "training_ds.batch_size",
    "per_device_eval_batch_size": "validation_ds.batch_size",
    "output_dir": "-r",
    "do_train": None,
    "do_eval": None,
    "do_predict": None,
}


def hf_names(schema: type, prefix: str = "") -> dict[str, str]:
    """{Hugging Face flag name: spec key} for every key whose help names its Hugging Face counterpart."""
    names: dict[str, str] = {}
    instance = schema()
    for f in dataclasses.fields(instance):
        value, key = getattr(instance, f.name), f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            names.update(hf_names(type(value), key + "."))
            continue
        for match in NOTE.finditer(f.metadata.get("help", "")):
            for name in match.group(1).split("/"):
                names[name] = key
    return names


def explain_flag(flag: str, value: str | None, schema: type) -> str:
    """What to write instead of `--flag [value]`."""
    name = flag.lstrip("-").split("=", 1)[0].replace("-", "_")
    names = {**hf_names(schema), **SPLIT_FLAGS}
    shown = value if value is not None else "VALUE"
    key = names.get(name, name)
    if name in ("fp16", "bf16"):
        return f"{flag}: write trainer.precision={'16-mixed' if name == 'fp16' else 'bf16-mixed'}"
    if key is None:
        return f"{flag}: not needed (each command does its one job: train trains, evaluate scores)"
    if key == "-r":
        return f"{flag}: write -r {shown}"
    known = key != name or name in _keys(schema)
    return f"{flag}: spec keys are written key=value: {key}={shown}" + ("" if known else " (if the spec has that key)")


def _keys(schema: type, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    instance = schema()
    for f in dataclasses.fields(instance):
        value = getattr(instance, f.name)
        keys |= _keys(type(value), f"{prefix}{f.name}.") if dataclasses.is_dataclass(value) else {f"{prefix}{f.name}"}
    return {k.rsplit(".", 1)[-1] for k in keys} | keys
