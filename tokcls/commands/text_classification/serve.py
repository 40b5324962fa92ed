"""serve: a text archive behind HTTP, the Hugging Face Inference API's shapes (commands/shared/serve.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tokcls.commands.base import Command
from tokcls.commands.shared.serve import SUMMARY, run
from tokcls.config.sections import _help
from tokcls.config.serve import ServeConfig
from tokcls.tasks.text.specs import TextInferenceModelConfig


@dataclass
class TextServeConfig(ServeConfig):
    """text_classification serve -m MODEL.tcls [-k KEY] [-e specs/text_classification/serve.yaml] [server.port=8000]"""

    model: TextInferenceModelConfig = field(
        default_factory=TextInferenceModelConfig, metadata=_help("Window settings.")
    )


COMMAND = Command("serve", SUMMARY, TextServeConfig, ("-e", "-m", "-k", "-g"), requires_model=True)

__all__ = ["COMMAND", "run"]
