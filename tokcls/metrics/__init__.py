"""Token-level and entity-level (seqeval-exact) reports."""
