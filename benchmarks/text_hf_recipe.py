"""The Hugging Face `Trainer` recipe for sequence classification (run_classification / run_glue style), the
baseline of text_compare_hf.py, on text_classification's converted files (text<TAB>label id).

As transformers' examples/pytorch/text-classification: AutoModelForSequenceClassification (the encoder's pooler,
a fresh classifier), texts truncated at max_length, DataCollatorWithPadding (random batches, padded to their
longest), AdamW with a linear schedule and warmup; accuracy and macro F1 by scikit-learn on the dev file; inference
timed as pipeline("text-classification") over the dev texts, model load included, as tokcls's infer is timed.

    python benchmarks/text_hf_recipe.py --data-dir DATA --output-dir OUT [--epochs 3 --batch-size 32 ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from hf_recipe import add_recipe_arguments, training_arguments, write_result
from sklearn.metrics import accuracy_score, f1_score

from tokcls.data.labels import read_label_ids
from tokcls.model.encoder import resolve_encoder
from tokcls.tasks.text.examples import read_text_examples


def main(argv=None) -> dict:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer

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
        name, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=index
    )

    def rows(examples):
        encoded = tokenizer([e.text for e in examples], truncation=True, max_length=args.max_length)
        return [
            {"input_ids": ids, "attention_mask": mask, "labels": index[e.labels[0]]}
            for ids, mask, e in zip(encoded["input_ids"], encoded["attention_mask"], examples)
        ]

    training_args = training_arguments(args)
    train_rows = rows(train)
    trainer = Trainer(
        model=model, args=training_args, train_dataset=train_rows, data_collator=DataCollatorWithPadding(tokenizer)
    )
    start = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - start
    predicted = trainer.predict(rows(dev)).predictions.argmax(-1)
    # inference as a user runs it, timed as tokcls's infer is (model load included): the saved model in pipeline()
    folder = Path(args.output_dir) / "model"
    trainer.save_model(str(folder))
    tokenizer.save_pretrained(str(folder))
    from transformers import pipeline

    start = time.perf_counter()
    classify = pipeline("text-classification", model=str(folder), device="cpu")
    classify([e.text for e in dev], batch_size=args.batch_size, truncation=True, max_length=args.max_length)
    eval_seconds = time.perf_counter() - start
    gold = [index[e.labels[0]] for e in dev]
    truncated = sum(len(ids) > args.max_length for ids in tokenizer([e.text for e in dev])["input_ids"])
    result = {
        "system": "hf_trainer",
        "encoder": args.encoder,
        "train_texts": len(train),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "max_length": args.max_length,
        "train_seconds": round(train_seconds, 1),
        "train_texts_per_second": round(len(train) * args.epochs / train_seconds, 2),
        "eval_seconds": round(eval_seconds, 2),
        "eval_texts_per_second": round(len(dev) / eval_seconds, 1),
        "dev_texts_truncated": truncated,
        "accuracy": accuracy_score(gold, predicted),
        "macro_f1": f1_score(gold, predicted, average="macro"),
        "threads": torch.get_num_threads(),
        "train_tokens_per_text": round(float(np.mean([len(r["input_ids"]) for r in train_rows])), 1),
    }
    return write_result(args, result)


if __name__ == "__main__":
    main()
