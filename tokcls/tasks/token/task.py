"""Token classification as a task: windows of words, a head with a decoder, seqeval-equal reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from omegaconf import OmegaConf

from tokcls.core.errors import InputError
from tokcls.data.batching import BucketBatchSampler, WindowDataset
from tokcls.data.windows import IGNORE, WindowSettings
from tokcls.tasks.base import Decoder, Head, Task, WindowTask
from tokcls.tasks.token.data import read_training_split, window_settings
from tokcls.tasks.token.decoders import TRANSITION_NAMES, ArgmaxDecoder, ExportedDecoder, build_decoder
from tokcls.tasks.token.documents import pack
from tokcls.tasks.token.examples import Example
from tokcls.tasks.token.features import encode
from tokcls.tasks.token.head import TokenHead
from tokcls.tasks.token.words import per_sentence, word_scores


class TokenTask(WindowTask):
    name = "token_classification"
    inference_keys: tuple[str, ...] = ("model.head.decoder",)  # what choose_decoder reads
    hf_pipeline, title = "token-classification", "Token Classification"  # the model card's pipeline() and task
    # What search.params={} searches (docs/tune.md): the keys that move results most after a first run
    default_search_space = {
        "optim.lr": "loguniform(1e-5, 2e-4)",
        "optim.head_lr": "loguniform(1e-4, 3e-3)",
        "model.head.fc_dropout": "uniform(0.0, 0.5)",
    }

    summary_notes = {
        "token_macro_f1": "token_macro_f1 is the macro avg row of the token table: the value TAO prints as f1"
    }

    def head_settings(self, head_cfg, train_labels: list[list[str]], outside: str) -> dict:
        """model.head's keys, and the tag scheme of the training labels (the constrained decoder's rules)."""
        settings = {
            key: getattr(head_cfg[key], "value", head_cfg[key])
            for key in ("num_fc_layers", "fc_dropout", "activation", "use_transformer_init", "decoder")
        }
        settings["shape_embedding_dim"] = head_cfg.get("shape_embedding_dim", 0)
        from tokcls.tasks.token.metrics import tag_scheme  # seqeval (and scikit-learn): not on infer's path

        settings["scheme"] = tag_scheme(train_labels, outside).value
        return settings

    def build_head(self, hidden_size: int, labels: list[str], outside: str, settings: dict) -> TokenHead:
        return TokenHead(hidden_size, labels, outside, **settings)

    def window_settings(self, model_cfg) -> WindowSettings:
        """The windows a train or fine-tune spec's model.dataset asks for."""
        return window_settings(model_cfg.dataset, bool(OmegaConf.select(model_cfg, "head.shape_embedding_dim")))

    def read_training_split(self, name, split_cfg, config, tokenizer, labels, settings, fallback_dir) -> tuple:
        """training_ds / validation_ds: text_file + labels_file (+ docs_<split>.txt with document context)."""
        return read_training_split(name, split_cfg, config, tokenizer, labels, settings, fallback_dir)

    def label_stats_dir(self, config) -> Path | None:
        """Where the training label statistics go: data_dir, beside label_ids.csv."""
        return Path(config.data_dir) if config.data_dir else None

    def pack(self, examples: list, documents: list[str]) -> tuple[list, list[int]]:
        """Document context: the sentences of each document as one unit, and the words of each unit."""
        return pack(examples, documents)

    def unlabelled(self, examples: list) -> list:
        return [Example(example.words, None) for example in examples]

    def records(self, predictor, texts: list[str], words: list | None) -> list[dict]:
        from tokcls.tasks.token.records import records

        return records(predictor, texts, words)

    def answer(self, record: dict, labels: list[str], words: bool):
        from tokcls.tasks.token.records import hf_answer

        return hf_answer(record, words)

    def inference_settings(self, trained_model, wanted_model) -> tuple[WindowSettings, str]:
        """(window settings, context) evaluate and infer run with: the archive's model.dataset (`trained`) unless the
        spec's model.dataset (`wanted`) sets them."""
        trained, wanted = trained_model.dataset, wanted_model.dataset
        settings = WindowSettings(
            wanted.max_seq_length or trained.max_seq_length,
            trained.stride if wanted.stride is None else wanted.stride,
            word_shapes=bool(trained_model.head.get("shape_embedding_dim", 0)),  # archives before shapes have none
        )
        return settings, wanted.context or trained.get("context", "sentence")  # archives before document context

    def choose_decoder(self, model, network, config) -> None:
        """Decode with model.head.decoder when the spec names one (null: the one the model was trained with); `model`
        is the network itself, its int8 copy, or its ONNX export."""
        name = OmegaConf.select(config, "model.head.decoder")
        name = getattr(name, "value", name)
        trained = network.head.describe()["decoder"]
        if name is None or name == trained:
            return  # the model's own (an ONNX export of a Viterbi decoder carries its transitions)
        if name == "crf":
            raise InputError(
                f"model.head.decoder=crf, but this model was trained with {trained}: a CRF's transitions are "
                "learned in training",
                "use argmax or constrained, or train with model.head.decoder=crf",
            )
        if isinstance(model, torch.nn.Module):
            head: Any = model.head  # the network's own head or its int8 copy's
            head.use_decoder(name, network.labels, network.outside_label)
        else:
            model.decoder = build_decoder(
                name, network.labels, network.head.describe()["scheme"], network.outside_label
            )

    def exported_decoder(self, description: dict, tensors: dict) -> ArgmaxDecoder:
        """The decoder of an ONNX export: Viterbi over the transition scores the graph carries, or argmax."""
        labels, outside, scheme = description["labels"], description["outside_label"], description["head"]["scheme"]
        if tensors:
            return ExportedDecoder(labels, scheme, outside, tuple(tensors[name] for name in TRANSITION_NAMES))
        return ArgmaxDecoder(labels, scheme, outside)

    def model_facts(self, description: dict, config) -> list[tuple[str, str]]:
        """What report.html says of the model besides encoder and labels: the decoder it runs with."""
        chosen = OmegaConf.select(config, "model.head.decoder")
        return [("decoder", str(getattr(chosen, "value", chosen) or description["head"]["decoder"]))]

    def model_card_notes(self, network) -> list[str]:
        from tokcls.tasks.token.hf_export import model_card_notes

        return model_card_notes(network)

    def describe_format1(self, config, labels: list[str]) -> dict:
        """The description a format-1 archive implies (its head keys in config.yaml, argmax decoding)."""
        head = {
            key: getattr(config.model.head[key], "value", config.model.head[key])
            for key in ("num_fc_layers", "fc_dropout", "activation", "use_transformer_init")
        }
        outside = config.model.dataset.pad_label
        from tokcls.tasks.token.metrics import tag_scheme

        head.update(decoder="argmax", scheme=tag_scheme([labels], outside).value)  # the label names show the scheme
        return {"task": self.name, "labels": labels, "outside_label": outside, "head": head}

    def score_split(self, predictor, data_dir, split_cfg, progress: bool = True):
        """(examples, prediction, reports) of a labelled split: text_file and labels_file under data_dir."""
        from tokcls.tasks.token.scoring import score_split

        return score_split(predictor, data_dir, split_cfg, progress)

    def sizes(self, examples) -> list[int]:
        """The words of each sentence."""
        return [len(e.words) for e in examples]

    def encode(self, examples, tokenizer, labels, settings):
        return encode(examples, tokenizer, labels, settings)

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
        """(dataset, batch sampler): windows of similar length, batch_size a batch."""
        return WindowDataset(features), BucketBatchSampler(
            features.lengths, batch_size, shuffle, seed, pool=pool, rank=rank, world=world
        )

    def loss(self, decoder, emissions, batch, weight):
        return decoder.loss(emissions, batch["labels"], batch["word_index"], weight)

    def loss_total(self, features, weight) -> float:
        """The weight of the training loss over one epoch: every labelled word (class-weighted)."""
        labels = torch.as_tensor(features.labels, dtype=torch.long)
        labels = labels[labels != IGNORE]
        return float(weight.cpu()[labels].sum()) if weight is not None else float(len(labels))

    def gold(self, examples) -> list:
        return [e.labels for e in examples]

    def test_loss(self, decoder, scores, examples, labels) -> float:
        """The decoder's loss per word of gold-labelled examples."""
        index = {label: i for i, label in enumerate(labels)}
        gold = torch.tensor([index[label] for e in examples for label in e.labels], dtype=torch.long)
        n_words = [len(e.words) for e in examples]
        return decoder.gold_loss(scores, gold, n_words) / max(1, sum(n_words))

    def decode(self, decoder, labels, n_words, example, word, rows, units=None):
        """Rows predicted at owned first sub-tokens -> word scores in sentence order -> the decoder's labels,
        each sentence decoded on its own. With document context the rows' examples are document units
        (`units`: the words of each); unit after unit, their words are the sentences' words in order."""
        scores = word_scores(units if units is not None else n_words, example, word, rows)
        ids, confidences = decoder.decode(scores, n_words)
        names = [labels[i] for i in ids.tolist()]
        return per_sentence(names, n_words), per_sentence(confidences.tolist(), n_words), scores

    def reports(self, gold, pred, model):
        from tokcls.tasks.token.metrics import all_reports

        reports = all_reports(gold, pred, model.labels, model.outside_label)
        micro = reports["entity"]["micro avg"]
        # Named for what they are: TAO's own "f1" is the token table's macro average (docs/tao.md), seqeval's entity
        # micro average is what NER papers report.
        reports["summary"] = {
            "entity_f1": 100 * micro["f1"],
            "entity_precision": 100 * micro["precision"],
            "entity_recall": 100 * micro["recall"],
            "token_macro_f1": 100 * reports["token"]["macro avg"]["f1"],
        }
        return reports

    def format_reports(self, reports) -> str:
        from tokcls.tasks.token.metrics import format_reports

        return format_reports(reports)

    def validation_metrics(self, reports):
        return {
            "val_entity_f1": reports["entity"]["micro avg"]["f1"],
            "val_entity_precision": reports["entity"]["micro avg"]["precision"],
            "val_entity_recall": reports["entity"]["micro avg"]["recall"],
            "val_token_f1": reports["token"]["micro avg"]["f1"],
            "val_token_macro_f1": reports["token"]["macro avg"]["f1"],
        }

    def report_page(self, examples, runs, model, meta) -> str:
        from tokcls.tasks.token.report.page import token_report_page

        for run in runs[1:]:  # evaluate -m TOKEN -m OTHER: this page compares word labels
            if any(sentence and not isinstance(sentence[0], str) for sentence in run.pred):
                raise InputError(
                    f"{run.name} predicts spans, not a label per word: this model's report.html cannot draw them",
                    "give the span archive first (evaluate -m SPAN -m TOKEN): its page reads word labels as entities",
                )
        return token_report_page(examples, runs, model.labels, model.outside_label, meta)

    def write_results(self, out, examples, pred, reports, labels, split, text: str = ""):
        with out.open("evaluation_report.txt") as f:
            f.write(text + "\n")
        with out.open("evaluation_report.json") as f:
            json.dump(reports, f, indent=2)
        with out.open(f"predictions_{split}.txt") as f:  # CoNLL columns for error analysis
            for example, predicted in zip(examples, pred):
                f.writelines(f"{w} {g} {p}\n" for w, g, p in zip(example.words, example.labels, predicted))
                f.write("\n")
        with out.open("confusion_matrix.png", "wb") as f:
            from tokcls.metrics.plots import plot_confusion_matrix  # matplotlib and scikit-learn: evaluate only

            plot_confusion_matrix([e.labels for e in examples], pred, labels, f)
        return ["evaluation_report.txt", "evaluation_report.json", f"predictions_{split}.txt", "confusion_matrix.png"]


# The protocols of tasks/base.py this task implements, checked by mypy (structurally) and by
# tests/tasks/test_contract.py (at run time, on a trained network).
_TASK: type[Task] = TokenTask
_HEAD: type[Head] = TokenHead
_DECODER_ARGMAX: type[Decoder] = ArgmaxDecoder
_DECODER_EXPORTED: type[Decoder] = ExportedDecoder
