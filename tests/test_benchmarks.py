"""The benchmark scripts skip cleanly without their dataset, count real-token work correctly, and profile."""

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import write_ner_dataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import compare_hf  # noqa: E402
import context  # noqa: E402
import convert_memory  # noqa: E402
import decoders  # noqa: E402
import dropout_ab  # noqa: E402
import long_line  # noqa: E402
import precision  # noqa: E402
import profile_step  # noqa: E402
import report_page  # noqa: E402
import scale_out  # noqa: E402
import scaling  # noqa: E402
import serve_load  # noqa: E402
import span_vs_crf  # noqa: E402
import tao_defaults  # noqa: E402
import text_compare_hf  # noqa: E402
import tune_conll  # noqa: E402


def test_compare_and_scaling_skip_without_a_dataset(tmp_path, capsys):
    assert compare_hf.main(["--data-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path / "out")]) == {}
    assert (
        scaling.main(["-m", "x.tcls", "--data-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path / "o")])
        == {}
    )
    assert capsys.readouterr().out.count("skipped: no dataset") == 2
    assert not (tmp_path / "out").exists()


def test_forward_flops_count_projections_feed_forward_and_attention():
    config = SimpleNamespace(hidden_size=4, intermediate_size=8, num_hidden_layers=2)
    # one sequence of 3 tokens: 3 * 2 * (4*16 + 2*32) projection/FFN flops + 4 * 9 * 4 attention flops, per layer
    assert compare_hf.forward_gflop([3], config) == 2 * (3 * 2 * 128 + 4 * 9 * 4) / 1e9
    # padding is never counted: two sequences cost the sum of their own lengths' work
    assert compare_hf.forward_gflop([3, 5], config) == compare_hf.forward_gflop([3], config) + compare_hf.forward_gflop(
        [5], config
    )


def test_profile_splits_a_step_into_phases_and_shows_bucketing_saves_padding(tmp_path):
    data = write_ner_dataset(tmp_path / "data", n_train=96, n_dev=40)
    out = tmp_path / "profile.json"
    results = profile_step.main(
        [
            "--data-dir",
            str(data),
            "--encoder",
            "splade-tiny",
            "--steps",
            "2",
            "--threads",
            "1",
            "--batch-size",
            "8",
            "--out",
            str(out),
        ]
    )
    train = results["train_bucketed"]
    assert set(train["phase_share"]) == {"forward", "backward", "optimizer"}
    assert abs(sum(train["phase_share"].values()) - 1) < 0.01 and train["ms_per_step"] > 0
    assert "matrix products" in train["kind_share"] and "optimizer (fused AdamW)" in train["kind_share"]
    assert train["padding_share"] < results["train_random"]["padding_share"]
    assert set(results["infer_sorted"]["phase_share"]) == {"forward"}
    assert out.exists()
    assert profile_step.main(["--data-dir", str(tmp_path / "absent")]) == {}


def test_dropout_ab_times_both_dropouts_on_the_same_batches(tmp_path):
    data = write_ner_dataset(tmp_path / "data", n_train=48, n_dev=8)
    result = dropout_ab.main(
        ["--data-dir", str(data), "--encoder", "splade-tiny", "--batches", "3", "--threads", "1", "--batch-size", "8"]
    )
    assert result["batches"] == 3 and result["torch_ms"] > 0 and result["fast_ms"] > 0
    assert dropout_ab.main(["--data-dir", str(tmp_path / "absent")]) == {}


@pytest.mark.slow  # trains several models (~40 s): make test-all
def test_tao_defaults_trains_the_chosen_variants_and_scores_them(tmp_path, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=24, n_dev=8)
    (data / "text_test.txt").write_text((data / "text_dev.txt").read_text())
    rows = tao_defaults.main(
        [
            "--data-dir",
            str(data),
            "--output-dir",
            str(tmp_path / "out"),
            "--encoder",
            "splade-tiny",
            "--max-train-sentences",
            "16",
            "--threads",
            "1",
            "--variants",
            "0",
            "4",
        ]
    )
    assert [r["variant"] for r in rows] == ["tokcls defaults", "all TAO values"]
    assert [r["epochs"] for r in rows] == [3, 5] and all(0 <= r["dev_f1"] <= 100 for r in rows)
    assert "| all TAO values |" in capsys.readouterr().out
    assert tao_defaults.main(["--data-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path / "o")]) == []


@pytest.mark.slow  # trains several models (~40 s): make test-all
def test_decoders_trains_argmax_and_crf_and_scores_three_decoders(tmp_path, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=24, n_dev=8)
    rows = decoders.main(
        [
            "--data-dir",
            str(data),
            "--output-dir",
            str(tmp_path / "out"),
            "--seeds",
            "1",
            "--threads",
            "1",
            "--extra",
            "model.language_model.pretrained_model_name=splade-tiny",
            "trainer.max_epochs=1",
        ]
    )
    assert [r["decoder"] for r in rows] == ["argmax", "constrained", "crf"]
    assert all(0 <= r["dev_f1"] <= 100 and r["train_seconds"] > 0 for r in rows)
    assert rows[1]["invalid_transitions"] == rows[2]["invalid_transitions"] == 0  # Viterbi within the scheme
    assert "| constrained |" in capsys.readouterr().out
    assert decoders.main(["--data-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path / "o")]) == []


@pytest.mark.slow  # trains two models: make test-all
def test_span_vs_crf_trains_both_and_reports_f1_time_speed_and_memory(tmp_path, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=24, n_dev=8)
    argv = ["--data-dir", str(data), "--output-dir", str(tmp_path / "out"), "--seeds", "1", "--threads", "1"]
    rows = span_vs_crf.main(argv + ["--extra", "model.language_model.pretrained_model_name=splade-tiny"])
    assert [r["system"] for r in rows] == ["crf", "span"]
    assert all(0 <= r["dev_f1"] <= 100 and r["train_seconds"] > 0 and r["evaluate_peak_rss_mb"] > 0 for r in rows)
    assert "| span |" in capsys.readouterr().out


@pytest.mark.slow  # trains several models (~40 s): make test-all
def test_precision_trains_float32_and_bf16_and_compares_them(tmp_path, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=24, n_dev=8)
    rows = precision.main(
        [
            "--data-dir",
            str(data),
            "--output-dir",
            str(tmp_path / "out"),
            "--seeds",
            "1",
            "--threads",
            "1",
            "--extra",
            "model.language_model.pretrained_model_name=splade-tiny",
            "trainer.max_epochs=1",
        ]
    )
    assert [r["precision"] for r in rows] == ["32-true", "bf16-mixed"]
    assert all(r["sentences_per_second"] > 0 and 0 <= r["dev_f1"] <= 100 for r in rows)
    assert "| bf16-mixed | 1 |" in capsys.readouterr().out


def test_convert_memory_measures_the_peak_against_the_input(tmp_path, capsys):
    results = convert_memory.main(["--output-dir", str(tmp_path / "out"), "--megabytes", "2"])
    run = results["runs"]["this checkout"]
    assert results["input_mb"] >= 2 and run["peak_rss_mb"] > 0 and run["peak_over_input"] > 0
    assert (tmp_path / "out" / "out0" / "text_train.txt").is_file()


@pytest.mark.slow  # trains several models (~40 s): make test-all
def test_context_trains_each_context_and_scores_it(tmp_path, tiny_encoder, capsys):
    from tests.tasks.token.test_document_context import write_context_dataset

    data = write_context_dataset(tmp_path / "data", 16, seed=1)
    rows = context.main(
        [
            "--data-dir",
            str(data),
            "--output-dir",
            str(tmp_path / "out"),
            "--seeds",
            "1",
            "--threads",
            "1",
            "--extra",
            "model.language_model.pretrained_model_name=splade-tiny",
            "trainer.max_epochs=1",
        ]
    )
    assert [r["context"] for r in rows] == ["sentence", "document"]
    assert all(0 <= r["dev_f1"] <= 100 and r["optimizer_steps"] > 0 for r in rows)
    assert "| document |" in capsys.readouterr().out
    assert context.main(["--data-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path / "o")]) == []


def test_long_line_compares_one_line_with_the_same_text_as_lines(trained, tmp_path, monkeypatch):
    _, archive, _ = trained
    results = long_line.main(
        ["-m", str(archive), "-k", "key1", "--output-dir", str(tmp_path), "--megabytes", "0.02", "--threads", "1"]
    )
    assert set(results) == {"lines", "one_line"} and all(
        r["wall_seconds"] > 0 and r["peak_rss_mb"] > 0 for r in results.values()
    )
    rows = (tmp_path / "one_line" / "infer_results.jsonl").read_text().splitlines()
    assert len(rows) == 1 and len(json.loads(rows[0])["words"]) == len((tmp_path / "one_line.txt").read_text().split())
    assert long_line.main(["-m", str(tmp_path / "absent.tcls"), "--output-dir", str(tmp_path / "o")]) == {}


@pytest.mark.slow  # trains several models (~40 s): make test-all
def test_text_compare_trains_both_systems_and_scores_windows_and_first_windows(tmp_path, tiny_encoder, capsys):
    from tokcls.demo_data.make_text_sample import write

    write(tmp_path / "root" / "topics")
    result = text_compare_hf.main(
        [
            "--dataset",
            "topics",
            "--data-root",
            str(tmp_path / "root"),
            "--output-dir",
            str(tmp_path / "out"),
            "--encoder",
            "splade-tiny",
            "--epochs",
            "1",
            "--max-length",
            "32",
            "--threads",
            "1",
            "--extra",
            "model.dataset.stride=8",
        ]
    )
    tokcls, hf = result["tokcls"], result["hf"]
    assert 0 <= tokcls["accuracy"] <= 1 and 0 <= tokcls["first_window"]["accuracy"] <= 1 and 0 <= hf["accuracy"] <= 1
    assert tokcls["first_window"]["texts_with_more_windows"] > 0 and hf["dev_texts_truncated"] > 0
    assert tokcls["train_texts_per_second"] > 0 and hf["train_texts_per_second"] > 0
    assert tokcls["infer_wall_seconds"] > 0 and hf["infer_wall_seconds"] > 0  # fresh processes, start-up included
    printed = capsys.readouterr().out
    assert "| HF Trainer recipe (truncated) |" in printed and "labelling the dev texts from the shell" in printed
    assert text_compare_hf.main(["--dataset", "absent", "--output-dir", str(tmp_path / "o")]) == {}


@pytest.mark.slow  # trains several models (~40 s): make test-all
def test_tune_conll_runs_the_default_and_the_search_and_scores_both(tmp_path, tiny_encoder, capsys):
    data = write_ner_dataset(tmp_path / "data", n_train=24, n_dev=8)
    result = tune_conll.main(
        [
            "--data-dir",
            str(data),
            "--output-dir",
            str(tmp_path / "out"),
            "--threads",
            "1",
            "--trials",
            "2",
            "--epochs",
            "1",
            "--extra",
            "model.language_model.pretrained_model_name=splade-tiny",
        ]
    )
    assert 0 <= result["default_dev_f1"] <= 100 and 0 <= result["best_trial_dev_f1"] <= 100
    out = capsys.readouterr().out
    assert "trial  state" in out and "Dev entity F1: default spec" in out
    assert tune_conll.main(["--data-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path / "o")]) == {}


def test_report_page_measures_a_page_in_the_browser(trained, tmp_path):
    from tests.report.browser import system_browser

    pytest.importorskip("playwright.sync_api")
    if system_browser() is None:
        pytest.skip("no Chromium installed: apt-get install chromium")
    data, archive, _ = trained
    out = tmp_path / "out"
    shot = tmp_path / "shot.png"
    result = report_page.main(
        [
            "-m",
            str(archive),
            "-k",
            "key1",
            "--data-dir",
            str(data),
            "--output-dir",
            str(out),
            "--split",
            "dev",
            "--opens",
            "2",
            "--screenshot",
            str(shot),
            "--threads",
            "1",
        ]
    )
    assert result["page_bytes"] == (out / "evaluate" / "report.html").stat().st_size
    assert result["sentences"] == 20 and 0 <= result["sentences_with_errors"] <= 20
    assert 0 < result["open_seconds_median"] <= result["open_seconds_max"]
    assert shot.read_bytes().startswith(b"\x89PNG") and (tmp_path / "shot_errors.png").exists()
    synthetic = report_page.main(["--synthetic", "300", "--output-dir", str(tmp_path / "s"), "--opens", "1"])
    assert synthetic["sentences"] == 300 and synthetic["page_bytes"] > 10_000


@pytest.mark.slow  # starts three servers: make test-all
def test_serve_load_measures_three_services_at_three_concurrencies(trained, tmp_path, capsys):
    from tokcls.cli import main

    data, archive, _ = trained
    assert main(["export", "-r", str(tmp_path / "hf"), "-m", str(archive), "-k", "key1", "format=hf"]) == 0
    argv = ["--archive", str(archive), "--hf-dir", str(tmp_path / "hf"), "--sentences", str(data / "text_dev.txt")]
    argv += ["--output-dir", str(tmp_path / "out"), "--requests", "12", "--seconds", "20", "--threads", "1"]
    rows = serve_load.main(argv + ["--key", "key1"])
    assert [(r["system"], r["clients"]) for r in rows][:3] == [("tokcls serve", c) for c in (1, 8, 32)]
    assert len(rows) == 9 and all(r["answered"] == 12 and r["failed"] == 0 and r["peak_rss_mb"] > 0 for r in rows)
    assert "| pipeline app | 32 |" in capsys.readouterr().out


def test_scale_out_times_one_process_two_workers_and_a_kill_at_half(trained, tmp_path, capsys):
    data, archive, _ = trained
    argv = ["--archive", str(archive), "-k", "key1", "--data-dir", str(data), "--output-dir", str(tmp_path)]
    runs = scale_out.main(
        [*argv, "--sentences", "300", "--shard-lines", "100", "--chunk-lines", "50", "--systems", "one", "two", "kill"]
    )
    assert [r["system"] for r in runs] == [
        "one process",
        "-g 2 workers",
        "sharded, uninterrupted",
        "sharded, killed at half",
        "sharded, resumed",
    ]
    assert all(r["wall_seconds"] > 0 and r["peak_mb_per_worker"] for r in runs)
    assert len(runs[1]["peak_mb_per_worker"]) >= 2  # the two workers, each seen
    assert "output identical: True" in capsys.readouterr().out
    lines = (tmp_path / "two" / "infer_results.jsonl").read_text().splitlines()
    assert len(lines) == 300 and (tmp_path / "one" / "infer_results.jsonl").read_text().splitlines() == lines
