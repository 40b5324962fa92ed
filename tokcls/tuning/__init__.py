"""tune: hyper-parameter search with Optuna over the train spec (search space, study, trials, outputs)."""
