"""The `server` section of both programs' serve specs: where the service listens, how it batches, and the limits that
protect it (tokcls/serving/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from tokcls.config.inference import (
    DeviceConfig,
    Quantize,
    Runtime,
    _device_field,
    _onnx_file_field,
    _quantize_field,
    _restore_from_field,
    _runtime_field,
)
from tokcls.config.sections import _help


@dataclass
class ServerConfig:
    """Where `serve` listens, how it batches requests and what it refuses."""

    host: str = field(
        default="127.0.0.1",
        metadata=_help("The address to listen on: 127.0.0.1 serves this machine only; 0.0.0.0 every network."),
    )
    port: int = field(default=8000, metadata=_help("The TCP port.", ge=1, le=65535))
    max_batch_size: int = field(
        default=32,
        metadata=_help(
            "Texts labelled together in one model call: requests queue and run together up to this many texts "
            "(1: every request alone). A request of more texts runs alone.",
            ge=1,
            le=4096,
        ),
    )
    max_wait_ms: float = field(
        default=0.0,
        metadata=_help(
            "How long the oldest queued request waits for others to join its batch. 0: no waiting; the requests that "
            "arrive while the model runs form the next batch, so batches grow with the load by themselves.",
            ge=0,
            le=10_000,
        ),
    )
    max_queue: int = field(
        default=1024,
        metadata=_help("Texts allowed to wait; a request that would exceed it gets 503 with Retry-After.", ge=1),
    )
    max_texts: int = field(default=256, metadata=_help("Texts in one request (more: 413).", ge=1))
    max_chars: int = field(default=100_000, metadata=_help("Characters of one text (more: 413).", ge=1))
    max_body_bytes: int = field(default=10_000_000, metadata=_help("Bytes of a request's body (more: 413).", ge=64))
    timeout_s: float = field(
        default=60.0,
        metadata=_help(
            "Seconds a request may wait and run before it is answered 504 (and dropped if still queued).", gt=0
        ),
    )
    drain_s: float = field(
        default=30.0,
        metadata=_help(
            "On SIGTERM or Ctrl-C the service stops accepting, then gives the requests it accepted this many seconds "
            "to be answered before it exits.",
            ge=0,
        ),
    )


@dataclass
class ServeConfig:
    """The keys both programs' serve specs share; each program adds its `model` section (infer's)."""

    restore_from: Optional[str] = _restore_from_field()
    batch_size: int = field(
        default=8,
        metadata=_help(
            "Windows per model batch (text models: texts, at most this many windows): a micro-batch of texts runs as "
            "batches of windows of similar length. Small batches carry less padding: on 2 CPU cores 8 labelled 245 "
            "CoNLL sentences/s where 64 labelled 131 (docs/serve.md).",
            ge=1,
        ),
    )
    trainer: DeviceConfig = _device_field()
    runtime: Runtime = _runtime_field()
    onnx_file: Optional[str] = _onnx_file_field()
    quantize: Quantize = _quantize_field()
    server: ServerConfig = field(
        default_factory=ServerConfig, metadata=_help("Where the service listens, how it batches, what it refuses.")
    )
