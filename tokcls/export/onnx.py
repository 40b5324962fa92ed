"""ONNX export (any head) with dynamic batch and length axes, and an onnxruntime stand-in for the network.

The graph's first output is the head's scores ("logits"); a decoder that needs more to decode (a Viterbi decoder's
transition scores) names those tensors (Decoder.exported_tensors, tasks/base.py) and they become further outputs.
model.json (task, labels, head) is written beside it: the export alone is enough to decode as the archive does, the
task rebuilding its decoder from the description and those outputs (Task.exported_decoder).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import torch

from tokcls.core.errors import InputError
from tokcls.core.input_files import check_regular
from tokcls.model.digest import weights_digest
from tokcls.tasks import get_task

DIGEST_KEY = "tokcls_weights_sha256"  # metadata_props of the graph: the archive's weights_digest


class _Outputs(torch.nn.Module):
    def __init__(self, network):
        super().__init__()
        self.network = network
        # What the decoder needs besides the scores to decode as the archive does (a Viterbi decoder's transitions)
        tensors = network.decoder.exported_tensors()
        self.extra = list(tensors)  # their names, in the decoder's order
        self.head_input_names: list[str] = []  # the batch tensors the task's head takes besides the encoder's (to_onnx)
        for name, value in tensors.items():
            self.register_buffer(name, value.detach().clone())

    def forward(self, input_ids, attention_mask, *head_inputs):
        logits = self.network(input_ids, attention_mask, **dict(zip(self.head_input_names, head_inputs)))
        if not self.extra:
            return logits
        return (logits,) + tuple(getattr(self, name) * 1 for name in self.extra)  # * 1: an output, not an input


def to_onnx(network, path: Path, opset: int = 17) -> Path:
    # An example batch with padding, so that the traced graph is the one that applies the mask.
    mask = torch.ones(2, 8, dtype=torch.long)
    mask[1, 5:] = 0
    # The task's extra head inputs (Task.example_head_inputs: [batch, count] tensors) become graph inputs after these two
    head_inputs = get_task(network.task).example_head_inputs(2, 8, network.describe()["head"])
    example = (torch.full((2, 8), 1000, dtype=torch.long), mask, *head_inputs.values())
    outputs = _Outputs(network)
    outputs.head_input_names = list(head_inputs)
    names = ["logits"] + outputs.extra
    axes = {name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask", "logits")}
    axes.update({name: {0: "batch", 1: f"{name}_count"} for name in head_inputs})
    # The wrapper is put in eval mode itself: the exporter restores the wrapper's mode afterwards,
    # which for a fresh (training-mode) wrapper would switch the model's dropout back on.
    with warnings.catch_warnings():  # the tracer's notes on Python-side shape arithmetic: the axes are dynamic anyway
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.filterwarnings(
            "ignore", category=DeprecationWarning
        )  # the TorchScript exporter's own deprecation notes
        # Advanced indexing with negative indices: the graph is checked against the archive right after (export's check)
        warnings.filterwarnings("ignore", message="Exporting aten::index operator")
        torch.onnx.export(
            outputs.eval(),
            example,
            str(path),
            input_names=["input_ids", "attention_mask", *head_inputs],
            output_names=names,
            dynamic_axes=axes,
            opset_version=opset,
            do_constant_folding=not outputs.extra,  # folded, the transition outputs lose their names (onnxruntime folds them anyway)
            dynamo=False,  # the TorchScript exporter: the dynamo one needs onnxscript
        )
    _stamp(Path(path), weights_digest(network))
    Path(path).with_name("model.json").write_text(json.dumps(network.describe(), indent=1), encoding="utf-8")
    return Path(path)


def _stamp(path: Path, digest: str) -> None:
    """The archive's weights digest in the graph's metadata: infer runtime=onnx refuses the export of another model."""
    import onnx

    graph = onnx.load(str(path))
    onnx.helper.set_model_props(graph, {DIGEST_KEY: digest})
    onnx.save(graph, str(path))


def open_session(path: Path, digest: str | None = None):
    """An onnxruntime session of `path`; a file that is not ONNX, or the export of other weights than `digest`'s, is an
    InputError naming it."""
    import onnxruntime

    check_regular(path, "ONNX model", "set onnx_file to the model.onnx that export format=onnx wrote")
    try:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime's own error types (InvalidProtobuf, Fail, ...) share no public base
        raise InputError(
            f"not a loadable ONNX model ({type(e).__name__}: {str(e).splitlines()[0][:200]})",
            "set onnx_file to the model.onnx that export format=onnx wrote",
            path,
        ) from None
    if digest is not None:
        found = session.get_modelmeta().custom_metadata_map.get(DIGEST_KEY)
        if found != digest:
            problem = (
                "was exported from another model than this archive (their weights differ)"
                if found
                else "carries no digest of the archive it was exported from (an export of an earlier tokcls, or not "
                "tokcls's)"
            )
            raise InputError(
                f"this ONNX model {problem}",
                "export this archive again (export -m MODEL.tcls format=onnx, with the program that trained it), "
                "and give its model.onnx as onnx_file",
                path,
            )
    return session


class OnnxModel:
    """Called like the network (input_ids, attention_mask, the task's head inputs) -> the head's scores, but runs
    onnxruntime; decodes with the decoder the task builds from model.json and the tensors the graph carries."""

    def __init__(self, path: Path, description: dict, digest: str | None = None):
        self.session = open_session(path, digest)
        self.task, self.labels = description["task"], list(description["labels"])
        self.outside_label, self.head_settings = description["outside_label"], dict(description["head"])
        # The graph's outputs besides the scores (constants: any input gives them) rebuild the archive's decoder
        extra = [o.name for o in self.session.get_outputs() if o.name != "logits"]
        tensors = {}
        if extra:
            ids = np.zeros((1, 2), dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            feed.update(
                {
                    name: np.asarray(value)
                    for name, value in get_task(self.task).example_head_inputs(1, 2, self.head_settings).items()
                }
            )
            values = self.session.run(extra, feed)
            tensors = {name: torch.from_numpy(value) for name, value in zip(extra, values, strict=True)}
        self.description = dict(description)
        self.decoder = get_task(self.task).exported_decoder(description, tensors)

    def describe(self) -> dict:
        """The archive's description (model.json), as Network.describe() gives it."""
        return self.description

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask, **head_inputs):
        feed = {
            "input_ids": np.asarray(input_ids, dtype=np.int64),
            "attention_mask": np.asarray(attention_mask, dtype=np.int64),
        }
        feed.update({name: np.asarray(value, dtype=np.int64) for name, value in head_inputs.items()})
        logits = self.session.run(["logits"], feed)[0]
        return torch.from_numpy(logits)
