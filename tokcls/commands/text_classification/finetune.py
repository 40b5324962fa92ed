"""fine-tune: continue training a text model archive on new labelled texts of the same classes."""

from tokcls.commands.base import Command
from tokcls.tasks.text.specs import TextFineTuneConfig

COMMAND = Command(
    "fine-tune",
    "continue training a model archive on new labelled texts",
    TextFineTuneConfig,
    ("-e", "-r", "-m", "-k", "-g"),
    aliases=("finetune",),
    training=True,
    requires_model=True,
)


def run(config, ctx):
    import pytorch_lightning as pl
    from omegaconf import OmegaConf

    from tokcls.commands.text_classification.steps import after_training, check_monitor_logged
    from tokcls.core.errors import InputError
    from tokcls.model.archive import load_model
    from tokcls.model.encoder_checks import check_window
    from tokcls.tasks import get_task
    from tokcls.tasks.text.examples import text_labels
    from tokcls.training.fit import fit_and_archive, prepare_data
    from tokcls.training.module import TaskModule

    pl.seed_everything(config.seed, workers=True, verbose=False)
    network, tokenizer, trained = load_model(ctx.model, ctx.key)
    check_window(network.encoder.config, config.model.dataset.max_seq_length)
    if network.task != ctx.program:
        raise InputError(f"a {network.task} model", f"fine-tune it with {network.task} fine-tune", ctx.model)
    problem = network.decoder.problem_type
    if config.model.dataset.problem_type.value != problem:
        raise InputError(
            f"model.dataset.problem_type={config.model.dataset.problem_type.value}, but the model is {problem}",
            f"set model.dataset.problem_type={problem}",
        )
    labels = text_labels(config)
    check_monitor_logged(config, labels)
    if labels != network.labels:
        raise InputError(
            f"the new data's classes ({', '.join(labels)}) are not the model's ({', '.join(network.labels)})",
            "convert the new data with the model's label_ids.csv (same names, same order)",
        )
    data = prepare_data(config, tokenizer, labels, ctx.results_dir, get_task(network.task))
    module = TaskModule(network, config.optim, config.model.dataset.class_balancing)
    new_run = {
        k: config[k]
        for k in ("seed", "data_dir", "training_ds", "validation_ds", "test_ds", "optim", "trainer", "exp_manager")
    }
    new_run["model"] = {"dataset": config.model.dataset}
    archive_config = OmegaConf.merge(trained, new_run)
    finish, test_split = after_training(config, data, tokenizer)
    return fit_and_archive(
        config, archive_config, ctx.results_dir, module, data, tokenizer, ctx.key, finish, test_split
    )
