"""Before any model loads: the token splits' files are there, or the error says what to run or set instead.

A raw CoNLL folder (train.txt, dev.txt) given as data_dir needs dataset_convert first; a missing
test split (CoNLL-2003 here has none) is named with the splits the folder does have.
"""

from __future__ import annotations

from pathlib import Path

from tokcls.core.errors import InputError

CONVERT = (
    "run token_classification dataset_convert -e specs/dataset_convert.yaml source_data_dir={d} "
    "target_data_dir=DATA first, and point data_dir at DATA"
)


def _column_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.txt") if not p.name.startswith(("text_", "labels_", "docs_")))


def check_data_dir(data_dir: str | Path, label_ids: str | None) -> None:
    """data_dir exists and holds dataset_convert's label_ids.csv (unless model.label_ids names one)."""
    folder = Path(data_dir)
    if not folder.is_dir():
        raise InputError(
            "data_dir not found" if not folder.exists() else "data_dir is not a folder",
            "set data_dir to the folder dataset_convert wrote (text_*.txt, labels_*.txt, label_ids.csv)",
            folder,
        )
    if label_ids is None and not (folder / "label_ids.csv").is_file():
        raw = _column_files(folder)
        if raw and not list(folder.glob("text_*.txt")):
            raise InputError(
                f"this folder holds column files ({', '.join(raw[:3])}), not dataset_convert's output",
                CONVERT.format(d=folder),
                folder,
            )
        raise InputError("no label_ids.csv in data_dir", CONVERT.format(d=folder) + ", or set model.label_ids", folder)


def check_split_files(data_dir: str | Path, split_cfg, name: str) -> None:
    """The split's text and labels files exist; a missing one is named with the splits data_dir has."""
    folder = Path(data_dir)
    for key in ("text_file", "labels_file"):
        file = split_cfg[key]
        if file is None or (folder / file).exists():  # there, but not a regular file: the reader names its kind
            continue
        present = sorted(p.name.removeprefix("text_").removesuffix(".txt") for p in folder.glob("text_*.txt"))
        if present:
            other = next((s for s in ("dev", "test", "train") if s in present), present[0])
            fix = (
                f"data_dir has the split(s) {', '.join(present)}: e.g. {name}.text_file=text_{other}.txt "
                f"{name}.labels_file=labels_{other}.txt"
            )
        else:
            fix = CONVERT.format(d=folder)
        raise InputError(f"{name}.{key}: {file} not found in data_dir", fix, folder / file)


def check_token_data(config) -> None:
    """train / fine-tune: data_dir, its label map and the splits' files, before anything loads."""
    check_data_dir(config.data_dir, config.model.label_ids)
    for name in ("training_ds", "validation_ds", "test_ds"):
        if config[name].text_file:
            check_split_files(config.data_dir, config[name], name)
