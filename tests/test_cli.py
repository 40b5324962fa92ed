"""The command line: help on every command, specs with overrides, and errors that name the key."""

import subprocess
import sys

import pytest
import yaml

from tests.conftest import REPO, write_columns
from tokcls.cli import main
from tokcls.commands import COMMANDS

SPEC = REPO / "specs" / "dataset_convert.yaml"


def make_source(tmp_path):
    write_columns(tmp_path / "src" / "train.txt", [[("Peter", "B-PER"), ("runs", "O")]])
    write_columns(tmp_path / "src" / "dev.txt", [[("Ann", "B-PER")]])
    return tmp_path / "src"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "KEY=VALUE" in capsys.readouterr().out


def test_console_script_and_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "tokcls", "--help"], capture_output=True, text=True, check=True)
    assert "dataset_convert" in result.stdout


def test_dataset_convert_with_spec_and_overrides(tmp_path, capsys):
    source = make_source(tmp_path)
    code = main(
        [
            "dataset_convert",
            "-e",
            str(SPEC),
            "-r",
            str(tmp_path / "results"),
            f"source_data_dir={source}",
            f"target_data_dir={tmp_path / 'out'}",
            "output_scheme=bioes",
        ]
    )
    assert code == 0
    assert (tmp_path / "out" / "labels_train.txt").read_text() == "S-PER O\n"
    saved = yaml.safe_load((tmp_path / "results" / "dataset_convert_spec.yaml").read_text())
    assert saved["output_scheme"] == "bioes" and saved["source_data_dir"] == str(source)
    out = capsys.readouterr().out
    assert "output_scheme: bioes" in out and "sentences 1" in out


def test_spec_is_optional(tmp_path):
    source = make_source(tmp_path)
    assert main(["dataset_convert", f"source_data_dir={source}", f"target_data_dir={tmp_path / 'out'}"]) == 0


@pytest.mark.parametrize(
    "override, expected",
    [
        ("output_schem=bioes", "unknown key 'output_schem'. Did you mean 'output_scheme'?"),
        ("+extra=1", "unknown key 'extra'"),
        ("output_scheme=bio", "expected one of [keep, iob1, iob2, bioes, bilou, io]"),
        ("token_column=first", "token_column"),
    ],
)
def test_bad_overrides_fail_before_any_work(tmp_path, capsys, override, expected):
    code = main(["dataset_convert", f"source_data_dir={tmp_path}", f"target_data_dir={tmp_path / 'out'}", override])
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_bad_key_in_spec_file_names_the_file(tmp_path, capsys):
    spec = tmp_path / "spec.yaml"
    spec.write_text("source_data_dir: a\ntarget_data_dir: b\ndelimitor: tab\n")
    assert main(["dataset_convert", "-e", str(spec)]) == 2
    err = capsys.readouterr().err
    assert str(spec) in err and "'delimitor'. Did you mean 'delimiter'?" in err


def test_missing_required_value(capsys):
    assert main(["dataset_convert", "source_data_dir=a"]) == 2
    assert "required value(s) not set: target_data_dir" in capsys.readouterr().err


def test_conversion_errors_are_reported_not_raised(tmp_path, capsys):
    source = make_source(tmp_path)
    (source / "dev.txt").write_text("Ann\n")
    assert main(["dataset_convert", f"source_data_dir={source}", f"target_data_dir={tmp_path / 'out'}"]) == 2
    err = capsys.readouterr().err
    assert f"{source / 'dev.txt'}:1:" in err and "fix:" in err


def test_a_ctrl_c_that_a_library_swallows_or_wraps_still_stops_the_run_with_130(monkeypatch, capsys):
    """Raised inside a weakref callback, a class body's __set_name__ (RuntimeError) or a broad except, the first
    KeyboardInterrupt is lost or changed; the signal comes again until main() has seen it."""
    import os
    import signal
    import time

    from tokcls import cli

    def swallows(argv, program):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)
        except BaseException:
            pass  # a library's broad except
        time.sleep(5)  # the repeated signal ends this
        return 0

    def wraps(argv, program):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)
        except KeyboardInterrupt as e:
            raise RuntimeError("Error calling __set_name__") from e  # what type() does to it
        return 0

    for run in (swallows, wraps):
        monkeypatch.setattr(cli, "_main", run)
        started = time.monotonic()
        assert cli.main([]) == 130
        assert time.monotonic() - started < 2
        assert "interrupted" in capsys.readouterr().err
