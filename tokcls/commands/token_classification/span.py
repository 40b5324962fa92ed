"""token_classification's wiring of its second task, span NER (model.task=span_classification; tokcls/tasks/span/):
train and fine-tune around the shared fit, train's test split, and infer's records. evaluate, export and tune are
the program's own commands: they ask the archive's task."""

from __future__ import annotations

import json

SPAN = "span_classification"


def wants_span(config) -> bool:
    from omegaconf import OmegaConf

    return getattr(OmegaConf.select(config, "model.task"), "value", OmegaConf.select(config, "model.task")) == SPAN


def test_split(config, tokenizer, settings):
    """The archived weights scored on test_ds when its text_file is set; the reports and the summary printed."""

    def score(network) -> None:
        from tokcls.inference.predictor import Predictor
        from tokcls.metrics.summary import format_summary

        if not config.test_ds.get("text_file"):
            return
        device = next(network.parameters()).device
        predictor = Predictor(network, tokenizer, settings, config.test_ds.batch_size, device)
        _, _, reports = predictor.task.score_split(predictor, config.data_dir, config.test_ds, progress=False)
        print(
            f"\nTest split {config.test_ds.text_file}:\n{predictor.task.format_reports(reports)}\n\n"
            f"{format_summary(reports['summary'], 'exact spans')}"
        )

    return score


def train(config, ctx):
    import pytorch_lightning as pl

    from tokcls.data.labels import read_label_ids
    from tokcls.model.encoder import load_encoder, load_encoder_config, load_tokenizer
    from tokcls.model.encoder_checks import check_window
    from tokcls.model.network import Network
    from tokcls.tasks import get_task
    from tokcls.tasks.span.examples import entity_types
    from tokcls.tasks.token.splits import check_token_data
    from tokcls.training.fit import fit_and_archive, prepare_data
    from tokcls.training.module import TaskModule

    check_token_data(config)  # the same files as the token task's: text and labels per split
    pl.seed_everything(config.seed, workers=True, verbose=False)
    labels = entity_types(read_label_ids(config.model.label_ids or f"{config.data_dir}/label_ids.csv"))
    tokenizer = load_tokenizer(config.model)
    encoder_config = load_encoder_config(config.model)
    check_window(encoder_config, config.model.dataset.max_seq_length)
    task = get_task(SPAN)
    data = prepare_data(config, tokenizer, labels, ctx.results_dir, task)
    head = task.head_settings(config.model)
    network = Network.build(
        load_encoder(config.model, encoder_config),
        {"task": SPAN, "labels": labels, "outside_label": labels[0], "head": head},
    )
    module = TaskModule(network, config.optim, config.model.class_balancing)
    return fit_and_archive(
        config,
        config,
        ctx.results_dir,
        module,
        data,
        tokenizer,
        ctx.key,
        callbacks=ctx.callbacks,
        test_split=test_split(config, tokenizer, data.settings),
    )


def finetune(config, ctx, network, tokenizer, trained):
    """Fine-tune a span archive: its candidate spans (model.span of its training) on the new data."""
    from omegaconf import OmegaConf

    from tokcls.core.errors import InputError
    from tokcls.data.labels import read_label_ids
    from tokcls.tasks import get_task
    from tokcls.tasks.span.examples import entity_types
    from tokcls.training.fit import fit_and_archive, prepare_data
    from tokcls.training.module import TaskModule

    label_file = config.model.label_ids or f"{config.data_dir}/label_ids.csv"
    unknown = [t for t in entity_types(read_label_ids(label_file)) if t not in network.labels]
    if unknown:
        raise InputError(
            f"the new data has entity types the model lacks: {', '.join(unknown)}",
            f"a span model's types are fixed: map them to its types ({', '.join(network.labels[1:])})",
            label_file,
        )
    # the data read as the archive's candidate spans are (its model.span); the fine-tune spec has no span keys
    shapes = network.head.describe().get("shape_embedding_dim", 0)  # 0: the head reads no word shapes
    head = {"span": trained.model.span, "head": {"shape_embedding_dim": shapes}}
    data_config = OmegaConf.merge(OmegaConf.to_container(config), {"model": head})
    data = prepare_data(data_config, tokenizer, network.labels, ctx.results_dir, get_task(SPAN))
    module = TaskModule(network, config.optim, config.model.class_balancing)
    keys = ("seed", "data_dir", "training_ds", "validation_ds", "test_ds", "optim", "trainer", "exp_manager")
    new_run = {k: config[k] for k in keys}
    new_run["model"] = {k: config.model[k] for k in ("class_balancing", "dataset")}
    return fit_and_archive(
        config,
        OmegaConf.merge(trained, new_run),
        ctx.results_dir,
        module,
        data,
        tokenizer,
        ctx.key,
        test_split=test_split(config, tokenizer, data.settings),
    )


def infer_writer(predictor, config, show, document_mode):
    """write_chunk for stream_records: per line its words with offsets and its entities (nested ones included).
    `document_mode(predictor, config, chunk)`: whether blank lines separate documents (decided on the first chunk)."""
    from tokcls.commands.shared.infer import printable
    from tokcls.core.word_split import split_words
    from tokcls.tasks.span.records import records

    documents = []  # document mode, decided on the first chunk

    def write_chunk(chunk: list[str], sink) -> None:
        if not documents:
            documents.append(document_mode(predictor, config, chunk))
        words = [split_words(text) for text in chunk]
        for record in records(predictor, chunk, words, config.input_file is not None, documents[0]):
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            entities = " ".join(f"[{e['type']}: {e['text']}]" for e in record["entities"])
            show(printable(record["text"]), printable(entities))

    return write_chunk


def refuse_hf() -> None:
    from tokcls.core.errors import InputError

    raise InputError(
        "a span model has no Hugging Face model class: transformers' pipeline() labels words, it cannot score "
        "candidate spans",
        "export it with format=onnx (the span scores, decoded outside the graph by infer runtime=onnx)",
    )


SAMPLE = [["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."], ["Peter", "Blackburn"]]


def compare(network, exported, tokenizer) -> tuple[float, bool]:
    """(largest span-score difference, same entities) between the archive and its ONNX export on SAMPLE; both decode
    the archive's scores with their own decoders."""
    from tokcls.inference.predictor import Predictor
    from tokcls.tasks.span.examples import SpanExample
    from tokcls.tasks.span.features import SpanWindowSettings

    width = network.decoder.max_width
    examples = [SpanExample(words, None, width) for words in SAMPLE]
    settings = SpanWindowSettings(max_entity_length=width)
    ours, theirs = (Predictor(model, tokenizer, settings, 8).run(examples) for model in (network, exported))
    return float((ours.scores - theirs.scores).abs().max()), ours.labels == theirs.labels
