"""`token_classification <command>`: parses the flags and overrides, loads the spec, runs the command.

Only this much happens here; what a command does lives in tokcls/commands/<command>.py.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from tokcls.core.errors import InputError
from tokcls.core.lock import folder_lock
from tokcls.core.programs import TEXT, TOKEN
from tokcls.core.quiet import silence_known_noise

if TYPE_CHECKING:  # the commands (and with them omegaconf and hydra) are imported inside main: Ctrl-C while they
    from tokcls.commands.base import Command, Context  # load is caught there, and --help stays fast

FLAGS = {
    "-e": dict(dest="spec", metavar="SPEC.yaml", help="the YAML spec; keys left out keep their defaults"),
    "-r": dict(
        dest="results_dir",
        metavar="DIR",
        help="results directory (the resolved spec is saved there); "
        "for train and fine-tune NeMo's exp_manager.explicit_log_dir",
    ),
    "-m": dict(
        dest="model",
        metavar="MODEL.tcls",
        action="append",
        help="model archive (wins over restore_from in "
        "the spec); evaluate takes a second -m to compare two archives (compare_to)",
    ),
    "-k": dict(dest="key", metavar="KEY", help="key to encrypt or decrypt the model archive"),
    "-o": dict(dest="output_dir", metavar="DIR", help="where the specs go (default: -r DIR)"),
    "-g": dict(
        dest="gpus",
        metavar="N",
        type=int,
        help="number of devices (trainer.devices); on a machine without a GPU, 1 runs on the CPU",
    ),
}

EPILOG = (
    "Any further KEY=VALUE arguments override the spec, in Hydra's grammar: a.b=1 sets a key, "
    "~a.b restores its default, and null sets None. Unknown keys and wrong types are refused."
)


DESCRIPTIONS = {
    TOKEN: "Fine-tune and run transformer encoders for token classification (NER, POS, chunking).",
    TEXT: "Fine-tune and run transformer encoders for text classification (one class, a set of labels, or a value "
    "per text or sentence pair).",
}


def build_parser(program: str = TOKEN) -> argparse.ArgumentParser:
    from tokcls.commands import REGISTRIES

    parser = argparse.ArgumentParser(prog=program, description=DESCRIPTIONS[program])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in REGISTRIES[program].commands.items():
        sub = commands.add_parser(
            name, aliases=list(command.aliases), help=command.summary, description=command.summary, epilog=EPILOG
        )
        for flag in command.flags:
            sub.add_argument(flag, **FLAGS[flag])
        sub.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="spec overrides")
    return parser


def output_folders(command: str, config, results_dir: str | None) -> list[str]:
    """The folders a command writes, locked while it runs by the run's first process (the others share them)."""
    from tokcls.training.log_dir import is_first_process

    if not is_first_process() or command == "tune":  # tune: several processes share -r, each trial's folder is locked
        return []
    folders = [results_dir] if results_dir else []
    if command == "dataset_convert":
        folders.append(config.target_data_dir)
    return folders


def run_logged(command: "Command", config, ctx: "Context", notes: list[str]) -> None:
    """Run the command with everything it prints also in RESULTS/<command>_log.txt, after the resolved spec."""
    from omegaconf import OmegaConf

    from tokcls.core.logfile import log_records_to_stdout, log_to_file

    results_dir = ctx.results_dir
    with log_to_file(results_dir / f"{command.name}_log.txt") if results_dir else nullcontext():
        # Configured inside the log context so that log records reach the log file too.
        log_records_to_stdout()
        for note in notes:
            print(note)
        print(f"Resolved {command.name} spec:\n{OmegaConf.to_yaml(config)}")
        if results_dir:
            OmegaConf.save(config, results_dir / f"{command.name}_spec.yaml")
        from tokcls.commands import run as run_command

        run_command(command.name, config, ctx)


class _Interrupt:
    """Ctrl-C as KeyboardInterrupt, made to take effect. Raised at some points the exception is lost or changed:
    inside importlib's own frames (a module lock's weakref callback: "Exception ignored", and the run goes on),
    inside a class body's __set_name__ (it becomes a RuntimeError), or in a library's broad except. So until main()
    has seen it, the signal is sent again every 50 ms (and never raised inside importlib), and main() exits with 130
    for whatever exception ends a run that was asked to stop."""

    def __init__(self) -> None:
        self.requested = False  # Ctrl-C was pressed
        self.settled = False  # main() is done with it (or finished): no more re-sends

    def __call__(self, signum, frame) -> None:
        if self.settled:
            return
        self.requested = True
        import threading

        timer = threading.Timer(0.05, self._again)
        timer.daemon = True
        timer.start()
        if frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            return  # the re-send comes from outside this callback
        raise KeyboardInterrupt

    def _again(self) -> None:
        if not self.settled:
            os.kill(os.getpid(), signal.SIGINT)


def main(argv: list[str] | None = None, program: str = TOKEN) -> int:
    """The program; Ctrl-C at any point (while torch loads, the spec is read, the model loads) exits with 130."""
    interrupt = _Interrupt()
    previous = signal.signal(signal.SIGINT, interrupt) if threading_main() else None
    try:
        return _main(argv, program)
    except BaseException:
        if not interrupt.requested:
            raise
        print(f"\n{program}: interrupted", file=sys.stderr)
        return 130
    finally:
        interrupt.settled = True
        if previous is not None:
            # Run as the program (argv from the shell), the work is over: a Ctrl-C during the interpreter's
            # shutdown (torch's teardown takes a few hundred ms) would kill it by the signal or print a traceback
            # after the outcome was reported, so it is ignored. Called in-process, the caller's handler comes back.
            signal.signal(signal.SIGINT, signal.SIG_IGN if argv is None else previous)


def _main(argv: list[str] | None, program: str) -> int:
    silence_known_noise()
    from tokcls.commands import REGISTRIES
    from tokcls.commands.base import Context

    registry = REGISTRIES[program]
    parser = build_parser(program)
    # Overrides may stand on both sides of a flag (`train data_dir=D -r X seed=1`): argparse leaves the
    # later ones over, and they join the others; anything else left over is an unknown flag.
    args, extra = parser.parse_known_args(argv)
    unknown = [a for a in extra if a.startswith("-") or "=" not in a]
    given_argv = list(sys.argv[1:] if argv is None else argv)
    long_flags = [(i, a) for i, a in enumerate(given_argv) if a.startswith("--") and a not in ("--help",)]
    if long_flags:  # the Hugging Face recipes' --learning_rate 1e-3: name the key=value that means it
        from tokcls.config.hf_names import explain_flag

        schema = registry.commands[registry.aliases.get(args.command, args.command)].schema
        lines = []
        for i, flag in long_flags:
            value = (
                flag.split("=", 1)[1]
                if "=" in flag
                else (given_argv[i + 1] if i + 1 < len(given_argv) and not given_argv[i + 1].startswith("-") else None)
            )
            lines.append("  " + explain_flag(flag, value, schema))
        print(
            f"{program} {args.command}: error: unknown flag(s); tokcls takes -e -r -m -k -g and key=value "
            "overrides:\n" + "\n".join(lines),
            file=sys.stderr,
        )
        return 2
    if unknown:
        parser.parse_args(argv)  # argparse's own message and exit status for what it does not know
    args.overrides = list(args.overrides) + extra
    name = registry.aliases.get(args.command, args.command)
    command = registry.commands[name]
    given = vars(args)  # only the flags this command has are there
    # Imported here so that `--help` and spec errors come back without loading torch.
    from tokcls.config.loading import SpecError, load_spec
    from tokcls.tasks.spec_checks import check_spec, task_defaults
    from tokcls.training.log_dir import resolve_log_dir

    def fail(message: str) -> int:
        print(f"{program} {name}: error: {message}", file=sys.stderr)
        return 2

    results_dir = given.get("results_dir")
    if command.requires_results and not results_dir:
        return fail("-r RESULTS_DIR is required")
    overrides = list(args.overrides)
    if given.get("gpus") is not None:
        overrides.append(f"trainer.devices={given['gpus']}")
    notes: list[str] = []
    try:
        defaults = lambda config: task_defaults(name, config, program)  # noqa: E731
        config = load_spec(registry.schemas[name], given.get("spec"), overrides, notes, defaults)
        check_spec(name, config, program)
        model, *others = given.get("model") or [None]
        if others and not hasattr(config, "compare_to"):
            return fail(f"-m given {len(others) + 1} times: only evaluate takes a second archive (to compare two)")
        if len(others) > 1:
            return fail(f"-m given {len(others) + 1} times: evaluate compares two archives at most")
        if others:
            if config.compare_to and config.compare_to != others[0]:
                notes.append(f"-m {others[0]} wins over compare_to={config.compare_to}")
            config.compare_to = others[0]
        if command.requires_model:
            model = model or config.restore_from
            if not model:
                return fail("-m MODEL.tcls is required (or restore_from in the spec)")
        if command.training:
            in_spec = config.exp_manager.explicit_log_dir
            results_dir = str(resolve_log_dir(config.exp_manager, results_dir))
            if in_spec and Path(in_spec) != Path(results_dir):
                notes.append(f"-r {results_dir} wins over exp_manager.explicit_log_dir={in_spec}")
            config.exp_manager.explicit_log_dir = results_dir
        ctx = Context(
            name,
            Path(results_dir) if results_dir else None,
            model,
            given.get("key"),
            Path(given["output_dir"]) if given.get("output_dir") else None,
            program,
        )
        with ExitStack() as held:
            for folder in output_folders(name, config, results_dir):
                held.enter_context(folder_lock(folder, f"{program} {name}"))
            run_logged(command, config, ctx, notes)
    except (SpecError, InputError) as e:
        return fail(str(e))
    except OSError as e:  # a folder that is a file, a read-only or full disk, ...: name the path, no traceback
        where = f"{e.filename}: " if e.filename else ""
        return fail(
            f"{where}{e.strerror or e}\n  fix: check that the path is the right kind (file or folder), "
            "that it can be written, and that the disk has room"
        )
    except KeyboardInterrupt:
        print(f"\n{program} {name}: interrupted", file=sys.stderr)
        return 130
    return 0


def threading_main() -> bool:
    """Signal handlers can only be set from the main thread (main() also runs in tests' threads)."""
    import threading

    return threading.current_thread() is threading.main_thread()


def text_main(argv: list[str] | None = None) -> int:
    """The text_classification program."""
    return main(argv, TEXT)


if __name__ == "__main__":
    sys.exit(main())
