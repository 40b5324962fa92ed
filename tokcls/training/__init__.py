"""Training machinery: optimizers and schedules, the experiment directory, checkpoints, logs."""
