"""The tasks the framework runs, by the name an archive stores (tasks/base.py says what a task is)."""

from __future__ import annotations

from tokcls.tasks.text.task import TextTask
from tokcls.tasks.token.task import TokenTask

TASKS = {TokenTask.name: TokenTask(), TextTask.name: TextTask()}


def get_task(name: str):
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}; this tokcls knows {', '.join(TASKS)}") from None
