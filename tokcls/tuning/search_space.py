"""The search space: `spec.key: distribution` entries read into Optuna distributions, and checked against the
train schema (the key exists, each value the distribution can give fits the key's type and range) before any
trial runs."""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution

from tokcls.config.loading import SpecError, raise_problems
from tokcls.config.ranges import range_problems
from tokcls.config.tune import GRAMMAR
from tokcls.tasks.spec_checks import check_spec

# Keys tune sets itself for every trial: searching them would break the trials' folders or the study.
RESERVED = (
    "exp_manager.explicit_log_dir",
    "exp_manager.exp_dir",
    "exp_manager.name",
    "exp_manager.version",
    "exp_manager.resume_if_exists",
    "exp_manager.checkpoint_callback_params.monitor",
    "trainer.resume_from_checkpoint",
)


@dataclass(frozen=True)
class Param:
    key: str
    text: str  # as written in the spec
    distribution: BaseDistribution

    def corners(self) -> list:
        """The values checked against the key's type and range: the ends of a range, every choice."""
        d = self.distribution
        return list(d.choices) if isinstance(d, CategoricalDistribution) else [d.low, d.high]

    def contains(self, value) -> bool:
        d = self.distribution
        if isinstance(d, CategoricalDistribution):
            return value in d.choices
        kinds = int if isinstance(d, IntDistribution) else (int, float)
        return isinstance(value, kinds) and not isinstance(value, bool) and d.low <= value <= d.high

    def grid(self) -> list | None:
        d = self.distribution
        if isinstance(d, CategoricalDistribution):
            return list(d.choices)
        if isinstance(d, IntDistribution) and not d.log:
            return list(range(d.low, d.high + 1, d.step))
        return None


def _numbers(args: list, key: str, text: str, kind: str) -> tuple:
    if len(args) != 2 or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
        raise ValueError(f"{kind}(low, high) takes two numbers")
    low, high = args
    if not low < high:
        raise ValueError(f"{kind}: low ({low}) must be below high ({high})")
    return low, high


def parse_distribution(key: str, text: str) -> Param:
    """`loguniform(1e-5, 1e-3)` and the rest of the grammar -> an Optuna distribution (ValueError naming the fix)."""
    try:
        call = ast.parse(str(text).strip(), mode="eval").body
    except SyntaxError:
        call = None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise ValueError("not a distribution")
    try:
        # a bare word is a string: choice(crf, argmax) as choice('crf', 'argmax')
        args = [a.id if isinstance(a, ast.Name) else ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except ValueError:
        raise ValueError("the arguments must be literal numbers or strings") from None
    kind, step = call.func.id, kwargs.pop("step", None)
    if kwargs:
        raise ValueError(f"unknown argument(s) {', '.join(kwargs)} (only step=)")
    if kind == "choice":
        if not args or step is not None:
            raise ValueError("choice(a, b, ...) takes one or more values")
        if not all(a is None or isinstance(a, (bool, int, float, str)) for a in args):
            raise ValueError("choice values are numbers, 'strings', True/False or None")
        return Param(key, text, CategoricalDistribution(args))
    if kind in ("uniform", "loguniform"):
        low, high = _numbers(args, key, text, kind)
        if kind == "loguniform" and (low <= 0 or step is not None):
            raise ValueError("loguniform needs low > 0 and takes no step")
        return Param(
            key,
            text,
            FloatDistribution(
                float(low), float(high), log=kind == "loguniform", step=None if step is None else float(step)
            ),
        )
    if kind in ("int", "logint"):
        low, high = _numbers(args, key, text, kind)
        if not all(isinstance(v, int) for v in (low, high, step or 1)):
            raise ValueError(f"{kind}(low, high) takes whole numbers")
        if kind == "logint" and (low <= 0 or step is not None):
            raise ValueError("logint needs low > 0 and takes no step")
        return Param(key, text, IntDistribution(low, high, log=kind == "logint", step=step or 1))
    raise ValueError(f"unknown distribution {kind}")


def read_space(params, enqueue, train_schema: type, tune_config, command: str, program: str) -> list[Param]:
    """The search space of `search.params`, every problem in it and in `search.enqueue` reported at once."""
    problems, space = [], []
    for key, text in params.items():
        where = f"search.params.{key}: {text}"
        if key.startswith("search.") or key in RESERVED:
            problems.append(f"{where}: tune sets this key itself for each trial; remove it from search.params.")
            continue
        try:
            param = parse_distribution(key, text)
        except ValueError as e:
            problems.append(f"{where}: {e}. {GRAMMAR}")
            continue
        problems += value_problems(train_schema, tune_config, key, param.corners(), where, command, program)
        space.append(param)
    by_key = {p.key: p for p in space}
    for number, values in enumerate(enqueue or []):
        where = f"search.enqueue[{number}]"
        unknown = sorted(set(values) - set(by_key)) if by_key else []
        if unknown:
            problems.append(f"{where}: {', '.join(unknown)} not in search.params; enqueue values of the searched keys.")
        for key, value in values.items():
            if key in by_key and not by_key[key].contains(value):
                problems.append(f"{where}.{key}={value} is not a value of {by_key[key].text}.")
    raise_problems(problems)
    return space


def trial_spec(train_schema: type, tune_config, values: dict):
    """The train spec of one trial: the tune spec without `search`, the trial's values set."""
    tree = OmegaConf.to_container(tune_config, resolve=True)
    tree.pop("search", None)
    config = OmegaConf.merge(OmegaConf.structured(train_schema), tree)
    for key, value in values.items():
        OmegaConf.update(config, key, value, merge=False)
    return config


def value_problems(
    train_schema: type, tune_config, key: str, values: list, where: str, command: str, program: str
) -> list[str]:
    """Why a value of `key` cannot be trained with, or nothing."""
    for value in values:
        if isinstance(value, float) and not math.isfinite(value):
            return [f"{where}: {value} is not a finite number."]
        try:
            node = OmegaConf.select(OmegaConf.structured(train_schema), key, throw_on_missing=False, default=KeyError)
            if node is KeyError or OmegaConf.is_config(node):
                return [
                    f"{where}: {key} is not a key of the train spec (see docs/spec_reference.md); a section cannot be "
                    "searched, only one of its keys."
                ]
            config = trial_spec(train_schema, tune_config, {key: value})
        except OmegaConfBaseException as e:
            return [f"{where}: {value!r} does not fit the key: {str(e).splitlines()[0]}."]
        found = range_problems(train_schema, config)
        try:
            check_spec(command, config, program)
        except SpecError as e:  # settings that contradict each other with this value
            found.append(str(e))
        if found:
            return [f"{where}: with {key}={value}: {found[0]}"]
    return []
