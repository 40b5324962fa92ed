"""ONNX export (any head) with dynamic batch and length axes, and an onnxruntime stand-in for the model."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


class _Logits(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids, attention_mask)


def to_onnx(model, path: Path, opset: int = 17) -> Path:
    # An example batch with padding, so that the traced graph is the one that applies the mask.
    mask = torch.ones(2, 8, dtype=torch.long)
    mask[1, 5:] = 0
    example = (torch.full((2, 8), 1000, dtype=torch.long), mask)
    # The wrapper is put in eval mode itself: the exporter restores the wrapper's mode afterwards,
    # which for a fresh (training-mode) wrapper would switch the model's dropout back on.
    torch.onnx.export(
        _Logits(model).eval(), example, str(path), input_names=["input_ids", "attention_mask"], output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask", "logits")},
        opset_version=opset,
        dynamo=False,  # the TorchScript exporter: the dynamo one needs onnxscript
    )
    return Path(path)


class OnnxModel:
    """Called like the LightningModule (input_ids, attention_mask) -> logits, but runs onnxruntime."""

    def __init__(self, path: Path, labels: list[str], outside_label: str = "O"):
        import onnxruntime

        self.session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.labels = labels
        self.outside_label = outside_label

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask):
        logits = self.session.run(["logits"], {"input_ids": np.asarray(input_ids, dtype=np.int64),
                                               "attention_mask": np.asarray(attention_mask, dtype=np.int64)})[0]
        return torch.from_numpy(logits)
