"""End-to-end: the review report's layout and policy in headless Chromium (make e2e).

At 1,280, 1,400 and 1,920 px the page needs no horizontal scrolling, the article and the
claim table stand side by side with room to read, every column (the "versus gold" one too)
is on screen and no cell's content spills out; the Content Security Policy lets the
report's own script and style run and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus.documents import SourceDocument, load_text_file, sha256_hex
from pipeline.corpus.runner import Runner
from pipeline.evaluation.gold import load_gold
from pipeline.review.report import build_report

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
WIDTHS = [1280, 1400, 1920]
LONG_URL = "https://example.org/" + "very-long-path-segment" * 12
STRESS = (
    f"Russia and Iran back Armenia, says {LONG_URL} in a report.\n"
    "Kazakhstan's president Kassym-Jomart Tokayev met Vladimir Putin in Moscow \u202eand "
    "Tehran\u202c on Tuesday.\n"
)
LONG_IDS = ["person:kassym-jomart-tokayev", "org:collective-security-treaty-organization"]


def stress_document():
    """A document without gold: an unbroken 280-character URL, long actor IDs, a bidi
    override."""
    doc = SourceDocument(
        "stress-" + "x" * 60, STRESS, sha256_hex(STRESS.encode()), "<stress>",
        focal_actors=["RUS", "IRN"],
    )  # fmt: skip
    records = Runner(focal=["RUS", "IRN"]).records(doc)
    widened = []
    for r in records:
        extra = [a.model_copy(update={"id": i}) for a in r.actors[:1] for i in LONG_IDS]
        widened.append(r.model_copy(update={"actors": [*r.actors, *extra]}))
    return doc, widened


@pytest.fixture(scope="module")
def report_uri(tmp_path_factory) -> str:
    seed = load_text_file(SEED, doc_id="kozak-strategic-convergence", focal_actors=["RUS", "IRN"])
    stress, stress_records = stress_document()
    records = {seed.doc_id: Runner().records(seed), stress.doc_id: stress_records}
    html = build_report([seed, stress], records, load_gold(ROOT / "annotations"))
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path.as_uri()


MEASURE = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right,
                                                                   width: r.width}; };
  const sections = [...document.querySelectorAll('section.doc')].map(s => ({
    article: box(s.querySelector('.article')),
    table: box(s.querySelector('table.claims')),
    heads: [...s.querySelectorAll('table.claims th')].map(th => ({text: th.textContent,
                                                                  ...box(th)})),
    spilling: [...s.querySelectorAll('table.claims td')]
      .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent.slice(0, 60)),
  }));
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, sections,
          text: document.body.innerText};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_e2e_report_layout_fits_the_window(browser, report_uri, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(report_uri)
    m = page.evaluate(MEASURE)
    page.close()
    assert m["scroll"] <= m["inner"] == width  # no horizontal scrolling
    with_gold, without_gold = m["sections"]
    assert [h["text"] for h in with_gold["heads"]][-1] == "versus gold"
    assert "versus gold" not in [h["text"] for h in without_gold["heads"]]
    for section in m["sections"]:
        article, table, heads = section["article"], section["table"], section["heads"]
        assert article["right"] <= table["left"]  # side by side
        assert article["width"] >= 450
        assert table["right"] <= width and all(h["right"] <= width for h in heads)
        claim = next(h for h in heads if h["text"] == "claim")
        assert claim["width"] >= 220, claim  # the claim text gets room
        assert section["spilling"] == []
    assert "<U+202E>" in m["text"] and "\u202e" not in m["text"]


def test_e2e_report_policy_runs_its_own_script_and_blocks_others(browser, report_uri):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if msg.type == "error" else None)
    page.goto(report_uri)
    assert violations == []  # the report's own style and script are allowed
    layout = page.evaluate("getComputedStyle(document.querySelector('table.claims')).tableLayout")
    assert layout == "fixed"  # the stylesheet applied
    page.check("#only-diff")  # the script ran
    expect(page.locator("table.claims tr.agree").first).to_be_hidden()
    injected = page.evaluate(
        """() => new Promise(resolve => {
          document.addEventListener('securitypolicyviolation',
                                    e => resolve(['blocked', e.violatedDirective]));
          const s = document.createElement('script');
          s.textContent = 'window.injected = true;';
          document.body.appendChild(s);
          setTimeout(() => resolve([window.injected ? 'ran' : 'silent', '']), 2000);
        })"""
    )
    assert injected[0] == "blocked" and injected[1].startswith("script-src")
    assert page.evaluate("window.injected") is None
    page.close()
