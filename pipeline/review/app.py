"""``claims annotate``: a local web app to step through proposals and correct them into gold.

Flask on 127.0.0.1 only. Requests whose Host is not the app's own, and state-changing
requests whose Origin is not the app's own, are refused (so another page in the browser
cannot drive it); the page may not be framed (CSP ``frame-ancestors 'none'``), and only its
own script and style run (allowed by hash). Request bodies are limited to ``MAX_BODY``
bytes and validated by pydantic models; a refused request gets a 400 with a sentence the
page shows, and changes nothing. Writes go only into the gold folder (``Store``).

Two tabs on one session: every write carries the gold's version the tab last saw, and a
write from a tab that saw an older gold is refused with a 409 (the gold as it is now in
the answer, for the tab to show); every decision names its tab, so undo takes back that
tab's own last decision, never another tab's.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from importlib.resources import files
from typing import Annotated, Any

from flask import Flask, abort, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from werkzeug.exceptions import HTTPException

from .. import errors
from ..components.base import gazetteer_of
from ..corpus.documents import SourceDocument
from ..gazetteer import Gazetteer
from ..models import ClaimRecord, GoldClaim
from .csp import csp_hash
from .store import Store, UndoConflict, focal_pairs, gold_from_record, proposal_key
from .tagging import SpanTagger, untagged

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000  # bytes of a request body
MAX_BODY_TEXT = "1 MB"
MAX_OFFSET = 10**12

# -- request bodies -------------------------------------------------------------------------

Offset = Annotated[int, Field(strict=True, ge=0, le=MAX_OFFSET)]
Key = Annotated[
    str, StringConstraints(max_length=10_000, pattern=r"^\S.*:[0-9]{1,12}:[0-9]{1,12}$")
]
Name = Annotated[str, StringConstraints(max_length=10_000)]
Version = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
Tab = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Write(Body):
    """A decision: it names the gold's version the tab saw and the tab that makes it."""

    version: Version
    tab: Tab


class RelationEdit(Body):
    source: Name
    target: Name
    polarity: Name


class ClaimEdit(Body):
    """A claim as the page sends it (IDs and labels are checked by GoldClaim after)."""

    doc_id: Name
    start: Offset
    end: Offset
    text: str | None = None  # ignored: the server takes the text from the document
    section: Name | None = None
    actors: list[Name] = Field(default_factory=list, max_length=1000)
    regions: list[Name] = Field(default_factory=list, max_length=1000)
    stance: Name
    certainty: Name
    relations: list[RelationEdit] = Field(default_factory=list, max_length=1000)
    probability: tuple[float, float] | None = None
    cues: list[Name] | None = None
    notes: str | None = None
    source: dict[str, Any] | None = None  # the gold's source and time (G12), kept as given
    time: dict[str, Any] | None = None


class AcceptBody(Write):
    key: Key | None = None
    claim: ClaimEdit


class RejectBody(Write):
    key: Key


class AddBody(Write):
    doc_id: Name
    start: Offset
    end: Offset


class UndoBody(Write):
    pass


class Refused(Exception):
    """A request refused with a 400 and this sentence."""


class Conflict(Exception):
    """A write refused with a 409 and this sentence: the tab saw another gold."""


def where(error: dict) -> str:
    return ".".join(str(part) for part in error["loc"]) or "body"


def edit_problem(exc: ValidationError) -> str:
    """The first problem of a claim edit, as a sentence (IDs explained, not a regex)."""
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    if first["type"] == "string_pattern_mismatch" and field in ("actors", "relations"):
        return f"{field}: " + errors.BAD_ACTOR_ID.format(value=first["input"])
    if first["type"] == "string_pattern_mismatch" and field == "regions":
        return f"{field}: " + errors.BAD_REGION_ID.format(value=first["input"])
    return f"{where(first)}: {first['msg']}"


def request_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    if first["type"] == "string_pattern_mismatch" and first["loc"] == ("key",):
        return errors.REQUEST_KEY
    message = "expected a JSON object" if first["type"] == "model_type" else first["msg"]
    return errors.REQUEST_INVALID.format(detail=f"{where(first)}: {message}")


def parsed(model: type[Body]) -> Body:
    """The request's JSON body as ``model``; Refused if it is not JSON or not that shape."""
    raw = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before reading it
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):
        raise Refused(errors.REQUEST_NOT_JSON) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Refused(request_problem(exc)) from None
    except RecursionError:
        raise Refused(errors.REQUEST_NOT_JSON) from None


# -- the session ----------------------------------------------------------------------------


class Session:
    """What the app serves: proposals, the store, and the tagger for added spans."""

    def __init__(self, sources, records, store: Store, tagger, order: str = "text") -> None:
        self.sources = sources
        self.texts = {s.doc_id: s for s in sources}
        self.proposals = sorted(records, key=lambda r: (r.doc_id, r.start))
        self.sureness = {proposal_key(r.doc_id, r.start, r.end): model_sureness(r) for r in records}
        self.order = order
        self.store = store
        self.tagger = tagger
        self.lock = threading.Lock()  # one decision at a time

    def item(self, record: ClaimRecord) -> dict:
        status, gold = self.store.status(record)
        key = proposal_key(record.doc_id, record.start, record.end)
        return {
            "key": key,
            "status": status,
            "claim": gold.model_dump() if gold else gold_from_record(record),
            "proposed": gold_from_record(record),
            "model_sureness": self.sureness.get(key),
        }

    def items(self) -> list[dict]:
        out = [self.item(record) for record in self.proposals]
        shown = {proposal_key(i["claim"]["doc_id"], i["claim"]["start"], i["claim"]["end"])
                 for i in out}  # fmt: skip
        for claim in self.store.claims:  # claims a reviewer added from a selection
            key = proposal_key(claim.doc_id, claim.start, claim.end)
            if claim.doc_id in self.texts and key not in shown:
                out.append({"key": key, "status": "accepted", "claim": claim.model_dump(),
                            "proposed": None, "model_sureness": None})  # fmt: skip
        return sorted(out, key=self.sort_key)

    def sort_key(self, item: dict) -> tuple:
        """Text order; with ``order`` "uncertainty", the claims the trained models are least
        sure of first (claims without a model's probability last), then text order."""
        place = (item["claim"]["doc_id"], item["claim"]["start"])
        if self.order != "uncertainty":
            return place
        sure = item["model_sureness"]
        return (sure is None, sure if sure is not None else 1.0, *place)

    def state(self, **extra) -> dict:
        listed = self.items()
        reviewed = sum(i["status"] != "pending" for i in listed)
        documents = [
            {"doc_id": s.doc_id, "title": s.title or s.doc_id, "text": s.text} for s in self.sources
        ]
        return {
            "version": self.store.version,
            "documents": documents,
            "items": listed,
            "progress": {"reviewed": reviewed, "total": len(listed)},
            "current": next((n for n, i in enumerate(listed) if i["status"] == "pending"), 0),
            **extra,
        }

    def source(self, doc_id: str, start: int, end: int) -> SourceDocument:
        doc = self.texts.get(doc_id)
        if doc is None:
            raise Refused("invalid edit: " + errors.UNKNOWN_DOCUMENT.format(doc_id=doc_id))
        if not start < end <= len(doc.text):
            raise Refused("invalid edit: " + errors.SPAN_OUTSIDE.format(start=start, end=end))
        return doc

    def claim_from(self, edit: dict) -> GoldClaim:
        """A validated gold claim from an edit (text taken from the document)."""
        doc = self.source(edit["doc_id"], edit["start"], edit["end"])
        data = {**edit, "text": doc.text[edit["start"] : edit["end"]]}
        for name in ("actors", "regions"):
            data[name] = sorted(set(data.get(name) or []))
        data["relations"] = list(
            {json.dumps(r, sort_keys=True): r for r in data["relations"]}.values()
        )
        try:
            claim = GoldClaim.model_validate(data)
        except ValidationError as exc:
            raise Refused("invalid edit: " + edit_problem(exc)) from None
        if any({r.source, r.target} - set(claim.actors) for r in claim.relations):
            raise Refused("invalid edit: " + errors.RELATION_ACTORS)
        return claim

    def listed(self, key: str) -> str:
        """``key`` if it names a claim of the session; Refused otherwise."""
        if key not in {i["key"] for i in self.items()}:
            raise Refused(errors.UNKNOWN_KEY.format(key=key[:200]))
        return key

    def accept(self, body: AcceptBody) -> dict:
        claim = self.claim_from(body.claim.model_dump())
        own = proposal_key(claim.doc_id, claim.start, claim.end)
        key = own if body.key in (None, own) else self.listed(body.key)
        self.keep(key, claim, body.tab)
        return self.state()

    def keep(self, key: str, claim: GoldClaim, tab: str) -> None:
        """``store.accept``, its refusal (an overlap with another gold claim) a sentence."""
        try:
            self.store.accept(key, claim, tab)
        except errors.ClaimsError as exc:
            raise Refused("invalid edit: " + exc.detail) from None

    def reject(self, body: RejectBody) -> dict:
        self.store.reject(self.listed(body.key), body.tab)
        return self.state()

    def add(self, body: AddBody) -> dict:
        """A claim the pipeline missed, from a selection, tagged by the pipeline."""
        doc = self.source(body.doc_id, body.start, body.end)
        claim = self.claim_from(self.tags(doc, body.start, body.end))
        key = proposal_key(claim.doc_id, claim.start, claim.end)
        self.keep(key, claim, body.tab)
        return self.state(key=key)

    def tags(self, doc: SourceDocument, start: int, end: int) -> dict:
        """The tagger's claim for a span; untagged if tagging fails (the span is kept)."""
        try:
            return self.tagger(doc, start, end)
        except errors.ClaimsError as exc:
            raise Refused(exc.message) from None
        except Exception:  # the reviewer's selection is never lost to a tagging bug
            log.exception(
                "tagging %s:%d:%d failed; the claim is added untagged", doc.doc_id, start, end
            )
            return untagged(doc.doc_id, start, end, doc.text)

    def undo(self, body: UndoBody) -> dict:
        """Take back this tab's last decision (another tab's are its own to undo)."""
        try:
            key = self.store.undo(body.tab)
        except UndoConflict as exc:
            raise Conflict(exc.detail) from None
        if key is None:
            raise Refused(errors.NOTHING_TO_UNDO)
        return self.state(restored=key)

    def check_version(self, body: Write) -> None:
        """Conflict unless the tab saw the gold as it is now."""
        if body.version != self.store.version:
            raise Conflict(errors.STALE_WRITE)


# -- the app --------------------------------------------------------------------------------


def inline_hash(page: str, tag: str) -> str:
    """CSP source for the page's one inline ``<tag>`` element, by its sha256."""
    return csp_hash(re.search(rf"<{tag}>(.*?)</{tag}>", page, re.DOTALL).group(1))


def security_headers(page: str) -> dict[str, str]:
    policy = (
        f"default-src 'self'; script-src {inline_hash(page, 'script')}; "
        f"style-src {inline_hash(page, 'style')}; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def guard(app: Flask, port: int, headers: dict[str, str]) -> None:
    """Refuse foreign Host and Origin; send the security headers with every response."""
    allowed_hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
    allowed_origins = {f"http://{host}" for host in allowed_hosts}

    @app.before_request
    def same_origin_only():
        if request.host not in allowed_hosts:
            abort(403)
        if request.method != "GET" and request.headers.get("Origin") not in allowed_origins:
            abort(403)

    @app.after_request
    def secure(response):
        response.headers.update(headers)
        return response


def error_replies(app: Flask, port: int, session: Session) -> None:
    """Every error as JSON ``{"error": sentence}``, never a traceback in the page; a
    conflict also carries the gold as it is now (``state``), for the tab to show."""

    def reply(message: str, code: int, **extra):
        response = jsonify({"error": message, **extra})
        response.status_code = code
        return response

    @app.errorhandler(Refused)
    def refused(exc: Refused):
        return reply(str(exc), 400)

    @app.errorhandler(Conflict)
    def conflict(exc: Conflict):
        with session.lock:
            return reply(str(exc), 409, state=session.state())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 403:
            return reply(errors.FOREIGN_REQUEST.format(url=f"http://127.0.0.1:{port}/"), 403)
        if exc.code == 413:
            return reply(errors.REQUEST_TOO_LARGE.format(limit=MAX_BODY_TEXT), 413)
        return reply(f"{exc.name}.", exc.code or 500)


def routes(app: Flask, session: Session, page: str, gazetteer: Gazetteer) -> None:
    @app.get("/")
    def index():
        return page, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.get("/api/state")
    def get_state():
        return jsonify(session.state())

    @app.get("/api/ids")
    def ids():
        query = request.args.get("q", "").strip().lower()[:100]
        table = gazetteer.actors if request.args.get("kind") != "region" else gazetteer.regions
        found = [
            {"id": key, "name": entry.get("name", key)}
            for key, entry in table.items()
            if query and (query in key.lower() or query in entry.get("name", "").lower())
        ]
        found.sort(key=lambda e: (not e["id"].lower().startswith(query), len(e["id"]), e["id"]))
        return jsonify(found[:20])

    def decision(model: type[Write], act):
        body = parsed(model)
        with session.lock:
            session.check_version(body)
            return jsonify(act(body))

    @app.post("/api/accept")
    def accept():
        return decision(AcceptBody, session.accept)

    @app.post("/api/add")
    def add():
        return decision(AddBody, session.add)

    @app.post("/api/reject")
    def reject():
        return decision(RejectBody, session.reject)

    @app.post("/api/undo")
    def undo():
        return decision(UndoBody, session.undo)


def model_sureness(record: ClaimRecord) -> float | None:
    """How sure the trained models were of a proposed claim: the lowest probability they
    gave its stance, relations and added actors (None: no trained model labelled it)."""
    found = [record.stance.probability, *(r.probability for r in record.relations)]
    found += [m.probability for a in record.actors for m in a.mentions]
    known = [p for p in found if p is not None]
    return min(known) if known else None


def create_app(
    sources: list[SourceDocument],
    records: list[ClaimRecord],
    store: Store,
    port: int,
    *,
    tagger=None,
    model: str | None = None,
    focal: dict[str, list[str]] | None = None,
    order: str = "text",
    nlp=None,
):
    """The Flask app for one review session (``port`` is the one it is served on).

    ``tagger(source, start, end)`` tags a span the reviewer adds (default: the pipeline's
    own components, see ``tagging.SpanTagger``, with ``focal``: each document's focal pair,
    by default the one its records were tagged against; ``nlp``: the pipeline, by default
    ``model``'s default one, whose gazetteer the actor and region search reads).
    ``order`` "uncertainty" puts the claims the trained models are least sure of first.
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    page = files("pipeline.review").joinpath("static/annotate.html").read_text("utf-8")
    tagger = tagger or SpanTagger(model, focal or focal_pairs(sources, records), nlp)
    session = Session(sources, records, store, tagger, order=order)
    guard(app, port, security_headers(page))
    error_replies(app, port, session)
    routes(app, session, page, gazetteer_of(nlp))
    return app
