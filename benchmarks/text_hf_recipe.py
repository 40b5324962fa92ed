"""The Hugging Face `Trainer` recipe for sequence classification (run_classification / run_glue style), the
baseline of text_compare_hf.py, on text_classification's converted files (text<TAB>label id).

As transformers' examples/pytorch/text-classification: AutoModelForSequenceClassification (the encoder's pooler,
a fresh classifier), texts truncated at max_length, DataCollatorWithPadding (random batches, padded to their
longest), AdamW with a linear schedule and warmup; accuracy and macro F1 by scikit-learn on the dev file.

    python benchmarks/text_hf_recipe.py --data-dir DATA --output-dir OUT [--epochs 3 --batch-size 32 ...]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score

from hf_recipe import add_recipe_arguments
from tokcls.data.labels import read_label_ids
from tokcls.data.text_examples import read_text_examples
from tokcls.model.encoder import resolve_encoder


def main(argv=None) -> dict:
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainingArguments)

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--output-dir", required=True)
    add_recipe_arguments(parser)
    args = parser.parse_args(argv)

    data = Path(args.data_dir)
    labels = read_label_ids(data / "label_ids.csv")
    index = {label: i for i, label in enumerate(labels)}
    problem = "single_label_classification"
    train = read_text_examples(data / "train.tsv", labels, problem, num_samples=args.max_train_sentences)
    dev = read_text_examples(data / "dev.tsv", labels, problem, num_samples=args.max_eval_sentences)
    name = resolve_encoder(args.encoder)
    tokenizer = AutoTokenizer.from_pretrained(name)
    model = AutoModelForSequenceClassification.from_pretrained(
        name, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=index)

    def rows(examples):
        encoded = tokenizer([e.text for e in examples], truncation=True, max_length=args.max_length)
        return [{"input_ids": ids, "attention_mask": mask, "labels": index[e.labels[0]]}
                for ids, mask, e in zip(encoded["input_ids"], encoded["attention_mask"], examples)]

    training_args = TrainingArguments(
        output_dir=args.output_dir, num_train_epochs=args.epochs, per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=args.batch_size, learning_rate=args.lr, weight_decay=args.weight_decay,
        warmup_steps=args.warmup_ratio,  # transformers 5: a float in [0, 1) is the warmup ratio
        lr_scheduler_type="linear", seed=args.seed, save_strategy="no", report_to=[], logging_steps=50,
        use_cpu=not torch.cuda.is_available(), dataloader_num_workers=0)
    train_rows = rows(train)
    trainer = Trainer(model=model, args=training_args, train_dataset=train_rows, data_collator=DataCollatorWithPadding(tokenizer))
    start = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    dev_rows = rows(dev)  # tokenizing is part of predicting raw texts
    predicted = trainer.predict(dev_rows).predictions.argmax(-1)
    eval_seconds = time.perf_counter() - start
    gold = [index[e.labels[0]] for e in dev]
    truncated = sum(len(ids) > args.max_length for ids in tokenizer([e.text for e in dev])["input_ids"])
    result = {
        "system": "hf_trainer", "encoder": args.encoder, "train_texts": len(train), "epochs": args.epochs,
        "batch_size": args.batch_size, "lr": args.lr, "max_length": args.max_length,
        "train_seconds": round(train_seconds, 1), "train_texts_per_second": round(len(train) * args.epochs / train_seconds, 2),
        "eval_seconds": round(eval_seconds, 2), "eval_texts_per_second": round(len(dev) / eval_seconds, 1),
        "dev_texts_truncated": truncated, "accuracy": accuracy_score(gold, predicted),
        "macro_f1": f1_score(gold, predicted, average="macro"), "threads": torch.get_num_threads(),
        "train_tokens_per_text": round(float(np.mean([len(r["input_ids"]) for r in train_rows])), 1),
    }
    print(json.dumps(result, indent=2))
    Path(args.output_dir).mkdir(parents=True, exist_ok=True)
    (Path(args.output_dir) / "hf_result.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
