"""tune: a hyper-parameter search (Optuna) over the train spec's keys; each trial an ordinary train run (docs/tune.md)."""

from tokcls.commands.base import Command
from tokcls.tasks.text.specs import TextTuneConfig

COMMAND = Command(
    "tune",
    "search hyper-parameters with Optuna: trials of train, resumable, shared by processes on one study",
    TextTuneConfig,
    ("-e", "-r", "-k", "-g"),
    training=True,
)


def run(config, ctx):
    from tokcls.commands.text_classification import train
    from tokcls.tasks.text.specs import TextTrainConfig
    from tokcls.tuning.tune import run_tune

    run_tune(config, ctx, train.run, TextTrainConfig, test_key="file_path")
