"""tune: a hyper-parameter search (Optuna) over the train spec's keys; each trial an ordinary train run (docs/tune.md)."""

from tokcls.commands.base import Command
from tokcls.commands.token_classification.specs import ProgramTrainConfig, ProgramTuneConfig

COMMAND = Command(
    "tune",
    "search hyper-parameters with Optuna: trials of train, resumable, shared by processes on one study",
    ProgramTuneConfig,
    ("-e", "-r", "-k", "-g"),
    training=True,
)


def run(config, ctx):
    from tokcls.commands.token_classification import train
    from tokcls.tuning.tune import run_tune

    run_tune(config, ctx, train.run, ProgramTrainConfig, test_key="text_file")
