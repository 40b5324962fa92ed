"""The spec checks of a program's commands: the checks every task shares, then the chosen task's own (tokcls/tasks/
<task>/checks.py). Apart from the registry itself (tokcls/tasks/__init__.py), so that loading a model for inference
never imports Hydra, which the shared checks' module needs for its ConfigStore."""

from __future__ import annotations

import importlib

from tokcls.tasks import PROGRAMS, REGISTRY, default_task


def check_spec(command: str, config, program: str = "token_classification") -> None:
    """Refuse, all at once, settings that contradict each other (after every key's own type was checked): the checks
    every task shares, then the program's task's own."""
    from omegaconf import OmegaConf

    from tokcls.config.loading import raise_problems
    from tokcls.config.schema import common_problems

    command = "train" if command == "tune" else command  # tune's spec is train's plus `search`, checked by tune
    chosen = OmegaConf.select(config, "model.task")  # a program offering several tasks: the spec may pick one
    task = getattr(chosen, "value", chosen)
    if task not in PROGRAMS[program]:
        task = default_task(program)
    checks = importlib.import_module(REGISTRY[task].checks)
    raise_problems(common_problems(command, config) + checks.spec_problems(command, config))
