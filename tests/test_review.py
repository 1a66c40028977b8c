"""The review report and the annotate app's API (the browser tests are in tests/e2e)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.corpus.documents import SourceDocument, sha256_hex
from pipeline.corpus.runner import Runner
from pipeline.evaluation.gold import load_gold
from pipeline.models import GoldClaim
from pipeline.review.app import create_app
from pipeline.review.report import build_report
from pipeline.review.store import Store, proposal_key
from tests.conftest import GOLD, ROOT

SEED = ROOT / "seeds" / "kozak-strategic-convergence-russia-iran.txt"
PORT = 5999
HEADERS = {"Host": f"127.0.0.1:{PORT}", "Origin": f"http://127.0.0.1:{PORT}"}


@pytest.fixture(scope="module")
def seed_records_path(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("review") / "claims.jsonl"
    result = CliRunner().invoke(
        main, ["run", str(GOLD / "documents.jsonl"), "-o", str(out), "--allow-outside-paths"]
    )
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
            "--allow-outside-paths",
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


TEXT = "Russia and Iran back Armenia. Turkey opposes the PKK.\n"


@pytest.fixture
def app_and_store(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    doc = SourceDocument(
        "article", TEXT, sha256_hex(path.read_bytes()), str(path), focal_actors=["RUS", "IRN"]
    )
    records = Runner().records(doc)
    store = Store(tmp_path / "gold", [doc])
    app = create_app([doc], records, store, PORT)
    yield app.test_client(), store, doc, records
    store.close()


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def version(client) -> str:
    """The gold's version as a tab loading the page now sees it."""
    return client.get("/api/state", headers=HEADERS).get_json()["version"]


def post(client, path: str, body, tab: str = "tab-a") -> tuple[int, dict]:
    """A decision of browser tab ``tab``, made on the gold as it is now (unless ``body``
    names another version)."""
    body = {"version": version(client), "tab": tab, **body}
    response = client.post(path, json=body, headers=HEADERS)
    return response.status_code, response.get_json()


def test_review_app_refuses_foreign_host_and_origin(app_and_store):
    client, *_ = app_and_store
    assert client.get("/api/state", headers={"Host": "evil.example:80"}).status_code == 403
    assert client.get("/api/state", headers={"Host": HEADERS["Host"]}).status_code == 200
    bad_origin = {**HEADERS, "Origin": "http://evil.example"}
    refused = client.post("/api/undo", json={}, headers=bad_origin)
    assert refused.status_code == 403 and "its own page" in refused.get_json()["error"]
    no_origin = {"Host": HEADERS["Host"]}
    assert client.post("/api/undo", json={}, headers=no_origin).status_code == 403


def test_review_app_saves_decisions_as_gold_and_resumes(app_and_store, tmp_path):
    client, store, doc, records = app_and_store
    state = client.get("/api/state", headers=HEADERS).get_json()
    assert state["progress"] == {"reviewed": 0, "total": len(records)}
    first = state["items"][0]
    claim = {**first["claim"], "stance": "divergent"}
    _, state = post(client, "/api/accept", {"key": first["key"], "claim": claim})
    assert state["progress"]["reviewed"] == 1
    second = state["items"][1]
    _, state = post(client, "/api/reject", {"key": second["key"]})
    assert state["progress"]["reviewed"] == 2
    gold = load_gold(tmp_path / "gold")
    assert [(c.text, c.stance) for c in gold.claims] == [(first["claim"]["text"], "divergent")]
    store.close()
    restarted = create_app([doc], records, Store(tmp_path / "gold", [doc]), PORT).test_client()
    resumed = restarted.get("/api/state", headers=HEADERS).get_json()
    assert resumed["progress"]["reviewed"] == 2
    assert [i["status"] for i in resumed["items"]][:2] == ["accepted", "rejected"]


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_review_app_undo_names_the_claim_it_restores(app_and_store, tmp_path, decision):
    client, *_ = app_and_store
    items = client.get("/api/state", headers=HEADERS).get_json()["items"]
    body = {"key": items[0]["key"]}
    if decision == "accept":
        body["claim"] = items[0]["claim"]
    post(client, f"/api/{decision}", body)
    code, state = post(client, "/api/undo", {})
    assert code == 200 and state["restored"] == items[0]["key"]
    assert state["progress"]["reviewed"] == 0
    assert load_gold(tmp_path / "gold").claims == []
    code, answer = post(client, "/api/undo", {})
    assert code == 400 and answer["error"] == "There is nothing to undo."


STALE = (
    "Not saved: another tab changed the gold after this tab loaded it. The gold as saved is "
    "shown now: decide again if you still want to."
)


@pytest.mark.parametrize("write", ["accept", "reject", "add", "undo"])
def test_review_app_a_write_from_a_tab_that_saw_older_gold_gets_409(app_and_store, tmp_path, write):
    client, _store, doc, _ = app_and_store
    first, second = client.get("/api/state", headers=HEADERS).get_json()["items"][:2]
    seen = version(client)  # what tab B saw when it loaded
    divergent = {**first["claim"], "stance": "divergent"}
    code, state = post(client, "/api/accept", {"key": first["key"], "claim": divergent})
    assert code == 200 and state["version"] != seen  # tab A's decision
    bodies = {
        "accept": {"key": first["key"], "claim": {**first["claim"], "stance": "neutral"}},
        "reject": {"key": second["key"]},
        "add": {"doc_id": doc.doc_id, "start": 0, "end": 6},
        "undo": {},
    }
    before = folder_bytes(tmp_path / "gold")
    code, answer = post(client, f"/api/{write}", {**bodies[write], "version": seen}, "tab-b")
    assert code == 409 and answer["error"] == STALE
    assert answer["state"]["version"] == state["version"]  # the gold as it is now, to show
    assert answer["state"]["items"][0]["claim"]["stance"] == "divergent"
    assert folder_bytes(tmp_path / "gold") == before
    code, _ = post(client, "/api/reject", {"key": second["key"]}, "tab-b")  # on the new gold
    assert code == 200


def test_review_app_undo_takes_back_the_tabs_own_last_decision(app_and_store, tmp_path):
    client, *_ = app_and_store
    first, second = client.get("/api/state", headers=HEADERS).get_json()["items"][:2]
    post(client, "/api/accept", {"key": first["key"], "claim": first["claim"]}, "tab-a")
    post(client, "/api/reject", {"key": second["key"]}, "tab-b")
    code, state = post(client, "/api/undo", {}, "tab-a")  # tab B's rejection came later
    assert code == 200 and state["restored"] == first["key"]
    assert [i["status"] for i in state["items"][:2]] == ["pending", "rejected"]
    code, answer = post(client, "/api/undo", {}, "tab-a")
    assert code == 400 and answer["error"] == "There is nothing to undo."
    code, state = post(client, "/api/undo", {}, "tab-b")
    assert code == 200 and state["restored"] == second["key"]
    assert state["progress"]["reviewed"] == 0 and load_gold(tmp_path / "gold").claims == []


def test_review_app_undo_never_takes_back_what_another_tab_decided_later(app_and_store, tmp_path):
    client, *_ = app_and_store
    first = client.get("/api/state", headers=HEADERS).get_json()["items"][0]
    divergent, neutral = ({**first["claim"], "stance": s} for s in ("divergent", "neutral"))
    post(client, "/api/accept", {"key": first["key"], "claim": divergent}, "tab-a")
    post(client, "/api/accept", {"key": first["key"], "claim": neutral}, "tab-b")
    before = folder_bytes(tmp_path / "gold")
    code, answer = post(client, "/api/undo", {}, "tab-a")
    assert code == 409 and answer["error"] == (
        "Not undone: another tab decided on this claim after this tab did; undo it there first."
    )
    assert folder_bytes(tmp_path / "gold") == before
    code, state = post(client, "/api/undo", {}, "tab-b")  # back to tab A's decision
    assert code == 200 and state["items"][0]["claim"]["stance"] == "divergent"
    code, state = post(client, "/api/undo", {}, "tab-a")  # now nothing of B's is in the way
    assert code == 200 and state["items"][0]["status"] == "pending"


def test_review_app_keeps_a_claims_source_and_time_through_edits(app_and_store, tmp_path):
    client, *_ = app_and_store
    first = client.get("/api/state", headers=HEADERS).get_json()["items"][0]
    dated = {"source": {"kind": "author"}, "time": {"relative": "present", "start": "2026"}}
    code, state = post(
        client, "/api/accept", {"key": first["key"], "claim": {**first["claim"], **dated}}
    )
    assert code == 200
    saved = state["items"][0]["claim"]  # as the page holds it: every gold field, nulls too
    assert saved["source"]["kind"] == "author" and saved["time"]["start"] == "2026"
    code, state = post(
        client, "/api/accept", {"key": first["key"], "claim": {**saved, "stance": "divergent"}}
    )
    assert code == 200, state
    (claim,) = load_gold(tmp_path / "gold").claims
    assert (claim.stance, claim.source.kind, claim.time.start) == ("divergent", "author", "2026")


def test_review_app_proposes_the_pipelines_source_and_time(app_and_store):
    """A proposal carries the record's source and time in the gold format (cues as
    offsets), so the page shows them and accepting keeps them."""
    client, _, _, records = app_and_store
    items = client.get("/api/state", headers=HEADERS).get_json()["items"]
    for item, record in zip(items, sorted(records, key=lambda r: r.start), strict=True):
        source, time = item["proposed"]["source"], item["proposed"]["time"]
        assert source["kind"] == record.source.kind and source["actor"] == record.source.actor
        assert time["relative"] == record.time.relative and time["start"] == record.time.start
        for part, cue in ((source, record.source.cue), (time, record.time.cue)):
            assert part["cue"] == ([cue.start, cue.end] if cue else None)
    assert [i["proposed"]["source"]["kind"] for i in items] == ["author", "author"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stance": "friendly"}, "stance"),
        ({"actors": ["Russia"]}, "actors: 'Russia' is not an actor ID: use a state code"),
        ({"regions": ["Caucasus"]}, "regions: 'Caucasus' is not a region ID: use a state code"),
        ({"end": 10_000}, "outside the document"),
        ({"doc_id": "other"}, "unknown document 'other'"),
        (
            {"relations": [{"source": "RUS", "target": "CHN", "polarity": "hostile"}]},
            "must be actors of the claim",
        ),
    ],
)
def test_review_app_rejects_invalid_edits_with_a_message(app_and_store, tmp_path, change, message):
    client, *_ = app_and_store
    item = client.get("/api/state", headers=HEADERS).get_json()["items"][0]
    code, answer = post(
        client, "/api/accept", {"key": item["key"], "claim": {**item["claim"], **change}}
    )
    assert code == 400
    assert message in answer["error"] and "^(?:" not in answer["error"]  # no raw regex
    assert load_gold(tmp_path / "gold").claims == []


def test_review_app_adds_a_missed_claim_tagged_by_the_pipeline(app_and_store, tmp_path):
    client, _store, doc, _ = app_and_store
    start = doc.text.index("Turkey")
    end = doc.text.index("PKK.") + 4
    code, state = post(client, "/api/add", {"doc_id": "article", "start": start, "end": end})
    assert code == 200 and state["key"] == proposal_key("article", start, end)
    (saved,) = [c for c in load_gold(tmp_path / "gold").claims if c.start == start]
    assert saved.text == "Turkey opposes the PKK."
    assert "TUR" in saved.actors  # the mention in the selection, found by the pipeline
    added = next(i for i in state["items"] if i["key"] == state["key"])
    assert added["status"] == "accepted" and added["claim"]["actors"] == saved.actors


def test_review_app_tags_an_added_span_like_the_pipeline_tags_its_claims(app_and_store):
    """The tagger on a proposal's own span gives the proposal's tags."""
    client, _store, doc, records = app_and_store
    record = records[0]
    body = {"doc_id": doc.doc_id, "start": record.start, "end": record.end}
    _, state = post(client, "/api/add", body)
    added = next(i for i in state["items"] if i["key"] == state["key"])
    assert {k: added["claim"][k] for k in added["proposed"]} == added["proposed"]


def test_review_app_lists_an_added_claim_that_overlaps_a_proposal(app_and_store):
    client, _store, doc, _ = app_and_store
    start, end = doc.text.index("Armenia"), doc.text.index("opposes")  # "Armenia. Turkey"
    _, state = post(client, "/api/add", {"doc_id": "article", "start": start, "end": end})
    keys = [i["key"] for i in state["items"]]
    assert proposal_key("article", start, end) in keys
    assert len(keys) == len(set(keys)) == len(app_and_store[3]) + 1


def test_review_app_refuses_an_edit_that_would_overlap_another_gold_claim(app_and_store, tmp_path):
    client, _store, doc, records = app_and_store
    start, end = doc.text.index("Armenia"), doc.text.index(" opposes")  # "Armenia. Turkey"
    code, state = post(client, "/api/add", {"doc_id": "article", "start": start, "end": end})
    assert code == 200
    first = next(i for i in state["items"] if i["claim"]["start"] == records[0].start)
    assert first["status"] == "pending"  # it shares less than half of its span
    before = folder_bytes(tmp_path / "gold")
    code, answer = post(client, "/api/accept", {"key": first["key"], "claim": first["claim"]})
    assert code == 400
    assert answer["error"] == (
        f"invalid edit: the span overlaps the accepted claim {start}-{end} ('Armenia. Turkey'):"
        " gold claims never overlap, so move a boundary or reject that claim first"
    )
    assert folder_bytes(tmp_path / "gold") == before
    assert len(load_gold(tmp_path / "gold").claims) == 1


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/accept", "[1, 2]", "The request is not valid: body: expected a JSON object."),
        ("/api/accept", '{W, "key": "article:0:6", "claim": "Russia"}', "claim: expected a JSON"),
        ("/api/accept", '{W, "claim": {}, "extra": 1}', "The request is not valid"),
        ("/api/accept", '{W, "key": "a:b:c", "claim": CLAIM}', "The key must be DOC_ID:START:END"),
        ("/api/accept", '{W, "key": "nocolons", "claim": CLAIM}', "The key must be"),
        ("/api/accept", '{W, "key": "article:7:9", "claim": CLAIM}', "There is no claim"),
        ("/api/accept", '{W, "claim": {"doc_id": "article", "start": 1e400}}', "claim.start"),
        ("/api/accept", '{W, "claim": {"doc_id": "article", "start": 0, "end": 6, "stance": '
         '"neutral", "certainty": "asserted", "relations": ["x"]}}', "claim.relations.0"),
        ("/api/accept", DEEP, "The request body is not valid JSON."),
        ("/api/accept", "{", "The request body is not valid JSON."),
        ("/api/accept", b"\xff\xfe{", "The request body is not valid JSON."),
        ("/api/reject", '{W, "key": "article:0:1"}', "There is no claim 'article:0:1'"),
        ("/api/reject", '{W, "key": 5}', "key: Input should be a valid string"),
        ("/api/reject", "[]", "The request is not valid"),
        ("/api/reject", '{"key": "article:0:1", "tab": "t"}', "version: Field required"),
        ("/api/reject", '{"key": "article:0:1", "version": "v1", "tab": "t"}', "version: String"),
        ("/api/reject", '{"key": "article:0:1", "version": "0123456789abcdef", "tab": "a b"}',
         "tab: String should match"),
        ("/api/undo", '{W, "x": 1}', "x: Extra inputs are not permitted"),
        ("/api/add", '{W, "doc_id": "article", "start": 5, "end": 2}', "outside the document"),
        ("/api/add", '{W, "doc_id": "../x", "start": 0, "end": 2}', "unknown document '../x'"),
        ("/api/add", '{W, "doc_id": "article", "start": "0", "end": 2}', "start: Input should be"),
    ],
)  # fmt: skip
def test_review_app_refuses_malformed_requests_changing_nothing(
    app_and_store, tmp_path, path, body, message
):
    client, store, _doc, _ = app_and_store
    item = client.get("/api/state", headers=HEADERS).get_json()["items"][0]
    post(client, "/api/accept", {"key": item["key"], "claim": item["claim"]})
    before, history = folder_bytes(tmp_path / "gold"), len(store.history)
    write = f'"version": "{version(client)}", "tab": "tab-a"'
    data = body
    if isinstance(body, str):
        data = body.replace("CLAIM", json.dumps(item["claim"])).replace("{W,", "{" + write + ",")
    response = client.post(path, data=data, headers={**HEADERS, "Content-Type": "application/json"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert message in error and "\n" not in error
    assert folder_bytes(tmp_path / "gold") == before and len(store.history) == history


def test_review_app_limits_request_bodies(app_and_store):
    from pipeline.review.app import MAX_BODY

    client, store, *_ = app_and_store
    big = json.dumps({"key": "article:0:6", "pad": "x" * MAX_BODY})
    response = client.post(
        "/api/reject", data=big, headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "The request body is larger than the limit of 1 MB."
    assert store.history == []


@pytest.mark.parametrize("path", ["/", "/api/state", "/nowhere"])
def test_review_app_sends_a_strict_content_security_policy(app_and_store, path):
    import base64
    import hashlib

    client, *_ = app_and_store
    response = client.get(path, headers=HEADERS)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    page = client.get("/", headers=HEADERS).get_data(as_text=True)
    for tag in ("script", "style"):
        (body,) = re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.DOTALL)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in policy
    assert " style=" not in page  # inline style attributes would be blocked


@pytest.mark.parametrize(
    ("source_kind", "expected_path"),
    [("file outside", "texts/"), ("inline", "texts/"), ("file inside", "inside/")],
)
def test_review_store_keeps_every_text_inside_the_folder(tmp_path, source_kind, expected_path):
    import shutil

    text = "The Pact of Two Capitals\n\nIran backs Hezbollah.\n"
    folder = tmp_path / "gold"
    if source_kind == "inline":
        doc = source(text, "inline")
    else:
        where = tmp_path / "work" if source_kind == "file outside" else folder / "inside"
        where.mkdir(parents=True)
        (where / "inline.txt").write_text(text, encoding="utf-8")
        from pipeline.corpus.documents import load_text_file

        doc = load_text_file(where / "inline.txt", doc_id="inline")
    store = Store(folder, [doc], {"inline": ["IRN", "org:hezbollah"]})
    store.close()
    entry = store.documents["inline"]
    assert entry.path.startswith(expected_path)
    assert (entry.title, entry.focal_actors) == (
        "The Pact of Two Capitals",
        doc.focal_actors or ["IRN", "org:hezbollah"],
    )
    moved = tmp_path / "elsewhere" / "copy"
    shutil.copytree(folder, moved)
    if source_kind == "file outside":
        shutil.rmtree(tmp_path / "work")
    assert load_gold(moved).texts["inline"] == text


@pytest.mark.parametrize("doc_id", ["../../x", "a/b", "ABSOLUTE", ".hidden", "..", "a\\b"])
def test_review_store_doc_ids_never_write_outside_the_folder(tmp_path, doc_id):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    doc_id = str(tmp_path / "victim") if doc_id == "ABSOLUTE" else doc_id
    folder = tmp_path / "deep" / "er" / "gold"
    outside_before = {p for p in tmp_path.rglob("*") if p.is_file() and folder not in p.parents}
    store = Store(folder, [source("Iran backs Hezbollah.", doc_id)])
    store.close()
    outside_after = {p for p in tmp_path.rglob("*") if p.is_file() and folder not in p.parents}
    assert outside_after == outside_before and victim.read_text() == "keep me"
    entry = store.documents[doc_id]
    assert (folder / entry.path).resolve().parent == folder / "texts"
    assert load_gold(folder).texts[doc_id] == "Iran backs Hezbollah."


def test_review_store_removes_stale_temporaries_at_start(tmp_path):
    folder = tmp_path / "gold"
    Store(folder, [source("Iran backs Hezbollah.", "inline")]).close()
    stale = [folder / ".claims.jsonl.abc123.tmp", folder / ".review-state.json.x.tmp",
             folder / ".documents.jsonl.q.tmp", folder / "texts" / ".inline.txt.z.tmp"]  # fmt: skip
    kept = folder / "notes.tmp"
    for path in [*stale, kept]:
        path.write_text("half a save", encoding="utf-8")
    Store(folder, [source("Iran backs Hezbollah.", "inline")]).close()
    assert [p.exists() for p in stale] == [False] * len(stale)
    assert kept.exists()


def test_review_store_refuses_a_folder_open_in_another_session(tmp_path):
    from pipeline.errors import ClaimsError

    doc = source("Iran backs Hezbollah.", "inline")
    first = Store(tmp_path / "gold", [doc])
    with pytest.raises(ClaimsError, match="open in another claims annotate session"):
        Store(tmp_path / "gold", [doc])
    first.close()
    Store(tmp_path / "gold", [doc]).close()


def test_review_store_decisions_and_state_file(tmp_path):
    doc = source("Iran backs Hezbollah.", "inline")
    store = Store(tmp_path / "gold", [doc])
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
    store.close()
    assert sorted(p.name for p in (tmp_path / "gold").iterdir()) == [
        "claims.jsonl",
        "documents.jsonl",
        "review-state.json",
        "texts",
    ]
    assert json.loads((tmp_path / "gold" / "review-state.json").read_text()) == {"rejected": []}


@pytest.mark.parametrize("verbose", [False, True])
def test_review_server_logs_only_errors_unless_verbose(caplog, verbose):
    import logging
    import urllib.error
    import urllib.request

    from flask import Flask

    from pipeline.review.server import BackgroundServer, free_port

    app = Flask("probe")
    app.add_url_rule("/", "ok", lambda: "ok")
    app.add_url_rule("/boom", "boom", lambda: ("broken", 500))
    port = free_port()
    server = BackgroundServer(app, port, verbose=verbose).start()
    try:
        with caplog.at_level(logging.INFO, logger="pipeline.review.server"):
            urllib.request.urlopen(server.url).read()
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(server.url + "boom")
    finally:
        server.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "pipeline.review.server"]
    assert [" 500 " in line for line in lines] == ([False, True] if verbose else [True])
    assert not any("\x1b[" in line for line in lines)


def test_review_annotate_command_wires_store_and_app(
    runner, tmp_path, monkeypatch, seed_records_path
):
    import pipeline.review.server as server

    served = {}

    def serve(app, port, verbose, on_ready):
        served.update(app=app, port=port, verbose=verbose)
        on_ready()  # the port is bound: the command announces the URL

    monkeypatch.setattr(server, "serve", serve)
    gold = tmp_path / "gold"
    args = ["annotate", str(SEED), "--gold", str(gold), "--records", str(seed_records_path),
            "--no-browser", "--port", "5998"]  # fmt: skip
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5998/" in result.output and served["verbose"] is False
    client = served["app"].test_client()
    state = client.get("/api/state", headers={"Host": "127.0.0.1:5998"}).get_json()
    assert state["progress"]["total"] == len(seed_records_path.read_text().splitlines())
    entry = load_gold(gold).documents["kozak-strategic-convergence-russia-iran"]
    assert (gold / entry.path).read_bytes() == SEED.read_bytes()
    assert (gold / entry.path).resolve().is_relative_to(gold.resolve())
    first = json.loads(seed_records_path.read_text().splitlines()[0])
    assert entry.focal_actors == first["stance"]["focal"] and len(entry.focal_actors) == 2
    assert entry.title == SEED.read_text().splitlines()[0]


def read_answer(sock) -> str:
    """One HTTP answer: its headers and as much body as its Content-Length says (they may
    arrive in separate packets; the server need not close the connection)."""
    data = b""
    while b"\r\n\r\n" not in data and (chunk := sock.recv(65536)):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    while match and len(body) < int(match.group(1)) and (chunk := sock.recv(65536)):
        body += chunk
    return (head + b"\r\n\r\n" + body).decode()


def test_review_server_answers_a_huge_body_without_reading_it(app_and_store):
    """A 512 MiB POST is refused from its Content-Length (the socket has only 100 kB)."""
    import socket

    from pipeline.review.server import BackgroundServer, free_port

    _, store, doc, records = app_and_store
    port = free_port()
    server = BackgroundServer(create_app([doc], records, store, port), port).start()
    head = (
        f"POST /api/reject HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}"
        f"\r\nContent-Type: application/json\r\nContent-Length: {512 * 2**20}\r\n\r\n"
    )
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(head.encode() + b"x" * 100_000)
            answer = read_answer(sock)
    finally:
        server.stop()
    assert answer.startswith("HTTP/1.1 413") and "larger than the limit of 1 MB" in answer


@pytest.mark.parametrize(
    ("failure", "code", "actors"),
    [(RuntimeError("a tagging bug"), 200, []), (None, 400, None)],
)
def test_review_app_add_survives_a_failing_tagger(app_and_store, tmp_path, failure, code, actors):
    from pipeline.errors import ClaimsError

    _, store, doc, records = app_and_store
    failure = failure or ClaimsError("no spaCy model 'x' installed")

    def tagger(*_):
        raise failure

    client = create_app([doc], records, store, PORT, tagger=tagger).test_client()
    start, end = doc.text.index("Turkey"), len(doc.text) - 1
    status, answer = post(client, "/api/add", {"doc_id": doc.doc_id, "start": start, "end": end})
    assert status == code
    saved = [c.actors for c in load_gold(tmp_path / "gold").claims if c.start == start]
    assert saved == ([actors] if actors is not None else [])
    if code == 400:
        assert answer["error"] == "no spaCy model 'x' installed"


@pytest.mark.parametrize("kind", ["a file", "under a file"])
def test_review_annotate_gold_folder_that_cannot_be_one_is_a_one_line_error(
    runner, tmp_path, seed_records_path, kind
):
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    gold = tmp_path / "taken" if kind == "a file" else tmp_path / "taken" / "gold"
    args = ["annotate", str(SEED), "--gold", str(gold), "--records", str(seed_records_path),
            "--no-browser"]  # fmt: skip
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {gold}: cannot use this as the gold folder")


def test_review_store_refuses_a_texts_folder_that_leads_outside(tmp_path):
    from pipeline.errors import ClaimsError

    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "texts").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ClaimsError, match="refusing to write outside the gold folder"):
        Store(tmp_path / "gold", [source("Iran backs Hezbollah.", "inline")])
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("content", ["{", "[]", '{"rejected": 5}', '{"rejected": [1]}', "{}"])
def test_review_store_damaged_review_state_is_a_one_line_error(tmp_path, content):
    from pipeline.errors import ClaimsError

    doc = source("Iran backs Hezbollah.", "inline")
    Store(tmp_path / "gold", [doc]).close()
    (tmp_path / "gold" / "review-state.json").write_text(content, encoding="utf-8")
    with pytest.raises(ClaimsError, match=r"review-state\.json: not a review state"):
        Store(tmp_path / "gold", [doc])
    (tmp_path / "gold" / "review-state.json").write_text('{"rejected": []}', encoding="utf-8")
    Store(tmp_path / "gold", [doc]).close()  # the failed session released the folder


def test_review_app_orders_claims_by_the_models_uncertainty(tmp_path):
    """--order uncertainty: the claims the trained models are least sure of first, then
    those without a model's probability; each item says how sure the model was."""
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    doc = SourceDocument(
        "article", TEXT, sha256_hex(path.read_bytes()), str(path), focal_actors=["RUS", "IRN"]
    )
    first, second = Runner().records(doc)

    def only(record, p: float):  # the stance model's probability p, no other model's
        stance = record.stance.model_copy(update={"probability": p})
        relations = [r.model_copy(update={"probability": None}) for r in record.relations]
        actors = [
            a.model_copy(update={"mentions": [m.model_copy(update={"probability": None})
                                              for m in a.mentions]})
            for a in record.actors
        ]  # fmt: skip
        return record.model_copy(
            update={"stance": stance, "relations": relations, "actors": actors}
        )

    sure, unsure = only(first, 0.9), only(second, 0.4)
    store = Store(tmp_path / "gold", [doc])
    for order, expected in (("text", [0.9, 0.4]), ("uncertainty", [0.4, 0.9])):
        client = create_app([doc], [sure, unsure], store, PORT, order=order).test_client()
        items = client.get("/api/state", headers=HEADERS).get_json()["items"]
        assert [i["model_sureness"] for i in items] == expected
    store.close()


def test_review_annotate_uncertainty_order_needs_a_trained_model(runner, tmp_path):
    """The rules alone give no probabilities: --order uncertainty says so."""
    from pipeline.nlp import CONFIG

    config = tmp_path / "untrained.cfg"
    text = CONFIG.read_text("utf-8")
    for name in ("claims_actor_model", "claims_stance_model", "claims_relation_model"):
        text = text.replace(
            f"[initialize.components.{name}]\nweights = null",
            f'[initialize.components.{name}]\nweights = "{tmp_path / "none"}"',
        )
    config.write_text(text, "utf-8")
    result = runner.invoke(
        main,
        ["annotate", str(SEED), "--gold", str(tmp_path / "g"), "--order", "uncertainty",
         "--no-browser", "--config", str(config)],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--order uncertainty needs a trained model" in result.output
