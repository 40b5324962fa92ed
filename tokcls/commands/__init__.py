"""One module per command. Each declares COMMAND (name, schema, flags) and run(config, ctx); the modules
import only their schema at the top, the rest when they run, so --help and spec errors never load torch."""
from __future__ import annotations

import importlib

from tokcls.commands.base import Command
from tokcls.config.schema import register

MODULES = ("convert", "train", "evaluate", "infer", "finetune", "export", "download_specs")


def _declared() -> dict[str, tuple[Command, str]]:
    found = {}
    for name in MODULES:
        command = importlib.import_module(f"tokcls.commands.{name}").COMMAND
        found[command.name] = (command, name)
    return found


_DECLARED = _declared()
COMMANDS: dict[str, Command] = {name: command for name, (command, _) in _DECLARED.items()}
MODULE_OF = {name: module for name, (_, module) in _DECLARED.items()}
ALIASES = {alias: command.name for command in COMMANDS.values() for alias in command.aliases}
SCHEMAS = {name: command.schema for name, command in COMMANDS.items()}
SPEC_FILES = [name for name in SCHEMAS if name != "download_specs"]  # what download_specs writes
register(SCHEMAS)


def run(name: str, config, ctx) -> object:
    return importlib.import_module(f"tokcls.commands.{MODULE_OF[name]}").run(config, ctx)
