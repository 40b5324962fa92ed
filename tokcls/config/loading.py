"""Turn a YAML spec plus dotted overrides into a typed, validated config.

The schema dataclass gives every key a type and a default; the spec file is merged onto it and the
command-line overrides are applied with Hydra's override grammar (`a.b=1`, `+a.c=2`, `~a.d`).
Any unknown key, wrong type, bad choice or missing required value stops here, before any work,
with the key and the valid keys or choices named.
"""
from __future__ import annotations

import copy
import difflib
from pathlib import Path

import yaml
from hydra import compose, initialize
from hydra.core.config_store import ConfigStore
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException


class SpecError(ValueError):
    """A spec or override that does not fit the schema."""


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


def _explain(error: Exception, schema: DictConfig, source: str) -> SpecError:
    cause = error
    while not isinstance(cause, OmegaConfBaseException) and cause.__cause__ is not None:
        cause = cause.__cause__
    full_key = getattr(cause, "full_key", None)
    message = str(cause).split("\n")[0]
    if isinstance(cause, (ConfigKeyError, ConfigAttributeError)) and full_key:
        return SpecError(f"{source}: unknown key '{full_key}'.{_valid_keys_hint(schema, full_key)}")
    if full_key:
        return SpecError(f"{source}: {full_key}: {message}")
    return SpecError(f"{source}: {message}")


def load_spec(schema: type, spec_path: str | Path | None, overrides: list[str]) -> DictConfig:
    defaults = OmegaConf.structured(schema)
    config = defaults
    if spec_path is not None:
        path = Path(spec_path)
        if not path.is_file():
            raise SpecError(f"{path}: spec file not found (token_classification download_specs -r DIR copies the defaults)")
        try:
            loaded = OmegaConf.load(path)
        except yaml.YAMLError as e:
            raise SpecError(f"{path}: not valid YAML: {e}") from None
        try:
            config = OmegaConf.merge(defaults, loaded or {})
        except OmegaConfBaseException as e:
            raise _explain(e, defaults, str(path)) from None

    # Hydra composes only from its ConfigStore, so the merged spec is stored under a private name.
    name = f"_tokcls_{schema.__name__}"
    ConfigStore.instance().store(name=name, node=copy.deepcopy(config))
    try:
        with initialize(version_base=None, config_path=None):
            composed = compose(config_name=name, overrides=list(overrides))
        # Hydra lets `+key=value` add keys the schema lacks; merging onto the schema again refuses
        # them (and `~key` puts a key back to its default, since a typed spec has every key).
        config = OmegaConf.merge(OmegaConf.structured(schema), OmegaConf.to_container(composed))
    except (HydraException, OmegaConfBaseException) as e:
        raise _explain(e, defaults, "command line") from None

    missing = sorted(OmegaConf.missing_keys(config))
    if missing:
        raise SpecError(
            "required value(s) not set: " + ", ".join(missing) + ". Set them in the spec or as key=value on the command line."
        )
    return config
