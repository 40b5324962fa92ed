"""The model that evaluate and infer run: the archive's in PyTorch, or its ONNX export, optionally int8."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import torch

from tokcls.core.errors import InputError
from tokcls.export.onnx import OnnxModel, open_session
from tokcls.inference.predictor import Predictor
from tokcls.model.digest import weights_digest
from tokcls.model.encoder_checks import check_window
from tokcls.tasks import get_task, program_of


def inference_model(model, runtime: str, onnx_file: str | None, quantize: str):
    """`model` as given, int8 (weights of every Linear layer, activations quantized on the fly), or
    onnxruntime running `onnx_file` (int8: quantized into a temporary copy at load, the file is untouched).

    Dynamic int8 quantization needs no calibration data. Weights get one scale per output row
    (per channel), not one per matrix: on CoNLL-2003 dev that cut the F1 cost from 1.8 to 0.4 points
    (PyTorch) and from 1.4 to 0.0 (onnxruntime) at the same speed (docs/benchmarks.md). Integer
    products only pay on CPUs with int8 dot-product units (VNNI, AMX); on AVX2 alone they run at
    float32's speed.
    """
    runtime, quantize = getattr(runtime, "value", runtime), getattr(quantize, "value", quantize)
    if quantize not in ("none", "int8"):
        raise InputError(f"unknown quantize {quantize!r}", "set quantize=none or quantize=int8")
    if runtime == "pytorch":
        model.eval()
        if quantize == "int8":
            with warnings.catch_warnings():  # torch.ao's eager quantization is deprecated for torchao, still in 2.13
                warnings.simplefilter("ignore")
                per_channel = {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}
                model = torch.ao.quantization.quantize_dynamic(model, per_channel, dtype=torch.qint8)
        return model
    if runtime != "onnx":
        raise InputError(f"unknown runtime {runtime!r}", "set runtime=pytorch or runtime=onnx")
    if not onnx_file:
        raise InputError("runtime=onnx needs the exported model", "set onnx_file=OUT/model.onnx (export format=onnx)")
    digest = weights_digest(model)
    if quantize == "none":
        return OnnxModel(Path(onnx_file), model.describe(), digest)
    open_session(Path(onnx_file), digest)  # the file is this archive's export, before it is quantized
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="tokcls_int8_") as tmp:
        quantized = Path(tmp) / "model.int8.onnx"
        quantize_dynamic(str(onnx_file), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
        return OnnxModel(quantized, model.describe())  # the session holds the graph in memory


def inference_device(device_cfg) -> torch.device:
    """The device evaluate and infer run on (trainer.accelerator, trainer.devices; -g sets devices)."""
    accelerator, devices = str(device_cfg.accelerator), int(device_cfg.devices)
    if devices > 1:
        raise InputError(
            f"trainer.devices={devices}: evaluate and infer run on one device",
            "set -g 1 (a GPU when there is one) or -g 0 (the CPU)",
        )
    if devices == 0 or accelerator == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if accelerator in ("gpu", "cuda"):
        raise InputError("trainer.accelerator=gpu, but no GPU is visible", "set trainer.accelerator=auto or cpu")
    print("No GPU found: running on the CPU")
    return torch.device("cpu")


def load_for_inference(ctx, config, batch_size: int, archive: str | None = None) -> Predictor:
    """The Predictor evaluate and infer run: the archive (-m, -k; or `archive`) of this program, in the chosen runtime,
    on the chosen device, with the archive's window settings and decoder unless the spec overrides them."""
    return open_predictor(archive or ctx.model, ctx.key, config, batch_size, (ctx.program, ctx.command))


def open_predictor(
    archive, key: str | None, config, batch_size: int, program: tuple[str, str] | None = None
) -> Predictor:
    """The Predictor of an archive as an infer spec (`config`: runtime, onnx_file, quantize, trainer, model) sets it
    up; `program`: (program, command) whose task the archive must be, or None for any (the Python API)."""
    from tokcls.model.archive import load_model

    network, tokenizer, trained = load_model(archive, key, inference=True)
    if program is not None and program_of(network.task) != program[0]:
        name, command = program
        raise InputError(
            f"a {network.task} model, but this is {name}",
            f"run {program_of(network.task)} {command} with it, or give a {name} model",
            archive,
        )
    task = get_task(network.task)
    model = inference_model(network, config.runtime, config.onnx_file, config.quantize)
    task.choose_decoder(model, network, config)
    device = torch.device("cpu")  # onnxruntime and int8 run on the CPU
    if isinstance(model, torch.nn.Module) and getattr(config.quantize, "value", config.quantize) == "none":
        device = inference_device(config.trainer)
        model.to(device)
    if config.model.dataset.max_seq_length is not None:
        check_window(network.encoder.config, config.model.dataset.max_seq_length)
    settings, context = task.inference_settings(trained.model, config.model)
    return Predictor(model, tokenizer, settings, batch_size, device, context, trained)
