"""Exports of a model archive: ONNX (any task), and the model card of a Hugging Face export (whose model class is the
task's: tasks/<task>/hf_export.py)."""
