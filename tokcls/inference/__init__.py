"""Running a trained network: the Predictor, the runtime (PyTorch / onnxruntime, int8), scoring, very long texts."""
