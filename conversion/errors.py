"""The converter's error: an InputError (tokcls/core/errors.py) about column files or conversion options."""

from __future__ import annotations

from tokcls.core.errors import InputError


class ConversionError(InputError):
    """The converter's error for bad column files or conversion options."""
