"""NeMo's own model-config layout, read into tokcls's paths (the NeMo/TAO documentation's layout).

NeMo's example configs keep the data and optimizer under `model` (`model.dataset.data_dir`,
`model.train_ds`, `model.optim`, ...); TAO's spec files put them at the top (`data_dir`,
`training_ds`, `optim`). tokcls uses TAO's layout, so a NeMo config is moved key by key, and each
moved key is reported with its tokcls path. A NeMo key that tokcls cannot honour with the value given
is refused with the reason; one whose value is what tokcls does anyway is accepted and reported.
"""

from __future__ import annotations

from typing import Any, Callable

# (NeMo path, tokcls path): a key, or every key below a section.
MOVES = (
    ("model.dataset.data_dir", "data_dir"),
    ("model.dataset.class_balancing", "model.class_balancing"),
    ("model.train_ds", "training_ds"),
    ("model.validation_ds", "validation_ds"),
    ("model.test_ds", "test_ds"),
    ("model.optim", "optim"),
    ("trainer.gpus", "trainer.devices"),
    ("trainer.checkpoint_callback", "trainer.enable_checkpointing"),
    ("exp_manager.checkpoint_callback_params.every_n_epochs", "exp_manager.checkpoint_callback_params.period"),
)

# NeMo keys with no tokcls key: the values that mean what tokcls does anyway, and why others cannot be honoured.
FIXED = {
    "pretrained_model": (
        (None,),
        "tokcls starts from model.language_model; NeMo's pretrained .nemo models are not available",
    ),
    "model.class_labels.class_labels_file": (
        ("label_ids.csv",),
        "the archive always stores the label map as label_ids.csv",
    ),
    "model.dataset.ignore_start_end": ((True,), "[CLS] and [SEP] are not words: tokcls never puts them in the loss"),
    "model.dataset.drop_last": ((False,), "every training sentence is trained on: a short last batch is kept"),
    "optim.sched.reduce_on_plateau": ((False,), "tokcls schedules by step (optim.sched.name), not on a plateau"),
    "optim.sched.monitor": (("val_loss", None), "only used by reduce_on_plateau, which tokcls does not have"),
    "optim.sched.max_steps": ((None,), "the schedule's length is the run's: trainer.max_epochs or trainer.max_steps"),
    "trainer.amp_level": ((None, "O0", "O1"), "use trainer.precision"),
}
SKIPPED_SECTIONS = {"hydra": "Hydra's own run settings: tokcls writes everything to the log directory instead"}


def _moved(key: str) -> str | None:
    for nemo, ours in MOVES:
        if key == nemo or key.startswith(nemo + "."):
            return ours + key[len(nemo) :]
    return None


# Sections whose keys are data, not paths: tune's search.params maps dotted spec keys ("optim.lr") to distributions.
WHOLE_SECTIONS = ("search",)


def _leaves(tree: Any, prefix: str):
    if isinstance(tree, dict) and tree and prefix not in WHOLE_SECTIONS:
        for key, value in tree.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, tree


def _set(tree: dict, key: str, value: Any) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        if not isinstance(tree.get(part), dict):
            tree[part] = {}
        tree = tree[part]
    tree[leaf] = value


def translate_key(
    key: str, value: Any, notes: list[str], problems: list[str], source: str, known: Callable[[str], bool] | None = None
) -> tuple[str, Any] | None:
    """One key's tokcls path and value (None: no tokcls key), noting what was translated, refusing what cannot be.
    A key the command's schema has (`known`) is its own: the text task's spec keeps model.dataset.class_balancing
    and model.class_labels.class_labels_file where NeMo's text-classification spec has them."""
    if known is not None and known(key):
        return key, value
    section = key.split(".")[0]
    if section in SKIPPED_SECTIONS:
        note = f"NeMo section {section} not used: {SKIPPED_SECTIONS[section]}"
        if note not in notes:
            notes.append(note)
        return None
    moved = _moved(key)
    if moved is not None:
        notes.append(f"NeMo key {key} read as {moved}")
        key = moved
    if key == "export_format":  # TAO's export spec: ONNX or RIVA
        if str(value).lower() != "onnx":
            problems.append(
                f"{source}: export_format={value} cannot be honoured: RIVA's .riva files need NVIDIA's own "
                "tooling. Set format=onnx (or format=hf) and convert the ONNX model with it."
            )
            return None
        notes.append(f"TAO key export_format={value} read as format=onnx")
        return "format", "onnx"
    if key == "model.dataset.ignore_extra_tokens":
        notes.append(f"NeMo key {key}={value} read as model.dataset.label_all_subwords={not value}")
        return "model.dataset.label_all_subwords", not value
    if FIXED.get(key) is not None:
        accepted, reason = FIXED[key]
        if value not in accepted:
            problems.append(f"{source}: {key}={value} cannot be honoured: {reason}. Remove the key.")
        else:
            notes.append(f"NeMo key {key}={value} needs no setting in tokcls: {reason}")
        return None
    return key, value


def translate_tree(
    tree: dict, notes: list[str], problems: list[str], source: str, known: Callable[[str], bool] | None = None
) -> dict:
    """A spec file's contents with NeMo's paths moved to tokcls's."""
    result: dict = {}
    origin: dict[str, tuple[str, Any]] = {}  # tokcls path -> the spec's key and value that set it
    for key, value in _leaves(tree, ""):
        translated = translate_key(key, value, notes, problems, source, known)
        if translated is None:
            continue
        if translated[0] in origin:  # NeMo's path and tokcls's both in one spec (model.train_ds.x and training_ds.x)
            first, first_value = origin[translated[0]]
            if first_value != translated[1]:
                problems.append(
                    f"{source}: {first}={first_value} and {key}={value} both set {translated[0]}, to different "
                    "values. Keep one of them."
                )
            else:
                notes.append(f"{first} and {key} both set {translated[0]}={value}")
            continue
        origin[translated[0]] = (key, value)
        _set(result, *translated)
    return result
