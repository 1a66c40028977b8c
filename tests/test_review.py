"""The review report and the annotate app's API (the browser tests are in tests/e2e)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.documents import SourceDocument, sha256_hex
from pipeline.gold import load_gold
from pipeline.records import GoldClaim
from pipeline.review.app import create_app
from pipeline.review.report import build_report
from pipeline.review.store import Store, proposal_key
from pipeline.run import Runner
from tests.conftest import GOLD, ROOT

SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
PORT = 5999
HEADERS = {"Host": f"127.0.0.1:{PORT}", "Origin": f"http://127.0.0.1:{PORT}"}


@pytest.fixture(scope="module")
def seed_records_path(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("review") / "claims.jsonl"
    result = CliRunner().invoke(main, ["run", str(GOLD / "documents.jsonl"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def source(text: str, doc_id: str = "hostile") -> SourceDocument:
    raw = text.encode("utf-8")
    return SourceDocument(doc_id, text, sha256_hex(raw), f"<{doc_id}>", focal_actors=["RUS", "IRN"])


def test_review_report_escapes_everything_from_the_article():
    text = (
        'Russia <script>alert("x")</script> arms Syria &amp; Iran backs Hezbollah.\n'
        '<img src=x onerror="alert(1)"> Moscow supports Damascus.'
    )
    doc = source(text)
    records = {doc.doc_id: Runner(focal=["RUS", "IRN"]).records(doc)}
    html = build_report([doc], records)
    assert html.count("<script>") == 1  # the report's own filter script only
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&amp;amp" in html  # the entity in the article is shown as text
    assert "<img" not in html and "onerror=&quot;" in html


def test_review_report_against_gold_shows_scores_and_disagreements(
    runner, tmp_path, seed_records_path
):
    out = tmp_path / "report.html"
    result = runner.invoke(
        main,
        [
            "review",
            str(SEED),
            "--gold",
            str(GOLD),
            "--records",
            str(seed_records_path),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    # the seed file's doc_id is its stem: matched to the gold document by sha256
    assert 'id="scores"' in html and 'id="only-diff"' in html
    assert "<td>claims (lenient)</td><td>1.000</td>" in html
    rows = re.findall(r'<tr class="(agree|disagree) (matched|extra|missed)"', html)
    assert len([r for r in rows if r[1] != "missed"]) == len(
        seed_records_path.read_text().splitlines()
    )
    assert any(kind == "disagree" for kind, _ in rows)
    assert 'class="actor" title="RUS (Russia, name)"' in html
    assert '<span class="topic">Syria</span>' in html
    assert 'class="cue"' in html


def test_review_report_without_gold_lists_claims(runner, tmp_path, seed_records_path):
    out = tmp_path / "report.html"
    result = runner.invoke(
        main,
        [
            "review",
            str(GOLD / "documents.jsonl"),
            "--records",
            str(seed_records_path),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "versus gold" not in html and 'id="scores"' not in html
    assert "RUS -&gt; SYR (cooperative)" in html


@pytest.fixture
def app_and_store(tmp_path):
    text = "Russia and Iran back Armenia. Turkey opposes the PKK.\n"
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    doc = SourceDocument(
        "article", text, sha256_hex(path.read_bytes()), str(path), focal_actors=["RUS", "IRN"]
    )
    records = Runner().records(doc)
    store = Store(tmp_path / "gold", [doc])
    app = create_app([doc], records, store, PORT)
    return app.test_client(), store, doc, records


def test_review_app_refuses_foreign_host_and_origin(app_and_store):
    client, *_ = app_and_store
    assert client.get("/api/state", headers={"Host": "evil.example:80"}).status_code == 403
    assert client.get("/api/state", headers={"Host": HEADERS["Host"]}).status_code == 200
    bad_origin = {**HEADERS, "Origin": "http://evil.example"}
    assert client.post("/api/undo", json={}, headers=bad_origin).status_code == 403
    no_origin = {"Host": HEADERS["Host"]}
    assert client.post("/api/undo", json={}, headers=no_origin).status_code == 403


def test_review_app_saves_decisions_as_gold_and_resumes(app_and_store, tmp_path):
    client, _store, doc, records = app_and_store
    state = client.get("/api/state", headers=HEADERS).get_json()
    assert state["progress"] == {"reviewed": 0, "total": len(records)}
    first = state["items"][0]
    claim = {**first["claim"], "stance": "divergent"}
    state = client.post(
        "/api/accept", json={"key": first["key"], "claim": claim}, headers=HEADERS
    ).get_json()
    assert state["progress"]["reviewed"] == 1
    second = state["items"][1]
    state = client.post("/api/reject", json={"key": second["key"]}, headers=HEADERS).get_json()
    assert state["progress"]["reviewed"] == 2
    gold = load_gold(tmp_path / "gold")
    assert [(c.text, c.stance) for c in gold.claims] == [(first["claim"]["text"], "divergent")]
    assert gold.documents["article"].path == "../article.txt"
    restarted = create_app([doc], records, Store(tmp_path / "gold", [doc]), PORT).test_client()
    resumed = restarted.get("/api/state", headers=HEADERS).get_json()
    assert resumed["progress"]["reviewed"] == 2
    assert [i["status"] for i in resumed["items"]][:2] == ["accepted", "rejected"]


def test_review_app_undo_restores_previous_decision(app_and_store, tmp_path):
    client, _store, *_ = app_and_store
    item = client.get("/api/state", headers=HEADERS).get_json()["items"][0]
    client.post("/api/accept", json={"key": item["key"], "claim": item["claim"]}, headers=HEADERS)
    state = client.post("/api/undo", json={}, headers=HEADERS).get_json()
    assert state["progress"]["reviewed"] == 0
    assert load_gold(tmp_path / "gold").claims == []
    assert client.post("/api/undo", json={}, headers=HEADERS).status_code == 400


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stance": "friendly"}, "stance"),
        ({"actors": ["Russia"]}, "actors"),
        ({"end": 10_000}, "outside the document"),
        (
            {"relations": [{"source": "RUS", "target": "CHN", "polarity": "hostile"}]},
            "must be actors of the claim",
        ),
    ],
)
def test_review_app_rejects_invalid_edits_with_a_message(app_and_store, tmp_path, change, message):
    client, *_ = app_and_store
    item = client.get("/api/state", headers=HEADERS).get_json()["items"][0]
    response = client.post(
        "/api/accept",
        json={"key": item["key"], "claim": {**item["claim"], **change}},
        headers=HEADERS,
    )
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert load_gold(tmp_path / "gold").claims == []


def test_review_app_adds_a_missed_claim_from_a_span(app_and_store, tmp_path):
    client, _store, doc, _ = app_and_store
    start = doc.text.index("Turkey")
    end = doc.text.index("PKK.") + 4
    claim = {
        "doc_id": "article",
        "start": start,
        "end": end,
        "section": None,
        "actors": ["TUR"],
        "regions": [],
        "stance": "neutral",
        "certainty": "asserted",
        "relations": [],
    }
    response = client.post(
        "/api/accept",
        json={"key": proposal_key("article", start, end), "claim": claim},
        headers=HEADERS,
    )
    assert response.status_code == 200
    saved = load_gold(tmp_path / "gold").claims
    assert [c.text for c in saved] == ["Turkey opposes the PKK."]


def test_review_app_searches_gazetteer_ids(app_and_store):
    client, *_ = app_and_store
    found = client.get("/api/ids?kind=actor&q=hezb", headers=HEADERS).get_json()
    assert found[0]["id"] == "org:hezbollah"
    regions = client.get("/api/ids?kind=region&q=caucas", headers=HEADERS).get_json()
    assert "region:caucasus" in [r["id"] for r in regions]


def test_review_store_keeps_inline_texts_inside_the_folder(tmp_path):
    doc = source("Iran backs Hezbollah.", "inline")
    store = Store(tmp_path / "gold", [doc])
    entry = store.documents["inline"]
    assert entry.path == "texts/inline.txt"
    assert (tmp_path / "gold" / "texts" / "inline.txt").read_text() == "Iran backs Hezbollah."
    store.accept(
        "inline:0:21",
        GoldClaim(
            doc_id="inline",
            start=0,
            end=21,
            text=doc.text,
            section=None,
            actors=["IRN", "org:hezbollah"],
            regions=[],
            stance="neutral",
            certainty="asserted",
            relations=[],
        ),
    )
    assert sorted(p.name for p in (tmp_path / "gold").iterdir()) == [
        "claims.jsonl",
        "documents.jsonl",
        "review-state.json",
        "texts",
    ]
    assert json.loads((tmp_path / "gold" / "review-state.json").read_text()) == {"rejected": []}


def test_review_annotate_command_wires_store_and_app(
    runner, tmp_path, monkeypatch, seed_records_path
):
    import pipeline.review.server as server

    served = {}
    monkeypatch.setattr(server, "serve", lambda app, port: served.update(app=app, port=port))
    gold = tmp_path / "gold"
    result = runner.invoke(
        main,
        [
            "annotate",
            str(SEED),
            "--gold",
            str(gold),
            "--records",
            str(seed_records_path),
            "--no-browser",
            "--port",
            "5998",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5998/" in result.output
    client = served["app"].test_client()
    state = client.get("/api/state", headers={"Host": "127.0.0.1:5998"}).get_json()
    assert state["progress"]["total"] == len(seed_records_path.read_text().splitlines())
    entry = load_gold(gold).documents["kozak-strategic-convergence-russia-iran"]
    assert (gold / entry.path).resolve() == SEED.resolve()
