"""Where a training run writes (NeMo's exp_manager rules): -r, else explicit_log_dir, else exp_dir/name/version.

Imports nothing heavy: the command line resolves the directory before the spec is printed into it.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

DEFAULT_EXP_DIR = "tokcls_experiments"
# Set once per run, so that every process of a multi-process run (DDP re-runs the command) agrees.
VERSION_VARIABLE = "TOKCLS_EXP_VERSION"


# Where launchers put a process's rank: DDP's own subprocesses, torchrun, SLURM's srun (one task per device).
RANK_VARIABLES = ("LOCAL_RANK", "RANK", "NODE_RANK", "GROUP_RANK", "SLURM_PROCID")


def is_first_process() -> bool:
    """False in the extra processes of a multi-process run: they share the first process's folder."""
    return all(os.environ.get(name, "0") == "0" for name in RANK_VARIABLES)


def _next_version(root: Path) -> str:
    numbers = [int(m.group(1)) for p in root.glob("version_*") if (m := re.fullmatch(r"version_(\d+)", p.name))]
    return f"version_{max(numbers, default=-1) + 1}"


def resolve_log_dir(exp, results_dir: str | None) -> Path:
    if results_dir:
        return Path(results_dir)
    if exp.explicit_log_dir:
        return Path(exp.explicit_log_dir)
    root = Path(exp.exp_dir or DEFAULT_EXP_DIR) / exp.name
    # The other processes of a run take the version the first process chose.
    version = exp.version or (None if is_first_process() else os.environ.get(VERSION_VARIABLE))
    if not version and not exp.resume_if_exists:  # resuming needs a folder a rerun finds again: no version
        version = time.strftime("%Y-%m-%d_%H-%M-%S") if exp.use_datetime_version else _next_version(root)
        os.environ[VERSION_VARIABLE] = version
    return root / version if version else root
