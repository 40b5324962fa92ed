"""Errors about a user's input: they say where (file and line when known), what is wrong and the fix."""

from __future__ import annotations

from pathlib import Path

MISSING = "???"  # OmegaConf's marker for a required value (schemas in conversion/ and tokcls/config alike)


class InputError(ValueError):
    """Bad input data or options; the command line prints it and exits with status 2."""

    def __init__(self, problem: str, fix: str, path: str | Path | None = None, line: int | None = None):
        self.problem = problem
        self.fix = fix
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{problem}\n  fix: {fix}")
