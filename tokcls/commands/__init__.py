"""One module per command, in a folder per program (commands/<program>/; what both programs share in shared/). Each module declares
COMMAND (name, schema, flags) and run(config, ctx); the modules import only their schema at the top, the rest
when they run, so --help and spec errors never load torch."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from tokcls.commands.base import Command
from tokcls.config.schema import register
from tokcls.core.programs import TEXT, TOKEN

# Each program's commands: the modules of its folder (commands/<program>/), and download_specs, which both share
PROGRAMS = {
    program: tuple(
        f"{program}.{name}" for name in ("convert", "train", "evaluate", "infer", "finetune", "export", "tune", "serve")
    )
    + ("download_specs",)
    for program in (TOKEN, TEXT)
}
SPEC_DIRS = {TOKEN: "specs", TEXT: "specs/text_classification"}  # where download_specs' output is shipped


@dataclass(frozen=True)
class Registry:
    program: str
    commands: dict[str, Command]
    module_of: dict[str, str]
    aliases: dict[str, str]
    schemas: dict[str, type]
    spec_files: list[str]  # what download_specs writes


def _registry(program: str) -> Registry:
    found = {}
    for module in PROGRAMS[program]:
        command = importlib.import_module(f"tokcls.commands.{module}").COMMAND
        found[command.name] = (command, module)
    commands = {name: command for name, (command, _) in found.items()}
    schemas = {name: command.schema for name, command in commands.items()}
    return Registry(
        program,
        commands,
        {name: module for name, (_, module) in found.items()},
        {alias: c.name for c in commands.values() for alias in c.aliases},
        schemas,
        [name for name in schemas if name != "download_specs"],
    )


class _Registries(dict):
    """Each program's registry, built (its command modules imported, its schemas registered with Hydra) when first
    asked for: a token_classification run never imports text_classification's commands, nor its task."""

    def __missing__(self, program: str) -> Registry:
        built = self[program] = _registry(program)
        register(built.schemas, "" if program == TOKEN else f"{program}_")
        return built


REGISTRIES: dict[str, Registry] = _Registries()

OLD_NAMES = {"COMMANDS": "commands", "ALIASES": "aliases", "SCHEMAS": "schemas", "SPEC_FILES": "spec_files"}


def __getattr__(name: str):
    """token_classification's registry parts by their old names, built when first used."""
    if name in OLD_NAMES:
        return getattr(REGISTRIES[TOKEN], OLD_NAMES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run(name: str, config, ctx) -> object:
    module = REGISTRIES[ctx.program].module_of[name]
    return importlib.import_module(f"tokcls.commands.{module}").run(config, ctx)
