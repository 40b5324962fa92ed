"""A real headless browser for the report tests: Playwright driving the system's Chromium (Debian: `apt-get install
chromium`). Tests that need it skip, saying why, where either is missing."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def system_browser() -> str | None:
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


@contextmanager
def open_page(path: Path):
    """(page, outside requests) of `path` opened with every request outside the file refused and recorded."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
    executable = system_browser()
    if executable is None:
        pytest.skip("no Chromium installed: apt-get install chromium")
    outside = []

    def guard(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1300, "height": 900})
            context.route("**/*", guard)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.resolve().as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=10_000)
            yield page, outside, errors
        finally:
            browser.close()
