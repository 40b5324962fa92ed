"""dataset_convert: column files -> text/labels files, label_ids.csv and dataset_stats.json."""

from conversion.dataset import ConvertOptions
from tokcls.commands.base import Command

COMMAND = Command(
    "dataset_convert",
    "convert CoNLL-style column files into text_*.txt / labels_*.txt / label_ids.csv",
    ConvertOptions,
    ("-e", "-r"),
)


def run(config, ctx) -> dict:
    from omegaconf import OmegaConf

    from conversion.dataset import convert
    from conversion.stats import format_stats

    options = OmegaConf.to_object(config)
    stats = convert(options)
    print(format_stats(stats))
    print(f"\nWrote the {', '.join(stats['splits'])} splits to {options.target_data_dir}")
    return stats
