"""The HTTP service of a loaded model (FastAPI): POST /predict, GET /health, GET /metadata, OpenAPI docs at /docs.

Every refusal is a JSON body {"error", "field", "fix"} with a 4xx status (503 + Retry-After when the queue is full,
504 when a request outlives server.timeout_s); an unexpected failure is a 500 with the error's name, never a
traceback. Requests are labelled by the MicroBatcher, through the model's own `predict` (the Python API), so the
service answers exactly what `infer` writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from dataclasses import asdict

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tokcls.serving.batcher import MicroBatcher, QueueFull
from tokcls.serving.requests import Limits, RequestError, parse

PREDICT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["inputs"],
                        "properties": {
                            "inputs": {
                                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                            },
                            "parameters": {
                                "type": "object",
                                "properties": {"words": {"type": "boolean", "default": False}},
                            },
                        },
                    },
                    {"type": "array", "items": {"type": "string"}},
                ]
            },
            "example": {"inputs": ["Angela Merkel visited Paris ."], "parameters": {"words": False}},
        }
    },
}
ERROR = {
    "content": {"application/json": {"example": {"error": "inputs[0] is empty", "field": "inputs[0]", "fix": "…"}}}
}


def _error(status: int, message: str, field=None, fix=None, headers=None) -> JSONResponse:
    return JSONResponse({"error": message, "field": field, "fix": fix}, status_code=status, headers=headers)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) past `limit` bytes whether or not Content-Length says so (chunked uploads)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"the body has {declared} bytes", "body", f"send at most server.max_body_bytes={limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(
                413, f"the body exceeds {limit} bytes", "body", f"send at most server.max_body_bytes={limit}"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def build_app(model, server, batcher: MicroBatcher) -> FastAPI:
    """The app serving `model` (tokcls.api.Model, run by `batcher`'s thread) under `server` (the spec's server
    section)."""
    limits = Limits(server.max_texts, server.max_chars)
    task = model.predictor.task
    pipeline = task.hf_pipeline  # the answers' shape: that pipeline's
    state: dict = {
        "answered": 0,
        "batcher": batcher,
    }  # answered: accepted requests answered (labelled, failed, timed out)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        # uvicorn has stopped accepting and waited for the requests in flight; nothing queued is left behind
        await asyncio.to_thread(state["batcher"].close, server.drain_s)

    app = FastAPI(
        title=f"tokcls {model.task}",
        description=f"{model.describe()['encoder']} labelling {len(model.labels)} labels; docs/serve.md",
        lifespan=lifespan,
    )

    app.state.tokcls = state

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        return _error(500, f"internal error: {type(error).__name__}", None, "see the server's log")

    @app.post(
        "/predict",
        openapi_extra={"requestBody": PREDICT_BODY},
        responses={400: ERROR, 413: ERROR, 422: ERROR, 503: ERROR, 504: ERROR},
    )
    async def predict_route(request: Request):
        """Label texts: the Hugging Face Inference API's body and answer (module tokcls.serving.requests)."""
        try:
            parsed = parse(await _read_body(request, server.max_body_bytes), limits, pipeline)
            future = state["batcher"].submit(parsed.texts)
        except RequestError as error:
            return JSONResponse(error.body(), status_code=error.status)
        except QueueFull as error:
            retry = max(1, math.ceil(server.max_wait_ms / 1000 + 1))
            return _error(
                503, f"the service is busy: {error}", None, f"retry after {retry} s", {"Retry-After": str(retry)}
            )
        try:
            records = await asyncio.wait_for(asyncio.wrap_future(future), server.timeout_s)
        except asyncio.TimeoutError:
            future.cancel()  # still queued: the batcher skips it
            return _error(
                504,
                f"not labelled within server.timeout_s={server.timeout_s} s",
                None,
                "retry later, or send fewer texts",
            )
        except Exception as error:  # the model failed on this batch: no traceback leaves the server
            return _error(500, f"labelling failed: {type(error).__name__}: {error}", None, "see the server's log")
        finally:
            state["answered"] += 1
        answers = [task.answer(record, model.labels, parsed.words) for record in records]
        return JSONResponse(answers[0] if parsed.single else answers)  # plain JSON already: no encoder walk

    @app.get("/health")
    async def health():
        """200 while the model is loaded and the batcher runs."""
        return {"status": "ok", "waiting_texts": state["batcher"].waiting}

    @app.get("/metadata")
    async def metadata():
        """The model (task, labels, encoder, decoder, archive digest), the limits and the batching counters."""
        return model.describe() | {
            "limits": {key: getattr(server, key) for key in LIMIT_KEYS},
            "batching": asdict(state["batcher"].counters),
        }

    return app


LIMIT_KEYS = (
    "max_batch_size",
    "max_wait_ms",
    "max_queue",
    "max_texts",
    "max_chars",
    "max_body_bytes",
    "timeout_s",
    "drain_s",
)
