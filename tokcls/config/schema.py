"""The typed schema of every command's spec, registered with Hydra's ConfigStore."""
from hydra.core.config_store import ConfigStore

from conversion.dataset import ConvertOptions

SCHEMAS = {
    "dataset_convert": ConvertOptions,
}

for _name, _node in SCHEMAS.items():
    ConfigStore.instance().store(name=f"{_name}_schema", node=_node)
