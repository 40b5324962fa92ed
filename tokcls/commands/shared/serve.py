"""serve, for both programs: load the archive once, then answer HTTP requests until SIGTERM or Ctrl-C (docs/serve.md)."""

from __future__ import annotations

SUMMARY = "serve a model archive over HTTP (POST /predict, GET /health, GET /metadata) with micro-batching"


def run(config, ctx):
    from tokcls.api import Model
    from tokcls.serving.server import serve

    serve(lambda: Model.from_spec(ctx.model, ctx.key, config, (ctx.program, ctx.command)), config.server)
    return 0
