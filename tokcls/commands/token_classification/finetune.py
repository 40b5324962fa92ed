"""fine-tune: a model archive + new data -> more training (encoder and head) -> a new archive."""

from tokcls.commands.base import Command
from tokcls.tasks.token.specs import FineTuneConfig

COMMAND = Command(
    "fine-tune",
    "continue training a model archive (encoder and head) on new data",
    FineTuneConfig,
    ("-e", "-r", "-m", "-k", "-g"),
    aliases=("finetune",),
    requires_model=True,
    training=True,
)


def new_label_bias(predictor, examples) -> float:
    """The score new labels start at: low enough on the words of `examples` that the model decodes them as it
    did (the decoder knows what that takes)."""
    from tokcls.tasks.token.examples import Example

    scores = predictor.run([Example(e.words, None) for e in examples]).scores
    return predictor.model.decoder.new_label_bias(scores)


def run(config, ctx):
    from pathlib import Path

    import pytorch_lightning as pl
    from omegaconf import OmegaConf

    from tokcls.commands.token_classification import span
    from tokcls.commands.token_classification.per_word import measure_per_word_decoding
    from tokcls.commands.token_classification.train import test_split
    from tokcls.core.errors import InputError
    from tokcls.data.labels import read_label_ids
    from tokcls.inference.predictor import Predictor
    from tokcls.model.archive import load_model
    from tokcls.model.encoder_checks import check_window
    from tokcls.tasks import get_task
    from tokcls.tasks.token.splits import check_token_data
    from tokcls.training.fit import fit_and_archive, prepare_data
    from tokcls.training.module import TaskModule

    check_token_data(config)  # before the model loads
    pl.seed_everything(config.seed, workers=True, verbose=False)
    network, tokenizer, trained = load_model(ctx.model, ctx.key)
    if network.task == span.SPAN:  # the program's second task: its own labels and candidate spans
        return span.finetune(config, ctx, network, tokenizer, trained)
    check_window(network.encoder.config, config.model.dataset.max_seq_length)
    label_file = Path(config.model.label_ids or Path(config.data_dir) / "label_ids.csv")
    unknown = [label for label in read_label_ids(label_file) if label not in network.labels]
    if unknown and not config.model.extend_labels:
        raise InputError(
            f"the new data has labels the model lacks: {', '.join(unknown)}",
            "set model.extend_labels=true to add them to the model, or map them to its labels "
            f"({', '.join(network.labels)})",
            label_file,
        )

    # the data read as the archive's head reads it (word shapes or not); the fine-tune spec has no head keys
    shapes = network.head.describe().get("shape_embedding_dim", 0)  # 0: the head reads no word shapes
    data_config = OmegaConf.merge(OmegaConf.to_container(config), {"model": {"head": {"shape_embedding_dim": shapes}}})
    data = prepare_data(data_config, tokenizer, network.labels + unknown, ctx.results_dir, get_task(network.task))
    if unknown:
        predictor = Predictor(network, tokenizer, data.settings, config.training_ds.batch_size)
        network.extend_labels(unknown, bias=new_label_bias(predictor, data.train_examples))
        print(f"Added labels {', '.join(unknown)} to the model")
    module = TaskModule(network, config.optim, config.model.class_balancing)

    # The archive keeps the architecture from the original training and records the new run.
    new_run = {
        k: config[k]
        for k in ("seed", "data_dir", "training_ds", "validation_ds", "test_ds", "optim", "trainer", "exp_manager")
    }
    new_run["model"] = {k: config.model[k] for k in ("class_balancing", "dataset")}
    archive_config = OmegaConf.merge(trained, new_run)
    return fit_and_archive(
        config,
        archive_config,
        ctx.results_dir,
        module,
        data,
        tokenizer,
        ctx.key,
        finish=lambda trained: measure_per_word_decoding(trained, tokenizer, config, data.val_examples),
        test_split=test_split(config, tokenizer),
    )
