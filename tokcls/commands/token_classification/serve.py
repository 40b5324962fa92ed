"""serve: a token or span archive behind HTTP, the Hugging Face Inference API's shapes (commands/shared/serve.py)."""

from __future__ import annotations

from tokcls.commands.base import Command
from tokcls.commands.shared.serve import SUMMARY, run
from tokcls.commands.token_classification.specs import ProgramServeConfig

COMMAND = Command("serve", SUMMARY, ProgramServeConfig, ("-e", "-m", "-k", "-g"), requires_model=True)

__all__ = ["COMMAND", "run"]
