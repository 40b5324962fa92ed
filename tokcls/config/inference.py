"""The specs of the commands that run a trained archive: evaluate, infer, export."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import List, Optional

from tokcls.config.sections import DECODER_HELP, DecoderName, InferenceDatasetConfig, SplitConfig, _help, split_field
from tokcls.core.errors import MISSING


class Runtime(str, Enum):
    pytorch = "pytorch"
    onnx = "onnx"


class Quantize(str, Enum):
    none = "none"
    int8 = "int8"


def compare_to_field():
    return field(
        default=None,
        metadata=_help(
            "A second model archive run on the same data: report.html shows the items where the two disagree and which "
            "one is right (`-m A.tcls -m B.tcls` sets it; -k opens both)."
        ),
    )


def _restore_from_field():
    return field(
        default=None, metadata=_help("The model archive (TAO: trained-model.tlt); -m wins when both are given.")
    )


# evaluate and infer share these three keys (tokcls/inference/runtime.py).
def _runtime_field():
    return field(default=Runtime.pytorch, metadata=_help("pytorch, or onnx: run onnx_file with onnxruntime."))


def _onnx_file_field():
    return field(default=None, metadata=_help("The model.onnx written by export format=onnx (runtime=onnx)."))


def _quantize_field():
    return field(
        default=Quantize.none,
        metadata=_help(
            "none, or int8: dynamic int8 quantization of every linear layer at load, weights per output channel "
            "(faster on CPUs with int8 dot-product units such as VNNI or AMX, float32's speed on AVX2 alone; "
            "F1 cost on CoNLL-2003 dev: 0.4 points in PyTorch, none with runtime=onnx, see docs/benchmarks.md)."
        ),
    )


@dataclass
class InferenceHeadConfig:
    """How the archived model's word scores become labels."""

    decoder: Optional[DecoderName] = field(
        default=None,
        metadata=_help(
            "null: the decoder the model was trained with. "
            + DECODER_HELP
            + "Any model can be decoded with argmax or constrained; crf needs a model trained with it."
        ),
    )


@dataclass
class InferenceModelConfig:
    """What may change about the archived model when it runs."""

    head: InferenceHeadConfig = field(default_factory=InferenceHeadConfig, metadata=_help("The decoder."))
    dataset: InferenceDatasetConfig = field(default_factory=InferenceDatasetConfig, metadata=_help("Window settings."))


@dataclass
class DeviceConfig:
    """Where the model runs (the same keys as train's trainer section)."""

    accelerator: str = field(default="auto", metadata=_help("cpu, gpu, or auto (a GPU when there is one)."))
    devices: int = field(
        default=1,
        metadata=_help("-g sets it: 1 runs on one device (a GPU when there is one), 0 on the CPU.", ge=0, le=1),
    )


def _model_field():
    return field(
        default_factory=InferenceModelConfig,
        metadata=_help("Decoder (model.head) and window settings (model.dataset)."),
    )


def _device_field():
    return field(default_factory=DeviceConfig, metadata=_help("The device."))


@dataclass
class EvaluateConfig:
    """token_classification evaluate -e specs/evaluate.yaml -r RESULTS -m MODEL.tcls data_dir=DATA"""

    restore_from: Optional[str] = _restore_from_field()
    compare_to: Optional[str] = compare_to_field()
    data_dir: str = field(default=MISSING, metadata=_help("Folder with the text/labels files to score."))
    test_ds: SplitConfig = split_field(
        "text_test.txt",
        "labels_test.txt",
        False,
        64,
        "The split to score (shuffle only changes the order the batches run in).",
    )
    model: InferenceModelConfig = _model_field()
    trainer: DeviceConfig = _device_field()
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()


@dataclass
class InferConfig:
    """token_classification infer -e specs/infer.yaml -r RESULTS -m MODEL.tcls [input_file=TEXT]"""

    restore_from: Optional[str] = _restore_from_field()
    input_batch: List[str] = field(
        default_factory=lambda: [
            "we bought four shirts from the nvidia gear store in santa clara .",
            "Nvidia is a company headquartered in Santa Clara .",
        ],
        metadata=_help("Raw sentences to label (used when input_file is null)."),
    )
    input_file: Optional[str] = field(
        default=None,
        metadata=_help(
            "A UTF-8 text file, one text per line, any size: read and labelled in chunks, never all in memory. Lines end at "
            "LF or CRLF; a lone CR stays inside its line, so every line gives one record."
        ),
    )
    output_file: str = field(
        default="infer_results.jsonl",
        metadata=_help(
            "JSON Lines written to RESULTS: per input the words, their labels and character offsets, and the entity spans."
        ),
    )
    batch_size: int = field(default=64, metadata=_help("Windows per batch.", ge=1))
    chunk_lines: int = field(
        default=2000, metadata=_help("Lines of input_file labelled at a time (bounds memory).", ge=1)
    )
    max_printed: int = field(
        default=20, metadata=_help("Query/Result lines printed (all of them go to output_file).", ge=0)
    )
    model: InferenceModelConfig = _model_field()
    trainer: DeviceConfig = _device_field()
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()


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
