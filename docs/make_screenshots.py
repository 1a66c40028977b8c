"""Screenshots of the review report and the annotate app for the README (make screenshots)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the e2e tests' browser helper (tests/e2e/browser.py)

from playwright.sync_api import sync_playwright  # noqa: E402

from pipeline.corpus.documents import load_text_file  # noqa: E402
from pipeline.corpus.runner import Runner  # noqa: E402
from pipeline.evaluation.gold import load_gold  # noqa: E402
from pipeline.review.app import create_app  # noqa: E402
from pipeline.review.report import build_report  # noqa: E402
from pipeline.review.server import BackgroundServer, free_port  # noqa: E402
from pipeline.review.store import Store  # noqa: E402
from tests.e2e.browser import launch  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    seed = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
    doc = load_text_file(seed, doc_id="kozak-strategic-convergence", focal_actors=["RUS", "IRN"])
    records = Runner().records(doc)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = launch(playwright)
        report = Path(tmp) / "report.html"
        report.write_text(
            build_report([doc], {doc.doc_id: records}, load_gold(ROOT / "annotations")),
            encoding="utf-8",
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(report.as_uri())
        page.check("#only-diff")
        page.screenshot(path=str(OUT / "report.png"))
        port = free_port()
        store = Store(Path(tmp) / "gold", [doc])
        server = BackgroundServer(create_app([doc], records, store, port), port).start()
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(server.url)
            page.wait_for_selector(".claim.current")
            for _ in range(3):
                page.locator("body").press("Enter")
                page.wait_for_timeout(150)
            page.screenshot(path=str(OUT / "annotate.png"))
        finally:
            server.stop()
            browser.close()
    print(f"wrote {OUT / 'report.png'} and {OUT / 'annotate.png'}")


if __name__ == "__main__":
    main()
