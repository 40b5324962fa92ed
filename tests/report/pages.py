"""Reading report.html back in tests: strictly parsed (any HTML error fails), its tables and its data block."""

from __future__ import annotations

import json
import re
from pathlib import Path

import html5lib

NS = "{http://www.w3.org/1999/xhtml}"


def parse(path: Path):
    """The page's tree; html5lib's strict mode raises on any parse error (invalid HTML)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(path.read_text(encoding="utf-8"))


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def tables(tree) -> dict[str, list[list[str]]]:
    """Every table with an id: its body rows (and a foot row) as cell texts, header cells included."""
    found = {}
    for t in tree.iter(f"{NS}table"):
        if t.get("id"):
            rows = [r for part in ("tbody", "tfoot") for body in t.iter(f"{NS}{part}") for r in body.iter(f"{NS}tr")]
            found[t.get("id")] = [[_text(c) for c in r if c.tag in (f"{NS}td", f"{NS}th")] for r in rows]
    return found


def headers(tree, id_: str) -> list[str]:
    table = next(t for t in tree.iter(f"{NS}table") if t.get("id") == id_)
    return [_text(c) for c in next(table.iter(f"{NS}thead")).iter(f"{NS}th")]


def data(tree) -> dict:
    block = next(s for s in tree.iter(f"{NS}script") if s.get("id") == "report-data")
    return json.loads(block.text)


def external_references(text: str) -> list[str]:
    """Anything the page would fetch: src/href/url() pointing outside the file, @import, fetch or XHR."""
    found = re.findall(r"""(?:src|href)\s*=\s*["']?(?!#|data:)([^"'\s>]+)""", text)
    found += re.findall(r"url\((?!['\"]?data:)[^)]*\)", text)
    found += [m for m in ("@import", "fetch(", "XMLHttpRequest", "<link") if m in text]
    return found


def number(cell: str) -> int:
    return int(cell.replace(",", ""))
