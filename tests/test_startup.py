"""What the inference commands import: only what they use, so start-up cannot regress unnoticed (no scikit-learn,
matplotlib, Lightning or Optuna, nor another task's package, on infer's path; no transformers for a BERT archive,
which runs as tokcls.model.bert: importing transformers' modelling took 2 of the 4.3 s one sentence took)."""

from __future__ import annotations

import json
import subprocess
import sys

NEVER = ("sklearn", "matplotlib", "pytorch_lightning", "lightning", "lightning_fabric", "optuna", "seqeval", "pandas")
NEVER += ("transformers", "scipy", "sympy", "torch._dynamo")
NEVER_OURS = ("tokcls.training", "tokcls.tuning", "tokcls.report", "tokcls.metrics")


def _loaded(program: str, argv: list[str]) -> set[str]:
    code = (
        "import sys, json, contextlib, io\n"
        f"from tokcls.cli import {'main' if program == 'token' else 'text_main'} as run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert run({argv!r}) == 0\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.splitlines()[-1]))


# the exp_manager folder rules every command's -r goes through: standard library only
ALLOWED = {"tokcls.training", "tokcls.training.log_dir"}


def _offenders(loaded: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded - ALLOWED if any(m == f or m.startswith(f + ".") for f in forbidden))


def test_token_infer_imports_neither_training_metrics_plots_nor_the_other_tasks(trained, tmp_path):
    _, archive, _ = trained
    loaded = _loaded("token", ["infer", "-r", str(tmp_path), "-m", str(archive), "-k", "key1", "input_batch=[paris .]"])
    assert _offenders(loaded, NEVER + NEVER_OURS + ("tokcls.tasks.text",)) == []
    span = [m for m in loaded if m.startswith("tokcls.tasks.span.")]
    assert span == ["tokcls.tasks.span.sections"]  # the program's spec keys of its span task, nothing of the task
    assert "tokcls.tasks.token.task" in loaded


def test_text_infer_imports_neither_training_metrics_plots_nor_the_token_tasks(text_trained, tmp_path):
    _, archive = text_trained
    loaded = _loaded("text", ["infer", "-r", str(tmp_path), "-m", str(archive), "input_batch=[goal match]"])
    assert _offenders(loaded, NEVER + NEVER_OURS + ("tokcls.tasks.token", "tokcls.tasks.span")) == []
    assert "tokcls.tasks.text.task" in loaded
