"""The checks across keys that every task's spec shares (training, exp_manager, names that become files), and the
registration of the schemas with Hydra's ConfigStore. A task adds its own (tokcls/tasks/<task>/checks.py); the
registry runs both (tokcls.tasks.spec_checks.check_spec). Which schema a command has is declared by the command itself."""

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from tokcls.config.experiment import MONITORS


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


def training_problems(config) -> list[str]:
    """What no single key's type can tell: settings that contradict each other (whether the monitored metric is one the
    task logs is checked by each task's spec checks, tokcls/tasks/<task>/checks.py)."""
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


# The losses every task logs; a task adds its metrics (its checks say which)
LOSSES = ("val_loss", "train_loss")


def common_problems(command: str, config) -> list[str]:
    """What every task refuses: a train restore_from (train starts from the encoder), new special tokens."""
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
