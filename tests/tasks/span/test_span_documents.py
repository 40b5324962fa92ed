"""Document context for span models: a span's type may depend on another sentence of its document."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.tasks.token.test_document_context import ENCODER, infer_two_documents, write_context_dataset
from tokcls.cli import main
from tokcls.tasks.span.examples import SpanExample, candidates, pack

SPAN = "model.task=span_classification"
DEV = ["test_ds.text_file=text_dev.txt", "test_ds.labels_file=labels_dev.txt"]


@given(st.lists(st.integers(0, 12), min_size=1, max_size=6), st.integers(1, 5))
def test_a_document_unit_has_its_sentences_candidates_in_order_and_no_span_across_two(lengths, width):
    examples = [SpanExample([f"w{i}"] * n, [(0, 1, "X")] if n else [], width) for i, n in enumerate(lengths)]
    units, sizes = pack(examples, ["d"] * len(examples))
    assert len(units) == 1 and sizes == [sum(len(candidates(n, width)) for n in lengths)]
    begins = [sum(lengths[:i]) for i in range(len(lengths))]
    shifted = [(b + s, b + e) for b, n in zip(begins, lengths) for s, e in candidates(n, width)]
    assert units[0].candidate_spans() == shifted  # so the rows of a unit are its sentences' rows, sentence by sentence
    assert units[0].labels == [label for e in examples for label in e.labels or []]


@pytest.fixture(scope="module")
def span_context(tmp_path_factory, tiny_encoder):
    root = tmp_path_factory.mktemp("span_context")
    data = write_context_dataset(root / "data", 240, seed=0)
    argv = ["train", "-r", str(root / "document"), f"data_dir={data}", ENCODER, SPAN, "trainer.max_epochs=6"]
    argv += ["optim.lr=3e-3", "optim.head_lr=1e-2", "training_ds.batch_size=8", "trainer.enable_progress_bar=false"]
    # the context alone (every word is lower-case: shapes tell nothing here, and at this learning rate the extra
    # inputs made the tiny model miss the rule within 6 epochs)
    assert main([*argv, "model.dataset.context=document", "model.head.shape_embedding_dim=0"]) == 0
    return data, root / "document" / "checkpoints" / "tokcls.tcls"


def _f1(root, data, archive, *extra) -> float:
    assert main(["evaluate", "-r", str(root), "-m", str(archive), f"data_dir={data}", *DEV, *extra]) == 0
    return json.loads((root / "evaluation_report.json").read_text())["summary"]["entity_f1"]


def test_a_span_model_learns_what_only_a_neighbouring_sentence_says(span_context, tmp_path):
    data, archive = span_context
    with_context = _f1(tmp_path / "document", data, archive)  # the archive's context: document
    alone = _f1(tmp_path / "sentence", data, archive, "model.dataset.context=sentence")
    assert with_context >= 90, with_context  # the type is learnable from the other sentence
    assert alone < with_context - 10, (alone, with_context)  # from its own sentence it is a coin toss


def test_span_infer_reads_documents_between_blank_lines(span_context, tmp_path, capsys):
    _, archive = span_context
    rows = infer_two_documents(tmp_path, archive)
    assert [(e["type"], e["text"]) for e in rows[1]["entities"]] == [("LOC", "jordan")]
    assert [(e["type"], e["text"]) for e in rows[4]["entities"]] == [("PER", "jordan")]
    assert "lines between blank lines of input_file form a document" in capsys.readouterr().out
