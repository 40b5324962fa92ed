"""Hostile inputs end in a clear error (exit 2) or a clean stop, never a traceback or a silent success."""

import json

import pytest

from tests.conftest import write_columns, write_ner_dataset
from tokcls.cli import main

TINY = "model.language_model.pretrained_model_name=splade-tiny"


@pytest.mark.parametrize(
    "command, override, message",
    [
        ("train", "optim.lr=-1", "optim.lr=-1.0 is out of range: it must be > 0"),
        ("train", "training_ds.batch_size=0", "training_ds.batch_size=0 is out of range: it must be ≥ 1"),
        ("train", "validation_ds.batch_size=-3", "validation_ds.batch_size=-3 is out of range"),
        ("train", "trainer.max_epochs=-5", "it must be -1 or ≥ 1"),
        ("train", "model.head.num_fc_layers=0", "model.head.num_fc_layers=0 is out of range"),
        ("train", "model.head.fc_dropout=2", "it must be ≥ 0 and < 1"),
        ("train", "model.dataset.bucket_pool=0", "model.dataset.bucket_pool=0"),
        ("train", "trainer.precision=bad", "trainer.precision=bad is not one of Lightning's"),
        ("train", "trainer.accumulate_grad_batches=0", "trainer.accumulate_grad_batches=0"),
        ("train", "trainer.devices=0", "training needs at least one device"),
        ("train", "optim.betas=[2,3]", "optim.betas=[2.0, 3.0] is out of range"),
        ("train", "optim.weight_decay=-1", "optim.weight_decay=-1.0"),
        ("train", "optim.sched.warmup_ratio=5", "it must be ≥ 0 and ≤ 1"),
        ("train", "training_ds.num_samples=0", "training_ds.num_samples=0 is out of range: it must be -1 or ≥ 1"),
        ("infer", "batch_size=0", "batch_size=0 is out of range"),
        ("infer", "chunk_lines=0", "chunk_lines=0 is out of range"),
    ],
)
def test_out_of_range_values_stop_at_start_up(tmp_path, capsys, command, override, message):
    needs = {"train": ["data_dir=x"], "infer": ["-m", str(tmp_path / "m.tcls")]}[command]
    assert main([command, "-r", str(tmp_path / "r"), *needs, override]) == 2  # before any file is read
    assert message in capsys.readouterr().err


def test_empty_training_data_trains_nothing_and_says_so(tmp_path, capsys, tiny_encoder):
    data = write_ner_dataset(tmp_path / "data", n_train=8, n_dev=4)
    (data / "text_train.txt").write_text("")
    (data / "labels_train.txt").write_text("")
    assert main(["train", "-r", str(tmp_path / "r"), f"data_dir={data}", TINY]) == 2
    assert "the train split has no words" in capsys.readouterr().err
    assert not list((tmp_path / "r").rglob("*.tcls"))


def test_overrides_may_stand_on_both_sides_of_a_flag(tmp_path):
    write_columns(tmp_path / "src" / "train.txt", [[("Peter", "B-PER")]])
    write_columns(tmp_path / "src" / "dev.txt", [[("Ann", "B-PER")]])
    assert (
        main(
            [
                "dataset_convert",
                f"source_data_dir={tmp_path / 'src'}",
                "-r",
                str(tmp_path / "r"),
                f"target_data_dir={tmp_path / 'out'}",
                "output_scheme=bioes",
            ]
        )
        == 0
    )
    assert (tmp_path / "out" / "labels_train.txt").read_text() == "S-PER\n"


def test_a_stray_tab_in_a_space_separated_file_names_delimiter_space(tmp_path, capsys):
    source = tmp_path / "src"
    write_columns(source / "train.txt", [[("EU", "B-ORG"), ("rejects", "O")], [("Peter", "B-PER")]])
    text = (source / "train.txt").read_text().replace("Peter B-PER", "Peter\tB-PER")
    (source / "train.txt").write_text(text)
    write_columns(source / "dev.txt", [[("Ann", "B-PER")]])
    assert main(["dataset_convert", f"source_data_dir={source}", f"target_data_dir={tmp_path / 'out'}"]) == 2
    err = capsys.readouterr().err
    assert f"{source / 'train.txt'}:1: line has no tab, but line 4 has one" in err and "delimiter=space" in err


def test_file_system_problems_are_named_not_raised(tmp_path, trained, capsys):
    data, archive, _ = trained
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert main(["evaluate", "-r", str(a_file), "-m", str(archive), "-k", "key1", f"data_dir={data}"]) == 2
    assert str(a_file) in capsys.readouterr().err
    assert main(["evaluate", "-r", str(tmp_path / "e"), "-m", str(tmp_path), "-k", "key1", f"data_dir={data}"]) == 2
    assert "fix:" in capsys.readouterr().err
    empty = tmp_path / "empty"  # a folder is a shard per file: one without files is named, not labelled as nothing
    empty.mkdir()
    assert main(["infer", "-r", str(tmp_path / "i"), "-m", str(archive), "-k", "key1", f"input_file={empty}"]) == 2
    assert f"{empty}: the input folder holds no file" in capsys.readouterr().err
    source = tmp_path / "src"
    write_columns(source / "train.txt", [[("Peter", "B-PER")]])
    write_columns(source / "dev.txt", [[("Ann", "B-PER")]])
    assert main(["dataset_convert", f"source_data_dir={source}", f"target_data_dir={a_file}"]) == 2
    assert str(a_file) in capsys.readouterr().err


def test_infer_names_the_line_that_is_not_utf8_and_escapes_control_characters(tmp_path, trained, capsys):
    _, archive, _ = trained
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe paris\n")
    assert main(["infer", "-r", str(tmp_path / "b"), "-m", str(archive), "-k", "key1", f"input_file={bad}"]) == 2
    assert f"{bad}:1: line 1 is not valid UTF-8" in capsys.readouterr().err
    text = tmp_path / "ctrl.txt"
    text.write_text("john \x1b[31mred\x1b[0m smith\n", encoding="utf-8")
    assert main(["infer", "-r", str(tmp_path / "c"), "-m", str(archive), "-k", "key1", f"input_file={text}"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[31mred" in out
    row = json.loads((tmp_path / "c" / "infer_results.jsonl").read_text())
    assert row["text"] == "john \x1b[31mred\x1b[0m smith"


def test_ctrl_c_during_infer_keeps_the_finished_chunks(tmp_path, trained, monkeypatch, capsys):
    from tokcls.inference.predictor import Predictor

    _, archive, _ = trained
    source = tmp_path / "in.txt"
    source.write_text("".join(f"john smith visited paris {i}\n" for i in range(10)))
    real, calls = Predictor.predict, []

    def interrupted_on_the_third_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(Predictor, "predict", interrupted_on_the_third_chunk)
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "infer",
                "-r",
                str(tmp_path / "r"),
                "-m",
                str(archive),
                "-k",
                "key1",
                f"input_file={source}",
                "chunk_lines=4",
            ]
        )
    assert stop.value.code == 130
    rows = (tmp_path / "r" / "infer_results.jsonl").read_text().splitlines()
    assert [json.loads(r)["text"] for r in rows] == source.read_text().splitlines()[:8]
    assert "holds the first 8 input(s)" in capsys.readouterr().err


def test_export_and_download_specs_never_replace_files_unasked(tmp_path, trained, capsys):
    _, archive, _ = trained
    out = tmp_path / "hf"
    out.mkdir()
    (out / "config.json").write_text('{"mine": true}')
    assert main(["export", "-r", str(out), "-m", str(archive), "-k", "key1", "format=hf"]) == 2
    err = capsys.readouterr().err
    assert "would replace config.json" in err and "set overwrite=true" in err
    assert (out / "config.json").read_text() == '{"mine": true}' and not (out / "model.safetensors").exists()
    assert main(["export", "-r", str(out), "-m", str(archive), "-k", "key1", "format=hf", "overwrite=true"]) == 0
    assert "mine" not in (out / "config.json").read_text()

    specs = tmp_path / "specs"
    assert main(["download_specs", "-r", str(tmp_path / "logs"), "-o", str(specs)]) == 0
    (specs / "train.yaml").write_text("# my edits\n")
    assert main(["download_specs", "-r", str(tmp_path / "logs"), "-o", str(specs)]) == 2
    assert (specs / "train.yaml").read_text() == "# my edits\n"


def test_a_read_only_results_folder_is_named(tmp_path, trained, capsys):
    import subprocess

    data, archive, _ = trained
    folder = tmp_path / "read_only"
    folder.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1M", "tmpfs", str(folder)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a read-only tmpfs here (needs root)")
    try:
        assert main(["evaluate", "-r", str(folder / "eval"), "-m", str(archive), "-k", "key1", f"data_dir={data}"]) == 2
        err = capsys.readouterr().err
        assert f"{folder / 'eval'}: Read-only file system" in err and "fix:" in err
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
