"""``claims annotate``: a local web app to step through proposals and correct them into gold.

Flask on 127.0.0.1 only. Requests whose Host is not the app's own, and state-changing
requests whose Origin is not the app's own, are refused (so another page in the browser
cannot drive it). Every edit is validated by the gold models; an invalid one gets a 400
with a message the page shows. Writes go only into the gold folder (``Store``).
"""

from __future__ import annotations

from importlib.resources import files

from flask import Flask, abort, jsonify, request
from pydantic import ValidationError

from ..documents import SourceDocument
from ..gazetteer import load_gazetteer
from ..io import validation_summary
from ..records import ClaimRecord, GoldClaim
from .store import Store, gold_from_record, proposal_key


def create_app(sources: list[SourceDocument], records: list[ClaimRecord], store: Store, port: int):
    """The Flask app for one review session (``port`` is the one it is served on)."""
    app = Flask(__name__)
    allowed_hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
    allowed_origins = {f"http://{host}" for host in allowed_hosts}
    texts = {s.doc_id: s for s in sources}
    proposals = sorted(records, key=lambda r: (r.doc_id, r.start))
    gazetteer = load_gazetteer()
    page = files("pipeline.review").joinpath("static/annotate.html").read_text("utf-8")

    @app.before_request
    def same_origin_only():
        if request.host not in allowed_hosts:
            abort(403)
        origin = request.headers.get("Origin")
        if request.method != "GET" and origin not in allowed_origins:
            abort(403)

    def items() -> list[dict]:
        out = []
        for record in proposals:
            status, gold = store.status(record)
            out.append(
                {
                    "key": proposal_key(record.doc_id, record.start, record.end),
                    "status": status,
                    "claim": gold.model_dump() if gold else gold_from_record(record),
                    "proposed": gold_from_record(record),
                }
            )
        keys = {i["claim"]["doc_id"] + str(i["claim"]["start"]) for i in out}
        for claim in store.claims:  # claims a reviewer added from a selection
            if claim.doc_id in texts and claim.doc_id + str(claim.start) not in keys:
                key = proposal_key(claim.doc_id, claim.start, claim.end)
                out.append({"key": key, "status": "accepted", "claim": claim.model_dump(),
                            "proposed": None})  # fmt: skip
        return sorted(out, key=lambda i: (i["claim"]["doc_id"], i["claim"]["start"]))

    def state() -> dict:
        listed = items()
        reviewed = sum(i["status"] != "pending" for i in listed)
        return {
            "documents": [
                {"doc_id": s.doc_id, "title": s.title or s.doc_id, "text": s.text} for s in sources
            ],
            "items": listed,
            "progress": {"reviewed": reviewed, "total": len(listed)},
            "current": next((n for n, i in enumerate(listed) if i["status"] == "pending"), 0),
        }

    def error(message: str, code: int = 400):
        response = jsonify({"error": message})
        response.status_code = code
        return response

    def claim_from(payload: dict) -> GoldClaim:
        doc = texts.get(payload.get("doc_id"))
        if doc is None:
            raise ValueError(f"unknown document {payload.get('doc_id')!r}")
        start, end = int(payload["start"]), int(payload["end"])
        if not 0 <= start < end <= len(doc.text):
            raise ValueError(f"span {start}-{end} is outside the document")
        data = {**payload, "text": doc.text[start:end]}
        for name in ("actors", "regions"):
            data[name] = sorted(set(data.get(name) or []))
        relations = data.get("relations") or []
        for rel in relations:
            if {rel.get("source"), rel.get("target")} - set(data["actors"]):
                raise ValueError("a relation's source and target must be actors of the claim")
        return GoldClaim.model_validate(data)

    @app.get("/")
    def index():
        return page, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.get("/api/state")
    def get_state():
        return jsonify(state())

    @app.get("/api/ids")
    def ids():
        query = request.args.get("q", "").strip().lower()
        kind = request.args.get("kind", "actor")
        table = gazetteer.actors if kind == "actor" else gazetteer.regions
        found = [
            {"id": key, "name": entry.get("name", key)}
            for key, entry in table.items()
            if query and (query in key.lower() or query in entry.get("name", "").lower())
        ]
        found.sort(key=lambda e: (not e["id"].lower().startswith(query), len(e["id"]), e["id"]))
        return jsonify(found[:20])

    @app.post("/api/accept")
    def accept():
        payload = request.get_json(force=True, silent=True) or {}
        try:
            claim = claim_from(payload.get("claim") or {})
        except ValidationError as exc:
            return error(f"invalid edit: {validation_summary(exc)}")
        except (ValueError, KeyError, TypeError) as exc:
            return error(f"invalid edit: {exc}")
        store.accept(
            payload.get("key") or proposal_key(claim.doc_id, claim.start, claim.end), claim
        )
        return jsonify(state())

    @app.post("/api/reject")
    def reject():
        key = (request.get_json(force=True, silent=True) or {}).get("key")
        if not key or key.count(":") < 2:
            return error("reject needs the proposal's key")
        store.reject(key)
        return jsonify(state())

    @app.post("/api/undo")
    def undo():
        if not store.undo():
            return error("nothing to undo")
        return jsonify(state())

    return app
