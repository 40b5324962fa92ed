"""Run the app under uvicorn until SIGTERM or Ctrl-C, then drain: stop accepting, answer what was accepted, exit."""

from __future__ import annotations

import signal
import time


def serve(open_model, server) -> None:
    """Load the model (`open_model()`, in the batcher's thread, which runs every prediction), then serve it."""
    import uvicorn

    from tokcls.serving.app import build_app
    from tokcls.serving.batcher import MicroBatcher

    started = time.monotonic()
    opened = []

    def open_predict():
        model = open_model()
        model.predict("Warm up .")  # the first call pays for lazy set-up; the first client should not
        opened.append(model)
        return model.predict

    batcher = MicroBatcher(open_predict, server.max_batch_size, server.max_wait_ms, server.max_queue)
    model = opened[0]
    app = build_app(model, server, batcher)
    config = uvicorn.Config(
        app,
        host=server.host,
        port=server.port,
        timeout_graceful_shutdown=int(server.drain_s) or None,  # the requests in flight get this long on SIGTERM
        log_level="info",
        access_log=False,  # one line per request costs throughput; /metadata counts them
    )
    print(
        f"Serving the {model.task} model {model.path} on http://{server.host}:{server.port} "
        f"(POST /predict, GET /health, GET /metadata, API docs at /docs); batches of up to {server.max_batch_size} "
        f"texts, waiting at most {server.max_wait_ms} ms. Ctrl-C or SIGTERM stops it after answering what it accepted.",
        flush=True,
    )
    # uvicorn drains on SIGTERM, then raises the signal again under the handler it found; this one makes that a clean
    # exit (status 0: the service stopped as asked) instead of a death by signal after the drain
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, frame: received.append(number))
    try:
        uvicorn.Server(config).run()
    finally:
        signal.signal(signal.SIGTERM, previous)
    state = app.state.tokcls
    accepted = batcher.counters.requests
    print(
        f"Stopped{' on SIGTERM' if received else ''} after {time.monotonic() - started:.0f} s: "
        f"{state['answered']} of {accepted} accepted request(s) answered",
        flush=True,
    )
