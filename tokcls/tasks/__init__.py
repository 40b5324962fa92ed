"""The one registry of tasks: a task's name (what an archive stores) -> where its class lives and which program offers it.

Loaded lazily (a task's package is imported the first time it is asked for), so that --help and spec errors load no
task's torch code, and so that the platform imports no task package: it asks for a task by the name an archive or a
command gives. A program (a console script) offers one task or several; PROGRAMS is derived from this table. Adding a
task is one line here (CONTRIBUTING.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class TaskEntry:
    module: str  # the module that defines the task class
    cls: str  # the class, which implements tasks/base.py's Task protocol
    program: str  # the console script that offers the task
    checks: str  # the module of its spec checks, spec_problems(command, config): imports no torch


REGISTRY: dict[str, TaskEntry] = {
    "token_classification": TaskEntry(
        "tokcls.tasks.token.task", "TokenTask", "token_classification", "tokcls.tasks.token.checks"
    ),
    "text_classification": TaskEntry(
        "tokcls.tasks.text.task", "TextTask", "text_classification", "tokcls.tasks.text.checks"
    ),
    "span_classification": TaskEntry(
        "tokcls.tasks.span.task", "SpanTask", "token_classification", "tokcls.tasks.span.checks"
    ),
}

# Archives of format 1 (before model.json described the network) were all of this task: it reads their config.yaml
FORMAT1_TASK = "token_classification"

# program -> the tasks it offers, the first being the one its commands run by default
PROGRAMS: dict[str, tuple[str, ...]] = {}
for _name, _entry in REGISTRY.items():
    PROGRAMS[_entry.program] = PROGRAMS.get(_entry.program, ()) + (_name,)

_LOADED: dict[str, object] = {}


def get_task(name: str):
    """The task registered as `name` (one instance per process)."""
    if name not in REGISTRY:
        raise ValueError(f"unknown task {name!r}; this tokcls knows {', '.join(REGISTRY)}")
    if name not in _LOADED:
        entry = REGISTRY[name]
        _LOADED[name] = getattr(importlib.import_module(entry.module), entry.cls)()
    return _LOADED[name]


def program_of(task: str) -> str:
    """The program that offers `task`."""
    return REGISTRY[task].program


def default_task(program: str) -> str:
    """The task a program's commands run unless told otherwise."""
    return PROGRAMS[program][0]
