"""Text classification as a task: texts (or pairs) in windows, a head on [CLS] whose window scores are pooled per
text, and scikit-learn/scipy-equal reports for one class, a set of labels, or a value per text."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import torch

from tokcls.core.errors import InputError
from tokcls.data.batching import ItemBatchSampler, WindowDataset
from tokcls.tasks.base import Head, Task, WindowTask
from tokcls.tasks.text.data import read_training_split
from tokcls.tasks.text.decoders import DECODERS, pool
from tokcls.tasks.text.examples import split_path
from tokcls.tasks.text.features import TextWindowSettings, encode_texts, targets, text_items, text_window_settings
from tokcls.tasks.text.head import TextHead

HEAD_KEYS = ("num_output_layers", "fc_dropout", "activation", "use_transformer_init")


class TextTask(WindowTask):
    name = "text_classification"
    inference_keys: tuple[str, ...] = ()  # what choose_decoder reads
    hf_pipeline, title = "text-classification", "Text Classification"  # the model card's pipeline() and task
    # What search.params={} searches (docs/tune.md)
    default_search_space = {
        "optim.lr": "loguniform(1e-5, 2e-4)",
        "optim.head_lr": "loguniform(1e-4, 3e-3)",
        "model.classifier_head.fc_dropout": "uniform(0.0, 0.5)",
    }

    def head_settings(self, head_cfg, problem_type) -> dict:
        """model.classifier_head's keys and model.dataset.problem_type."""
        settings = {key: getattr(head_cfg[key], "value", head_cfg[key]) for key in HEAD_KEYS}
        settings["problem_type"] = getattr(problem_type, "value", problem_type)
        return settings

    def build_head(self, hidden_size, labels, outside, settings) -> TextHead:
        return TextHead(hidden_size, labels, outside, **settings)

    def score_split(self, predictor, data_dir, split_cfg, progress: bool = True):
        """(examples, prediction, reports) of a labelled split: file_path (under data_dir when set)."""
        from tokcls.tasks.text.scoring import score_text_split

        path = split_path(data_dir, split_cfg)
        return score_text_split(predictor, path, split_cfg.num_samples, split_cfg.shuffle, progress)

    def window_settings(self, model_cfg) -> TextWindowSettings:
        """The windows a train or fine-tune spec's model.dataset asks for."""
        return text_window_settings(model_cfg.dataset)

    def read_training_split(self, name, split_cfg, config, tokenizer, labels, settings, fallback_dir) -> tuple:
        """training_ds / validation_ds: a file_path under data_dir."""
        return read_training_split(name, split_cfg, config, tokenizer, labels, settings, fallback_dir)

    def label_stats_dir(self, config) -> Path:
        """Where the training label statistics go: beside the training file."""
        return split_path(config.data_dir, config.training_ds).parent

    def pack(self, examples: list, documents: list[str]) -> tuple[list, list[int]]:
        raise InputError("document context is for token models", "set model.dataset.context=sentence")

    def unlabelled(self, examples: list) -> list:
        return [dataclasses.replace(example, labels=None, value=None) for example in examples]

    def records(self, predictor, texts: list[str], words: list | None) -> list[dict]:
        """A text is classified whole: given words were joined into `texts` already."""
        from tokcls.tasks.text.records import classify

        return [line for line, _ in classify(predictor, texts)]

    def answer(self, record: dict, labels: list[str], words: bool):
        from tokcls.tasks.text.records import hf_answer

        return hf_answer(record, labels)

    def inference_settings(self, trained_model, wanted_model) -> tuple[TextWindowSettings, str]:
        """(window settings, context): the archive's, with max_seq_length and stride as the spec sets them."""
        wanted = wanted_model.dataset
        return text_window_settings(trained_model.dataset, wanted.max_seq_length, wanted.stride), "sentence"

    def choose_decoder(self, model, network, config) -> None:
        """A text model decodes as its problem type says (the spec has no decoder to choose)."""

    def exported_decoder(self, description: dict, tensors: dict):
        """The decoder of an ONNX export: the archive's problem type, its thresholds from model.json."""
        head = description["head"]
        return DECODERS[head["problem_type"]](list(description["labels"]), head.get("thresholds"))

    def model_facts(self, description: dict, config) -> list[tuple[str, str]]:
        """What report.html says of the model besides encoder and labels: the problem type."""
        return [("problem", str(description["head"]["problem_type"]))]

    def model_card_notes(self, network) -> list[str]:
        """Nothing besides the shared card: pipeline() classifies as the archive does (within one window)."""
        return []

    def sizes(self, examples) -> list[int]:
        """One prediction per text."""
        return [1 for _ in examples]

    def encode(self, examples, tokenizer, labels, settings):
        return encode_texts(examples, tokenizer, labels, settings)

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
    ):
        """(dataset, batch sampler): whole texts, never more than batch_size windows a batch; in training a text
        of more windows is cut into parts of batch_size windows (text_items)."""
        items = text_items(features, batch_size if training else None)
        lengths = np.asarray([features.lengths[a:b].max() for a, b in items])
        windows = np.asarray([b - a for a, b in items])
        return WindowDataset(features, items), ItemBatchSampler(
            lengths, windows, batch_size, shuffle, seed, pool, rank, world
        )

    def loss(self, decoder, emissions, batch, weight):
        return decoder.loss(emissions, batch, weight)

    def loss_total(self, features, weight) -> float:
        """The weight of the training loss over one epoch: every training item (a text, or part of a long one) once."""
        items = text_items(features, None)
        if weight is None or features.targets is None or features.targets.shape[1] != 1:
            return float(len(items))
        return float(weight.cpu()[torch.as_tensor(features.targets[:, 0], dtype=torch.long)].sum())

    def text_scores(self, example: np.ndarray, rows: torch.Tensor) -> torch.Tensor:
        """[texts, classes]: the mean score of each text's windows, texts in order."""
        scores, _ = pool(rows.float(), torch.as_tensor(example, dtype=torch.long))
        return scores

    def decode(self, decoder, labels, n_words, example, word, rows, units=None):
        """(predictions: a class list, a label set or a value per text; every class's probability per text; scores)."""
        scores = self.text_scores(example, rows)
        if len(scores) != len(n_words):
            raise RuntimeError(f"{len(n_words) - len(scores)} texts got no window: every text must be encoded")
        return decoder.decode(scores), decoder.probabilities(scores).tolist(), scores

    def gold(self, examples) -> list:
        return [e.value if e.value is not None else e.labels for e in examples]

    def test_loss(self, decoder, scores, examples, labels) -> float:
        gold = torch.from_numpy(targets(examples, labels, decoder.problem_type))
        return decoder.gold_loss(scores, gold) / max(1, len(examples))

    def reports(self, gold, pred, model) -> dict:
        from tokcls.tasks.text.metrics import text_reports  # scikit-learn and scipy: not on infer's path

        return text_reports(gold, pred, model.labels, model.decoder.problem_type)

    def format_reports(self, reports) -> str:
        from tokcls.tasks.text.metrics import format_text_reports

        return format_text_reports(reports)

    def validation_metrics(self, reports):
        if reports["problem_type"] == "regression":
            return {"val_pearson": reports["pearson"], "val_spearman": reports["spearman"], "val_mse": reports["mse"]}
        classes = reports["classes"]
        metrics = {
            "val_micro_f1": classes["micro avg"]["f1"],
            "val_macro_f1": classes["macro avg"]["f1"],
            "val_weighted_f1": classes["weighted avg"]["f1"],
        }
        if reports["problem_type"] == "multi_label_classification":
            return metrics | {"val_subset_accuracy": reports["subset_accuracy"]}
        binary = {"val_f1": reports["glue"]["f1"]} if "f1" in reports["glue"] else {}  # MRPC/QQP's headline metric
        return metrics | {"val_accuracy": reports["accuracy"], "val_mcc": reports["mcc"]} | binary

    def report_page(self, examples, runs, model, meta) -> str:
        from tokcls.tasks.text.report_page import text_report_page

        return text_report_page(examples, runs, model.labels, model.decoder.problem_type, meta)

    def write_results(self, out, examples, pred, reports, labels, split, text: str = ""):
        with out.open("evaluation_report.txt") as f:
            f.write(text + "\n")
        with out.open("evaluation_report.json") as f:
            json.dump(reports, f, indent=2)
        with out.open(f"predictions_{split}.jsonl") as f:  # one line per text: gold and predicted
            for example, predicted in zip(examples, pred):
                gold = example.value if example.value is not None else example.labels
                f.write(
                    json.dumps(
                        {"text": example.text, "text_b": example.text_b, "gold": gold, "predicted": predicted},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        written = ["evaluation_report.txt", "evaluation_report.json", f"predictions_{split}.jsonl"]
        if reports["problem_type"] == "single_label_classification":
            with out.open("confusion_matrix.png", "wb") as f:
                from tokcls.metrics.plots import plot_confusion_matrix

                plot_confusion_matrix([e.labels for e in examples], pred, labels, f, unit="texts")
            written.append("confusion_matrix.png")
        return written


# The protocols of tasks/base.py this task implements, checked by mypy (structurally) and by
# tests/tasks/test_contract.py (at run time, on a trained network).
_TASK: type[Task] = TextTask
_HEAD: type[Head] = TextHead
