"""Data: text/labels files -> examples -> windowed features -> length-bucketed batches."""
