"""A digest of a network's weights: what ties an export (ONNX) to the archive it was made from."""

from __future__ import annotations

import hashlib

import numpy as np


def weights_digest(network) -> str:
    """SHA-256 over every tensor of the network, by name in sorted order (names, shapes, dtypes and bytes)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(network.state_dict().items()):
        value = tensor.detach().cpu().contiguous()
        digest.update(f"{name}:{tuple(value.shape)}:{value.dtype}\n".encode())
        digest.update(
            np.ascontiguousarray(value.float().numpy() if value.is_floating_point() else value.numpy()).tobytes()
        )
    return digest.hexdigest()
