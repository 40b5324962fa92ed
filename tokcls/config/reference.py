"""Render the schemas as commented YAML specs and as the markdown spec reference.

The schema's field `help` texts are the single source: specs/*.yaml, `download_specs` and
docs/spec_reference.md all come from here (tests/test_spec_reference.py keeps the files current).
"""

from __future__ import annotations

import dataclasses
import textwrap
from enum import Enum
from typing import Any

import yaml

from tokcls.config.ranges import range_text


def _default(f: dataclasses.Field) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def _scalar(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    text = yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _describe(f: dataclasses.Field) -> str:
    """A key's help text, with its valid range when it has one."""
    bounds = range_text(f.metadata)
    return f.metadata.get("help", "") + (f" Range: {bounds}." if bounds else "")


def _fields(node: Any) -> list[tuple[dataclasses.Field, Any]]:
    return [(f, getattr(node, f.name)) for f in dataclasses.fields(node)]


def render_yaml(schema: type) -> str:
    """A spec file: every key of `schema` with its default, its help text above it as a comment."""
    lines = [
        f"# {(schema.__doc__ or '').strip()}",
        "# Every key can also be set on the command line as key=value; a key left out keeps the default shown.",
    ]

    def walk(node: Any, indent: str) -> None:
        for f, value in _fields(node):
            if not lines[-1].endswith(":"):
                lines.append("")
            for line in textwrap.wrap(_describe(f), width=100 - len(indent) - 2):
                lines.append(f"{indent}# {line}")
            if dataclasses.is_dataclass(value):
                lines.append(f"{indent}{f.name}:")
                walk(value, indent + "  ")
            else:
                lines.append(f"{indent}{f.name}: {_scalar(value)}")

    walk(schema(), "")
    return "\n".join(lines) + "\n"


def render_reference(schemas: dict[str, type], program: str | None = None) -> str:
    """docs/spec_reference.md (program None: the first program's page) or docs/<program's first word>_spec_reference.md:
    a table of every key of every command's schema."""
    if program is None:
        title, command = "# Spec reference", "python -m tokcls.commands > docs/spec_reference.md"
    else:
        page = f"docs/{program.split('_')[0]}_spec_reference.md"
        title, command = f"# Spec reference: {program}", f"python -m tokcls.commands {program} > {page}"
    lines = [
        title,
        "",
        f"Generated from the schema (`{command}`);",
        "`tests/test_spec_reference.py` fails when it is out of date. Each key can be set in the spec",
        "(`-e`) or on the command line (`key=value`); `???` marks a required value.",
        "",
    ]
    for command, schema in schemas.items():
        lines += [
            f"## `{command}`",
            "",
            (schema.__doc__ or "").strip(),
            "",
            "| key | type | default | description |",
            "|---|---|---|---|",
        ]

        def walk(node: Any, prefix: str) -> None:
            for f, value in _fields(node):
                key = f"{prefix}{f.name}"
                if dataclasses.is_dataclass(value):
                    lines.append(f"| **`{key}`** | section | | {f.metadata.get('help', '')} |")  # noqa: B023 - walk runs inside this iteration
                    walk(value, key + ".")
                else:
                    kind = (
                        type(value).__name__
                        if not isinstance(value, Enum)
                        else " \\| ".join(m.value for m in type(value))
                    )
                    annotation = str(f.type).replace("|", "\\|") if value is None else kind
                    lines.append(f"| `{key}` | {annotation} | `{_scalar(value)}` | {_describe(f)} |")  # noqa: B023

        walk(schema(), "")
        lines.append("")
    return "\n".join(lines)
