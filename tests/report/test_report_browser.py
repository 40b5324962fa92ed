"""report.html in a real headless browser (skipped without one): the summary, the error list, its filters,
search box and pages work, nothing is fetched and the script raises nothing."""

import random
import re

import pytest

from tests.report.browser import open_page
from tests.report.pages import data, parse
from tokcls.report.page import Meta, Run
from tokcls.tasks.token.examples import Example
from tokcls.tasks.token.metrics import all_reports
from tokcls.tasks.token.report.page import token_report_page

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


@pytest.fixture(scope="module")
def big_page(tmp_path_factory):
    """A page of 3,000 sentences with random errors: many pages of errors to filter and turn."""
    rng = random.Random(7)
    examples, pred = [], []
    for i in range(3000):
        labels = [rng.choice(LABELS) for _ in range(rng.randint(3, 20))]
        words = [f"w{i}_{j}" if j else rng.choice(["Paris", "Berlin", "the", "Smith"]) for j in range(len(labels))]
        examples.append(Example(words, labels))
        pred.append([t if rng.random() < 0.85 else rng.choice(LABELS) for t in labels])
    gold = [e.labels for e in examples]
    confidences = [[rng.random() for _ in s] for s in pred]
    reports = all_reports(gold, pred, LABELS)
    reports["summary"] = {"f1": 100 * reports["entity"]["micro avg"]["f1"]}
    html = token_report_page(
        examples, [Run("model.tcls", pred, confidences, reports)], LABELS, "O", Meta("synthetic", "2026-11-24")
    )
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_summary_errors_filters_and_pages_work(big_page):
    items = data(parse(big_page))["lists"][0]["items"]
    types = data(parse(big_page))["types"]
    with open_page(big_page) as (page, outside, errors):
        assert page.locator("#headline").is_visible()
        assert "entity F1" in page.locator("#headline").inner_text()
        assert page.locator("#error-kinds").is_visible() and page.locator("#entity-confusion").is_visible()
        count = page.locator("#sentence-list .count")
        assert count.inner_text() == f"{len(items)} of {len(items)} shown"
        assert page.locator("#sentence-list li.item").count() == 50  # one page rendered, not all of them
        first = page.locator("#sentence-list li.item").first.inner_text()
        assert items[0]["w"][1] in first
        assert f"line {items[0]['n'] + 1}" in first  # where to find it in the split's text file

        page.select_option("#sentence-list select[data-filter=type]", label="ORG")
        org = [it for it in items if types.index("ORG") in it["f"]["type"]]
        assert count.inner_text() == f"{len(org)} of {len(items)} shown" and 0 < len(org) < len(items)
        page.select_option("#sentence-list select[data-filter=kind]", label="missed")
        both = [it for it in org if 4 in it["f"]["kind"]]
        assert count.inner_text() == f"{len(both)} of {len(items)} shown"

        page.select_option("#sentence-list select[data-filter=type]", value="")
        page.select_option("#sentence-list select[data-filter=kind]", value="")
        page.fill("#sentence-list input[type=search]", "w1234_")
        assert count.inner_text() == f"1 of {len(items)} shown"
        assert "w1234_1" in page.locator("#sentence-list li.item").inner_text()

        page.fill("#sentence-list input[type=search]", "")
        pages = -(-len(items) // 50)
        assert page.locator("#sentence-list .pageno").inner_text() == f"page 1 of {pages}"
        page.click("#sentence-list .next")
        assert page.locator("#sentence-list .pageno").inner_text() == f"page 2 of {pages}"
        assert items[50]["w"][1] in page.locator("#sentence-list li.item").first.inner_text()
        assert page.locator("#sentence-list .prev").is_enabled()
    assert outside == [] and errors == []


def test_the_page_of_an_evaluated_model_opens(evaluated):
    with open_page(evaluated / "report.html") as (page, outside, errors):
        assert page.locator("#headline").is_visible()
        n = len(data(parse(evaluated / "report.html"))["lists"][0]["items"])
        assert page.locator("#sentence-list li.item").count() == min(50, n)
        assert page.locator("#sentence-list li.none").count() == (0 if n else 1)
        assert page.locator("img.plot").evaluate("img => img.naturalWidth") > 100  # the embedded PNG decodes
    assert outside == [] and errors == []


def test_the_page_prints_without_its_controls(big_page, tmp_path):
    with open_page(big_page) as (page, outside, errors):
        page.emulate_media(media="print")
        assert page.locator("#sentence-list .controls").evaluate("e => getComputedStyle(e).display") == "none"
        assert page.locator("nav").evaluate("e => getComputedStyle(e).display") == "none"
        assert page.locator("#headline").is_visible()
        pdf = page.pdf(path=str(tmp_path / "report.pdf"))
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert pdf.startswith(b"%PDF") and len(pages) > 1  # the summary, the tables and a page of sentences
