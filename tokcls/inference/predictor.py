"""The Predictor: network + tokenizer + window settings -> labels for texts of any number and length.

The one way a trained model is run: evaluate, infer, train's test split, fine-tune's check of the new
labels and export's check of the exported model all go through it. The model is a Network or a
stand-in that is called the same way (an onnxruntime session, an int8 copy).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
from torch.utils.data import DataLoader

from tokcls.data.windows import WindowSettings
from tokcls.tasks import get_task


@dataclass
class Prediction:
    """What the task's decode gives. Tokens: a label and its softmax probability per word, scores [all words, labels].
    Texts: per text a class list, a label set or a value, every class's probability, scores [texts, outputs]."""

    labels: list  # one per word of every example (tokens); one prediction per text (texts)
    confidences: list  # per word its label's probability (tokens); per text every class's probability (texts)
    scores: torch.Tensor  # the scores the decoder read, example after example
    loss: float | None  # with gold labels: the decoder's loss per predicted unit (the test loss)


class Predictor:
    def __init__(
        self,
        model,
        tokenizer,
        settings: WindowSettings,
        batch_size: int = 64,
        device: torch.device | None = None,
        context: str = "sentence",
        trained=None,
    ):
        head = model.describe()["head"] if hasattr(model, "describe") else {}  # a Hugging Face export has no head
        if head.get("shape_embedding_dim") and not settings.word_shapes:
            settings = replace(settings, word_shapes=True)  # the head reads word shapes: its windows must carry them
        self.model, self.tokenizer, self.settings = model, tokenizer, settings
        self.batch_size, self.device = batch_size, device
        self.context = getattr(context, "value", context)  # "document": run() packs the documents it is given
        self.trained = trained  # the spec the archive was trained with, when loaded from one (load_for_inference)
        self.task = get_task(model.task)

    def _outputs(self, examples: list, progress: bool, shuffle: bool):
        """(example, unit, rows) of every batch: the scores at the rows the task keeps (Task.keep), in batch order."""
        features, _ = self.task.encode(examples, self.tokenizer, None, self.settings)
        dataset, sampler = self.task.batches(features, self.batch_size, shuffle)
        loader = DataLoader(dataset, collate_fn=self.task.collate(self.tokenizer.pad_token_id), batch_sampler=sampler)
        if progress:
            from tqdm import tqdm

            loader = tqdm(loader, desc="Predicting", unit="batch")
        if getattr(self.model, "training", False):  # eval() walks every module: 1 ms a call, felt by serve
            self.model.eval()
        on_device = self.device is not None and isinstance(self.model, torch.nn.Module)
        parts = []
        with torch.inference_mode():
            for batch in loader:
                ids, mask, inputs = batch["input_ids"], batch["attention_mask"], self.task.head_inputs(batch)
                if on_device:
                    ids, mask = ids.to(self.device), mask.to(self.device)
                    inputs = {name: tensor.to(self.device) for name, tensor in inputs.items()}
                parts.append(self.task.keep(batch, self.model(ids, mask, **inputs)))
        return parts

    def run(
        self, examples: list, progress: bool = False, shuffle: bool = False, documents: list | None = None
    ) -> Prediction:
        """Labels of every word; with gold labels on every example also the loss. `shuffle` runs the batches in
        a random order (NeMo's test_ds.shuffle); results keep the input order. `documents`: the document of
        each example; with context=document the sentences of a document are encoded together."""
        model = self.model
        units, unit_words = examples, None
        if self.context == "document" and documents is not None:
            units, unit_words = self.task.pack(examples, documents)
        parts = self._outputs(units, progress, shuffle)
        n_words = self.task.sizes(examples)
        if not parts:
            return Prediction([[] for _ in examples], [[] for _ in examples], torch.zeros(0, len(model.labels)), None)
        example, word = (np.concatenate([p[i] for p in parts]) for i in (0, 1))
        rows = torch.cat([p[2] for p in parts])
        labels, confidences, scores = self.task.decode(
            model.decoder, model.labels, n_words, example, word, rows, unit_words
        )
        loss = None
        if examples and all(gold is not None for gold in self.task.gold(examples)):
            loss = self.task.test_loss(model.decoder, scores, examples, model.labels)
        return Prediction(labels, confidences, scores, loss)

    def predict(
        self, examples: list, progress: bool = False, documents: list | None = None
    ) -> tuple[list[list[str]], list[list[float]]]:
        """The task's labels of every example (per word for tokens) with their confidences, gold labels ignored."""
        prediction = self.run(self.task.unlabelled(examples), progress, documents=documents)
        return prediction.labels, prediction.confidences
