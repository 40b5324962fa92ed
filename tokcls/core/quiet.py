"""Silence what the libraries print on every run that tells the user nothing about their data or settings.

Each entry names the message and why it says nothing to act on. What is kept on purpose: a load
report that lists MISSING or MISMATCHED encoder weights (newly initialised weights are the user's
business), every warning raised by tokcls about the data or spec, and any library warning not listed.
"""

from __future__ import annotations

import logging
import warnings

# (message regex, why it is noise)
WARNINGS = (
    (r".*isinstance\(treespec, LeafSpec\)", "Lightning's use of a deprecated torch API (_pytree), not the user's"),
    (
        r".*number of training batches .* is smaller than the logging interval",
        "the epoch is shorter than log_every_n_steps: the epoch's loss is still logged at its end",
    ),
    (r".*You are using `torch.load` with `weights_only=False`", "Lightning loading tokcls's own checkpoints"),
    (r".*`weights_only` was not set", "Lightning loading tokcls's own checkpoints"),
    (r".*Precision .* is not supported by the model summary", "the summary's size estimate only"),
)
# The ONNX exporter's TracerWarnings are silenced where the export runs (tokcls/export/onnx.py), by their class.


class _DropRecords(logging.Filter):
    """Drops log records that carry no information for the user."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Tip: For seamless cloud logging" in message:  # Lightning's advert for its litlogger service
            return False
        if "LOAD REPORT" in message:  # transformers: keep it only when encoder weights are missing or misshapen
            return "MISSING" in message or "MISMATCH" in message
        return True


def silence_known_noise() -> None:
    """Install the filters (idempotent): warnings by message, and the log records of _DropRecords."""
    for pattern, _why in WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
    drop = _DropRecords()
    for name in (
        "transformers.modeling_utils",
        "transformers.modeling_layers",
        "pytorch_lightning.utilities.rank_zero",
        "lightning.pytorch.utilities.rank_zero",
        "pytorch_lightning",
        "lightning_fabric",
    ):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropRecords) for f in logger.filters):
            logger.addFilter(drop)
