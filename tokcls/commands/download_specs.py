"""download_specs: the default spec of every command, each key commented, written to -o DIR (TAO) or -r DIR."""

from tokcls.commands.base import Command
from tokcls.commands.specs import DownloadSpecsConfig

COMMAND = Command(
    "download_specs",
    "write the default spec of every command, each key commented, to -o DIR (TAO's flag) or -r DIR",
    DownloadSpecsConfig,
    ("-r", "-o"),
    requires_results=True,
)


def run(config, ctx) -> None:
    from tokcls.commands import REGISTRIES
    from tokcls.config.reference import render_yaml
    from tokcls.core.atomic import atomic_files

    registry = REGISTRIES[ctx.program]
    target = ctx.output_dir or ctx.results_dir
    with atomic_files(target, overwrite=config.overwrite) as out:
        for command in registry.spec_files:
            with out.open(f"{command}.yaml") as f:
                f.write(render_yaml(registry.schemas[command]))
    print(f"Wrote {', '.join(f'{c}.yaml' for c in registry.spec_files)} to {target}")
