"""train: spec -> texts -> network (encoder + text head) -> Lightning Trainer -> checkpoints and the archive."""

from tokcls.commands.base import Command
from tokcls.tasks.text.specs import TextTrainConfig

COMMAND = Command(
    "train",
    "fine-tune an encoder on labelled texts; writes checkpoints and a .tcls archive",
    TextTrainConfig,
    ("-e", "-r", "-k", "-g"),
    training=True,
)


def run(config, ctx):
    import pytorch_lightning as pl

    from tokcls.commands.text_classification.steps import after_training, check_monitor_logged, text_tokenizer
    from tokcls.model.encoder import load_encoder, load_encoder_config
    from tokcls.model.encoder_checks import check_window
    from tokcls.model.network import Network
    from tokcls.tasks import get_task
    from tokcls.tasks.text.examples import text_labels
    from tokcls.training.fit import fit_and_archive, prepare_data
    from tokcls.training.module import TaskModule

    pl.seed_everything(config.seed, workers=True, verbose=False)
    labels = text_labels(config)
    check_monitor_logged(config, labels)
    tokenizer = text_tokenizer(config.model)
    task = get_task("text_classification")
    encoder_config = load_encoder_config(config.model)  # checked before the data is tokenized
    check_window(encoder_config, config.model.dataset.max_seq_length)
    data = prepare_data(config, tokenizer, labels, ctx.results_dir, task)
    head = task.head_settings(config.model.classifier_head, config.model.dataset.problem_type)
    network = Network.build(
        load_encoder(config.model, encoder_config),
        {"task": task.name, "labels": labels, "outside_label": None, "head": head},
    )
    module = TaskModule(network, config.optim, config.model.dataset.class_balancing)
    finish, test_split = after_training(config, data, tokenizer)
    return fit_and_archive(
        config, config, ctx.results_dir, module, data, tokenizer, ctx.key, finish, test_split, ctx.callbacks
    )
