"""The specs both programs' export and download_specs share (their usage lines are the ones the generated specs
and references have always shown)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional

from tokcls.config.inference import _restore_from_field
from tokcls.config.sections import _help


class ExportFormat(str, Enum):
    hf = "hf"
    onnx = "onnx"


@dataclass
class ExportConfig:
    """token_classification export -m MODEL.tcls -r OUT format=hf|onnx"""

    restore_from: Optional[str] = _restore_from_field()
    format: ExportFormat = field(
        default=ExportFormat.hf,
        metadata=_help(
            "hf: a directory for AutoModelForTokenClassification / pipeline() (one-layer heads); onnx: RESULTS/model.onnx "
            "(any head, dynamic batch and length) plus the tokenizer and label_ids.csv."
        ),
    )
    export_to: Optional[str] = field(
        default=None,
        metadata=_help(
            "format=onnx: the model file's name in RESULTS (TAO: exported-model.onnx); null: model.onnx. "
            "format=hf writes a directory: leave it null."
        ),
    )
    check: bool = field(
        default=True, metadata=_help("Run the export on sample text and compare its logits with the archive's.")
    )
    overwrite: bool = field(
        default=False,
        metadata=_help(
            "Replace files of the same names in RESULTS; false stops before writing anything when one exists."
        ),
    )


@dataclass
class DownloadSpecsConfig:
    """token_classification download_specs -r LOGS [-o DIR]"""

    overwrite: bool = field(
        default=False,
        metadata=_help(
            "Replace spec files of the same names (your edits in them are lost); false stops before writing anything."
        ),
    )
