"""dataset_convert: TSV/CSV/JSON Lines/class folders -> {split}.tsv (text<TAB>label id), label_ids.csv, dataset_stats.json."""

from conversion.text_dataset import TextConvertOptions
from tokcls.commands.base import Command

COMMAND = Command(
    "dataset_convert",
    "convert labelled texts (TSV, CSV, JSON Lines, a folder per class) into NeMo's "
    "text<TAB>label files and label_ids.csv",
    TextConvertOptions,
    ("-e", "-r"),
)


def subtoken_counter(name: str):
    """texts -> their lengths in the sub-tokens of encoder `name`'s tokenizer (None when it does not load)."""
    from transformers import AutoTokenizer

    from tokcls.model.encoder import resolve_encoder

    try:
        tokenizer = AutoTokenizer.from_pretrained(resolve_encoder(name))
    except (OSError, ValueError) as e:
        print(f"Length statistics in words only: tokenizer {name} does not load ({str(e).splitlines()[0]})")
        return None
    return lambda texts: [len(ids) for ids in tokenizer(texts, add_special_tokens=True, verbose=False)["input_ids"]]


def run(config, ctx) -> dict:
    from omegaconf import OmegaConf

    from conversion.text_dataset import convert_texts, format_text_stats

    options = OmegaConf.to_object(config)
    stats = convert_texts(options, subtoken_counter(options.stats_tokenizer) if options.stats_tokenizer else None)
    print(format_text_stats(stats))
    print(f"\nWrote the {', '.join(stats['splits'])} splits to {options.target_data_dir}")
    return stats
