"""Valid ranges of numeric keys, declared beside each key's help text in the schema.

`_help("...", ge=1)` puts the range into the field's metadata; `range_problems` checks a loaded
config against every declared range (one check for every command), and the spec reference and the
commented specs show the same range text.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

from omegaconf import OmegaConf

BOUNDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
TESTS = {"ge": lambda v, b: v >= b, "gt": lambda v, b: v > b, "le": lambda v, b: v <= b, "lt": lambda v, b: v < b}


def limits(**bounds) -> dict:
    """Metadata for a range: ge/gt/le/lt bounds, `also` for values allowed outside it (e.g. -1: all)."""
    also = bounds.pop("also", ())
    unknown = set(bounds) - set(BOUNDS)
    if unknown:
        raise TypeError(f"unknown bound(s) {unknown}")
    found = {k: v for k, v in bounds.items() if v is not None}
    return {"limits": found, "also": tuple(also)} if found else {}


def range_text(metadata) -> str:
    bounds = metadata.get("limits")
    if not bounds:
        return ""
    text = " and ".join(f"{BOUNDS[k]} {v:g}" for k, v in bounds.items())
    also = metadata.get("also", ())
    return (" or ".join(f"{a:g}" for a in also) + " or " if also else "") + text


def _in_range(value: Any, metadata) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True  # not a number (null, "auto", a list handled by the caller): the type check covers it
    if isinstance(value, float) and math.isnan(value):
        return False
    if value in metadata.get("also", ()):
        return True
    return all(TESTS[k](value, bound) for k, bound in metadata["limits"].items())


def range_problems(schema: type, config, prefix: str = "") -> list[str]:
    """One line per value outside its key's declared range."""
    problems = []
    node = schema()
    for f in dataclasses.fields(node):
        if OmegaConf.is_missing(config, f.name):
            continue  # reported as a required value
        value, key = config[f.name], f"{prefix}{f.name}"
        default = getattr(node, f.name)
        if dataclasses.is_dataclass(default):
            if value is not None:
                problems += range_problems(type(default), value, key + ".")
            continue
        if not f.metadata.get("limits"):
            continue
        is_list = OmegaConf.is_list(value) or isinstance(value, (list, tuple))
        values = list(value) if is_list else [value]
        if not all(_in_range(v, f.metadata) for v in values):
            shown = list(values) if is_list else value
            problems.append(f"{key}={shown} is out of range: it must be {range_text(f.metadata)} "
                            f"({f.metadata.get('help', '').rstrip('.')}).")
    return problems
