"""The specs of the commands that run a trained archive: evaluate, infer, export."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import List, Optional

from conversion.dataset import MISSING
from tokcls.config.train import _help


class Runtime(str, Enum):
    pytorch = "pytorch"
    onnx = "onnx"


class Quantize(str, Enum):
    none = "none"
    int8 = "int8"


# evaluate and infer share these three keys (tokcls/model/runtime.py).
def _runtime_field():
    return field(default=Runtime.pytorch, metadata=_help("pytorch, or onnx: run onnx_file with onnxruntime."))


def _onnx_file_field():
    return field(default=None, metadata=_help("The model.onnx written by export format=onnx (runtime=onnx)."))


def _quantize_field():
    return field(default=Quantize.none, metadata=_help(
        "none, or int8: dynamic int8 quantization of every linear layer at load, weights per output channel "
        "(faster on CPUs with int8 dot-product units such as VNNI or AMX, float32's speed on AVX2 alone; "
        "F1 cost on CoNLL-2003 dev: 0.4 points in PyTorch, none with runtime=onnx, see docs/benchmarks.md)."))


@dataclass
class TestSplitConfig:
    """The split to score."""

    text_file: str = field(default="text_test.txt", metadata=_help("Sentences, one per line (relative to data_dir)."))
    labels_file: str = field(default="labels_test.txt", metadata=_help("Gold labels, one per word (relative to data_dir)."))
    num_samples: int = field(default=-1, metadata=_help("Score only the first N sentences; -1 scores all."))
    batch_size: int = field(default=64, metadata=_help("Windows per batch."))


@dataclass
class EvaluateConfig:
    """token_classification evaluate -e specs/evaluate.yaml -r RESULTS -m MODEL.tcls data_dir=DATA"""

    data_dir: str = field(default=MISSING, metadata=_help("Folder with the text/labels files to score."))
    test_ds: TestSplitConfig = field(default_factory=TestSplitConfig, metadata=_help("The split to score."))
    max_seq_length: Optional[int] = field(default=None, metadata=_help(
        "Sub-tokens per window; null uses the model's training value. Longer sentences are windowed, never truncated."))
    stride: Optional[int] = field(default=None, metadata=_help("Sub-tokens shared by consecutive windows; null uses the model's."))
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()


@dataclass
class InferConfig:
    """token_classification infer -e specs/infer.yaml -r RESULTS -m MODEL.tcls [input_file=TEXT]"""

    input_batch: List[str] = field(default_factory=lambda: [
        "we bought four shirts from the nvidia gear store in santa clara .",
        "Nvidia is a company headquartered in Santa Clara .",
    ], metadata=_help("Raw sentences to label (used when input_file is null)."))
    input_file: Optional[str] = field(default=None, metadata=_help(
        "A UTF-8 text file, one text per line, any size: read and labelled in chunks, never all in memory."))
    output_file: str = field(default="infer_results.jsonl", metadata=_help(
        "JSON Lines written to RESULTS: per input the words, their labels and character offsets, and the entity spans."))
    batch_size: int = field(default=64, metadata=_help("Windows per batch."))
    chunk_lines: int = field(default=2000, metadata=_help("Lines of input_file labelled at a time (bounds memory)."))
    max_printed: int = field(default=20, metadata=_help("Query/Result lines printed (all of them go to output_file)."))
    max_seq_length: Optional[int] = field(default=None, metadata=_help("Sub-tokens per window; null uses the model's."))
    stride: Optional[int] = field(default=None, metadata=_help("Sub-tokens shared by consecutive windows; null uses the model's."))
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()


class ExportFormat(str, Enum):
    hf = "hf"
    onnx = "onnx"


@dataclass
class ExportConfig:
    """token_classification export -m MODEL.tcls -r OUT format=hf|onnx"""

    format: ExportFormat = field(default=ExportFormat.hf, metadata=_help(
        "hf: a directory for AutoModelForTokenClassification / pipeline() (one-layer heads); onnx: RESULTS/model.onnx "
        "(any head, dynamic batch and length) plus the tokenizer and label_ids.csv."))
    check: bool = field(default=True, metadata=_help("Run the export on sample text and compare its logits with the archive's."))
