"""The tune spec: the train spec of its program plus a `search` section (docs/tune.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional

from tokcls.config.sections import _help


class SamplerName(str, Enum):
    tpe = "tpe"
    random = "random"
    grid = "grid"


class PrunerName(str, Enum):
    median = "median"
    hyperband = "hyperband"
    none = "none"


GRAMMAR = (
    "Each entry is `spec.key: distribution`: loguniform(low, high), uniform(low, high), uniform(low, high, "
    "step=s), int(low, high), int(low, high, step=s), logint(low, high), choice(a, b, ...). The key is any "
    "key of the train spec (e.g. optim.lr); its values are checked against the key's type and range before "
    "the first trial."
)


@dataclass
class SearchConfig:
    """What tune searches, how, and where the study is kept (Optuna)."""

    n_trials: int = field(
        default=20,
        metadata=_help(
            "Trials to finish (completed or pruned), counted over every process that shares the study; a re-run of the "
            "command continues until there are this many.",
            ge=1,
        ),
    )
    timeout: Optional[float] = field(
        default=None,
        metadata=_help(
            "Seconds after which this process starts no new trial (the running one finishes); null: no limit.", gt=0
        ),
    )
    sampler: SamplerName = field(
        default=SamplerName.tpe,
        metadata=_help(
            "tpe (Optuna's default, Bayesian), random, or grid (every combination of choice(...)/int(...) values once)."
        ),
    )
    startup_trials: int = field(
        default=4,
        metadata=_help(
            "tpe: random trials before it models the results (Optuna's default, 10, is more than most searches here run).",
            ge=0,
        ),
    )
    pruner: PrunerName = field(
        default=PrunerName.median,
        metadata=_help(
            "Stop a trial whose monitored metric, after a validation, is worse than the median of the earlier trials at the "
            "same validation (median), or Hyperband's rungs (hyperband); none: every trial runs to its end."
        ),
    )
    pruner_startup_trials: int = field(
        default=2, metadata=_help("Trials finished before any trial can be pruned.", ge=0)
    )
    pruner_warmup_validations: int = field(
        default=0, metadata=_help("Validations (one per epoch by default) a trial runs before it can be pruned.", ge=0)
    )
    storage: Optional[str] = field(
        default=None,
        metadata=_help(
            "Where the study is kept: any database URL Optuna accepts (postgresql://user:password@host/db to share a "
            "study between machines); null: sqlite:///RESULTS/study.db, for the processes of one machine."
        ),
    )
    study_name: Optional[str] = field(
        default=None,
        metadata=_help(
            "The study's name in the storage; null: exp_manager.name. Processes given the same storage and name share "
            "the work; a re-run continues the study."
        ),
    )
    params: Dict[str, str] = field(
        default_factory=dict,
        metadata=_help("The search space; empty: the learning rates and the head's dropout (docs/tune.md). " + GRAMMAR),
    )
    enqueue: List[Dict[str, Any]] = field(
        default_factory=list,
        metadata=_help(
            "Trials to run first, each a mapping spec.key: value over the keys of params (e.g. the default spec's "
            "values, so the search starts from a known result)."
        ),
    )
    keep_archives: bool = field(
        default=False,
        metadata=_help(
            "Keep every trial's model archive; false keeps only the best one (also copied to RESULTS/best.tcls), which "
            "bounds the disk used."
        ),
    )


def search_field():
    return field(default_factory=SearchConfig, metadata=_help("The hyper-parameter search (tune only)."))
