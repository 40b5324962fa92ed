"""Turn a YAML spec plus dotted overrides into a typed, validated config.

The schema dataclass gives every key a type and a default; the spec file is merged onto it and the
command-line overrides are applied with Hydra's override grammar (`a.b=1`, `~a.d`). NeMo's own
layout is read into tokcls's paths first (nemo_layout.py). Every unknown key, wrong type, bad
choice and missing required value is collected and reported at once, before any work, each with the
key and the valid keys or choices.
"""

from __future__ import annotations

import copy
import difflib
import typing
from pathlib import Path

from hydra import compose, initialize
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from tokcls.config.nemo_layout import translate_key, translate_tree
from tokcls.config.ranges import range_problems
from tokcls.config.spec_file import SpecError, read_spec


def _valid_keys_hint(schema: DictConfig, full_key: str) -> str:
    parent_key, _, leaf = str(full_key).rpartition(".")
    parent = OmegaConf.select(schema, parent_key) if parent_key else schema
    if not isinstance(parent, DictConfig):
        return ""
    keys = [str(k) for k in parent.keys()]
    if not keys:
        return f" '{parent_key}' is a free mapping: add a key with +{full_key}=VALUE."
    close = difflib.get_close_matches(leaf, keys, n=1)
    where = f" under '{parent_key}'" if parent_key else ""
    return (f" Did you mean '{close[0]}'?" if close else "") + f" Valid keys{where}: {', '.join(keys)}."


def _cause(error: Exception) -> Exception:
    while not isinstance(error, OmegaConfBaseException) and error.__cause__ is not None:
        error = error.__cause__
    return error


def _explain(error: Exception, schema: DictConfig, source: str) -> str:
    cause = _cause(error)
    full_key = getattr(cause, "full_key", None)
    message = str(cause).split("\n")[0]
    if isinstance(cause, (ConfigKeyError, ConfigAttributeError)) and full_key:
        return f"{source}: unknown key '{full_key}'.{_valid_keys_hint(schema, full_key)}"
    return f"{source}: {full_key}: {message}" if full_key else f"{source}: {message}"


def _is_free_mapping(node) -> bool:
    """A mapping whose keys are the user's (Dict[str, Any] fields such as model.language_model.config)."""
    return typing.get_origin(node._metadata.ref_type) is dict


def unknown_key(schema: DictConfig, key: str, source: str) -> str | None:
    """The error for a key path the schema lacks, or None when the schema has it."""
    node, parts = schema, key.split(".")
    for i, part in enumerate(parts):
        if not isinstance(node, DictConfig) or _is_free_mapping(node):
            return None  # a value's own structure: its type is checked when merged
        if part not in node.keys():  # `in` alone is False for a required (???) key
            full_key = ".".join(parts[: i + 1])
            return f"{source}: unknown key '{full_key}'.{_valid_keys_hint(schema, full_key)}"
        node = node._get_node(part)
    return None


def _leaf_keys(tree, prefix: str = ""):
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            yield from _leaf_keys(value, path)
        else:
            yield path


def _delete(tree: dict, key: str) -> bool:
    *parents, leaf = key.split(".")
    for part in parents:
        tree = tree.get(part) if isinstance(tree, dict) else None
    if isinstance(tree, dict) and leaf in tree:
        del tree[leaf]
        return True
    return False


def _merge_collecting(defaults: DictConfig, tree: dict, source: str, problems: list[str]) -> DictConfig:
    """defaults + tree; each key that does not fit is reported and left out, so that all are found."""
    for key in list(_leaf_keys(tree)):
        error = unknown_key(defaults, key, source)
        if error:
            problems.append(error)
            _delete(tree, key)
    while True:
        try:
            return OmegaConf.merge(defaults, tree)
        except OmegaConfBaseException as e:
            problems.append(_explain(e, defaults, source))
            if not _delete(tree, str(getattr(_cause(e), "full_key", ""))):
                return defaults


def _translated_overrides(
    defaults: DictConfig, overrides: list[str], notes: list[str], problems: list[str]
) -> list[str]:
    """The overrides with NeMo's paths moved to tokcls's; unknown keys and unparsable ones reported and left out."""
    parser, kept = OverridesParser.create(), []
    for text in overrides:
        try:
            override = parser.parse_overrides([text])[0]
        except HydraException as e:
            problems.append(f"command line: cannot read {text!r}: {str(e).splitlines()[0]}")
            continue
        key, value = override.key_or_group, None if override.is_delete() else override.value()
        translated = translate_key(
            key, value, notes, problems, "command line", lambda k: unknown_key(defaults, k, "") is None
        )
        if translated is None:
            continue
        new_key, new_value = translated
        prefix = text[: len(text) - len(text.lstrip("~+"))]
        if override.is_delete():
            text = prefix + new_key
        elif new_value is value:  # keep the user's own spelling of the value (Hydra's grammar)
            text = f"{prefix}{new_key}={text.split('=', 1)[1]}"
        else:
            text = (
                f"{prefix}{new_key}={str(new_value).lower()}"  # a value nemo_layout translated (a bool, export_format)
            )
        error = unknown_key(defaults, new_key, "command line")
        if error:
            problems.append(error)
        elif not prefix and isinstance(new_value, dict) and _free_mapping_at(defaults, new_key):
            kept.append(
                "++" + text
            )  # `key={a: 1}` on a free mapping sets its keys (Hydra's plain `=` refuses new ones)
        else:
            kept.append(text)
    return kept


def _free_mapping_at(schema: DictConfig, key: str) -> bool:
    node = OmegaConf.select(schema, key, throw_on_missing=False)
    parent_key, _, leaf = key.rpartition(".")
    parent = OmegaConf.select(schema, parent_key) if parent_key else schema
    if not isinstance(parent, DictConfig) or leaf not in parent.keys():
        return False
    return node is None or isinstance(node, DictConfig) and _is_free_mapping(parent._get_node(leaf))


def _restore_defaults(schema: type, config: DictConfig, overrides: list[str]) -> list[str]:
    """Apply `~key` (the key back to its default; Hydra cannot delete a key of a typed spec); the other overrides."""
    defaults, others = OmegaConf.structured(schema), []
    for text in overrides:
        if text.startswith("~"):
            key = text[1:].split("=", 1)[0]
            OmegaConf.update(config, key, OmegaConf.select(defaults, key), merge=False)
        else:
            others.append(text)
    return others


def _resolved(schema: type, config: DictConfig, problems: list[str]) -> DictConfig:
    """The config with every interpolation (`${oc.env:HOME}`, `${optim.lr}`) replaced by its value, checked against the
    schema again; one that cannot be resolved, or resolves to a value of the wrong type, is named."""
    try:
        return OmegaConf.merge(OmegaConf.structured(schema), OmegaConf.to_container(config, resolve=True))
    except (OmegaConfBaseException, ValueError) as e:
        cause = _cause(e)
        key = getattr(cause, "full_key", None)
        message = str(cause).split("\n")[0]
        problems.append(
            f"{key + ': ' if key else ''}cannot resolve an interpolation: {message}. Interpolations "
            "(${...}) must name a key of the spec, or oc.env with a variable that holds a value of the key's type."
        )
        return config


def _compose_collecting(schema: type, config: DictConfig, overrides: list[str], problems: list[str]) -> DictConfig:
    config = copy.deepcopy(config)
    overrides = _restore_defaults(schema, config, overrides)
    # Hydra composes only from its ConfigStore, so the merged spec is stored under a private name.
    name = f"_tokcls_{schema.__name__}"
    ConfigStore.instance().store(name=name, node=copy.deepcopy(config))
    while True:
        try:
            with initialize(version_base=None, config_path=None):
                composed = compose(config_name=name, overrides=list(overrides))
            # Hydra lets `+key=value` add keys the schema lacks; merging onto the schema again refuses
            # them (and `~key` puts a key back to its default, since a typed spec has every key).
            return OmegaConf.merge(OmegaConf.structured(schema), OmegaConf.to_container(composed))
        except (AssertionError, AttributeError):  # OmegaConf's way of refusing `+a.b=1` or `a={b: 1}` where `a` is null
            problems.append(
                "command line: cannot add a key inside a null value: set the whole mapping, e.g. 'key={name: value}'"
            )
            return config
        except (HydraException, OmegaConfBaseException) as e:
            problems.append(_explain(e, config, "command line"))
            full_key = str(getattr(_cause(e), "full_key", "") or "")
            culprit = [
                o for o in overrides if full_key and o.lstrip("~+").split("=", 1)[0] in (full_key, *_parents(full_key))
            ]
            if not culprit:
                return config
            overrides = [o for o in overrides if o not in culprit]


def _parents(key: str) -> list[str]:
    parts = key.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _apply_task_defaults(config: DictConfig, chosen: tuple[str, dict], set_keys: set[str], notes: list[str]) -> None:
    """A task's own defaults (`chosen`: the task, {key: value}) for the keys neither the spec nor the command line set."""
    task, values = chosen
    for key, value in values.items():
        if not any(key == given or key.startswith(f"{given}.") for given in set_keys):  # `optim={lr: 1}` sets optim.lr
            OmegaConf.update(config, key, value, merge=False)
            notes.append(f"{key}={value}: the {task} task's default (set {key} to choose another)")


def load_spec(
    schema: type,
    spec_path: str | Path | None,
    overrides: list[str],
    notes: list[str] | None = None,
    task_defaults=None,
) -> DictConfig:
    """The validated config; `notes` receives one line per NeMo key read into tokcls's layout and per task default
    applied. `task_defaults(config)` -> (task, {key: value}): the chosen task's values for keys the user left out."""
    notes = [] if notes is None else notes
    problems: list[str] = []
    defaults = OmegaConf.structured(schema)
    config = defaults
    set_keys: set[str] = set()
    if spec_path is not None:
        tree = translate_tree(
            read_spec(Path(spec_path)), notes, problems, str(spec_path), lambda k: unknown_key(defaults, k, "") is None
        )
        set_keys.update(_leaf_keys(tree))
        config = _merge_collecting(defaults, tree, str(spec_path), problems)
    kept = _translated_overrides(defaults, list(overrides), notes, problems)
    set_keys.update(text.lstrip("~+").split("=", 1)[0] for text in kept)
    config = _compose_collecting(schema, config, kept, problems)
    if not problems:  # before the task's defaults, which read model.task (an interpolation may set it)
        config = _resolved(schema, config, problems)
    if task_defaults is not None and not problems:
        _apply_task_defaults(config, task_defaults(config), set_keys, notes)
    if not problems:
        problems += range_problems(schema, config)
        missing = sorted(OmegaConf.missing_keys(config))
        if missing:
            problems.append(
                "required value(s) not set: "
                + ", ".join(missing)
                + ". Set them in the spec or as key=value on the command line."
            )
    raise_problems(problems)
    return config


def raise_problems(problems: list[str]) -> None:
    """One SpecError naming every problem (nothing when there is none)."""
    if len(problems) == 1:
        raise SpecError(problems[0])
    if problems:
        raise SpecError(f"{len(problems)} problems, nothing was run:\n" + "\n".join(f"  - {p}" for p in problems))
