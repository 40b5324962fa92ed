"""Text classification: labels, sets of labels or values of whole texts (and sentence pairs)."""
