"""The typed schema of every command's spec, registered with Hydra's ConfigStore."""
from hydra.core.config_store import ConfigStore

from conversion.dataset import ConvertOptions
from tokcls.config.inference import EvaluateConfig, ExportConfig, InferConfig
from tokcls.config.train import FineTuneConfig, TrainConfig

SCHEMAS = {
    "dataset_convert": ConvertOptions,
    "train": TrainConfig,
    "evaluate": EvaluateConfig,
    "infer": InferConfig,
    "fine-tune": FineTuneConfig,
    "export": ExportConfig,
}

for _name, _node in SCHEMAS.items():
    ConfigStore.instance().store(name=f"{_name}_schema", node=_node)
