"""What a task is: the seam every command, the trainer and the archive go through.

A task says how labelled examples become features, which head sits on the encoder (with its loss and
its decoder), how model outputs become labels, how predictions are scored and what evaluate writes.
The network (model/network.py), the LightningModule (training/module.py), the Predictor
(inference/predictor.py) and the archive (model/archive.py) know a task only through this protocol.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch
from torch import nn


@runtime_checkable
class Decoder(Protocol):
    """What a head's decoder is (flair's choice of decoder): the loss a head trains with and how scores become
    predictions switch together. Each task's decoders add the arguments their batches need."""

    def loss(self, emissions: torch.Tensor, *batch: Any, **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """(summed loss, its weight) of the scores of one batch."""
        ...

    def decode(self, scores: torch.Tensor, *sizes: Any, **kwargs: Any) -> Any:
        """Predictions of the scores of whole examples."""
        ...

    def gold_loss(self, scores: torch.Tensor, gold: torch.Tensor, *sizes: Any, **kwargs: Any) -> float:
        """The summed loss of gold-labelled examples (the test loss)."""
        ...

    def exported_tensors(self) -> dict[str, torch.Tensor]:
        """What an ONNX export must carry besides the scores to decode as this decoder does (export/onnx.py); {}: nothing."""
        ...


@runtime_checkable
class Head(Protocol):
    """The module on the encoder: hidden states (and what the task adds of the batch) -> scores; it owns its decoder."""

    @property
    def decoder(self) -> Decoder: ...

    def __call__(self, hidden_states: torch.Tensor, **inputs: Any) -> torch.Tensor: ...

    def describe(self) -> dict:
        """Its settings (what the archive stores, what build_head rebuilds it from)."""
        ...

    def extend_labels(self, labels: list[str], added: int, bias: float) -> None:
        """Output rows for `added` new labels (fine-tune), scored `bias`."""
        ...


class Task(Protocol):
    name: str  # stored in the archive: which task rebuilds the network (tokcls/tasks/__init__.py registers it)
    hf_pipeline: str  # the Hugging Face pipeline() of its HF export (the model card); serve answers in its shape
    title: str  # its name in the model card
    default_search_space: dict[str, str]  # what tune's search.params={} searches

    def head_settings(self, head_cfg, *facts) -> dict:
        """The head's description (what the archive stores) from the spec's head section and facts of the training data."""

    def build_head(self, hidden_size: int, labels: list[str], outside: str, settings: dict) -> nn.Module:
        """The head described by `settings`: forward(hidden states) -> scores; `.decoder` owns loss and decoding."""

    def encode(self, examples: list, tokenizer, labels: list[str] | None, settings) -> tuple:
        """(features, facts to log) of labelled or unlabelled examples."""

    def batches(
        self,
        features,
        batch_size: int,
        shuffle: bool,
        training: bool = False,
        seed: int = 0,
        pool: int = 50,
        rank: int = 0,
        world: int = 1,
    ) -> tuple:
        """(dataset, batch sampler) over the features: what one batch holds (windows, or whole texts)."""

    def loss(
        self, decoder, emissions: torch.Tensor, batch: dict, weight: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(summed loss, its weight) of a batch."""

    def loss_total(self, features, weight: torch.Tensor | None) -> float:
        """The summed loss weight of one training epoch (TaskModule divides by its mean per batch)."""

    def decode(
        self,
        decoder,
        labels: list[str],
        n_words: list[int],
        example: np.ndarray,
        word: np.ndarray,
        rows: torch.Tensor,
        units: list[int] | None = None,
    ) -> tuple[list, list, torch.Tensor]:
        """Model outputs at the kept rows (`word_index` >= 0) -> (predictions, confidences) per example, and the
        scores in example order (`units`: the sizes of the encoded units when examples were packed into documents)."""

    def gold(self, examples: list) -> list:
        """The gold labels (or values) of examples, as `reports` takes them; None for an unlabelled example."""

    def test_loss(self, decoder, scores: torch.Tensor, examples: list, labels: list[str]) -> float:
        """The decoder's loss on gold-labelled examples, per predicted unit."""

    def reports(self, gold: list, pred: list, model) -> dict:
        """Every metric of one prediction set, with `summary` (the headline numbers); `model` gives labels and decoder."""

    def format_reports(self, reports: dict) -> str:
        """The reports as printed tables."""

    def validation_metrics(self, reports: dict) -> dict[str, float]:
        """What is logged after each validation (and what a checkpoint can monitor)."""

    def report_page(self, examples: list, runs: list, model, meta) -> str:
        """evaluate's report.html: what the model (runs[0]) gets wrong; with two runs, where they disagree."""

    def write_results(
        self, out, examples: list, pred: list, reports: dict, labels: list[str], split: str, text: str = ""
    ) -> list[str]:
        """evaluate's files (`text`: the printed reports), written through `out` (all or nothing); returns their names."""

    # What the platform asks besides (WindowTask gives the window tasks' defaults of the first five)
    summary_notes: dict[str, str]  # metric of the test summary -> the line printed under it

    def collate(self, pad_id: int):
        """The DataLoader's collate_fn: windows (or a batch sampler's items) -> the batch's tensors."""

    def head_inputs(self, batch: dict) -> dict[str, torch.Tensor]:
        """The batch's tensors the head takes besides the encoder's (Network.forward passes them on)."""

    def example_head_inputs(self, batch: int, length: int, head: dict | None = None) -> dict[str, torch.Tensor]:
        """head_inputs of a made-up batch for a head of these settings (model.json's "head"): what an ONNX export
        traces its extra graph inputs from."""

    def keep(self, batch: dict, scores: torch.Tensor) -> tuple[np.ndarray, np.ndarray, torch.Tensor]:
        """(example, unit, scores) of the rows of the head's output that count (a word's, a text's, a span's)."""

    def score_split(self, predictor, data_dir, split_cfg, progress: bool = True) -> tuple:
        """(examples, prediction, reports with `summary` and the test loss) of a labelled split of evaluate's or train's
        spec, run through `predictor` (the Predictor: tasks sit below inference and never build one)."""

    def sizes(self, examples: list) -> list[int]:
        """The units (words, texts, spans) each example has predictions for."""

    def window_settings(self, model_cfg):
        """The windows a train or fine-tune spec's model section asks for."""

    def read_training_split(self, name: str, split_cfg, config, tokenizer, labels, settings, fallback_dir) -> tuple:
        """(examples, features, the words of each document unit or None) of training_ds or validation_ds."""

    def label_stats_dir(self, config):
        """Where the training label statistics are saved."""

    def pack(self, examples: list, documents: list[str]) -> tuple[list, list[int]]:
        """Document context: the examples of each document as one unit, and the size of each unit."""

    def unlabelled(self, examples: list) -> list:
        """The examples without their gold labels."""

    inference_keys: tuple[str, ...]  # the infer spec keys it reads besides model.dataset (the Python API's overrides)

    def answer(self, record: dict, labels: list[str], words: bool):
        """A record in the field names of the task's Hugging Face pipeline (serve's answer); `words`: also each
        word (serve's "parameters": {"words": true}; refused for tasks whose hf_pipeline labels no words)."""

    def records(self, predictor, texts: list[str], words: list | None) -> list[dict]:
        """What infer writes for each text (one JSON Lines record each) and the Python API returns. `words`: each
        text's words (data.word_split.Word, offsets into the text), or None to split the texts as infer does."""

    def inference_settings(self, trained_model, wanted_model) -> tuple:
        """(window settings, context) evaluate and infer run with: the archive's model section unless the spec's sets
        them."""

    def choose_decoder(self, model, network, config) -> None:
        """Decode with the decoder the evaluate or infer spec names (none named: the archive's)."""

    def exported_decoder(self, description: dict, tensors: dict):
        """The decoder of an ONNX export, from model.json and the tensors the graph carries."""

    def model_facts(self, description: dict, config) -> list[tuple[str, str]]:
        """What report.html says of the model besides encoder and labels."""

    def model_card_notes(self, network) -> list[str]:
        """What a Hugging Face export's model card must say of this task's model."""


class WindowTask:
    """What the two tasks of encoder windows share (a task may override any of it): the padded batch of
    tokcls.data.batching.Collate, no extra head inputs, and the rows whose word_index >= 0 (a word's first sub-token
    in the window that owns it; a text's [CLS])."""

    summary_notes: dict[str, str] = {}  # metric of the test summary -> the line printed under it (metrics/summary.py)

    def collate(self, pad_id: int):
        from tokcls.data.batching import Collate

        return Collate(pad_id)

    def head_inputs(self, batch: dict) -> dict[str, torch.Tensor]:
        """Each word's shape at its first sub-token, when the windows were made with word_shapes (the head reads it)."""
        return {"word_shape": batch["word_shape"]} if "word_shape" in batch else {}

    def example_head_inputs(self, batch: int, length: int, head: dict | None = None) -> dict[str, torch.Tensor]:
        """Head inputs of a batch of `batch` windows of `length` sub-tokens, in head_inputs' order: what an ONNX export
        traces its extra graph inputs from ([batch, count] int64 tensors; {}: none)."""
        if head and head.get("shape_embedding_dim"):
            return {"word_shape": torch.ones(batch, length, dtype=torch.long)}
        return {}

    def keep(self, batch: dict, scores: torch.Tensor) -> tuple[np.ndarray, np.ndarray, torch.Tensor]:
        owned = batch["word_index"] >= 0
        rows = owned.nonzero(as_tuple=True)[0]
        kept = scores.float().cpu()[owned.cpu()]
        return batch["example"][rows].cpu().numpy(), batch["word_index"][owned].cpu().numpy(), kept
