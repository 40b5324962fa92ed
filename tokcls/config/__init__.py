"""Typed spec schemas (schema.py, sections.py) and their loading (loading.py: a YAML spec + dotted overrides, composed
with Hydra). Nothing is imported here, so a schema module can be read without loading Hydra."""
