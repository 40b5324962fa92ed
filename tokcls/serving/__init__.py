"""The HTTP service of a model (serve): the app, its request shapes and limits, and the micro-batcher."""
