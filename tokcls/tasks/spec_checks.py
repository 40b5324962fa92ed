"""The spec checks of a program's commands: the checks every task shares, then the chosen task's own (tokcls/tasks/
<task>/checks.py). Apart from the registry itself (tokcls/tasks/__init__.py), so that loading a model for inference
never imports Hydra, which the shared checks' module needs for its ConfigStore."""

from __future__ import annotations

import importlib

from tokcls.tasks import PROGRAMS, REGISTRY, default_task


def _chosen_task(config, program: str) -> str:
    from omegaconf import OmegaConf

    chosen = OmegaConf.select(config, "model.task")  # a program offering several tasks: the spec may pick one
    task = getattr(chosen, "value", chosen)
    return task if task in PROGRAMS[program] else default_task(program)


def task_defaults(command: str, config, program: str = "token_classification") -> tuple[str, dict]:
    """(the task, the keys it sets for `command` where the user set none): its checks module's spec_defaults."""
    task = _chosen_task(config, program)
    defaults = getattr(importlib.import_module(REGISTRY[task].checks), "spec_defaults", None)
    return task, defaults(command) if defaults is not None else {}


def check_spec(command: str, config, program: str = "token_classification") -> None:
    """Refuse, all at once, settings that contradict each other (after every key's own type was checked): the checks
    every task shares, then the program's task's own."""
    from tokcls.config.loading import raise_problems
    from tokcls.config.schema import common_problems

    command = "train" if command == "tune" else command  # tune's spec is train's plus `search`, checked by tune
    task = _chosen_task(config, program)
    checks = importlib.import_module(REGISTRY[task].checks)
    raise_problems(common_problems(command, config) + checks.spec_problems(command, config))
