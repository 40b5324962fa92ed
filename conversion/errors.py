"""The one error type the converter raises for bad input or bad options."""
from __future__ import annotations

from pathlib import Path


class ConversionError(ValueError):
    """Bad input: says where (file and line when known), what is wrong, and how to fix it."""

    def __init__(self, problem: str, fix: str, path: str | Path | None = None, line: int | None = None):
        self.problem = problem
        self.fix = fix
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{problem}\n  fix: {fix}")
