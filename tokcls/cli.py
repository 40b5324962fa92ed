"""`token_classification <command>`: parses the flags and overrides, loads the spec, runs the command.

Only this much happens here; what a command does lives in tokcls/commands/<command>.py.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path

from conversion.errors import InputError
from conversion.lock import folder_lock


@dataclass(frozen=True)
class Command:
    module: str  # tokcls.commands.<module> holds run(config, args)
    summary: str
    flags: tuple[str, ...]  # which of -e -r -m -k -g the command takes


COMMANDS = {
    "dataset_convert": Command(
        "convert",
        "convert CoNLL-style column files into text_*.txt / labels_*.txt / label_ids.csv",
        ("-e", "-r"),
    ),
    "train": Command("train", "fine-tune an encoder on text/labels files; writes checkpoints and a .tcls archive",
                     ("-e", "-r", "-k", "-g")),
    "evaluate": Command("evaluate", "score a model archive on a labelled split: reports, confusion matrix, predictions",
                        ("-e", "-r", "-m", "-k", "-g")),
    "infer": Command("infer", "label raw text (input_batch or input_file) with a model archive; writes JSON Lines",
                     ("-e", "-r", "-m", "-k", "-g")),
    "fine-tune": Command("finetune", "continue training a model archive (encoder and head) on new data",
                         ("-e", "-r", "-m", "-k", "-g")),
    "export": Command("export", "write a model archive as a Hugging Face directory (format=hf) or ONNX (format=onnx)",
                      ("-e", "-r", "-m", "-k")),
    "download_specs": Command("download_specs", "write the default spec of every command, each key commented, to -o DIR "
                              "(TAO's flag) or -r DIR", ("-r", "-o")),
}
ALIASES = {"finetune": "fine-tune"}  # TAO's name for the command
REQUIRES_RESULTS = {"evaluate", "infer", "export", "download_specs"}  # train and fine-tune: exp_manager's log dir
REQUIRES_MODEL = {"evaluate", "infer", "fine-tune", "export"}  # -m, or restore_from in the spec
TRAINING = {"train", "fine-tune"}

FLAGS = {
    "-e": dict(dest="spec", metavar="SPEC.yaml", help="the YAML spec; keys left out keep their defaults"),
    "-r": dict(dest="results_dir", metavar="DIR", help="results directory (the resolved spec is saved there); "
               "for train and fine-tune NeMo's exp_manager.explicit_log_dir"),
    "-m": dict(dest="model", metavar="MODEL.tcls", help="model archive (wins over restore_from in the spec)"),
    "-k": dict(dest="key", metavar="KEY", help="key to encrypt or decrypt the model archive"),
    "-o": dict(dest="output_dir", metavar="DIR", help="where the specs go (default: -r DIR)"),
    "-g": dict(dest="gpus", metavar="N", type=int, help="number of devices (trainer.devices); on a machine without "
               "a GPU, 1 runs on the CPU"),
}

EPILOG = (
    "Any further KEY=VALUE arguments override the spec, in Hydra's grammar: a.b=1 sets a key, "
    "~a.b restores its default, and null sets None. Unknown keys and wrong types are refused."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="token_classification",
        description="Fine-tune and run transformer encoders for token classification (NER, POS, chunking).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        aliases = [alias for alias, target in ALIASES.items() if target == name]
        sub = commands.add_parser(name, aliases=aliases, help=command.summary, description=command.summary, epilog=EPILOG)
        for flag in command.flags:
            sub.add_argument(flag, **FLAGS[flag])
        sub.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="spec overrides")
    return parser


def output_folders(command: str, config, results_dir: str | None) -> list[str]:
    """The folders a command writes, locked while it runs by the run's first process (the others share them)."""
    from tokcls.training.log_dir import is_first_process

    if not is_first_process():
        return []
    folders = [results_dir] if results_dir else []
    if command == "dataset_convert":
        folders.append(config.target_data_dir)
    return folders


def run_logged(args, command: Command, config, results_dir: str | None, notes: list[str]) -> None:
    """Run the command with everything it prints also in RESULTS/<command>_log.txt, after the resolved spec."""
    from omegaconf import OmegaConf

    from tokcls.training.logfile import log_to_file

    with log_to_file(Path(results_dir) / f"{args.command}_log.txt") if results_dir else nullcontext():
        # Configured inside the log context so that log records reach the log file too.
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout, force=True)
        for note in notes:
            print(note)
        print(f"Resolved {args.command} spec:\n{OmegaConf.to_yaml(config)}")
        if results_dir:
            OmegaConf.save(config, Path(results_dir) / f"{args.command}_spec.yaml")
        importlib.import_module(f"tokcls.commands.{command.module}").run(config, args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Overrides may stand on both sides of a flag (`train data_dir=D -r X seed=1`): argparse leaves the
    # later ones over, and they join the others; anything else left over is an unknown flag.
    args, extra = parser.parse_known_args(argv)
    unknown = [a for a in extra if a.startswith("-") or "=" not in a]
    if unknown:
        parser.parse_args(argv)  # argparse's own message and exit status for what it does not know
    args.overrides = list(args.overrides) + extra
    args.command = ALIASES.get(args.command, args.command)
    command = COMMANDS[args.command]
    # Imported here so that `--help` and spec errors come back without loading torch.
    from tokcls.config import SpecError, load_spec
    from tokcls.config.schema import SCHEMAS, check_spec
    from tokcls.training.log_dir import resolve_log_dir

    def fail(message: str) -> int:
        print(f"token_classification {args.command}: error: {message}", file=sys.stderr)
        return 2

    results_dir = getattr(args, "results_dir", None)
    if args.command in REQUIRES_RESULTS and not results_dir:
        return fail("-r RESULTS_DIR is required")
    overrides = list(args.overrides)
    if getattr(args, "gpus", None) is not None:
        overrides.append(f"trainer.devices={args.gpus}")
    notes: list[str] = []
    try:
        config = load_spec(SCHEMAS[args.command], getattr(args, "spec", None), overrides, notes)
        check_spec(args.command, config)
        if args.command in REQUIRES_MODEL:
            args.model = args.model or config.restore_from
            if not args.model:
                return fail("-m MODEL.tcls is required (or restore_from in the spec)")
        if args.command in TRAINING:
            in_spec = config.exp_manager.explicit_log_dir
            results_dir = str(resolve_log_dir(config.exp_manager, results_dir))
            if in_spec and Path(in_spec) != Path(results_dir):
                notes.append(f"-r {results_dir} wins over exp_manager.explicit_log_dir={in_spec}")
            config.exp_manager.explicit_log_dir = args.results_dir = results_dir
        with ExitStack() as held:
            for folder in output_folders(args.command, config, results_dir):
                held.enter_context(folder_lock(folder, f"token_classification {args.command}"))
            run_logged(args, command, config, results_dir, notes)
    except (SpecError, InputError) as e:
        return fail(str(e))
    except OSError as e:  # a folder that is a file, a read-only or full disk, ...: name the path, no traceback
        where = f"{e.filename}: " if e.filename else ""
        return fail(f"{where}{e.strerror or e}\n  fix: check that the path is the right kind (file or folder), "
                    "that it can be written, and that the disk has room")
    except KeyboardInterrupt:
        print(f"\ntoken_classification {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
