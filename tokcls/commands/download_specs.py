"""download_specs: the default spec of every command, each key commented, written to -o DIR (TAO) or -r DIR."""
from pathlib import Path

from conversion.atomic import atomic_files
from tokcls.config.reference import render_yaml
from tokcls.config.schema import SPEC_FILES


def run(config, args) -> None:
    target = getattr(args, "output_dir", None) or args.results_dir
    with atomic_files(Path(target), overwrite=config.overwrite) as out:
        for command in SPEC_FILES:
            with out.open(f"{command}.yaml") as f:
                f.write(render_yaml(command))
    print(f"Wrote {', '.join(f'{c}.yaml' for c in SPEC_FILES)} to {target}")
