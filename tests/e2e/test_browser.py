"""End-to-end: the annotate app and the review report in headless Chromium (make e2e)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.corpus.documents import load_text_file
from pipeline.corpus.runner import Runner
from pipeline.evaluation.gold import load_gold
from pipeline.review.app import create_app
from pipeline.review.report import build_report
from pipeline.review.server import BackgroundServer, free_port
from pipeline.review.store import Store

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"


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


def select_offsets(page, start: int, end: int) -> None:
    """Select the article's characters [start, end), across claim marks, as a mouse would."""
    page.evaluate(
        """([start, end]) => {
          const walker = document.createTreeWalker(document.getElementById('article'),
                                                   NodeFilter.SHOW_TEXT);
          const range = document.createRange();
          let pos = 0;
          while (walker.nextNode()) {
            const node = walker.currentNode, next = pos + node.data.length;
            if (pos <= start && start < next) range.setStart(node, start - pos);
            if (pos < end && end <= next) range.setEnd(node, end - pos);
            pos = next;
          }
          getSelection().removeAllRanges(); getSelection().addRange(range);
        }""",
        [start, end],
    )


def test_e2e_annotate_accept_edit_add_reload(browser, seed, tmp_path):
    from playwright.sync_api import expect

    folder = tmp_path / "gold"
    server = serve(seed, folder)
    try:
        page = browser.new_page()
        console = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(server.url)
        total = len(seed[1])
        expect(page.locator("#progress")).to_have_text(f"0 / {total} reviewed")
        # the trained models' sureness beside the position, apart from it
        expect(page.locator("#position")).to_have_text(f"claim 1 of {total}")
        expect(page.locator("#sureness")).to_have_text(re.compile(r"^\u00b7 model \d+% sure$"))
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
    assert not [m for m in console if "Content Security Policy" in m]  # own script, style run
    gold = load_gold(folder)
    texts = {c.text: c for c in gold.claims}
    first, second = seed[1][0], seed[1][1]
    assert texts[first.text].stance == first.stance.label
    assert texts[second.text].stance == "divergent"
    assert seed[1][2].text not in texts
    assert "org:nato" in texts["By Christopher Kozak"].actors


def test_e2e_annotate_shows_invalid_edit_message(browser, seed, tmp_path):
    from playwright.sync_api import expect

    server = serve(seed, tmp_path / "gold")
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.fill("#actor-input", "not an id")
        page.press("#actor-input", "Enter")
        page.click("#accept")
        expect(page.locator("#error")).to_contain_text(
            "invalid edit: actors: 'not an id' is not an actor ID: use a state code such as RUS"
        )
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


@pytest.fixture
def app_page(browser, seed, tmp_path):
    """A page on a fresh annotate session of the seed; yields (page, gold folder)."""
    from playwright.sync_api import expect

    folder = tmp_path / "gold"
    server = serve(seed, folder)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url)
    expect(page.locator("#position")).to_have_text(f"claim 1 of {len(seed[1])}")
    try:
        yield page, folder
    finally:
        page.close()
        server.stop()


def test_e2e_annotate_undo_returns_to_the_claim_it_restores(app_page, seed):
    from playwright.sync_api import expect

    page, folder = app_page
    records = seed[1]
    page.locator("body").press("x")
    expect(page.locator("#position")).to_have_text(f"claim 2 of {len(records)}")
    page.locator("body").press("u")
    expect(page.locator("#position")).to_have_text(f"claim 1 of {len(records)}")
    expect(page.locator("#status")).to_have_text("pending")
    page.locator("body").press("x")  # rejects the first claim again, not the second
    expect(page.locator("#progress")).to_have_text(f"1 / {len(records)} reviewed")
    rejected = json.loads((folder / "review-state.json").read_text())["rejected"]
    first = records[0]
    assert rejected == [f"{first.doc_id}:{first.start}:{first.end}"]


def test_e2e_annotate_added_claim_overlapping_proposals_is_drawn_and_tagged(app_page, seed):
    from playwright.sync_api import expect

    page, folder = app_page
    doc, records = seed
    needle = "Russia and Iran in the near term. Tehran and Moscow"
    start = doc.text.index(needle)
    assert any(r.start < start < r.end for r in records)  # it overlaps a proposal
    select_offsets(page, start, start + len(needle))
    page.locator("body").press("a")
    expect(page.locator("#claim-text")).to_have_text(needle)
    current = page.locator("#article .claim.current")
    expect(current.first).to_be_visible()
    assert "".join(current.all_text_contents()) == needle  # drawn in the article, whole
    expect(page.locator("#actors span")).not_to_have_count(0)
    saved = next(c for c in load_gold(folder).claims if c.text == needle)
    assert {"IRN", "RUS"} <= set(saved.actors)  # the mentions in the selection
    page.locator("body").press("j")  # the proposal it overlaps is still there, and drawn
    expect(page.locator("#article .claim.current").first).to_be_visible()


def test_e2e_annotate_moving_on_saves_edits_and_escape_discards_them(app_page, seed):
    from playwright.sync_api import expect

    page, folder = app_page
    records = seed[1]
    stance = "divergent" if records[0].stance.label != "divergent" else "convergent"
    page.select_option("#stance", stance)
    page.locator("body").press("j")
    expect(page.locator("#position")).to_have_text(f"claim 2 of {len(records)}")
    expect(page.locator("#notice")).to_have_text("edits saved")
    (saved,) = load_gold(folder).claims
    assert (saved.start, saved.stance) == (records[0].start, stance)
    page.locator("body").press("1")
    page.locator("body").press("Escape")  # discards: nothing to save on moving on
    expect(page.locator("#stance")).to_have_value(records[1].stance.label)
    page.locator("body").press("k")
    expect(page.locator("#position")).to_have_text(f"claim 1 of {len(records)}")
    assert len(load_gold(folder).claims) == 1


def test_e2e_annotate_arrow_keys_move_span_boundaries(app_page, seed):
    from playwright.sync_api import expect

    page, _ = app_page
    records = seed[1]
    first = records[0]
    page.locator("body").press("ArrowRight")  # the end, one word later
    text = page.locator("#claim-text").text_content()
    assert text.startswith(first.text) and len(text) > len(first.text)
    page.locator("body").press("ArrowLeft")
    expect(page.locator("#claim-text")).to_have_text(first.text)
    page.locator("body").press("Shift+ArrowRight")  # the start, one word later
    text = page.locator("#claim-text").text_content()
    assert first.text.endswith(text) and len(text) < len(first.text)
    expect(page.locator("#position")).to_have_text(f"claim 1 of {len(records)}")
    page.locator("body").press("ArrowDown")  # still the next claim (the edit is saved)
    expect(page.locator("#position")).to_have_text(f"claim 2 of {len(records)}")


CONTRAST = """el => {
  const rgb = c => c.match(/[0-9.]+/g).map(Number);
  const bg = e => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const channel = v => (v /= 255, v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const lum = c => {
    const [r, g, b] = c.slice(0, 3).map(channel);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg(el))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("button", ["#accept", "#reject", "#next", "#undo"])
def test_e2e_annotate_key_hints_are_legible(app_page, button):
    page, _ = app_page
    assert page.locator(f"{button} kbd").evaluate(CONTRAST) >= 4.5  # WCAG AA


def test_e2e_annotate_refuses_to_be_framed(browser, seed, tmp_path):
    server = serve(seed, tmp_path / "gold")
    try:
        page = browser.new_page()
        # set_content returns after the load event, which waits for the frame's own load
        page.set_content(f'<iframe id="f" src="{server.url}" width="800" height="600"></iframe>')
        assert page.frame_locator("#f").locator("#progress").count() == 0
    finally:
        server.stop()


# Characters outside the Basic Multilingual Plane: two UTF-16 units each in the page.
ASTRAL = (
    "Russia 🇷🇺 and Iran 😀 back Armenia.\n"
    "Turkey 𝐚𝐥𝐬𝐨 opposes the PKK 🙂 in 𝔖𝔶𝔯𝔦𝔞 and 𠀋.\n"  # noqa: RUF001 (math letters)
    "Iran backs Hezbollah 🚀 in Lebanon.\n"
)


def test_e2e_annotate_counts_code_points_like_the_server(browser, tmp_path):
    """Spans drawn, selected, moved and saved on text with emoji and astral characters are
    the characters the reviewer sees (the page counts UTF-16 units, the server code points)."""
    from playwright.sync_api import expect

    from pipeline.corpus.documents import SourceDocument, sha256_hex

    path = tmp_path / "astral.txt"
    path.write_text(ASTRAL, encoding="utf-8")
    sha = sha256_hex(path.read_bytes())
    doc = SourceDocument("astral", ASTRAL, sha, str(path), focal_actors=["RUS", "IRN"])
    records = Runner().records(doc)
    assert len(records) == 3
    server = serve((doc, records), tmp_path / "gold")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server.url)
        expect(page.locator("#position")).to_have_text("claim 1 of 3")
        for record in records:  # every proposal drawn over exactly its text
            key = f"astral:{record.start}:{record.end}"
            marks = page.locator(f'#article .claim[data-key="{key}"]')
            assert "".join(marks.all_text_contents()) == record.text
        expect(page.locator("#claim-text")).to_have_text(records[0].text)
        select_text(page, "Hezbollah")  # in the last proposal, after nine astral characters
        page.locator("body").press("a")
        expect(page.locator("#claim-text")).to_have_text("Hezbollah")
        page.locator("body").press("ArrowRight")  # the end, one word later: the rocket
        expect(page.locator("#claim-text")).to_have_text("Hezbollah 🚀")
        page.locator("body").press("Enter")
        expect(page.locator("#error")).to_have_text("")
        expect(page.locator("#progress")).to_have_text("1 / 4 reviewed")
    finally:
        server.stop()
    (saved,) = load_gold(tmp_path / "gold").claims
    start = ASTRAL.index("Hezbollah")
    assert (saved.start, saved.end, saved.text) == (start, start + 11, "Hezbollah 🚀")


STALE = (
    "Not saved: another tab changed the gold after this tab loaded it. The gold as saved is "
    "shown now: decide again if you still want to."
)


def test_e2e_annotate_two_tabs_see_conflicts_and_undo_their_own(browser, seed, tmp_path):
    from playwright.sync_api import expect

    doc, records = seed
    folder = tmp_path / "gold"
    server = serve(seed, folder)
    first, second = records[0], records[1]
    mine, theirs = (s for s in ("convergent", "divergent", "neutral") if s != first.stance.label)
    try:
        a, b = browser.new_page(), browser.new_page()  # two tabs, one session
        for page in (a, b):
            page.goto(server.url)
            expect(page.locator("#position")).to_have_text(f"claim 1 of {len(records)}")
        a.select_option("#stance", mine)
        a.click("#accept")
        expect(a.locator("#progress")).to_have_text(f"1 / {len(records)} reviewed")
        b.select_option("#stance", theirs)  # tab B still shows the gold before A's decision
        b.click("#accept")
        expect(b.locator("#error")).to_have_text(STALE)
        expect(b.locator("#status")).to_have_text("accepted")  # A's decision, shown in B
        expect(b.locator("#stance")).to_have_value(mine)
        assert [c.stance for c in load_gold(folder).claims] == [mine]
        b.locator("body").press("j")
        b.locator("body").press("x")  # B rejects the second claim
        expect(b.locator("#progress")).to_have_text(f"2 / {len(records)} reviewed")
        a.locator("body").press("u")  # A has not seen B's rejection yet
        expect(a.locator("#error")).to_have_text(STALE)
        a.locator("body").press("u")  # A's own decision is taken back, not B's
        expect(a.locator("#error")).to_have_text("")
        expect(a.locator("#position")).to_have_text(f"claim 1 of {len(records)}")
        expect(a.locator("#status")).to_have_text("pending")
        expect(a.locator("#progress")).to_have_text(f"1 / {len(records)} reviewed")
        assert load_gold(folder).claims == []
        rejected = json.loads((folder / "review-state.json").read_text())["rejected"]
        assert rejected == [f"{doc.doc_id}:{second.start}:{second.end}"]
        b.reload()  # a reload keeps the tab's own undo history
        b.locator("body").press("u")
        expect(b.locator("#error")).to_have_text("")
        expect(b.locator("#progress")).to_have_text(f"0 / {len(records)} reviewed")
    finally:
        server.stop()
    assert json.loads((folder / "review-state.json").read_text())["rejected"] == []


def test_e2e_annotate_shows_and_corrects_source_and_time(browser, seed, tmp_path):
    """The page shows a proposal's source and time (GUIDELINES G12) with their cues, and a
    reviewer's corrections (kind, actor, relative, start, a cue from a selection) are saved
    in the gold format."""
    from playwright.sync_api import expect

    doc, records = seed
    near = next(r for r in records if r.text.startswith("The U.S. cannot drive"))
    said = next(r for r in records if r.text.startswith("Officials have suggested"))
    folder = tmp_path / "gold"
    server = serve(seed, folder)
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.locator(".claim", has_text="The U.S. cannot drive").first.click()
        expect(page.locator("#claim-text")).to_have_text(near.text)
        expect(page.locator("#time-relative")).to_have_value("future")
        expect(page.locator("#time-cue")).to_contain_text("in the near term")
        expect(page.locator("#source-kind")).to_have_value("author")
        expect(page.locator("#source-actor")).to_be_disabled()
        page.select_option("#time-relative", "past")
        page.fill("#time-start", "2016")
        page.press("#time-start", "Tab")
        page.click("#accept")
        expect(page.locator("#error")).to_have_text("")
        page.locator(".claim", has_text="Officials have suggested").first.click()
        expect(page.locator("#source-kind")).to_have_value("unnamed")
        expect(page.locator("#source-cue")).to_contain_text("Officials have suggested")
        page.select_option("#source-kind", "actor")
        page.click("#accept")  # an actor source without its actor is refused
        expect(page.locator("#error")).to_contain_text("source.actor is given exactly when")
        page.fill("#source-actor", "USA")
        page.press("#source-actor", "Tab")
        select_text(page, "Officials")
        page.click("#source-cue-set")
        expect(page.locator("#source-cue")).to_have_text("cue: \u201cOfficials\u201d")
        page.click("#accept")
        expect(page.locator("#error")).to_have_text("")
        page.reload()
        page.locator(".claim", has_text="Officials have suggested").first.click()
        expect(page.locator("#source-actor")).to_have_value("USA")
    finally:
        server.stop()
    claims = {c.text: c for c in load_gold(folder).claims}
    time = claims[near.text].time
    assert (time.relative, time.start, time.end) == ("past", "2016", None)
    assert time.cue == (near.time.cue.start, near.time.cue.end)  # kept as proposed
    source = claims[said.text].source
    start = doc.text.index("Officials have suggested")
    assert (source.kind, source.actor, source.cue) == ("actor", "USA", (start, start + 9))
