"""The micro-batcher alone, with a model stand-in whose pace the test controls."""

from __future__ import annotations

import threading

import pytest

from tokcls.serving.batcher import MicroBatcher, QueueFull


class Gate:
    """predict() that records its batches and waits for the test to open the gate."""

    def __init__(self):
        self.batches: list[list[str]] = []
        self.open = threading.Event()
        self.entered = threading.Event()

    def __call__(self, texts):
        self.entered.set()
        assert self.open.wait(10)
        self.batches.append(list(texts))
        return [text.upper() for text in texts]


def test_queued_requests_run_together_and_each_gets_its_own_answers():
    gate = Gate()
    batcher = MicroBatcher(lambda: gate, max_batch_size=5, max_wait_ms=0, max_queue=100)
    first = batcher.submit(["a"])  # taken at once; the others queue behind it while the gate is shut
    assert gate.entered.wait(5)
    rest = [batcher.submit([f"{i}x", f"{i}y"]) for i in range(3)]
    gate.open.set()
    assert first.result(5) == ["A"]
    assert [f.result(5) for f in rest] == [["0X", "0Y"], ["1X", "1Y"], ["2X", "2Y"]]
    # 5 texts at most a batch: requests 0 and 1 together, 2 in the next (a request is never split)
    assert gate.batches == [["a"], ["0x", "0y", "1x", "1y"], ["2x", "2y"]]
    assert batcher.counters.batches == 3 and batcher.counters.shared_batches == 1
    assert batcher.counters.largest_batch == 4 and batcher.counters.texts == 7
    batcher.close(5)


def test_a_full_queue_refuses_and_a_cancelled_request_is_skipped():
    gate = Gate()
    batcher = MicroBatcher(lambda: gate, max_batch_size=1, max_wait_ms=0, max_queue=3)
    running = batcher.submit(["run"])
    assert gate.entered.wait(5)
    cancelled = batcher.submit(["gone"])
    kept = batcher.submit(["kept", "too"])
    with pytest.raises(QueueFull, match="max_queue=3"):
        batcher.submit(["over"])
    assert cancelled.cancel()  # its handler timed out before the worker took it
    gate.open.set()
    assert running.result(5) == ["RUN"] and kept.result(5) == ["KEPT", "TOO"]
    assert ["gone"] not in gate.batches and batcher.waiting == 0
    batcher.submit(["after"]).result(5)  # room again once the queue emptied
    batcher.close(5)


def test_close_answers_everything_queued_before_it():
    gate = Gate()
    batcher = MicroBatcher(lambda: gate, max_batch_size=2, max_wait_ms=50, max_queue=100)
    futures = [batcher.submit([str(i)]) for i in range(7)]
    closing = threading.Thread(target=batcher.close, args=(10,))
    closing.start()
    gate.open.set()
    closing.join(10)
    assert [f.result(0) for f in futures] == [[str(i)] for i in range(7)]


def test_a_failing_batch_fails_its_requests_only():
    calls = []

    def predict(texts):
        calls.append(texts)
        if "bad" in texts:
            raise ValueError("cannot label")
        return texts

    batcher = MicroBatcher(lambda: predict, max_batch_size=1, max_wait_ms=0, max_queue=10)
    with pytest.raises(ValueError, match="cannot label"):
        batcher.submit(["bad"]).result(5)
    assert batcher.submit(["good"]).result(5) == ["good"]
    assert batcher.counters.failed_batches == 1
    batcher.close(5)


def test_the_model_is_opened_in_the_worker_thread_and_its_error_raised_to_the_caller():
    threads = []

    def opened():
        threads.append(threading.current_thread().name)
        return lambda texts: [threading.current_thread().name for _ in texts]

    batcher = MicroBatcher(opened, max_batch_size=4, max_wait_ms=0, max_queue=10)
    assert threads == ["tokcls-batcher"] and batcher.submit(["a"]).result(5) == ["tokcls-batcher"]
    batcher.close(5)

    def broken():
        raise FileNotFoundError("no archive")

    with pytest.raises(FileNotFoundError, match="no archive"):
        MicroBatcher(broken, max_batch_size=4, max_wait_ms=0, max_queue=10)
