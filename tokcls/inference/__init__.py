"""Running a trained network: the Predictor and the runtime (PyTorch / onnxruntime, int8) evaluate and infer use."""
