"""Screenshots of the review report and the annotate app for the README (make screenshots)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from pipeline.documents import load_text_file
from pipeline.gold import load_gold
from pipeline.review.app import create_app
from pipeline.review.browser import launch
from pipeline.review.report import build_report
from pipeline.review.server import BackgroundServer, free_port
from pipeline.review.store import Store
from pipeline.run import Runner

ROOT = Path(__file__).resolve().parents[1]
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
