"""The one template of evaluate's report.html, for every task: a self-contained page (styles, scripts, images
and data inline, nothing fetched) made of sections, and the pieces the sections are built of.

The browsable lists (sentences, texts, disagreements) are data, not markup: a JSON block the page's script
renders a page of items at a time, so a 50,000-sentence test set stays responsive.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass, field
from importlib import resources

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)


@dataclass
class Run:
    """One model's predictions on the evaluated data (a second one when evaluate compares two archives)."""

    name: str  # the archive
    pred: list  # per example: word labels (tokens) or a class list / value (texts)
    confidences: list  # per example: each word's label probability (tokens), each class's probability (texts)
    reports: dict  # the task's reports: what evaluation_report.json holds


@dataclass
class Meta:
    """What the summary says about the run: the data, the model, the specs, when."""

    dataset: str
    created: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # the model's: encoder, labels, decoder, ...
    specs: list[tuple[str, str]] = field(default_factory=list)  # (title, YAML) of evaluate's spec and the models'


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def pct(value: float) -> str:
    return f"{100 * value:.2f}"


class Page:
    """Sections in order, a table of contents, and the data the script reads."""

    def __init__(self, title: str, subtitle: str = ""):
        self.title, self.subtitle = title, subtitle
        self.sections: list[tuple[str, str, str]] = []
        self.data: dict = {"lists": []}
        self.colors: list[str] = []

    def section(self, id_: str, title: str, body: str) -> None:
        self.sections.append((id_, title, body))

    def set_types(self, names: list[str]) -> None:
        """The colour of each entity type or class (CSS classes c0, c1, ...), in the legend and the lists."""
        self.data["types"] = list(names)
        self.colors = [PALETTE[i % len(PALETTE)] for i in range(len(names))]

    def color(self, name: str) -> str:
        """The CSS class of a type's or class's colour."""
        types = self.data.get("types", [])
        return f"c{types.index(name)}" if name in types else ""

    def item_list(self, id_: str, render: str, items: list, filters: list[dict], empty: str, note: str = "") -> str:
        """A filterable, searchable, paged list the script renders (`render`: how one item looks)."""
        self.data["lists"].append({"id": id_, "render": render, "items": items, "filters": filters})
        controls = "".join(
            f'<label>{esc(f["title"])} <select data-filter="{esc(f["key"])}"><option value="">all</option>'
            + "".join(f'<option value="{esc(v)}">{esc(t)}</option>' for v, t in f["options"])
            + "</select></label>"
            for f in filters
        )
        return (
            f'<div class="list" id="{esc(id_)}" data-empty="{esc(empty)}">{f"<p>{esc(note)}</p>" if note else ""}'
            f'<div class="controls">{controls}<label>search <input type="search" placeholder="words in the text">'
            '</label><span class="count"></span><span class="pager"><button type="button" class="prev">&lsaquo; '
            'previous</button> <span class="pageno"></span> <button type="button" class="next">next &rsaquo;'
            '</button></span></div><ol class="items"></ol><noscript>The list needs JavaScript.</noscript></div>'
        )

    def compare_section(self, runs: list[Run], items: list[dict], render: str, unit: str) -> None:
        """Where two models disagree: how often each is right, and the items (`r`: 0 A right, 1 B right, 2 neither)."""
        verdicts = [sum(it["r"] == r for it in items) for r in range(3)]
        filters = [{"key": "r", "title": "which is right", "options": [(0, "A right"), (1, "B right"), (2, "neither")]}]
        body = facts([("A", runs[0].name), ("B", runs[1].name)]) + table(
            [f"{unit} where they disagree", "A right", "B right", "neither right"],
            [[len(items), *verdicts]],
            "disagreement-counts",
            numeric_from=0,
        )
        body += self.item_list("compare-list", render, items, filters, f"The two models agree on every {unit[:-1]}.")
        self.section("compare", "Where the two models disagree", body)

    def render(self) -> str:
        style = resources.files(__package__).joinpath("assets/report.css").read_text(encoding="utf-8")
        script = resources.files(__package__).joinpath("assets/report.js").read_text(encoding="utf-8")
        colors = "".join(f".c{i}{{--c:{c}}}" for i, c in enumerate(self.colors))
        nav = "".join(f'<a href="#{esc(i)}">{esc(t)}</a>' for i, t, _ in self.sections)
        body = "".join(f'<section id="{esc(i)}"><h2>{esc(t)}</h2>{b}</section>' for i, t, b in self.sections)
        # "<" escaped inside the JSON so no "</script>" in a sentence can end the block
        data = json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(self.title)}</title><style>{style}{colors}</style></head><body>"
            f'<header><h1>{esc(self.title)}</h1><p class="sub">{esc(self.subtitle)}</p><nav>{nav}</nav></header>'
            f'<main>{body}</main><script type="application/json" id="report-data">{data}</script>'
            f"<script>{script}</script></body></html>\n"
        )


def table(headers: list[str], rows: list[list], id_: str = "", caption: str = "", numeric_from: int = 1) -> str:
    """A plain table; cells are escaped unless given as Markup."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if j >= numeric_from and _numeric(cell) else ''}>"
            f"{cell if isinstance(cell, Markup) else esc(cell)}</td>"
            for j, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table{f' id={esc(id_)}' if id_ else ''}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _numeric(cell) -> bool:
    """Right-aligned: numbers and figures (a percentage, '-' for none), not words or made HTML."""
    if isinstance(cell, Markup):
        return False
    try:
        float(str(cell).rstrip("%"))
        return True
    except ValueError:
        return cell == "-"


class Markup(str):
    """HTML made here, put into a table as it is."""


def bar(value: float) -> Markup:
    """A score in [0, 1] as a bar with its figure in %."""
    width = max(0.0, min(1.0, value)) * 100
    return Markup(
        f'<span class="bar"><span style="width:{width:.1f}%"></span></span><span class="fig">{pct(value)}</span>'
    )


def score_bars(rows: list[tuple[str, dict]], id_: str, caption: str, color_of=None) -> str:
    """Precision, recall and F1 per type (or class) as bars, with the support."""
    body = []
    for name, row in rows:
        swatch = f'<span class="swatch {color_of(name)}"></span>' if color_of and color_of(name) else ""
        body.append(
            [Markup(swatch + esc(name)), bar(row["precision"]), bar(row["recall"]), bar(row["f1"]), row["support"]]
        )
    return table(["", "precision", "recall", "F1", "support"], body, id_, caption)


def matrix(
    rows: list[str], columns: list[str], counts, id_: str, caption: str, corner: str = "gold \\ predicted"
) -> str:
    """A count matrix shaded by the share of each row; row and column totals."""
    cells = []
    for i, name in enumerate(rows):
        total = sum(counts[i])
        line = [f"<th>{esc(name)}</th>"]
        for j in range(len(columns)):
            n = counts[i][j]
            share = n / total if total else 0.0
            kind = "diag" if rows[i] == columns[j] else "off"
            line.append(
                f'<td class="num {kind}" style="--s:{share:.3f}" title="{esc(name)} as {esc(columns[j])}: '
                f'{n}">{n if n else ""}</td>'
            )
        line.append(f'<td class="num total">{total}</td>')
        cells.append("<tr>" + "".join(line) + "</tr>")
    column_totals = [sum(counts[i][j] for i in range(len(rows))) for j in range(len(columns))]
    foot = "<tr><th>total</th>" + "".join(f'<td class="num total">{n}</td>' for n in column_totals) + "<td></td></tr>"
    head = f"<tr><th>{esc(corner)}</th>" + "".join(f"<th>{esc(c)}</th>" for c in columns) + "<th>total</th></tr>"
    return (
        f'<div class="scroll"><table class="matrix" id="{esc(id_)}"><caption>{esc(caption)}</caption>'
        f"<thead>{head}</thead><tbody>{''.join(cells)}</tbody><tfoot>{foot}</tfoot></table></div>"
    )


def figure(fig, alt: str) -> str:
    """A matplotlib figure as an embedded PNG."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="plot" alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def details(summary: str, text: str) -> str:
    return f"<details><summary>{esc(summary)}</summary><pre>{esc(text)}</pre></details>"


def facts(pairs: list[tuple[str, str]]) -> str:
    return '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs) + "</dl>"
