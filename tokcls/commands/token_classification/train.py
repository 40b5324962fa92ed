"""train: spec -> data -> network (encoder + the task's head) -> Lightning Trainer -> checkpoints and the archive."""

from tokcls.commands.base import Command
from tokcls.commands.token_classification.specs import ProgramTrainConfig

COMMAND = Command(
    "train",
    "fine-tune an encoder on text/labels files; writes checkpoints and a .tcls archive",
    ProgramTrainConfig,
    ("-e", "-r", "-k", "-g"),
    training=True,
)


def run(config, ctx):
    from tokcls.commands.token_classification import span

    if span.wants_span(config):  # model.task=span_classification: the program's second task
        return span.train(config, ctx)
    import pytorch_lightning as pl

    from tokcls.commands.token_classification.per_word import measure_per_word_decoding
    from tokcls.data.labels import read_label_ids
    from tokcls.model.encoder import load_encoder, load_encoder_config, load_tokenizer
    from tokcls.model.encoder_checks import check_window
    from tokcls.model.network import Network
    from tokcls.tasks import get_task
    from tokcls.tasks.token.splits import check_token_data
    from tokcls.training.fit import fit_and_archive, prepare_data
    from tokcls.training.module import TaskModule

    check_token_data(config)
    pl.seed_everything(config.seed, workers=True, verbose=False)
    labels = read_label_ids(config.model.label_ids or f"{config.data_dir}/label_ids.csv")
    tokenizer = load_tokenizer(config.model)
    encoder_config = load_encoder_config(config.model)  # checked before the data is tokenized
    check_window(encoder_config, config.model.dataset.max_seq_length)
    task = get_task("token_classification")
    data = prepare_data(config, tokenizer, labels, ctx.results_dir, task)
    outside = config.model.dataset.pad_label
    head = task.head_settings(config.model.head, [e.labels for e in data.train_examples], outside)
    network = Network.build(
        load_encoder(config.model, encoder_config),
        {"task": task.name, "labels": labels, "outside_label": outside, "head": head},
    )
    decoder = head["decoder"]
    if decoder != "argmax":  # said now, not after training: what each export format keeps of a Viterbi decoder
        print(
            f"note: model.head.decoder={decoder}: export format=onnx keeps the {decoder} decoding; export format=hf "
            "(pipeline()) holds the word scores and decodes each word alone. The F1 that costs is measured on the "
            "validation split when training ends (in the archive, printed by export, in the model card)."
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
        finish=lambda trained: measure_per_word_decoding(trained, tokenizer, config, data.val_examples),
        test_split=test_split(config, tokenizer),
    )


def test_split(config, tokenizer):
    """train's (and fine-tune's) last step: the archived weights scored on test_ds when its text_file is set, the
    reports and the test summary printed."""

    def score(network) -> None:
        from tokcls.data.windows import WindowSettings
        from tokcls.inference.predictor import Predictor
        from tokcls.metrics.summary import format_summary
        from tokcls.tasks.token.scoring import score_split

        if not config.test_ds.get("text_file"):
            return
        dataset = config.model.dataset
        predictor = Predictor(
            network,
            tokenizer,
            WindowSettings(dataset.max_seq_length, dataset.stride),
            config.test_ds.batch_size,
            next(network.parameters()).device,
            dataset.get("context", "sentence"),
        )
        _, _, reports = score_split(predictor, config.data_dir, config.test_ds, progress=False)
        print(
            f"\nTest split {config.test_ds.text_file}:\n{predictor.task.format_reports(reports)}\n\n"
            f"{format_summary(reports['summary'], 'entity level, seqeval', predictor.task.summary_notes)}"
        )

    return score
