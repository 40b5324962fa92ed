"""The Optuna study: storage, sampler and pruner, and the rules that let re-runs and several processes share it.

Who runs what is decided from the study alone, so processes need not know of each other:
- a process starts a trial only while fewer than n_trials are finished (completed or pruned) or running;
- a trial whose process died (killed, or Ctrl-C) is marked failed and its values run again as a new trial;
  a trial that failed with an error (say out of memory) is not re-run: it would fail again.
A process died if it ran on this machine and its pid is gone, or if its heartbeat stopped (other machines).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import optuna
from optuna.trial import TrialState

from tokcls.core.atomic import atomic_files
from tokcls.core.errors import InputError

HEARTBEAT_SECONDS, GRACE_SECONDS = 30, 120  # a trial without a heartbeat for 2 minutes belongs to a dead process
HOST = socket.gethostname()
COUNTED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def storage_url(search, results: Path) -> str:
    return search.storage or f"sqlite:///{(Path(results) / 'study.db').resolve()}"


def sqlite_file(url: str) -> Path | None:
    return Path(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else None


def open_storage(url: str) -> optuna.storages.RDBStorage:
    # SQLite: several processes of one machine write in turn; wait for the file rather than fail at once.
    engine = {"connect_args": {"timeout": 120}} if url.startswith("sqlite") else {}
    try:
        with (
            warnings.catch_warnings()
        ):  # Optuna calls the heartbeat experimental; it is how its optimize() finds dead trials
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                url, engine_kwargs=engine, heartbeat_interval=HEARTBEAT_SECONDS, grace_period=GRACE_SECONDS
            )
    except ImportError as e:
        raise InputError(
            f"search.storage={url} needs a database driver that is not installed ({e.name or e})",
            "pip install psycopg2-binary (PostgreSQL) or pymysql (MySQL, with mysql+pymysql://)",
        ) from None
    except Exception as e:  # SQLAlchemy's errors: a bad URL, a server that cannot be reached, refused credentials
        raise InputError(
            f"cannot open the study storage: {str(e).splitlines()[0]}",
            "check search.storage (a database URL: sqlite:///path.db, postgresql://user:password@host/db)",
            url,
        ) from None


@contextmanager
def claim_lock(url: str, results: Path) -> Iterator[None]:
    """Held while a process counts the trials and starts one, and while it writes the shared outputs. An SQLite
    study's processes share its file, so they share a lock beside it; a server's, on several machines, each lock
    their results folder and rely on the post-check (surplus) for the rare race between machines."""
    db = sqlite_file(url)
    path = db.with_name(db.name + ".lock") if db else Path(results) / ".tune.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def claim_folder(results: Path, url: str, name: str) -> None:
    """A results folder holds the trials of one study: trial numbers are per study, two studies would share folders."""
    marker = Path(results) / "study.json"
    mine = {"storage": url, "study_name": name}
    if marker.exists():
        theirs = json.loads(marker.read_text())
        if theirs != mine:
            raise InputError(
                f"this folder holds the trials of study {theirs.get('study_name')!r} in {theirs.get('storage')}",
                "give this search its own -r, or the same search.storage and search.study_name",
                results,
            )
        return
    with atomic_files(results) as files:
        files.open(marker.name).write(json.dumps(mine, indent=2) + "\n")


def samplers(search, space, seed: int):
    name = getattr(search.sampler, "value", search.sampler)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "grid":
        return optuna.samplers.GridSampler({p.key: p.grid() for p in space}, seed=seed)
    return optuna.samplers.TPESampler(n_startup_trials=search.startup_trials, seed=seed)


def pruner(search):
    name = getattr(search.pruner, "value", search.pruner)
    if name == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=search.pruner_startup_trials, n_warmup_steps=search.pruner_warmup_validations
        )
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=max(1, search.pruner_warmup_validations))
    return optuna.pruners.NopPruner()


def open_study(storage, name: str, direction: str, identity: dict, search, space, seed: int, url: str) -> optuna.Study:
    """Create or continue the study. `identity` (the program, the metric, the search space) must match the one the
    study was made with: continuing a study with another space would mix trials that cannot be compared."""
    study = optuna.create_study(storage=storage, study_name=name, direction=direction, load_if_exists=True)
    made_with = study.user_attrs.get("tokcls")
    if made_with is None:
        study.set_user_attr("tokcls", identity)
    elif made_with != identity:
        changed = ", ".join(k for k in identity if identity[k] != made_with.get(k))
        raise InputError(
            f"the study {name!r} in {url} was made with another {changed} ({made_with.get(changed.split(',')[0])})",
            "give this search its own search.study_name (or another -r), or put the spec back as it was",
        )
    # Each process draws its own random values: seed + 1000 x the number of processes that opened the study before.
    workers = study.user_attrs.get("workers", 0)
    study.set_user_attr("workers", workers + 1)
    return optuna.load_study(
        study_name=name, storage=storage, sampler=samplers(search, space, seed + 1000 * workers), pruner=pruner(search)
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(study: optuna.Study, storage) -> list[int]:
    """Fail the running trials whose process died, and queue their values again; returns the numbers re-queued."""
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        pid = t.user_attrs.get("pid")
        if t.user_attrs.get("host") == HOST and pid not in (None, os.getpid()) and not _alive(pid):
            try:
                storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)
            except optuna.exceptions.UpdateFinishedTrialError:
                pass  # another process got there first
    with warnings.catch_warnings():  # Optuna calls it experimental; it is what its own optimize() runs
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(
            study
        )  # other machines' trials, once their heartbeat is older than the grace period
    trials = study.get_trials(deepcopy=False)
    retried = {t.user_attrs.get("retry_of") for t in trials}
    queued = []
    for t in trials:
        if t.state == TrialState.FAIL and "error" not in t.user_attrs and t.number not in retried and t.params:
            study.enqueue_trial(t.params, user_attrs={"retry_of": t.number})
            queued.append(t.number)
    return queued


def counted(study: optuna.Study, below: int | None = None, states=COUNTED) -> int:
    return sum(1 for t in study.get_trials(deepcopy=False, states=states) if below is None or t.number < below)


def is_surplus(study: optuna.Study, number: int, n_trials: int) -> bool:
    """True when n_trials were already taken by trials numbered before this one (processes of several machines that
    started trials at the same moment): this one is not run."""
    return counted(study, number, COUNTED + (TrialState.WAITING,)) >= n_trials
