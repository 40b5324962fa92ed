"""A real `serve` process on 127.0.0.1: the answers are infer's, requests are batched, every limit answers with its
status, and SIGTERM loses no accepted request."""

from __future__ import annotations

import threading

import pytest

from tests.infer_records import infer_records
from tests.serving.server import Server
from tokcls.cli import main, text_main
from tokcls.tasks import get_task

TASK = get_task("token_classification")
TEXTS = ["paris and john smith went to london .", "mary visited rome", "Zürich 😀 is nice, isn't it?"]


@pytest.fixture(scope="module")
def token_server(trained, tmp_path_factory):
    _, archive, _ = trained
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    server = Server("token_classification", archive, "-k", "key1", "server.max_wait_ms=300", log=log)
    yield server, archive
    server.stop()


def test_a_token_server_answers_what_infer_writes_in_the_hf_shape(token_server, tmp_path):
    server, archive = token_server
    records = infer_records(main, archive, tmp_path, TEXTS, "-k", "key1")
    labels = server.get("/metadata")[2]["labels"]
    status, _, body = server.predict({"inputs": TEXTS})
    assert status == 200 and body == [TASK.answer(r, labels, False) for r in records]
    status, _, one = server.predict({"inputs": TEXTS[0], "parameters": {"words": True}})
    assert status == 200 and one == TASK.answer(records[0], labels, True)
    assert [w["label"] for w in one["words"]] == records[0]["labels"]
    assert server.predict(TEXTS[1:])[2] == body[1:]  # a bare list is a list of inputs
    metadata = server.get("/metadata")[2]
    assert metadata["task"] == "token_classification" and len(metadata["archive_sha256"]) == 64
    assert server.get("/openapi.json")[2]["paths"]["/predict"]["post"]["requestBody"]


def test_concurrent_requests_share_batches_and_each_gets_its_own_answer(token_server, tmp_path):
    server, archive = token_server
    texts = [f"john smith visited paris on day {i} ." for i in range(12)]
    expected = server.predict({"inputs": texts})[2]
    before = server.get("/metadata")[2]["batching"]
    answers: dict[int, object] = {}

    def ask(i: int) -> None:
        answers[i] = server.predict({"inputs": texts[i]})

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(answers[i][0] == 200 and answers[i][2] == expected[i] for i in range(len(texts)))
    after = server.get("/metadata")[2]["batching"]
    assert after["requests"] - before["requests"] == len(texts)
    assert after["batches"] - before["batches"] < len(texts) and after["shared_batches"] > before["shared_batches"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{not json", 400, "body"),
        ({"text": "x"}, 422, "inputs"),
        ({"inputs": 3}, 422, "inputs"),
        ({"inputs": []}, 422, "inputs"),
        ({"inputs": ["fine", 7]}, 422, "inputs[1]"),
        ({"inputs": ["fine", "  "]}, 422, "inputs[1]"),
        ({"inputs": "x", "parameters": {"top_k": 3}}, 422, "parameters.top_k"),
        ({"inputs": "x", "parameters": {"words": "yes"}}, 422, "parameters.words"),
        ({"inputs": ["a"] * 5}, 413, "inputs"),
        ({"inputs": ["a" * 81]}, 413, "inputs[0]"),
        ({"inputs": ["word " * 100]}, 413, "body"),
    ],
)
def test_bad_and_oversized_requests_get_their_4xx_naming_the_field(limited_server, body, status, field):
    got, _, answer_ = limited_server.predict(body)
    assert got == status and answer_["field"] == field and answer_["error"], answer_
    assert "Traceback" not in str(answer_)


def test_a_full_queue_answers_503_with_retry_after_and_a_slow_request_504(limited_server, trained, tmp_path):
    status, headers, body = limited_server.predict({"inputs": ["one", "two", "three", "four"]})  # max_queue=3
    assert status == 503 and int(headers["Retry-After"]) >= 1 and "max_queue" in body["error"]
    _, archive, _ = trained
    log = tmp_path / "slow.log"
    slow = Server("token_classification", archive, "-k", "key1", "server.timeout_s=0.0001", log=log)
    try:
        status, _, body = slow.predict({"inputs": "paris and london"})
        assert status == 504 and "timeout_s" in body["error"]
        assert slow.get("/health")[0] == 200  # the service lives on
    finally:
        slow.stop()


@pytest.fixture(scope="module")
def limited_server(trained, tmp_path_factory):
    _, archive, _ = trained
    limits = ["server.max_texts=4", "server.max_chars=80", "server.max_body_bytes=400", "server.max_queue=3"]
    server = Server("token_classification", archive, "-k", "key1", *limits, log=tmp_path_factory.mktemp("l") / "log")
    yield server
    server.stop()


def test_sigterm_mid_load_answers_every_accepted_request(trained, tmp_path):
    _, archive, _ = trained
    extra = ["server.max_batch_size=2", "server.max_wait_ms=0"]
    server = Server("token_classification", archive, "-k", "key1", *extra, log=tmp_path / "log")
    texts = [" ".join(["john", "smith", "visited", "paris", "and", "london"] * 40) + f" {i}" for i in range(24)]
    try:
        expected = server.predict({"inputs": texts[:1]})[2]
        base = server.get("/metadata")[2]["batching"]["requests"]
        results: dict[int, object] = {}

        def ask(i: int) -> None:
            results[i] = server.predict({"inputs": [texts[i], texts[i]]})

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
        for thread in threads:
            thread.start()
        for _ in range(600):  # every request accepted (in the queue), then the signal while they are labelled
            batching = server.get("/metadata")[2]["batching"]
            if batching["requests"] - base == len(texts):
                break
        assert batching["batches"] - 1 < len(texts), "the load was over before the signal"
        code = server.terminate()
        for thread in threads:
            thread.join(60)
    finally:
        server.stop()
    assert code == 0, server.log.read_text()
    assert sorted(results) == list(range(len(texts)))
    assert all(results[i][0] == 200 and len(results[i][2]) == 2 for i in results)
    assert results[0][2][0] == expected[0]
    accepted = base + len(texts)
    assert "Stopped on SIGTERM after" in server.log.read_text()
    assert f"{accepted} of {accepted} accepted request(s) answered" in server.log.read_text()


def test_a_text_server_and_a_span_server_answer_what_infer_writes(text_trained, span_trained, tmp_path):
    _, text_archive = text_trained
    texts = ["goal match team today", "bank market shares", "a pair\twith its second text"]
    records = infer_records(text_main, text_archive, tmp_path / "text", texts)
    server = Server("text_classification", text_archive, log=tmp_path / "text.log")
    try:
        labels = server.get("/metadata")[2]["labels"]
        assert server.predict({"inputs": texts})[2] == [
            get_task("text_classification").answer(r, labels, False) for r in records
        ]
        status, _, body = server.predict({"inputs": "x", "parameters": {"words": True}})
        assert status == 422 and body["field"] == "parameters.words"
    finally:
        server.stop()
    _, _, span_archive = span_trained
    texts = ["john visited the bank of paris today", "bank of rome and mary"]
    records = infer_records(main, span_archive, tmp_path / "span", texts)
    server = Server("token_classification", span_archive, log=tmp_path / "span.log")
    try:
        labels = server.get("/metadata")[2]["labels"]
        assert server.predict({"inputs": texts})[2] == [
            get_task("span_classification").answer(r, labels, False) for r in records
        ]
        assert server.predict({"inputs": texts, "parameters": {"words": True}})[2][0]["words"][0]["word"] == "john"
    finally:
        server.stop()


def test_onnx_and_int8_runtimes_serve_as_infer_runs_them(token_server, tmp_path):
    server, archive = token_server
    assert main(["export", "-r", str(tmp_path / "x"), "-m", str(archive), "-k", "key1", "format=onnx"]) == 0
    onnx = ["runtime=onnx", f"onnx_file={tmp_path / 'x' / 'model.onnx'}"]
    expected = server.predict({"inputs": TEXTS})[2]
    for name, extra in (("onnx", onnx), ("int8", onnx + ["quantize=int8"])):
        other = Server("token_classification", archive, "-k", "key1", *extra, log=tmp_path / f"{name}.log")
        try:
            status, _, body = other.predict({"inputs": TEXTS})
            assert status == 200 and other.get("/metadata")[2]["runtime"] == "onnx"
            records = infer_records(main, archive, tmp_path / name, TEXTS, "-k", "key1", *extra)
            labels = other.get("/metadata")[2]["labels"]
            assert body == [TASK.answer(r, labels, False) for r in records]
            if name == "onnx":
                assert body == expected  # the export answers as the archive does
        finally:
            other.stop()
