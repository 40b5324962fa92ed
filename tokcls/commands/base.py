"""What a command declares (Command) and what it is given to run (Context)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class Command:
    name: str  # token_classification <name>
    summary: str
    schema: type  # the typed spec (tokcls/config)
    flags: tuple[str, ...]  # which of -e -r -m -k -g -o it takes
    aliases: tuple[str, ...] = ()
    requires_results: bool = False  # -r must be given (train and fine-tune: exp_manager finds a log dir)
    requires_model: bool = False  # -m, or restore_from in the spec
    training: bool = False  # writes into exp_manager's log dir


@dataclass(frozen=True)
class Context:
    """The command line's facts a command needs, besides its spec."""

    command: str
    results_dir: Optional[Path] = None
    model: Optional[str] = None  # the archive (-m, or restore_from)
    key: Optional[str] = None  # -k
    output_dir: Optional[Path] = None  # -o (download_specs)
    program: str = "token_classification"  # or text_classification
    callbacks: tuple = ()  # Lightning callbacks the caller adds to training (tune: its reporter to the pruner)
