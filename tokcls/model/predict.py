"""Word-level predictions of a trained model over any number of sentences of any length."""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader

from tokcls.data.batching import BucketBatchSampler, Collate, WindowDataset
from tokcls.data.examples import Example
from tokcls.data.features import WindowSettings, encode, word_predictions


@torch.inference_mode()
def predict_with_loss(model, tokenizer, examples: list[Example], settings: WindowSettings, batch_size: int = 64,
                      progress: bool = False, shuffle: bool = False, device: torch.device | None = None):
    """(labels, confidences, loss): one label per word of every example, its softmax probability, and
    with gold labels the mean cross-entropy of the words' gold labels (the validation loss; None without).

    `shuffle` runs the batches in a random order (NeMo's test_ds.shuffle); results keep the input order."""
    labelled = all(e.labels is not None for e in examples) and len(examples) > 0
    features, _ = encode(examples, tokenizer, model.labels if labelled else None, settings)
    loader = DataLoader(WindowDataset(features), collate_fn=Collate(tokenizer.pad_token_id),
                        batch_sampler=BucketBatchSampler(features.lengths, batch_size, shuffle=shuffle))
    if progress:
        from tqdm import tqdm

        loader = tqdm(loader, desc="Predicting", unit="batch")
    model.eval()
    on_device = device is not None and isinstance(model, torch.nn.Module)
    parts, loss_sum = [], 0.0
    for batch in loader:
        ids, mask = batch["input_ids"], batch["attention_mask"]
        if on_device:
            ids, mask = ids.to(device), mask.to(device)
        log_probabilities = model(ids, mask).float().log_softmax(-1).cpu()
        owned = batch["word_index"] >= 0
        confidence, label = log_probabilities[owned].max(-1)
        if labelled:
            gold = batch["labels"][owned].clamp(min=0)  # owned positions always carry their word's label
            loss_sum -= float(log_probabilities[owned].gather(-1, gold.unsqueeze(-1)).sum())
        parts.append((batch["example"][owned.nonzero(as_tuple=True)[0]].numpy(), batch["word_index"][owned].numpy(),
                      label.numpy(), confidence.exp().numpy()))
    n_words = [len(e.words) for e in examples]
    if not parts:
        return [[] for _ in examples], [[] for _ in examples], None
    example, word, label, confidence = (np.concatenate(p) for p in zip(*parts))
    labels = word_predictions(n_words, example, word, label, model.labels)
    scores = [[0.0] * n for n in n_words]
    for e, w, c in zip(example.tolist(), word.tolist(), confidence.tolist()):
        scores[e][w] = c
    return labels, scores, (loss_sum / max(1, sum(n_words)) if labelled else None)


def predict(model, tokenizer, examples: list[Example], settings: WindowSettings, batch_size: int = 64,
            progress: bool = False, device: torch.device | None = None) -> tuple[list[list[str]], list[list[float]]]:
    """One label per word of every example, with its softmax probability (the confidence)."""
    unlabelled = [Example(e.words, None) for e in examples]
    labels, scores, _ = predict_with_loss(model, tokenizer, unlabelled, settings, batch_size, progress, device=device)
    return labels, scores
