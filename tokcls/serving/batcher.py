"""Server-side micro-batching: requests queue up and run together through one model call.

One worker thread owns the model: it loads it and runs every prediction (PyTorch and onnxruntime release the GIL while
they compute, so the event loop keeps accepting requests meanwhile). Loading in the same thread matters: the thread
that first runs torch's OpenMP code owns its fastest thread team; a model loaded in one thread and run in another
answered one sentence 1.5 to 4 ms slower (of about 15) in docs/serve.md's measurements. It takes the oldest request, then waits at most `max_wait_ms` for more, up to
`max_batch_size` texts, and labels them all in one `predict` call: windows of many requests share batches, which is
what makes serving many clients cheaper than serving each alone. The queue is bounded in texts: a request that would
overflow it is refused at once (the service answers 503 with Retry-After) rather than waiting without limit.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

_STOP = object()


class QueueFull(Exception):
    """More texts are waiting than max_queue allows."""


@dataclass
class _Request:
    texts: list[str]
    future: Future = field(default_factory=Future)


@dataclass
class Counters:
    requests: int = 0  # accepted into the queue
    texts: int = 0
    batches: int = 0  # model calls
    largest_batch: int = 0  # texts in the largest model call
    shared_batches: int = 0  # model calls that held more than one request
    failed_batches: int = 0


class MicroBatcher:
    def __init__(self, open_predict, max_batch_size: int, max_wait_ms: float, max_queue: int):
        """`open_predict()`, called in the worker thread, loads the model and returns its predict (texts -> answers,
        one each, in order); its error, if any, is raised here."""
        self.max_batch_size, self.max_wait = max_batch_size, max_wait_ms / 1000
        self.max_queue = max_queue
        self.counters = Counters()
        self._queue: queue.Queue = queue.Queue()
        self._waiting = 0  # texts queued, not yet taken by the worker
        self._lock = threading.Lock()
        self._opened = threading.Event()
        self._failed: BaseException | None = None
        self._worker = threading.Thread(target=self._run, args=(open_predict,), name="tokcls-batcher", daemon=True)
        self._worker.start()
        self._opened.wait()
        if self._failed is not None:
            raise self._failed

    def submit(self, texts: list[str]) -> Future:
        """A Future of the texts' answers; QueueFull when max_queue texts are already waiting."""
        with self._lock:
            if self._waiting + len(texts) > self.max_queue:
                raise QueueFull(f"{self._waiting} texts are waiting (server.max_queue={self.max_queue})")
            self._waiting += len(texts)
            self.counters.requests += 1
            self.counters.texts += len(texts)
        request = _Request(texts)
        self._queue.put(request)
        return request.future

    @property
    def waiting(self) -> int:
        return self._waiting

    def close(self, timeout: float | None = None) -> None:
        """Label everything queued, then stop the worker (SIGTERM's drain)."""
        self._queue.put(_STOP)
        self._worker.join(timeout)

    def _take(self, request: _Request) -> bool:
        """Whether the request is still wanted (a timed-out one was cancelled by its handler and is skipped)."""
        with self._lock:
            self._waiting -= len(request.texts)
        return request.future.set_running_or_notify_cancel()

    def _run(self, open_predict) -> None:
        try:
            self.predict = open_predict()
        except BaseException as error:  # raised again by __init__, in the caller's thread
            self._failed = error
            return
        finally:
            self._opened.set()
        held = None  # a request that did not fit the last batch: it starts the next one
        while True:
            first = held if held is not None else self._queue.get()
            held = None
            if first is _STOP:
                return
            batch, size, stop = [first], len(first.texts), False
            deadline = time.monotonic() + self.max_wait
            while size < self.max_batch_size:
                try:
                    following = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if following is _STOP:
                    stop = True
                    break
                if size + len(following.texts) > self.max_batch_size:
                    held = following
                    break
                batch.append(following)
                size += len(following.texts)
            self._label([request for request in batch if self._take(request)])
            if stop:
                while held is not None or not self._queue.empty():  # nothing queued before the stop is lost
                    rest = held if held is not None else self._queue.get()
                    held = None
                    if rest is not _STOP and self._take(rest):
                        self._label([rest])
                return

    def _label(self, batch: list[_Request]) -> None:
        if not batch:
            return
        texts = [text for request in batch for text in request.texts]
        try:
            answers = self.predict(texts)
        except Exception as error:  # every request of the batch gets the error; the worker lives on
            self.counters.failed_batches += 1
            for request in batch:
                request.future.set_exception(error)
            return
        counters = self.counters
        counters.batches += 1
        counters.largest_batch = max(counters.largest_batch, len(texts))
        counters.shared_batches += len(batch) > 1
        start = 0
        for request in batch:
            request.future.set_result(answers[start : start + len(request.texts)])
            start += len(request.texts)
