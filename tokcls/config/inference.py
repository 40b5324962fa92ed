"""The specs of the commands that run a trained archive: evaluate, infer, export."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional

from conversion.annotations.writers import LabelStudio
from tokcls.config.sections import _help


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
class DeviceConfig:
    """Where the model runs (the same keys as train's trainer section)."""

    accelerator: str = field(default="auto", metadata=_help("cpu, gpu, or auto (a GPU when there is one)."))
    devices: int = field(
        default=1,
        metadata=_help("-g sets it: 1 runs on one device (a GPU when there is one), 0 on the CPU.", ge=0, le=1),
    )


def _device_field():
    return field(default_factory=DeviceConfig, metadata=_help("The device."))


@dataclass
class InferDeviceConfig(DeviceConfig):
    """infer's device: as evaluate's, and -g N > 1 runs N worker processes over the shards (docs/scale_out.md)."""

    devices: int = field(
        default=1,
        metadata=_help(
            "-g sets it: 1 runs on one device (a GPU when there is one), 0 on the CPU, N > 1 runs N worker processes "
            "over the input's shards (a GPU each where there are N).",
            ge=0,
        ),
    )


def _infer_device_field():
    return field(default_factory=InferDeviceConfig, metadata=_help("The device, or -g N worker processes."))


LABEL_STUDIO = LabelStudio()  # the tag names of Label Studio's templates


class AnnotationFormat(str, Enum):
    label_studio = "label_studio"
    prodigy = "prodigy"
    doccano = "doccano"


@dataclass
class AnnotationsConfig:
    """infer's predictions written again for an annotation tool (docs/dataset_convert.md reads them back)."""

    format: Optional[AnnotationFormat] = field(
        default=None,
        metadata=_help(
            "null: none; label_studio: tasks with predictions (each region and the task scored), importable in Label "
            "Studio; prodigy: JSON Lines with spans (entities) or accept (text labels); doccano: its JSONL import."
        ),
    )
    file: Optional[str] = field(
        default=None, metadata=_help("The file written to RESULTS; null: predictions_<format>.json(l).")
    )
    from_name: str = field(
        default=LABEL_STUDIO.from_name,
        metadata=_help("label_studio: the name of the labelling interface's Labels or Choices tag."),
    )
    to_name: str = field(
        default=LABEL_STUDIO.to_name,
        metadata=_help("label_studio: the name of its Text tag, which is also the data key."),
    )


def _annotations_field():
    return field(default_factory=AnnotationsConfig, metadata=_help("Predictions written for an annotation tool."))


@dataclass
class ShardConfig:
    """Sharded, resumable infer (docs/scale_out.md): the input cut into shards, each written whole with a manifest;
    a rerun resumes; -g N runs N worker processes over them; a SLURM array job sets index and count."""

    lines: Optional[int] = field(
        default=None,
        metadata=_help(
            "Lines of input_file per shard (a multiple of chunk_lines); null: not sharded, unless -g N > 1, index or "
            "count is set or input_file is a folder (a shard per file), then 10000.",
            ge=1,
        ),
    )
    index: Optional[int] = field(
        default=None,
        metadata=_help(
            "This job labels the shards k with k % count == index (a SLURM array job: $SLURM_ARRAY_TASK_ID); null: "
            "every shard not done yet.",
            ge=0,
        ),
    )
    count: int = field(
        default=1, metadata=_help("How many jobs share the shards (SLURM: $SLURM_ARRAY_TASK_COUNT).", ge=1)
    )
    merge: bool = field(
        default=True,
        metadata=_help(
            "Join the shards into output_file, in input order, once every one is done (the job that finds them all "
            "done does it); false: leave the join to a later run."
        ),
    )


def _shard_field():
    return field(default_factory=ShardConfig, metadata=_help("Sharded, resumable labelling of a large input."))
