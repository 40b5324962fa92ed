"""Reading a spec file: a regular file of at most 1 MB, UTF-8, a YAML mapping of at most 100,000 values once its
aliases are expanded (an alias bomb is refused before it is built), with TAO's `???` (not set) values left out."""

from __future__ import annotations

from pathlib import Path

import yaml
from omegaconf._utils import get_yaml_loader  # OmegaConf's YAML loader (1e-5 is a float, as in OmegaConf.load)

from tokcls.core.errors import MISSING, InputError
from tokcls.core.input_files import decode_utf8, read_bytes


class SpecError(ValueError):
    """A spec or override that does not fit the schema."""


SPEC_BYTES = 1 << 20  # a spec is a page of keys; anything larger is not one
SPEC_NODES = 100_000  # values once YAML's aliases are expanded: an alias bomb (billion laughs) is refused unread


def _expanded_size(node, sizes: dict) -> int:
    """Values in a composed YAML node once every alias is expanded, each shared node counted once per use."""
    if id(node) not in sizes:
        sizes[id(node)] = 1  # a node that refers to itself counts once (OmegaConf refuses the cycle later)
        children = node.value if isinstance(node.value, list) else []
        flat = [n for child in children for n in (child if isinstance(child, tuple) else (child,))]
        total = 1
        for child in flat:
            total += _expanded_size(child, sizes)
            if total > SPEC_NODES:
                break
        sizes[id(node)] = total
    return sizes[id(node)]


def read_spec(path: Path) -> dict:
    fix = "give a YAML spec file (download_specs -r DIR writes the defaults of every command)"
    try:
        text = decode_utf8(
            read_bytes(path, "spec file", fix, limit=SPEC_BYTES),
            path,
            "save the spec as UTF-8 (a comment may hold the stray byte)",
        )
    except InputError as e:
        raise SpecError(str(e)) from None
    loader = get_yaml_loader()
    try:
        node = yaml.compose(text, Loader=loader)
        if node is not None and _expanded_size(node, {}) > SPEC_NODES:
            raise SpecError(
                f"{path}: more than {SPEC_NODES:,} values once its YAML aliases are expanded: not read "
                "(an alias bomb?)\n  fix: write the keys out; a spec has a few hundred values"
            )
        loaded = yaml.load(text, Loader=loader)
    except yaml.YAMLError as e:
        raise SpecError(f"{path}: not valid YAML: {e}") from None
    if loaded is not None and not isinstance(loaded, dict):
        raise SpecError(
            f"{path}: a spec is a mapping of keys to values (key: value lines), not a YAML "
            f"{type(loaded).__name__} ({str(loaded)[:40]!r})"
        )
    return _without_unset(loaded or {})


def _without_unset(tree: dict) -> dict:
    """The spec without the `???` values of TAO's printed spec logs (`restore_from: ???`): keys left unset, so they keep
    their defaults; a required key left so is reported as not set."""
    kept = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            value = _without_unset(value)
        if value != MISSING:
            kept[key] = value
    return kept
