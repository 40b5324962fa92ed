"""The Hugging Face `Trainer` recipe (run_ner style) on tokcls's text/labels files, as the baseline.

Same choices as transformers' examples/pytorch/token-classification/run_ner.py: first sub-token
labelled (others -100), truncation at max_length, DataCollatorForTokenClassification (dynamic
padding, random batches), AdamW with linear schedule and warmup, seqeval on the words. Words cut
off by truncation get no prediction and count as "O" (missed), since a user of the recipe loses them.

    python benchmarks/hf_recipe.py --data-dir DATA --output-dir OUT [--epochs 3 --batch-size 32 ...]

Needs `accelerate` (pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

from tokcls.data.labels import read_label_ids
from tokcls.model.encoder import resolve_encoder
from tokcls.tasks.token.examples import read_examples


def tokenize(examples, tokenizer, label_id, max_length):
    rows = []
    for example in examples:
        enc = tokenizer(example.words, is_split_into_words=True, truncation=True, max_length=max_length)
        labels, previous = [], None
        for word in enc.word_ids():
            labels.append(-100 if word is None or word == previous else label_id[example.labels[word]])
            previous = word
        rows.append({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels})
    return rows


def predict_words(trainer, rows, examples, tokenizer, labels, max_length):
    """Word-level predictions from the first sub-token; truncated words are predicted 'O'."""
    output = trainer.predict(rows)
    predictions = []
    for example, _row, logits in zip(examples, rows, output.predictions):
        enc = tokenizer(example.words, is_split_into_words=True, truncation=True, max_length=max_length)
        words = ["O"] * len(example.words)
        seen = set()
        for position, word in enumerate(enc.word_ids()):
            if word is not None and word not in seen:
                seen.add(word)
                words[word] = labels[int(np.argmax(logits[position]))]
        predictions.append(words)
    return predictions


def add_recipe_arguments(parser: argparse.ArgumentParser) -> None:
    """The training settings, shared with compare_hf.py so both systems get the same ones."""
    parser.add_argument("--encoder", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--warmup-ratio", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-train-sentences", type=int, default=-1, help="first N training sentences (-1: all)")
    parser.add_argument("--max-eval-sentences", type=int, default=-1, help="first N scored sentences (-1: all)")


def training_arguments(args):
    """The Trainer's settings from the recipe arguments (shared with text_hf_recipe.py)."""
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=args.output_dir,
        num_train_epochs=args.epochs,
        per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=args.batch_size,
        learning_rate=args.lr,
        weight_decay=args.weight_decay,
        warmup_steps=args.warmup_ratio,  # transformers 5: a float in [0, 1) is the warmup ratio
        lr_scheduler_type="linear",
        seed=args.seed,
        save_strategy="no",
        report_to=[],
        logging_steps=50,
        use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0,
    )


def write_result(args, result: dict) -> dict:
    """Print the recipe's result and keep it as OUTPUT/hf_result.json (what the comparisons read)."""
    print(json.dumps(result, indent=2))
    Path(args.output_dir).mkdir(parents=True, exist_ok=True)
    (Path(args.output_dir) / "hf_result.json").write_text(json.dumps(result, indent=2))
    return result


def main(argv=None) -> dict:
    from transformers import AutoModelForTokenClassification, AutoTokenizer, DataCollatorForTokenClassification, Trainer

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--output-dir", required=True)
    add_recipe_arguments(parser)
    parser.add_argument("--eval-split", default="dev")
    parser.add_argument(
        "--save-model", action="store_true", help="save the trained model and tokenizer to OUTPUT/model"
    )
    args = parser.parse_args(argv)

    data = Path(args.data_dir)
    labels = read_label_ids(data / "label_ids.csv")
    label_id = {label: i for i, label in enumerate(labels)}
    train = read_examples(data / "text_train.txt", data / "labels_train.txt", args.max_train_sentences)
    evaluation = read_examples(
        data / f"text_{args.eval_split}.txt", data / f"labels_{args.eval_split}.txt", args.max_eval_sentences
    )
    name = resolve_encoder(args.encoder)
    tokenizer = AutoTokenizer.from_pretrained(name)
    model = AutoModelForTokenClassification.from_pretrained(
        name, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label_id
    )
    training_args = training_arguments(args)
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=tokenize(train, tokenizer, label_id, args.max_length),
        data_collator=DataCollatorForTokenClassification(tokenizer),
    )
    start = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - start
    if args.save_model:  # for the pipeline() comparison
        trainer.save_model(str(Path(args.output_dir) / "model"))
        tokenizer.save_pretrained(str(Path(args.output_dir) / "model"))

    rows = tokenize(evaluation, tokenizer, label_id, args.max_length)
    start = time.perf_counter()
    pred = predict_words(trainer, rows, evaluation, tokenizer, labels, args.max_length)
    eval_seconds = time.perf_counter() - start
    gold = [e.labels for e in evaluation]
    truncated = sum(
        len(tokenizer(e.words, is_split_into_words=True)["input_ids"]) > args.max_length for e in evaluation
    )
    result = {
        "system": "hf_trainer",
        "encoder": args.encoder,
        "train_sentences": len(train),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "train_seconds": round(train_seconds, 1),
        "train_sentences_per_second": round(len(train) * args.epochs / train_seconds, 2),
        "eval_seconds": round(eval_seconds, 1),
        "eval_sentences_truncated": truncated,
        "entity_f1": f1_score(gold, pred),
        "entity_precision": precision_score(gold, pred),
        "entity_recall": recall_score(gold, pred),
        "threads": torch.get_num_threads(),
    }
    print(classification_report(gold, pred, digits=4))
    return write_result(args, result)


if __name__ == "__main__":
    main()
