"""Random values for every key of every command's spec: each run ends in success or a clear error
(exit 2, a message naming the key), never a traceback.

Two depths: every command's spec layer with many examples (the command itself replaced by a no-op),
and real runs of every command (train and fine-tune cut to one step) with fewer examples."""

import math
import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import DictConfig, OmegaConf

from tests.conftest import REPO, write_ner_dataset
from tokcls import cli
from tokcls.commands import PROGRAMS, REGISTRIES, TOKEN


class Interpolation(str):
    """Written unquoted, so that OmegaConf resolves it (a quoted one would be a plain string)."""


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**7), 10**7),
    st.sampled_from([0, 1, -1, 2, 8, 512]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(string.printable, max_size=12),
    st.lists(st.integers(-3, 3), max_size=3),
    st.sampled_from(["auto", "cpu", "gpu", "adam", "onnx", "int8", "hf", "tab"]),
    # huge and negative numbers, infinities and 1e400 (which YAML reads as inf), lists of floats of any length
    st.sampled_from([10**20, -(10**20), 2**40, -(2**63), 2**64, 1e300, -1e300, float("inf"), float("-inf"), 1e-320]),
    st.lists(st.floats(-2, 2, allow_nan=False), min_size=0, max_size=5),
    st.sampled_from(
        [
            Interpolation(v)
            for v in (
                "${oc.env:HOME}",
                "${oc.env:TOKCLS_NO_SUCH_VARIABLE}",
                "${nope.key}",
                "${optim.lr}",
                "${seed}",
                "${data_dir}",
                "${trainer}",
            )
        ]
    ),
)


def leaf_keys(node: DictConfig, prefix: str = "") -> list[str]:
    keys = []
    for key in node.keys():
        child = node._get_node(key)
        path = f"{prefix}{key}"
        keys += leaf_keys(child, path + ".") if isinstance(child, DictConfig) and child.keys() else [path]
    return keys


def render(value) -> str:
    """A value in Hydra's override grammar (strings quoted, so that the value, not the parser, is fuzzed)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return "[" + ",".join(render(v) for v in value) + "]"
    if isinstance(value, Interpolation):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value)


# Keys that start more processes: Lightning's DDP launcher re-runs the test process's own command line (pytest) in
# each child. Real runs leave them out; the spec-layer test draws them for every command.
LAUNCHING = ("trainer.devices", "trainer.num_nodes", "trainer.strategy")


def overrides_for(command: str, most: int = 4, program: str = TOKEN, exclude: tuple = ()):
    keys = [k for k in leaf_keys(OmegaConf.structured(REGISTRIES[program].schemas[command])) if k not in exclude]
    return st.lists(st.tuples(st.sampled_from(keys), VALUES), min_size=1, max_size=most).map(
        lambda pairs: [f"{k}={render(v)}" for k, v in pairs]
    )


def run_main(argv, program: str = TOKEN) -> int:
    try:
        return cli.main(argv, program)
    except SystemExit as stop:  # argparse's own usage errors, and a clean interrupt, end this way
        return stop.code


# Drawn specs per command: each costs a spec composition (~0.4 s); HYPOTHESIS_PROFILE=long draws 10x as many.
SPEC_EXAMPLES = 120 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 12


PROGRAM_COMMANDS = [(program, command) for program in PROGRAMS for command in REGISTRIES[program].schemas]


@pytest.mark.parametrize("program, command", PROGRAM_COMMANDS)
def test_every_key_of_every_spec_takes_any_value_without_a_traceback(program, command, tmp_path_factory, monkeypatch):
    monkeypatch.setattr(cli, "run_logged", lambda *args: None)  # the spec layer only
    results = tmp_path_factory.mktemp("fuzz")
    monkeypatch.chdir(
        results
    )  # drawn relative paths (a target_data_dir the lock creates) land here, not in the repository

    @settings(max_examples=SPEC_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))  # x 16 commands
    @given(overrides=overrides_for(command, program=program))
    def check(overrides):
        needed = {
            "train": ["data_dir=d"],
            "fine-tune": ["data_dir=d", "-m", "m.tcls"],
            "evaluate": ["data_dir=d", "-m", "m"],
            "infer": ["-m", "m"],
            "export": ["-m", "m"],
            "dataset_convert": ["source_data_dir=s", "target_data_dir=t"],
        }
        assert run_main([command, "-r", str(results), *needed.get(command, []), *overrides], program) in (0, 2)

    check()


@pytest.fixture(scope="module")
def fuzz_data(tmp_path_factory, trained):
    root = tmp_path_factory.mktemp("fuzz_run")
    return write_ner_dataset(root / "data", n_train=8, n_dev=4), trained[1], root


RUNS = {
    "dataset_convert": lambda data, archive: [f"source_data_dir={REPO / 'tokcls/demo_data/en_brown_pos_sample'}"],
    "evaluate": lambda data, archive: [
        "-m",
        str(archive),
        "-k",
        "key1",
        f"data_dir={data}",
        "test_ds.text_file=text_dev.txt",
        "test_ds.labels_file=labels_dev.txt",
    ],
    "infer": lambda data, archive: ["-m", str(archive), "-k", "key1"],
    "train": lambda data, archive: [f"data_dir={data}", "model.language_model.pretrained_model_name=splade-tiny"],
    "fine-tune": lambda data, archive: ["-m", str(archive), "-k", "key1", f"data_dir={data}"],
    "export": lambda data, archive: ["-m", str(archive), "-k", "key1"],
}
SLOW = {"train": 12, "fine-tune": 8, "export": 8}  # examples of the commands that take seconds a run


@pytest.mark.parametrize("command", list(RUNS))
def test_fast_commands_run_with_random_values_and_end_cleanly(command, fuzz_data, tiny_encoder, monkeypatch):
    data, archive, root = fuzz_data
    monkeypatch.chdir(
        root
    )  # drawn relative paths (checkpoint dirpath, archive prefix) land here, not in the repository
    counter = iter(range(10**6))

    @settings(max_examples=SLOW.get(command, 25), deadline=None, suppress_health_check=list(HealthCheck))
    @given(overrides=overrides_for(command, most=2, exclude=LAUNCHING))  # fewer keys at once: more get past validation
    def check(overrides):
        out = root / f"{command}{next(counter)}"
        argv = [command, "-r", str(out), *RUNS[command](data, archive), *overrides]
        if command == "dataset_convert":
            argv.append(f"target_data_dir={out / 'data'}")
        if command in ("train", "fine-tune"):  # whatever else was drawn, one step: a fuzzed run must stay short
            argv += ["trainer.max_steps=1", "trainer.max_epochs=1", "trainer.enable_progress_bar=false"]
        assert run_main(argv) in (0, 2)

    check()
