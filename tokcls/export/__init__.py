"""Exports of a model archive to the formats other runtimes load: a Hugging Face directory, ONNX."""
