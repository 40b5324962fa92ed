"""evaluate's report.html on a real split, opened in a real browser: its size, how long it takes to open and to
filter, and a screenshot (docs/evaluate.md).

evaluate runs the archive on the split (CoNLL-2003 dev by default); the page is then opened --opens times in
headless Chromium (Debian's `chromium`, driven by Playwright), each time in a fresh tab: the time from asking for
the file to the page's script having rendered its lists (the page sets body[data-ready]).

    python benchmarks/report_page.py -m MODEL.tcls --output-dir /tmp/report_page [--screenshot docs/x.png]
    python benchmarks/report_page.py --synthetic 50000 --output-dir /tmp/report_50k   # no model: a made-up test set
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
from pathlib import Path

from compare_hf import parse_with_data, run_child, training_benchmark_parser

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def open_times(page_file: Path, opens: int, screenshot: Path | None) -> dict:
    """Seconds to open the page (each in a fresh tab), milliseconds to apply a filter, and the screenshot."""
    from playwright.sync_api import sync_playwright

    executable = next(filter(None, map(shutil.which, BROWSERS)), None)
    if executable is None:
        raise SystemExit("no Chromium: apt-get install chromium")
    seconds, filter_ms = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1300, "height": 1000})
        for _ in range(opens):
            tab = context.new_page()
            start = time.perf_counter()
            tab.goto(page_file.resolve().as_uri())
            tab.wait_for_selector("body[data-ready='1']")
            seconds.append(time.perf_counter() - start)
            # the time the page's script takes to filter every sentence and render the first page of them
            filter_ms.append(
                tab.evaluate("""() => {
                const select = document.querySelector('#sentence-list select[data-filter=kind], #text-list select');
                if (!select) return 0;
                const t = performance.now();
                select.selectedIndex = 1;
                select.dispatchEvent(new Event('change'));
                return performance.now() - t;
            }""")
            )
            if screenshot and len(seconds) == 1:
                tab.reload()
                tab.wait_for_selector("body[data-ready='1']")
                tab.screenshot(
                    path=str(screenshot), full_page=True, clip={"x": 0, "y": 0, "width": 1300, "height": 1900}
                )
                top = tab.locator("#sentences, #errors").first.bounding_box()["y"]  # the error list, its first items
                tab.screenshot(
                    path=str(screenshot.with_name(screenshot.stem + "_errors.png")),
                    full_page=True,
                    clip={"x": 0, "y": top, "width": 1300, "height": 1300},
                )
            tab.close()
        browser.close()
    return {
        "open_seconds_median": round(statistics.median(seconds), 3),
        "open_seconds_max": round(max(seconds), 3),
        "filter_ms_median": round(statistics.median(filter_ms), 1),
        "opens": opens,
    }


def synthetic_page(sentences: int, out: Path) -> Path:
    """report.html of `sentences` made-up sentences (CoNLL-like lengths and entity density) whose predictions get
    one entity in eight wrong: the size and speed of a page for a large test set, without a model."""
    import random

    from tokcls.report.page import Meta, Run
    from tokcls.tasks.token.examples import Example
    from tokcls.tasks.token.metrics import all_reports
    from tokcls.tasks.token.report.page import token_report_page

    rng, types = random.Random(0), ["PER", "LOC", "ORG", "MISC"]
    examples, pred = [], []
    for _ in range(sentences):
        words, gold = [], []
        while len(words) < rng.randint(4, 30):
            if rng.random() < 0.15:
                n, type_ = rng.randint(1, 3), rng.choice(types)
                words += [f"Name{rng.randint(0, 5000)}" for _ in range(n)]
                gold += [f"B-{type_}"] + [f"I-{type_}"] * (n - 1)
            else:
                words.append(rng.choice(["the", "of", "said", "in", "a", "to", "on", "and", "."]))
                gold.append("O")
        guess = [t if t == "O" or rng.random() > 0.12 else rng.choice(["O", "B-PER", "B-ORG"]) for t in gold]
        examples.append(Example(words, gold))
        pred.append(guess)
    labels = ["O"] + [f"{p}-{t}" for t in types for p in "BI"]
    reports = all_reports([e.labels for e in examples], pred, labels)
    reports["summary"] = {}
    confidences = [[rng.uniform(0.4, 1.0) for _ in s] for s in pred]
    page = out / "evaluate" / "report.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(
        token_report_page(
            examples,
            [Run("synthetic", pred, confidences, reports)],
            labels,
            "O",
            Meta(f"{sentences} made-up sentences", time.strftime("%Y-%m-%d")),
        ),
        encoding="utf-8",
    )
    return page


def main(argv: list[str] | None = None) -> dict:
    parser = training_benchmark_parser(__doc__)
    parser.add_argument("-m", dest="model", help="the archive evaluated")
    parser.add_argument("-k", dest="key", help="its key, if encrypted")
    parser.add_argument("--synthetic", type=int, help="no model: a page of this many made-up sentences")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--opens", type=int, default=5)
    parser.add_argument("--screenshot", type=Path, help="where to write a screenshot of the page's top (docs)")
    args = parser.parse_args(argv)
    if args.synthetic:
        page = synthetic_page(args.synthetic, args.output_dir)
        result = {
            "page_bytes": page.stat().st_size,
            "sentences": args.synthetic,
            **open_times(page, args.opens, args.screenshot),
        }
        print(
            f"report.html: {result['page_bytes'] / 1e6:.2f} MB for {args.synthetic} made-up sentences; opens in "
            f"{result['open_seconds_median']:.2f} s (median of {args.opens}); a filter applies in "
            f"{result['filter_ms_median']:.1f} ms"
        )
        return result
    if not args.model:
        parser.error("-m MODEL.tcls is needed (or --synthetic N)")
    args, data = parse_with_data(parser, argv)
    if data is None:
        return {}
    out = args.output_dir
    evaluate = run_child(
        "evaluate",
        [
            sys.executable,
            "-m",
            "tokcls",
            "evaluate",
            "-r",
            str(out / "evaluate"),
            "-m",
            args.model,
            *(["-k", args.key] if args.key else []),
            f"data_dir={data}",
            f"test_ds.text_file=text_{args.split}.txt",
            f"test_ds.labels_file=labels_{args.split}.txt",
        ],
        out,
        args.threads,
    )
    page = out / "evaluate" / "report.html"
    text = page.read_text(encoding="utf-8")
    data_block = json.loads(text.split('id="report-data">', 1)[1].split("</script>", 1)[0])
    result = {
        "page_bytes": page.stat().st_size,
        "sentences": len((data / f"text_{args.split}.txt").read_text().splitlines()),
        "sentences_with_errors": len(data_block["lists"][0]["items"]),
        "evaluate_wall_seconds": evaluate["wall_seconds"],
        **open_times(page, args.opens, args.screenshot),
    }
    (out / "report_page.json").write_text(json.dumps(result, indent=2))
    print(
        f"report.html: {result['page_bytes'] / 1e6:.2f} MB for {result['sentences']} sentences "
        f"({result['sentences_with_errors']} with errors); opens in {result['open_seconds_median']:.2f} s "
        f"(median of {args.opens}, slowest {result['open_seconds_max']:.2f} s); a filter applies in "
        f"{result['filter_ms_median']:.1f} ms; evaluate took {result['evaluate_wall_seconds']:.0f} s"
    )
    return result


if __name__ == "__main__":
    main()
