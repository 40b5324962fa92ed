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
    """Metadata for a range: ge/gt/le/lt bounds, `also` for values allowed outside it (e.g. -1: all), `length`
    for a list's number of items."""
    also = bounds.pop("also", ())
    length = bounds.pop("length", None)
    unknown = set(bounds) - set(BOUNDS)
    if unknown:
        raise TypeError(f"unknown bound(s) {unknown}")
    found = {k: v for k, v in bounds.items() if v is not None}
    meta: dict = {"limits": found, "also": tuple(also)} if found else {}
    return {**meta, "length": length} if length is not None else meta


def _shown(number) -> str:
    return str(number) if isinstance(number, int) else f"{number:g}"


def range_text(metadata) -> str:
    bounds = metadata.get("limits")
    length = metadata.get("length")
    text = " and ".join(f"{BOUNDS[k]} {_shown(v)}" for k, v in (bounds or {}).items())
    also = metadata.get("also", ())
    text = (" or ".join(_shown(a) for a in also) + " or " if also and text else "") + text
    if length is not None:
        text = f"{length} values" + (f", each {text}" if text else "")
    return text


def _in_range(value: Any, metadata) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True  # not a number (null, "auto", a list handled by the caller): the type check covers it
    if isinstance(value, float) and not math.isfinite(value):
        return False  # nan, and infinities (`inf`, `1e400`): no key of any spec means them
    if value in metadata.get("also", ()):
        return True
    return all(TESTS[k](value, bound) for k, bound in metadata.get("limits", {}).items())


def _numbers(value) -> list:
    return [
        v
        for v in (value if isinstance(value, (list, tuple)) else [value])
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]


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
        is_list = OmegaConf.is_list(value) or isinstance(value, (list, tuple))
        values = list(value) if is_list else [value]
        shown = list(values) if is_list else value
        about = f.metadata.get("help", "").rstrip(".")
        length = f.metadata.get("length")
        if is_list and length is not None and len(values) != length:
            problems.append(
                f"{key}={shown} has {len(values)} value(s): it must have {range_text(f.metadata)} ({about})."
            )
        elif f.metadata.get("limits") and not all(_in_range(v, f.metadata) for v in values):
            problems.append(f"{key}={shown} is out of range: it must be {range_text(f.metadata)} ({about}).")
        elif not all(math.isfinite(v) for v in _numbers(value)):  # every number key, with a declared range or not
            problems.append(f"{key}={shown} is not a finite number: infinities and nan are refused ({about}).")
    return problems
