"""serve: a text archive behind HTTP, the Hugging Face Inference API's shapes (commands/shared/serve.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from tokcls.commands.base import Command
from tokcls.commands.shared.serve import SUMMARY, run
from tokcls.config.inference import (
    DeviceConfig,
    Quantize,
    Runtime,
    _device_field,
    _onnx_file_field,
    _quantize_field,
    _restore_from_field,
    _runtime_field,
)
from tokcls.config.sections import _help
from tokcls.config.serve import ServerConfig
from tokcls.tasks.text.specs import TextInferenceModelConfig


@dataclass
class TextServeConfig:
    """text_classification serve -m MODEL.tcls [-k KEY] [-e specs/text_classification/serve.yaml] [server.port=8000]"""

    restore_from: Optional[str] = _restore_from_field()
    batch_size: int = field(
        default=8,
        metadata=_help(
            "Texts per model batch (at most this many windows): a micro-batch runs as batches of texts of similar "
            "length; small ones carry less padding on a CPU (docs/serve.md).",
            ge=1,
        ),
    )
    model: TextInferenceModelConfig = field(
        default_factory=TextInferenceModelConfig, metadata=_help("Window settings.")
    )
    trainer: DeviceConfig = _device_field()
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()
    server: ServerConfig = field(
        default_factory=ServerConfig, metadata=_help("Where the service listens, how it batches, what it refuses.")
    )


COMMAND = Command("serve", SUMMARY, TextServeConfig, ("-e", "-m", "-k", "-g"), requires_model=True)

__all__ = ["COMMAND", "run"]
