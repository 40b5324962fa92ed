"""Typed spec schemas and their loading (YAML spec + dotted overrides)."""

from tokcls.config.loading import SpecError, load_spec

__all__ = ["SpecError", "load_spec"]
