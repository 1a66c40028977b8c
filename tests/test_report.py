"""The review report (`claims review`): no gold, undefined figures, diffs, overwriting, its
Content Security Policy and bidi controls; and the terminal tables' robustness. The layout
in Chromium is tested in tests/e2e/test_report_layout.py."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from pipeline.cli import main
from pipeline.corpus.documents import SourceDocument, load_text_file, sha256_hex
from pipeline.corpus.runner import Runner
from pipeline.evaluation.gold import load_gold
from pipeline.evaluation.render import render_scores
from pipeline.export.tables import load_records
from pipeline.gazetteer import load_gazetteer
from pipeline.review import report as report_module
from pipeline.review.report import build_report, diff_text
from tests.conftest import GOLD, ROOT
from tests.test_export import seed_records_file

SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
ELSEWHERE = "Russia and Iran back Armenia. Turkey opposes the PKK.\n"


def document(text: str, doc_id: str) -> SourceDocument:
    return SourceDocument(
        doc_id, text, sha256_hex(text.encode()), f"<{doc_id}>", focal_actors=["RUS", "IRN"]
    )


@pytest.fixture(scope="module")
def elsewhere():
    doc = document(ELSEWHERE, "elsewhere")
    return doc, Runner(focal=["RUS", "IRN"]).records(doc)


@pytest.fixture
def seed(tmp_path):
    doc = load_text_file(SEED, doc_id="kozak-strategic-convergence", focal_actors=["RUS", "IRN"])
    return doc, load_records(seed_records_file(tmp_path))


def test_report_document_without_gold_says_so_instead_of_scores(elsewhere):
    doc, records = elsewhere
    html = build_report([doc], {doc.doc_id: records}, load_gold(GOLD))
    assert 'id="no-gold"' in html and "no gold for this document" in html
    assert 'id="scores"' not in html and "1.000" not in html
    assert "versus gold" not in html and 'class="agree' not in html


def test_report_scores_only_the_documents_with_gold(elsewhere, seed):
    (doc, records), (seed_doc, seed_records) = elsewhere, seed
    html = build_report(
        [seed_doc, doc], {seed_doc.doc_id: seed_records, doc.doc_id: records}, load_gold(GOLD)
    )
    counts = re.search(r"(\d+) gold claims, (\d+) predicted", html)
    assert counts.groups() == (str(len(load_gold(GOLD).claims)), str(len(seed_records)))
    assert "no gold for this document for 1 more" in html
    sections = html.split('<section class="doc"')[1:]
    assert "versus gold" in sections[0] and "no gold for this document" not in sections[0]
    assert "versus gold" not in sections[1] and "no gold for this document" in sections[1]


def test_report_review_command_names_documents_without_gold(runner, tmp_path):
    text = tmp_path / "elsewhere.txt"
    text.write_text(ELSEWHERE, encoding="utf-8")
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["review", str(text), "--gold", str(GOLD), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"elsewhere: no gold for this document in {GOLD}" in result.stderr
    assert "1.000" not in out.read_text(encoding="utf-8")


def test_report_undefined_figures_show_as_a_dash(monkeypatch, seed):
    doc, records = seed
    real = report_module.evaluate

    def undefined(gold, views, gazetteer):  # every figure None, as with nothing to score
        def blank(value):
            if isinstance(value, dict):
                return {k: blank(v) for k, v in value.items()}
            return None if isinstance(value, float) else value

        report = blank(real(gold, views, gazetteer))
        report["actors"]["states"] = None
        return report

    monkeypatch.setattr(report_module, "evaluate", undefined)
    html = build_report([doc], {doc.doc_id: records}, load_gold(GOLD))
    scores = html[html.index('id="scores"') : html.index("matched</p>")]
    assert "None" not in scores and "nan" not in scores
    assert scores.count('title="n/a: nothing to score">\u2013</span>') == 7 * 3 + 2 * 3 + 1


def test_report_terminal_tables_survive_undefined_figures(seed):
    from pipeline.evaluation.scoring import ClaimView, evaluate

    _, records = seed
    report = evaluate(load_gold(GOLD), map(ClaimView.from_record, records), load_gazetteer())
    report["actors"]["states"] = None
    report["stance"] = {**report["stance"], "accuracy": None, "kappa": None}
    for scores in report["per_document"].values():
        scores["claims"]["lenient"]["f"] = None
        scores["actors"] = None
    report["per_document"]["other"] = report["per_document"][records[0].doc_id]
    text = render_scores(report)
    assert re.search(r"^  states +- +- +-$", text, re.M)
    assert re.search(r"^stance +- +\d\.\d{3} +-$", text, re.M)
    assert re.search(r"^kozak-strategic-convergence +- +- +\d\.\d{3}", text, re.M)


@pytest.mark.parametrize(
    ("diff", "shown"),
    [
        ({"field": "actors", "missing": ["RUS"], "extra": []}, "actors: missing RUS"),
        ({"field": "regions", "missing": [], "extra": ["SYR", "IRQ"]}, "regions: extra SYR, IRQ"),
        (
            {"field": "actors", "missing": ["RUS"], "extra": ["USA"]},
            "actors: missing RUS; extra USA",
        ),
        (
            {"field": "relations", "missing": [["RUS", "SYR", "cooperative"]], "extra": []},
            "relations: missing RUS -> SYR (cooperative)",
        ),
        (
            {"field": "stance", "gold": "neutral", "pred": "convergent"},
            "stance: gold 'neutral', predicted 'convergent'",
        ),
    ],
)
def test_report_diff_text_names_only_what_differs(diff, shown):
    assert diff_text(diff) == shown


def test_report_review_says_when_it_overwrites(runner, tmp_path):
    text = tmp_path / "elsewhere.txt"
    text.write_text(ELSEWHERE, encoding="utf-8")
    out = tmp_path / "report.html"
    first = runner.invoke(main, ["review", str(text), "-o", str(out)])
    assert first.exit_code == 0 and "overwriting" not in first.output
    out.write_text("old", encoding="utf-8")
    second = runner.invoke(main, ["review", str(text), "-o", str(out)])
    assert second.exit_code == 0
    assert second.stderr == f"overwriting {out}\n"
    assert second.stdout == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_report_review_into_a_folder_is_a_one_line_error(runner, tmp_path):
    text = tmp_path / "elsewhere.txt"
    text.write_text(ELSEWHERE, encoding="utf-8")
    (tmp_path / "report.html").mkdir()
    result = runner.invoke(main, ["review", str(text), "-o", str(tmp_path / "report.html")])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {tmp_path / 'report.html'}: is a folder")
    assert len(result.output.splitlines()) == 1


def sha256_source(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def test_report_policy_allows_only_its_own_script_and_style(elsewhere):
    doc, records = elsewhere
    html = build_report([doc], {doc.doc_id: records})
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";"))
    assert directives["default-src"] == "'none'"
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert directives["script-src"] == " ".join(map(sha256_source, scripts))
    assert directives["style-src"] == " ".join(map(sha256_source, styles))
    assert html.index("Content-Security-Policy") < html.index("<style>")
    assert " style=" not in html  # inline style attributes would be blocked


BIDI = ["\u202e", "\u202d", "\u202a", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f"]


@pytest.mark.parametrize("control", BIDI)
def test_report_shows_bidi_controls_visibly(control):
    text = f"Russia {control}backs Syria.\n Iran supports Hezbollah.\n"
    doc = document(text, f"doc{control}name")
    records = Runner(focal=["RUS", "IRN"]).records(doc)
    assert any(control in r.text for r in records)
    html = build_report([doc], {doc.doc_id: records})
    assert control not in html
    shown = f"&lt;U+{ord(control):04X}&gt;"
    assert f"doc{shown}name" in html  # the ID in the heading and the anchor
    claim_cells = re.findall(r'<a href="#c_[^"]+">(.*?)</a>', html)
    assert any(shown in cell for cell in claim_cells)
