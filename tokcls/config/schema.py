"""The checks across keys of a command's spec, and the registration of the schemas with Hydra's ConfigStore.
Which schema a command has is declared by the command itself (tokcls/commands/<command>.py)."""

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from tokcls.config.experiment import MONITORS
from tokcls.config.loading import raise_problems


def register(schemas: dict[str, type], prefix: str = "") -> None:
    """Hydra composes from its ConfigStore: each command's schema is stored under <prefix><command>_schema."""
    for name, node in schemas.items():
        ConfigStore.instance().store(name=f"{prefix}{name}_schema", node=node)


def _value(option):
    return getattr(option, "value", option)


PRECISIONS = ("32-true", "32", "16-mixed", "16", "bf16-mixed", "bf16", "bf16-true", "16-true")


def _escapes(name: str) -> bool:
    """A name that would put a file outside its folder: a path separator, or `.` / `..` on its own."""
    return "/" in name or "\\" in name or name.strip() in ("", ".", "..")


def name_problems(exp) -> list[str]:
    """File and folder names the spec gives, which must stay inside the results folder (-r)."""
    params, key = exp.checkpoint_callback_params, "exp_manager.checkpoint_callback_params"
    problems = []
    for name, value in (
        (f"{key}.prefix", params.prefix),
        ("exp_manager.name", exp.name),
        ("exp_manager.version", exp.version),
        (f"{key}.filename", params.filename),
    ):
        if value is not None and _escapes(str(value)):
            problems.append(
                f"{name}={value!r} is a file name, so it cannot hold '/' or be empty, '.' or '..' (the files "
                f"stay inside the results folder). To write elsewhere, set -r or {key}.dirpath."
            )
    postfix = str(params.postfix)
    if not postfix.startswith(".") or _escapes(postfix[1:]) or "/" in postfix:
        problems.append(
            f"{key}.postfix={postfix!r} is the archive's extension: a dot and letters, such as .tcls (TAO: .tlt, "
            "NeMo: .nemo)."
        )
    return problems


TOKEN_MONITORS = ("val_entity_f1", "val_entity_precision", "val_entity_recall", "val_token_f1", "val_token_macro_f1")


def training_problems(config) -> list[str]:
    """What no single key's type can tell: settings that contradict each other (whether the monitored metric is one the
    program logs is checked by each program: text_problems, check_spec)."""
    problems = []
    params = config.exp_manager.checkpoint_callback_params
    key = "exp_manager.checkpoint_callback_params"
    if params.monitor not in MONITORS:
        problems.append(f"{key}.monitor: unknown metric {params.monitor!r}. Valid: {', '.join(MONITORS)}.")
    else:
        better, mode = MONITORS[params.monitor], _value(params.mode)
        if mode != "auto" and mode != better:
            kind = "a loss: lower is better" if better == "min" else "a score: higher is better"
            problems.append(
                f"{key}: monitor {params.monitor} is {kind}, but mode is {mode}, which would keep the worst "
                f"checkpoint. Set {key}.mode={better} (or auto)."
            )
    if params.save_weights_only and config.exp_manager.resume_if_exists:
        problems.append(
            f"{key}.save_weights_only=true writes checkpoints a run cannot resume from, and "
            "exp_manager.resume_if_exists=true asks to resume. Set one of them to false."
        )
    for name, fix in (
        ("enable_checkpointing", "exp_manager.create_checkpoint_callback"),
        ("logger", "exp_manager.create_tensorboard_logger / create_wandb_logger"),
    ):
        if config.trainer[name]:
            problems.append(
                f"trainer.{name}=true: exp_manager makes the {name.split('_')[-1]}s (as in NeMo); use {fix} "
                f"and set trainer.{name} to false or null."
            )
    precision = str(config.trainer.precision)
    if precision in ("64", "64-true"):
        problems.append(
            f"trainer.precision={precision}: double precision is not supported (the encoder's kernels and the "
            "CRF run in float32). Use 32-true, or bf16-mixed / 16-mixed for speed."
        )
    elif precision not in PRECISIONS:
        problems.append(f"trainer.precision={precision} is not one of Lightning's: {', '.join(PRECISIONS)}.")
    problems += name_problems(config.exp_manager)
    devices = config.trainer.devices
    if devices is None:
        problems.append("trainer.devices=null: set a number of devices (-g N), a list of device ids, or auto.")
    elif OmegaConf.is_list(devices) and not (
        devices and all(type(d) is int and d >= 0 for d in devices) and len(set(devices)) == len(devices)
    ):
        problems.append(f"trainer.devices={list(devices)}: a list of devices holds distinct device ids (0, 1, ...).")
    elif not OmegaConf.is_list(devices) and not isinstance(devices, (int, str)) or isinstance(devices, bool):
        problems.append(f"trainer.devices={devices}: a number of devices, a list of device ids, or auto.")
    elif isinstance(devices, str) and devices != "auto" and not devices.lstrip("-").isdigit():
        problems.append(f"trainer.devices={devices!r}: a number of devices, a list of device ids, or auto.")
    elif isinstance(devices, int) and devices < 1 and devices != -1:
        problems.append(
            f"trainer.devices={devices}: training needs at least one device (-g 1 runs on the CPU when "
            "there is no GPU; -1 or auto takes them all)."
        )
    if config.optim.sched.last_epoch != -1:
        problems.append(
            "optim.sched.last_epoch must be -1: a resumed run restores its schedule from last.ckpt "
            "(exp_manager.resume_if_exists=true)."
        )
    return problems


def split_problems(command: str, config) -> list[str]:
    """Labelled splits need both files: training and validation always, test_ds when it is used."""
    splits = {
        "train": ("training_ds", "validation_ds", "test_ds"),
        "fine-tune": ("training_ds", "validation_ds", "test_ds"),
        "evaluate": ("test_ds",),
    }.get(command, ())
    problems = []
    for name in splits:
        split = config[name]
        if name == "test_ds" and command != "evaluate" and not split.text_file:
            continue  # train's test_ds is optional
        for key in ("text_file", "labels_file"):
            if not split[key]:
                problems.append(
                    f"{name}.{key} is null: this split needs its sentences and their labels "
                    f"(files in data_dir, e.g. {name}.{key}={key.split('_')[0]}s_dev.txt)."
                )
    return problems


TEXT_METRICS = {
    # val_f1: the positive class's binary F1 (MRPC, QQP), logged for two classes only (checked once the labels are read)
    "single_label_classification": {
        "val_accuracy",
        "val_f1",
        "val_macro_f1",
        "val_micro_f1",
        "val_weighted_f1",
        "val_mcc",
    },
    "multi_label_classification": {"val_macro_f1", "val_micro_f1", "val_weighted_f1", "val_subset_accuracy"},
    "regression": {"val_pearson", "val_spearman", "val_mse"},
}


def text_problems(command: str, config) -> list[str]:
    """text_classification: the splits' files, and keys that must agree with the problem type."""
    splits = {
        "train": ("training_ds", "validation_ds"),
        "fine-tune": ("training_ds", "validation_ds"),
        "evaluate": ("test_ds",),
    }.get(command, ())
    problems = [
        f"{name}.file_path is null: this split needs its file (e.g. {name}.file_path=dev.tsv)"
        for name in splits
        if not config[name].file_path
    ]
    for name in ("training_ds", "validation_ds", "test_ds"):
        if name in config and config[name].drop_last:
            problems.append(f"{name}.drop_last=true: every text is trained on and scored in tokcls. Set it to false.")
    if command not in ("train", "fine-tune"):
        return problems
    problems += training_problems(config)
    dataset = config.model.dataset
    problem = _value(dataset.problem_type)
    if _value(dataset.class_balancing) == "weighted_loss" and problem != "single_label_classification":
        problems.append(
            f"model.dataset.class_balancing=weighted_loss weighs classes of single-label data; this is {problem}. "
            "Set it to null."
        )
    monitor = config.exp_manager.checkpoint_callback_params.monitor
    others = set().union(*TEXT_METRICS.values()) - TEXT_METRICS[problem]
    if monitor in others or monitor in TOKEN_MONITORS:
        problems.append(
            f"exp_manager.checkpoint_callback_params.monitor={monitor} is not logged for {problem}; use val_loss "
            f"or one of {', '.join(sorted(TEXT_METRICS[problem]))}."
        )
    return problems


def common_problems(command: str, config) -> list[str]:
    """What both programs refuse: a train restore_from (train starts from the encoder), new special tokens."""
    problems = []
    if command == "train" and config.get("restore_from"):
        problems.append(
            f"restore_from={config.restore_from}: train starts from model.language_model. To continue training "
            "an archive, run fine-tune -m MODEL.tcls; otherwise remove the key (TAO's spec leaves it ???)."
        )
    tokenizer = OmegaConf.select(config, "model.tokenizer")
    if tokenizer is not None and tokenizer.special_tokens:
        problems.append(
            "model.tokenizer.special_tokens: new special tokens would need embeddings the pretrained "
            "encoder does not have; the tokenizer's own are used. Set it to null."
        )
    return problems


def check_spec(command: str, config, program: str = "token_classification") -> None:
    """Refuse, all at once, settings that contradict each other (after every key's own type was checked)."""
    command = "train" if command == "tune" else command  # tune's spec is train's plus `search`, checked by tune
    if program == "text_classification":
        raise_problems(common_problems(command, config) + text_problems(command, config))
        return
    problems = common_problems(command, config) + split_problems(command, config)
    text_monitors = set().union(*TEXT_METRICS.values())
    problems += training_problems(config) if command in ("train", "fine-tune") else []
    if command in ("train", "fine-tune") and config.exp_manager.checkpoint_callback_params.monitor in text_monitors:
        problems.append(
            f"exp_manager.checkpoint_callback_params.monitor="
            f"{config.exp_manager.checkpoint_callback_params.monitor} is a text_classification metric; "
            f"token_classification logs val_loss, {', '.join(TOKEN_MONITORS)}."
        )
    raise_problems(problems)
