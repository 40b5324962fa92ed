"""dataset_convert: column files -> text/labels files, label_ids.csv and dataset_stats.json."""
from omegaconf import OmegaConf

from conversion.dataset import convert
from conversion.stats import format_stats


def run(config, args) -> dict:
    options = OmegaConf.to_object(config)
    stats = convert(options)
    print(format_stats(stats))
    print(f"\nWrote the {', '.join(stats['splits'])} splits to {options.target_data_dir}")
    return stats
