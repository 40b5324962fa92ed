"""tokcls: fine-tune transformer encoders for token, span and text classification (README.md).

`tokcls.load(path)` opens an archive for labelling from Python (tokcls/api.py, docs/python_api.md); it is imported
on first use, so `import tokcls` stays instant and the command line pays nothing for it."""

from __future__ import annotations

from typing import Any

__all__ = ["load", "Model"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tokcls import api

        return getattr(api, name)
    raise AttributeError(f"module 'tokcls' has no attribute {name!r}")
