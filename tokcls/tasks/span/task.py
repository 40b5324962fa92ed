"""Span-based NER as a task: windows of words with their candidate spans, a head on each span's first and last
sub-tokens and width, flat or nested decoding, exact-span reports (seqeval's for flat entities)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import OmegaConf

from tokcls.data.batching import BucketBatchSampler, WindowDataset
from tokcls.data.windows import IGNORE
from tokcls.tasks.base import Decoder, Head, Task, WindowTask
from tokcls.tasks.span.data import read_training_split, window_settings
from tokcls.tasks.span.decoders import FlatDecoder, build_decoder
from tokcls.tasks.span.examples import SpanExample, candidates, pack
from tokcls.tasks.span.features import SpanCollate, SpanWindowSettings, encode
from tokcls.tasks.span.head import SpanHead

HEAD_KEYS = ("num_fc_layers", "fc_dropout", "activation", "use_transformer_init")
SPAN_KEYS = ("max_entity_length", "width_embedding_dim", "decoder", "threshold")


def _value(option):
    return getattr(option, "value", option)


class SpanTask(WindowTask):
    name = "span_classification"
    inference_keys: tuple[str, ...] = ("model.span.decoder", "model.span.threshold")  # what choose_decoder reads
    hf_pipeline, title = "token-classification", "Span NER"  # no HF export: the model card is never written
    summary_notes: dict[str, str] = {}
    default_search_space = {
        "optim.lr": "loguniform(1e-5, 2e-4)",
        "optim.head_lr": "loguniform(1e-4, 3e-3)",
        "model.head.fc_dropout": "uniform(0.0, 0.5)",
    }

    def head_settings(self, model_cfg) -> dict:
        """model.head's layer keys and model.span's keys."""
        settings = {key: _value(model_cfg.head[key]) for key in HEAD_KEYS}
        settings["shape_embedding_dim"] = model_cfg.head.get("shape_embedding_dim", 0)
        settings.update({key: _value(model_cfg.span[key]) for key in SPAN_KEYS})
        settings["inside_mean"] = True  # +0.40 dev F1 on CoNLL-2003 (docs/span.md); archives before it load without
        return settings

    def build_head(self, hidden_size, labels, outside, settings) -> SpanHead:
        return SpanHead(hidden_size, labels, outside, **settings)

    # --- batches
    def collate(self, pad_id: int):
        return SpanCollate(pad_id)

    def head_inputs(self, batch: dict) -> dict[str, torch.Tensor]:
        """The candidate spans, and each word's shape when the windows carry them (the head reads them)."""
        names = ("span_start", "span_end", "span_width") + (("word_shape",) if "word_shape" in batch else ())
        return {name: batch[name] for name in names}

    def example_head_inputs(self, batch: int, length: int, head: dict | None = None) -> dict[str, torch.Tensor]:
        spans = torch.ones(batch, 3, dtype=torch.long)
        example = {"span_start": spans, "span_end": spans * 2, "span_width": spans - 1}
        if head and head.get("shape_embedding_dim"):
            example["word_shape"] = torch.ones(batch, length, dtype=torch.long)
        return example

    def keep(self, batch, scores):
        real = batch["span_id"] >= 0
        example = batch["example"].unsqueeze(1).expand_as(batch["span_id"])[real]
        return example.cpu().numpy(), batch["span_id"][real].cpu().numpy(), scores.float().cpu()[real.cpu()]

    def score_split(self, predictor, data_dir, split_cfg, progress: bool = True):
        """(examples, prediction, reports) of a labelled split: text_file and labels_file (IOB tags or JSON spans)."""
        from tokcls.tasks.span.scoring import score_split

        return score_split(predictor, data_dir, split_cfg, progress)

    def sizes(self, examples) -> list[int]:
        return [len(e.words) for e in examples]

    def encode(self, examples, tokenizer, labels, settings):
        return encode(examples, tokenizer, labels, settings)

    def batches(self, features, batch_size, shuffle, training=False, seed=0, pool=50, rank=0, world=1):
        return WindowDataset(features), BucketBatchSampler(
            features.lengths, batch_size, shuffle, seed, pool=pool, rank=rank, world=world
        )

    # --- data
    def window_settings(self, model_cfg) -> SpanWindowSettings:
        shapes = bool(OmegaConf.select(model_cfg, "head.shape_embedding_dim"))
        return window_settings(model_cfg.dataset, model_cfg.span, shapes)

    def read_training_split(self, name, split_cfg, config, tokenizer, labels, settings, fallback_dir) -> tuple:
        return read_training_split(name, split_cfg, config, tokenizer, labels, settings, fallback_dir)

    def label_stats_dir(self, config) -> Path:
        return Path(config.data_dir)

    def pack(self, examples, documents):
        """Document context: the sentences of each document as one unit, and the candidate spans of each unit."""
        return pack(examples, documents)

    def unlabelled(self, examples) -> list:
        return [SpanExample(e.words, None, e.max_width) for e in examples]

    def records(self, predictor, texts: list[str], words: list | None) -> list[dict]:
        """Each text's record, every text its own document."""
        from tokcls.core.word_split import split_words
        from tokcls.tasks.span.records import records

        return records(predictor, texts, words if words is not None else [split_words(text) for text in texts])

    def answer(self, record: dict, labels: list[str], words: bool):
        from tokcls.tasks.span.records import hf_answer

        return hf_answer(record, words)

    # --- loss and decoding
    def loss(self, decoder, emissions, batch, weight):
        return decoder.loss(emissions, batch["span_label"], weight)

    def loss_total(self, features, weight) -> float:
        labels = torch.as_tensor(features.items["span_label"], dtype=torch.long)
        labels = labels[labels != IGNORE]
        return float(weight.cpu()[labels].sum()) if weight is not None else float(len(labels))

    def span_scores(self, decoder, labels, n_words, example, span, rows, units=None) -> tuple[list[list], torch.Tensor]:
        """(candidate spans of each sentence, their scores in sentence order): a candidate no window held reads as
        certainly no entity. `units`: the candidates of each document unit the rows' examples are (context=document);
        unit after unit they are the sentences' candidates in order."""
        spans = [candidates(n, decoder.max_width) for n in n_words]
        sizes = units if units is not None else [len(s) for s in spans]
        starts: Any = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if sizes else []
        scores = torch.full((sum(len(s) for s in spans), len(labels)), -1e4)
        scores[:, 0] = 0.0
        if len(rows):
            place = torch.as_tensor(np.asarray(starts)[example] + span)
            if len(torch.unique(place)) != len(place):
                raise RuntimeError("a candidate span was scored in two windows: every span must have one owner")
            scores[place] = rows.float()
        return spans, scores

    def decode(self, decoder, labels, n_words, example, word, rows, units=None):
        """Rows of the candidate spans -> each sentence's entities (start, end, type) and their probabilities."""
        spans, scores = self.span_scores(decoder, labels, n_words, example, word, rows, units)
        predicted, confidences, begin = [], [], 0
        for sentence in spans:
            found = decoder.decode(scores[begin : begin + len(sentence)], sentence)
            begin += len(sentence)
            predicted.append([(s, e, labels[t]) for s, e, t, _ in found])
            confidences.append([p for *_, p in found])
        return predicted, confidences, scores

    def gold(self, examples) -> list:
        return [e.spans for e in examples]

    def test_loss(self, decoder, scores, examples, labels) -> float:
        index = {label: i for i, label in enumerate(labels)}
        gold = torch.tensor([index[label] for e in examples for label in e.labels], dtype=torch.long)
        return decoder.gold_loss(scores, gold) / max(1, len(gold))

    # --- reports
    def reports(self, gold, pred, model):
        from tokcls.tasks.span.metrics import nesting, span_report

        report = span_report(gold, pred)
        micro = report["micro avg"]
        return {
            "entity": report,
            "nesting": nesting(gold, pred),
            "summary": {
                "entity_f1": 100 * micro["f1"],
                "entity_precision": 100 * micro["precision"],
                "entity_recall": 100 * micro["recall"],
            },
        }

    def format_reports(self, reports) -> str:
        from tokcls.tasks.span.metrics import format_span_report

        text = format_span_report(reports["entity"], "Entity level (exact spans):")
        nested = reports["nesting"]
        if nested["nested_gold_spans"]:
            text += (
                f"\n\nNested gold spans (inside or around another): {nested['nested_gold_spans']}, "
                f"{nested['recovered']} predicted exactly"
            )
        return text

    def validation_metrics(self, reports):
        micro = reports["entity"]["micro avg"]
        return {
            "val_entity_f1": micro["f1"],
            "val_entity_precision": micro["precision"],
            "val_entity_recall": micro["recall"],
        }

    def report_page(self, examples, runs, model, meta) -> str:
        from tokcls.tasks.span.report_page import span_report_page

        return span_report_page(examples, runs, model.labels, meta)

    def write_results(self, out, examples, pred, reports, labels, split, text: str = ""):
        with out.open("evaluation_report.txt") as f:
            f.write(text + "\n")
        with out.open("evaluation_report.json") as f:
            json.dump(reports, f, indent=2)
        with out.open(f"predictions_{split}.jsonl") as f:
            for example, predicted in zip(examples, pred):
                record = {"words": example.words, "gold": example.spans, "predicted": [list(p) for p in predicted]}
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return ["evaluation_report.txt", "evaluation_report.json", f"predictions_{split}.jsonl"]

    # --- running an archive
    def inference_settings(self, trained_model, wanted_model):
        wanted, trained = wanted_model.dataset, trained_model.dataset
        settings = SpanWindowSettings(
            wanted.max_seq_length or trained.max_seq_length,
            trained.stride if wanted.stride is None else wanted.stride,
            word_shapes=bool(trained_model.head.get("shape_embedding_dim", 0)),  # archives before shapes have none
            max_entity_length=trained_model.span.max_entity_length,
        )
        return settings, wanted.context or trained.get("context", "sentence")

    def choose_decoder(self, model, network, config) -> None:
        """model.span.decoder / threshold of the evaluate or infer spec, when set (null: the archive's)."""
        name = _value(OmegaConf.select(config, "model.span.decoder"))
        threshold = OmegaConf.select(config, "model.span.threshold")
        if name is None and threshold is None:
            return
        settings = network.head.describe()
        decoder = build_decoder(
            name or settings["decoder"],
            settings["threshold"] if threshold is None else threshold,
            settings["max_entity_length"],
        )
        if isinstance(model, torch.nn.Module):
            head: Any = model.head
            head.decoder = decoder
        else:
            model.decoder = decoder

    def exported_decoder(self, description: dict, tensors: dict) -> FlatDecoder:
        head = description["head"]
        return build_decoder(head["decoder"], head["threshold"], head["max_entity_length"])

    def model_facts(self, description, config) -> list[tuple[str, str]]:
        head = description["head"]
        chosen = _value(OmegaConf.select(config, "model.span.decoder")) or head["decoder"]
        return [("decoder", f"{chosen} spans of up to {head['max_entity_length']} words")]

    def model_card_notes(self, network) -> list[str]:
        return []


# The protocols of tasks/base.py this task implements, checked by mypy and by tests/tasks/test_contract.py.
_TASK: type[Task] = SpanTask
_HEAD: type[Head] = SpanHead
_DECODER: type[Decoder] = FlatDecoder
