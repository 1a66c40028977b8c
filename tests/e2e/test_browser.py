"""End-to-end: the annotate app and the review report in headless Chromium (make e2e)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.documents import load_text_file
from pipeline.gold import load_gold
from pipeline.review.app import create_app
from pipeline.review.browser import launch
from pipeline.review.report import build_report
from pipeline.review.server import BackgroundServer, free_port
from pipeline.review.store import Store
from pipeline.run import Runner

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def seed():
    doc = load_text_file(SEED, doc_id="kozak-strategic-convergence", focal_actors=["RUS", "IRN"])
    return doc, Runner().records(doc)


def serve(seed, folder: Path) -> BackgroundServer:
    doc, records = seed
    port = free_port()
    return BackgroundServer(create_app([doc], records, Store(folder, [doc]), port), port).start()


def select_text(page, needle: str) -> None:
    """Select the first occurrence of ``needle`` in the article, as a mouse selection would."""
    page.evaluate(
        """needle => {
          const article = document.getElementById('article');
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const at = walker.currentNode.data.indexOf(needle);
            if (at >= 0) {
              const range = document.createRange();
              range.setStart(walker.currentNode, at);
              range.setEnd(walker.currentNode, at + needle.length);
              getSelection().removeAllRanges(); getSelection().addRange(range); return;
            }
          }
          throw new Error('not found: ' + needle);
        }""",
        needle,
    )


def test_e2e_annotate_accept_edit_add_reload(browser, seed, tmp_path):
    from playwright.sync_api import expect

    folder = tmp_path / "gold"
    server = serve(seed, folder)
    try:
        page = browser.new_page()
        page.goto(server.url)
        total = len(seed[1])
        expect(page.locator("#progress")).to_have_text(f"0 / {total} reviewed")
        page.locator("body").press("Enter")  # accept the first proposal as it is
        expect(page.locator("#progress")).to_have_text(f"1 / {total} reviewed")
        page.select_option("#stance", "divergent")  # change the second one's stance
        page.click("#accept")
        expect(page.locator("#progress")).to_have_text(f"2 / {total} reviewed")
        page.locator("body").press("x")  # reject the third
        expect(page.locator("#progress")).to_have_text(f"3 / {total} reviewed")
        select_text(page, "By Christopher Kozak")  # a missed "claim", added by selection
        page.click("#add-selection")
        expect(page.locator("#status")).to_have_text("accepted")
        expect(page.locator("#claim-text")).to_have_text("By Christopher Kozak")
        page.fill("#actor-input", "org:nato")
        page.press("#actor-input", "Enter")
        page.click("#accept")
        expect(page.locator("#error")).to_have_text("")
        page.reload()
        expect(page.locator("#progress")).to_have_text(f"4 / {total + 1} reviewed")
        expect(page.locator(".claim.rejected")).to_have_count(1)
        page.screenshot(path=str(tmp_path / "annotate.png"), full_page=True)
    finally:
        server.stop()
    gold = load_gold(folder)
    texts = {c.text: c for c in gold.claims}
    first, second = seed[1][0], seed[1][1]
    assert texts[first.text].stance == first.stance.label
    assert texts[second.text].stance == "divergent"
    assert seed[1][2].text not in texts
    assert texts["By Christopher Kozak"].actors == ["org:nato"]


def test_e2e_annotate_shows_invalid_edit_message(browser, seed, tmp_path):
    from playwright.sync_api import expect

    server = serve(seed, tmp_path / "gold")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.fill("#actor-input", "not an id")
        page.press("#actor-input", "Enter")
        page.click("#accept")
        expect(page.locator("#error")).to_contain_text("invalid edit: actors")
        expect(page.locator("#progress")).to_have_text(re.compile(r"^0 / \d+ reviewed$"))
    finally:
        server.stop()


def test_e2e_report_filters_disagreements_and_renders(browser, seed, tmp_path):
    from playwright.sync_api import expect

    doc, records = seed
    html = build_report([doc], {doc.doc_id: records}, load_gold(ROOT / "annotations"))
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(report.as_uri())
    rows = page.locator("table.claims tr.agree")
    expect(rows.first).to_be_visible()
    page.check("#only-diff")
    expect(rows.first).to_be_hidden()
    expect(page.locator("table.claims tr.disagree").first).to_be_visible()
    page.uncheck("#only-diff")
    page.screenshot(path=str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000
