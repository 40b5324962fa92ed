"""Word-level predictions of a trained model over any number of sentences of any length."""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader

from tokcls.data.batching import BucketBatchSampler, Collate, WindowDataset
from tokcls.data.examples import Example
from tokcls.data.features import WindowSettings, encode, word_predictions


@torch.inference_mode()
def predict(model, tokenizer, examples: list[Example], settings: WindowSettings, batch_size: int = 64,
            progress: bool = False) -> tuple[list[list[str]], list[list[float]]]:
    """One label per word of every example, with its softmax probability (the confidence)."""
    features, _ = encode(examples, tokenizer, None, settings)
    loader = DataLoader(WindowDataset(features), collate_fn=Collate(tokenizer.pad_token_id),
                        batch_sampler=BucketBatchSampler(features.lengths, batch_size, shuffle=False))
    if progress:
        from tqdm import tqdm

        loader = tqdm(loader, desc="Predicting", unit="batch")
    model.eval()
    parts = []
    for batch in loader:
        probabilities = model(batch["input_ids"], batch["attention_mask"]).softmax(-1)
        owned = batch["word_index"] >= 0
        confidence, label = probabilities[owned].max(-1)
        parts.append((batch["example"][owned.nonzero(as_tuple=True)[0]].numpy(), batch["word_index"][owned].numpy(),
                      label.numpy(), confidence.float().numpy()))
    n_words = [len(e.words) for e in examples]
    if not parts:
        return [[] for _ in examples], [[] for _ in examples]
    example, word, label, confidence = (np.concatenate(p) for p in zip(*parts))
    labels = word_predictions(n_words, example, word, label, model.labels)
    scores = [[0.0] * n for n in n_words]
    for e, w, c in zip(example.tolist(), word.tolist(), confidence.tolist()):
        scores[e][w] = c
    return labels, scores
