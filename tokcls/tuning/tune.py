"""tune, top to bottom: read and check the search space, open (or continue) the study, then run trials one after
another until the study has n_trials finished ones, writing trials.csv, best.tcls, best_spec.yaml and the plots
after each."""

from __future__ import annotations

import math
import os
import sys
import time
from contextlib import ExitStack

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution
from optuna.trial import TrialState

from tokcls.config.experiment import monitor_mode
from tokcls.config.loading import raise_problems
from tokcls.core.errors import InputError
from tokcls.tasks import default_task, get_task
from tokcls.training.resume import STOP_REQUESTED, TrainingInterrupted
from tokcls.tuning import outputs
from tokcls.tuning import study as studies
from tokcls.tuning.search_space import read_space
from tokcls.tuning.trial import TrialRun

MAX_FAILURES_IN_A_ROW = 3


class TrialFailed(Exception):
    """A trial that ended with an error: recorded as failed (with the error), the search goes on."""


def suggest(trial: optuna.Trial, param):
    d = param.distribution
    if isinstance(d, CategoricalDistribution):
        return trial.suggest_categorical(param.key, d.choices)
    if isinstance(d, FloatDistribution):
        return trial.suggest_float(param.key, d.low, d.high, log=d.log, step=d.step)
    return trial.suggest_int(param.key, d.low, d.high, log=d.log, step=d.step)


def _one_device(devices) -> bool:
    return str(devices) == "1" if isinstance(devices, (int, str)) else len(devices) == 1  # a number, or a list of ids


def setup_problems(config, space) -> list[str]:
    problems = []
    devices = config.trainer.devices
    if not _one_device(devices):
        problems.append(
            f"trainer.devices={devices}: tune trains each trial in its own process on one device. To use "
            "several GPUs, start one tune per GPU (CUDA_VISIBLE_DEVICES=i) with the same -r: they share the study."
        )
    if config.trainer.num_nodes != 1:
        problems.append(
            "trainer.num_nodes must be 1 for tune: run one tune process per machine on a shared search.storage."
        )
    if getattr(config.search.sampler, "value", config.search.sampler) == "grid":
        ranges = [p.key for p in space if p.grid() is None]
        if ranges:
            problems.append(
                f"search.sampler=grid needs choice(...) or int(...) values; {', '.join(ranges)} are ranges of "
                "real numbers. Use sampler tpe or random, or list the values with choice(...)."
            )
    return problems


def run_tune(config, ctx, train, train_schema: type, test_key: str) -> None:
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # tune's own lines say what happened to the study and each trial
    search = config.search
    given = {k: str(v) for k, v in search.params.items()}
    if not given:
        given = dict(get_task(default_task(ctx.program)).default_search_space)
        print("search.params is empty: searching " + ", ".join(f"{k}: {v}" for k, v in given.items()))
    space = read_space(given, search.enqueue, train_schema, config, "train", ctx.program)
    raise_problems(setup_problems(config, space))
    params = config.exp_manager.checkpoint_callback_params
    direction = "maximize" if monitor_mode(params) == "max" else "minimize"
    results = ctx.results_dir
    url = studies.storage_url(search, results)
    name = search.study_name or config.exp_manager.name
    identity = {"program": ctx.program, "monitor": params.monitor, "params": given}
    with studies.claim_lock(url, results):  # one process at a time creates the database's tables
        studies.claim_folder(results, url, name)
        storage = studies.open_storage(url)
        study = studies.open_study(storage, name, direction, identity, search, space, config.seed, url)
        if not study.user_attrs.get("enqueued"):
            for values in search.enqueue:
                study.enqueue_trial(dict(values))
            study.set_user_attr("enqueued", True)
    finished = studies.counted(study, states=studies.FINISHED)
    print(f"Study {name!r} in {url}: {finished} of {search.n_trials} trials finished; {direction} {params.monitor}")
    Tuner(
        study, storage, url, search, space, TrialRun(config, train_schema, train, ctx, test_key), params.monitor
    ).run()


class Tuner:
    """The loop of one tune process over a study it shares."""

    def __init__(self, study, storage, url: str, search, space, run: TrialRun, monitor: str):
        self.study, self.storage, self.url, self.search, self.space, self.trial_run = (
            study,
            storage,
            url,
            search,
            space,
            run,
        )
        self.results, self.monitor, self.keys = run.ctx.results_dir, monitor, [p.key for p in space]
        self.table = outputs.Table(monitor, self.keys)
        self.archives: dict = {}  # trial number -> its archive, until after() decides whether it is the best
        self.failures: list[int] = []  # the failed trials since the last one that did not fail
        self.started = time.monotonic()

    def lock(self):
        return studies.claim_lock(self.url, self.results)

    def run(self) -> None:
        print(self.table.header(), flush=True)
        STOP_REQUESTED.clear()
        try:
            while self.run_one():
                if STOP_REQUESTED.is_set():  # Ctrl-C during a trial's last validation: the trial finished, then stop
                    raise KeyboardInterrupt
                if len(self.failures) >= MAX_FAILURES_IN_A_ROW:
                    last = self.failures[-1]
                    raise InputError(
                        f"{len(self.failures)} trials in a row failed, the last with: "
                        f"{self.study.trials[last].user_attrs.get('error', '')}",
                        "read the trials' train_log.txt; fix the spec or narrow search.params",
                        self.trial_run.folder(last) / "train_log.txt",
                    )
        except KeyboardInterrupt:
            print(
                "\ntune interrupted: run the same command again to continue the study (a trial cut short is marked "
                "failed and its values run again)",
                flush=True,
            )
            with self.lock():
                outputs.write_trials_csv(self.study, self.results, self.keys)
            raise
        self.summary()

    def run_one(self) -> bool:
        """Start one trial if the study still needs one; False when it does not (or the timeout passed)."""
        search, study = self.search, self.study
        if search.timeout and time.monotonic() - self.started > search.timeout:
            print(f"search.timeout={search.timeout:g} s passed: no new trial", flush=True)
            return False
        with ExitStack() as held:
            held.enter_context(self.lock())
            for number in studies.recover(study, self.storage):
                print(f"Trial {number} was cut short (its process ended): its values run again", flush=True)
            if studies.counted(study) >= search.n_trials:
                return False
            if getattr(search.sampler, "value", search.sampler) == "grid":
                tried = {
                    tuple(sorted(t.params.items())) for t in study.get_trials(deepcopy=False, states=studies.COUNTED)
                }
                if len(tried) >= math.prod(len(p.grid()) for p in self.space):
                    print("Every point of the grid was tried: no new trial", flush=True)
                    return False
            release = held.pop_all()  # the objective releases the lock once its trial is in the study
            try:
                study.optimize(
                    lambda trial: self.objective(trial, release),
                    n_trials=1,
                    catch=(TrialFailed,),
                    callbacks=[self.after],
                )
            finally:
                release.close()
        return True

    def objective(self, trial: optuna.Trial, release: ExitStack) -> float:
        release.close()
        if studies.is_surplus(self.study, trial.number, self.search.n_trials):
            trial.set_user_attr("error", "not run: other processes had started n_trials trials")
            raise TrialFailed("surplus")
        trial.set_user_attr("host", studies.HOST)
        trial.set_user_attr("pid", os.getpid())
        values = {p.key: suggest(trial, p) for p in self.space}
        if sys.stdout.isatty():  # replaced by the trial's line when it ends
            print(self.table.line(trial.number, "RUNNING", None, None, 0.0, values), end="\r", flush=True)
        try:
            value, archive, _ = self.trial_run.run(trial, values)
        except optuna.TrialPruned:
            raise
        except (KeyboardInterrupt, TrainingInterrupted):
            raise KeyboardInterrupt from None  # failed without an error: re-run by the next tune
        except InputError as e:  # the spec or the data: every trial would fail alike
            trial.set_user_attr("error", str(e).splitlines()[0])
            raise
        except Exception as e:  # out of memory, a diverging loss, ...: this trial fails, the search goes on
            trial.set_user_attr("error", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
            raise TrialFailed(str(e)) from e
        self.archives[trial.number] = archive
        return value

    def after(self, study: optuna.Study, trial) -> None:
        """Runs once Optuna recorded the trial's end: the shared outputs, then the trial's line in the table."""
        best = ""
        with self.lock():
            if trial.state == TrialState.COMPLETE and outputs.keep_best(
                study,
                trial.number,
                self.archives.pop(trial.number),
                self.trial_run.spec(trial.params),
                self.results,
                self.search.keep_archives,
            ):
                best = "  (best so far)"
            outputs.write_trials_csv(study, self.results, self.keys)
            outputs.write_plots(study, self.results)
        reported = trial.intermediate_values
        value = trial.value if trial.value is not None else (reported[max(reported)] if reported else None)
        seconds = (trial.datetime_complete - trial.datetime_start).total_seconds()
        print(
            self.table.line(trial.number, trial.state.name, value, len(reported), seconds, trial.params) + best,
            flush=True,
        )
        self.failures = self.failures + [trial.number] if trial.state == TrialState.FAIL else []

    def summary(self) -> None:
        study, results = self.study, self.results
        with self.lock():
            outputs.write_trials_csv(study, results, self.keys)
            plots = outputs.write_plots(study, results)
        finished = studies.counted(study, states=studies.FINISHED)
        running = studies.counted(study, states=(TrialState.RUNNING,))
        print(
            f"\n{finished} of {self.search.n_trials} trials finished"
            + (f"; {running} still running in other processes" if running else "")
        )
        if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            print("No trial completed: no best trial yet")
            return
        best = study.best_trial
        print(
            f"Best trial {best.number}: {self.monitor}={best.value:.4f} with "
            + ", ".join(f"{k}={outputs.short(best.params[k])}" for k in self.keys if k in best.params)
        )
        here = (results / outputs.BEST_ARCHIVE).exists()
        print(
            f"Written to {results}: {outputs.TRIALS_CSV}, "
            + (f"{outputs.BEST_ARCHIVE}, {outputs.BEST_SPEC}, " if here else "")
            + ", ".join(plots)
        )
