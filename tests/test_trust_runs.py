"""Hostile and newcomer cases that need a real run: a kill while the archive is written, mixed precision, ONNX files
of another model, empty or missing splits, encoder-dependent ranges, the Hugging Face export of a CRF model."""

import json
import math
from pathlib import Path

import pytest
import torch
import yaml

from tests.conftest import write_ner_dataset
from tokcls.cli import main
from tokcls.model.archive import load_model

TINY = "model.language_model.pretrained_model_name=splade-tiny"
QUICK = [
    TINY,
    "trainer.max_epochs=2",
    "optim.lr=3e-3",
    "training_ds.batch_size=16",
    "trainer.enable_progress_bar=false",
]


def exit_code(argv, capsys, program="token_classification") -> tuple[int, str, str]:
    code = main(argv, program)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture(scope="module")
def crf_run(tmp_path_factory, tiny_encoder):
    """(data, archive, train log) of a tiny model with the default decoder (crf), without word shapes: the Hugging Face
    export takes the encoder alone."""
    root = tmp_path_factory.mktemp("crf")
    data = write_ner_dataset(root / "data", n_train=80, n_dev=20, seed=3)
    no_shapes = "model.head.shape_embedding_dim=0"
    assert main(["train", "-r", str(root / "train"), f"data_dir={data}", *QUICK, no_shapes]) == 0
    return data, root / "train" / "checkpoints" / "tokcls.tcls", (root / "train" / "train_log.txt").read_text()


def test_a_kill_while_the_archive_is_written_is_finished_by_the_rerun(tmp_path, tiny_encoder, monkeypatch):
    from tokcls.training import fit

    data = write_ner_dataset(tmp_path / "data", n_train=32, n_dev=8)
    results = tmp_path / "r"
    argv = ["train", "-r", str(results), f"data_dir={data}", *QUICK, "trainer.max_epochs=1"]
    real_save = fit.save_archive

    def killed(path, *args, **kwargs):  # what kill -9 leaves: the temporary file, no archive
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        (Path(path).parent / f".{Path(path).name}.x1y2.tmp").write_bytes(b"half an archive")
        raise SystemExit(137)

    monkeypatch.setattr(fit, "save_archive", killed)
    with pytest.raises(SystemExit):
        main(argv)
    checkpoints = results / "checkpoints"
    assert not (checkpoints / "tokcls.tcls").exists() and not (checkpoints / "run_finished.json").exists()
    monkeypatch.setattr(fit, "save_archive", real_save)
    assert main(argv + ["exp_manager.resume_if_exists=true"]) == 0  # resumes at the end of training, writes the archive
    assert (checkpoints / "tokcls.tcls").is_file() and (checkpoints / "run_finished.json").is_file()
    assert not list(checkpoints.glob(".*.tmp"))
    load_model(checkpoints / "tokcls.tcls")


def test_bf16_mixed_precision_trains_on_the_cpu_with_clipping(tmp_path, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=48, n_dev=8)
    code, out, _ = exit_code(
        [
            "train",
            "-r",
            str(tmp_path / "r"),
            f"data_dir={data}",
            *QUICK,
            "trainer.max_epochs=1",
            "trainer.precision=bf16-mixed",
            "trainer.gradient_clip_val=1.0",
        ],
        capsys,
    )
    assert code == 0 and "Model archive:" in out
    network, _, _ = load_model(tmp_path / "r" / "checkpoints" / "tokcls.tcls")
    assert all(torch.isfinite(t).all() for t in network.state_dict().values() if t.is_floating_point())


def test_onnx_of_another_model_or_not_onnx_is_refused(tmp_path, trained, crf_run, capsys):
    _, archive, _ = trained
    assert main(["export", "-r", str(tmp_path / "crf_onnx"), "-m", str(crf_run[1]), "format=onnx"]) == 0
    code, _, err = exit_code(
        [
            "infer",
            "-r",
            str(tmp_path / "i"),
            "-m",
            str(archive),
            "-k",
            "key1",
            "runtime=onnx",
            f"onnx_file={tmp_path / 'crf_onnx' / 'model.onnx'}",
        ],
        capsys,
    )
    assert code == 2 and "was exported from another model than this archive" in err
    (tmp_path / "fake.onnx").write_bytes(b"not a protobuf at all")
    code, _, err = exit_code(
        [
            "infer",
            "-r",
            str(tmp_path / "i"),
            "-m",
            str(crf_run[1]),
            "runtime=onnx",
            f"onnx_file={tmp_path / 'fake.onnx'}",
        ],
        capsys,
    )
    assert code == 2 and "not a loadable ONNX model" in err
    code, _, _ = exit_code(
        [
            "infer",
            "-r",
            str(tmp_path / "i"),
            "-m",
            str(crf_run[1]),
            "runtime=onnx",
            f"onnx_file={tmp_path / 'crf_onnx' / 'model.onnx'}",
        ],
        capsys,
    )
    assert code == 0  # its own export runs


def test_empty_and_missing_splits_stop_before_the_model_loads(tmp_path, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=8, n_dev=4)
    absent = str(tmp_path / "no_such_model.tcls")  # never opened: the split is refused first
    code, _, err = exit_code(["evaluate", "-r", str(tmp_path / "e"), "-m", absent, f"data_dir={data}"], capsys)
    assert code == 2 and "text_test.txt not found" in err and "test_ds.text_file=text_dev.txt" in err
    for content in ("", "\n\n  \n"):
        (data / "text_test.txt").write_text(content)
        (data / "labels_test.txt").write_text(content)
        code, _, err = exit_code(["evaluate", "-r", str(tmp_path / "e"), "-m", absent, f"data_dir={data}"], capsys)
        assert code == 2 and "the split has no words" in err
    (tmp_path / "texts.tsv").write_text("")
    code, _, err = exit_code(
        ["evaluate", "-r", str(tmp_path / "e"), "-m", absent, f"test_ds.file_path={tmp_path / 'texts.tsv'}"],
        capsys,
        "text_classification",
    )
    assert code == 2 and "the file has no texts" in err


def test_a_raw_conll_folder_a_checkpoint_and_an_empty_batch_are_answered_with_the_fix(tmp_path, trained, capsys):
    raw = tmp_path / "conll"
    raw.mkdir()
    (raw / "train.txt").write_text("EU B-ORG\n\n")
    (raw / "dev.txt").write_text("EU B-ORG\n\n")
    code, _, err = exit_code(["train", "-r", str(tmp_path / "t"), f"data_dir={raw}", TINY], capsys)
    assert code == 2 and "not dataset_convert's output" in err and "dataset_convert" in err.split("fix:")[1]
    checkpoint = next(trained[2].glob("train/checkpoints/*.ckpt"))
    code, _, err = exit_code(["infer", "-r", str(tmp_path / "i"), "-m", str(checkpoint)], capsys)
    assert code == 2 and "Lightning checkpoint" in err and ".tcls" in err
    code, _, err = exit_code(
        ["infer", "-r", str(tmp_path / "i"), "-m", str(tmp_path / "absent.tcls"), "input_batch=[]"], capsys
    )
    assert code == 2 and "nothing to label" in err


def test_a_lone_carriage_return_stays_inside_its_line(tmp_path, trained, capsys):
    _, archive, _ = trained
    (tmp_path / "in.txt").write_bytes(b"john went\rto paris\nmary\n\rx\nlast line\r\n")  # 4 lines by LF
    code, out, _ = exit_code(
        ["infer", "-r", str(tmp_path / "i"), "-m", str(archive), "-k", "key1", f"input_file={tmp_path / 'in.txt'}"],
        capsys,
    )
    records = [json.loads(line) for line in (tmp_path / "i" / "infer_results.jsonl").read_text().splitlines()]
    assert code == 0 and [r["text"] for r in records] == ["john went\rto paris", "mary", "\rx", "last line"]
    assert "a carriage return (CR) inside the line" in out


def test_encoder_dependent_values_are_checked_against_the_encoder(tmp_path, capsys, tiny_encoder):
    data = write_ner_dataset(tmp_path / "data", n_train=8, n_dev=4)
    base = ["train", "-r", str(tmp_path / "t"), f"data_dir={data}", TINY]
    code, _, err = exit_code([*base, "model.dataset.max_seq_length=100000"], capsys)
    assert code == 2 and "model.dataset.max_seq_length=100000, but the bert encoder has 512 positions" in err
    code, _, err = exit_code([*base, "+model.language_model.config.num_hidden_layers=-1"], capsys)
    assert code == 2 and "num_hidden_layers=-1: must be a whole number of at least 1" in err
    code, _, err = exit_code([*base, "+model.language_model.config.hiden_dropout_prob=0.2"], capsys)
    assert code == 2 and "Did you mean 'hidden_dropout_prob'?" in err
    assert not list((tmp_path / "t").rglob("*.tcls"))


def test_the_hugging_face_export_of_a_crf_model_says_its_cost_and_has_a_model_card(tmp_path, crf_run, capsys):
    from transformers import pipeline

    data, archive, train_log = crf_run
    assert "note: model.head.decoder=crf: export format=onnx keeps the crf decoding" in train_log  # said at train time
    measured = load_model(archive)[0].measured["per_word_decoding"]
    assert set(measured) == {"split", "entity_f1_crf", "entity_f1_per_word"}
    code, out, _ = exit_code(["export", "-r", str(tmp_path / "hf"), "-m", str(archive), "format=hf"], capsys)
    assert code == 0 and f"entity F1 {measured['entity_f1_crf']:.2f} with the crf decoder" in out
    card = (tmp_path / "hf" / "README.md").read_text()
    front = yaml.safe_load(card.split("---")[1])
    assert front["pipeline_tag"] == "token-classification" and front["base_model"] == "splade-tiny"
    metrics = front["model-index"][0]["results"][0]["metrics"]
    assert any(m["name"].startswith("validation entity_f1_per_word") for m in metrics)
    assert "## Training spec" in card and "pretrained_model_name: splade-tiny" in card
    tagger = pipeline("token-classification", model=str(tmp_path / "hf"))
    assert tagger("john smith visited paris") and math.isfinite(tagger("paris")[0]["score"])


def test_a_plain_tag_set_prints_one_table_and_the_summary_names_its_f1s(tmp_path, capsys, tiny_encoder):
    from tokcls.tasks.token.metrics import all_reports, format_reports

    gold, pred = [["NN", "VB", "NN"]], [["NN", "NN", "NN"]]
    text = format_reports(all_reports(gold, pred, ["NN", "VB"], "O"))
    assert "Entity level" not in text and "Plain tag set" in text
    text = format_reports(all_reports([["B-PER", "O"]], [["B-PER", "O"]], ["O", "B-PER"], "O"))
    assert text.count("Entity level") == 1  # strict mode equals the default here: printed once


def test_runs_print_what_informs_and_not_the_libraries_noise(tmp_path, crf_run, trained, capsys):
    import warnings

    data, archive, train_log = crf_run
    for noise in ("LOAD REPORT", "litlogger", "_pytree", "smaller than the logging interval"):
        assert noise not in train_log
    assert "Validation entity F1" in train_log  # what informs stays
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert (
            main(
                [
                    "evaluate",
                    "-r",
                    str(tmp_path / "e"),
                    "-m",
                    str(archive),
                    f"data_dir={data}",
                    "test_ds.text_file=text_dev.txt",
                    "test_ds.labels_file=labels_dev.txt",
                ]
            )
            == 0
        )
        assert main(["export", "-r", str(tmp_path / "onnx"), "-m", str(archive), "format=onnx"]) == 0
    shown = [f"{w.category.__name__}: {w.message}" for w in caught]
    assert not [w for w in shown if "Tracer" in w or "requires_grad" in w or "aten::index" in w], shown
    assert "Entity level (seqeval, default mode)" in capsys.readouterr().out


def test_a_binary_text_task_prints_and_monitors_the_positive_class_f1(tmp_path, capsys, tiny_encoder):
    from sklearn.metrics import f1_score

    from tokcls.cli import text_main

    rows = [
        (f"the {w} was good today", str(int(w in ("goal", "match")))) for w in ["goal", "star", "match", "orbit"] * 10
    ]
    (tmp_path / "label_ids.csv").write_text("no\nyes\n")
    for split in ("train", "dev"):
        (tmp_path / f"{split}.tsv").write_text("".join(f"{t}\t{label}\n" for t, label in rows))
    argv = [
        "train",
        "-r",
        str(tmp_path / "r"),
        f"data_dir={tmp_path}",
        TINY,
        "trainer.max_epochs=1",
        "trainer.enable_progress_bar=false",
        "exp_manager.checkpoint_callback_params.monitor=val_f1",
    ]
    assert text_main(argv) == 0
    out = capsys.readouterr().out
    assert "binary f1 (yes, id 1)" in out and list((tmp_path / "r" / "checkpoints").glob("*val_f1=*.ckpt"))
    assert (
        text_main(
            [
                "evaluate",
                "-r",
                str(tmp_path / "e"),
                "-m",
                str(tmp_path / "r/checkpoints/tokcls_text.tcls"),
                f"data_dir={tmp_path}",
                "test_ds.file_path=dev.tsv",
            ]
        )
        == 0
    )
    report = json.loads((tmp_path / "e" / "evaluation_report.json").read_text())
    predictions = [json.loads(line) for line in (tmp_path / "e" / "predictions_dev.jsonl").read_text().splitlines()]
    expected = f1_score(
        [p["gold"] for p in predictions], [p["predicted"] for p in predictions], pos_label="yes", zero_division=0
    )
    assert report["summary"]["f1_yes"] == pytest.approx(100 * expected)
    (tmp_path / "label_ids.csv").write_text("no\nyes\nmaybe\n")
    code, _, err = exit_code(argv, capsys, "text_classification")
    assert code == 2 and "monitor=val_f1 is the positive class's F1 of a binary task" in err


def test_a_tune_trial_without_a_validation_fails_alone_and_the_search_goes_on(tmp_path, capsys, tiny_encoder):
    data = write_ner_dataset(tmp_path / "data", n_train=64, n_dev=8)
    (tmp_path / "tune.yaml").write_text(
        yaml.safe_dump(
            {
                "search": {
                    "params": {"training_ds.batch_size": "choice(8, 64)"},
                    "n_trials": 2,
                    "sampler": "grid",
                    "pruner": "none",
                }
            }
        )
    )
    # max_steps=1: at batch size 8 the epoch (8 steps) never ends, so that trial never validates; at 64 it does
    assert (
        main(
            [
                "tune",
                "-e",
                str(tmp_path / "tune.yaml"),
                "-r",
                str(tmp_path / "t"),
                f"data_dir={data}",
                *QUICK,
                "trainer.max_steps=1",
                "trainer.max_epochs=1",
            ]
        )
        == 0
    )
    import csv

    with open(tmp_path / "t" / "trials.csv", newline="") as f:
        states = {row["training_ds.batch_size"]: (row["state"], row["error"]) for row in csv.DictReader(f)}
    assert states["64"][0] == "COMPLETE"
    assert states["8"][0] == "FAIL" and "ran no validation" in states["8"][1]
    assert (tmp_path / "t" / "best.tcls").is_file()
