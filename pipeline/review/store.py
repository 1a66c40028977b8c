"""The annotation store: a gold folder that every review decision is written into at once.

``documents.jsonl`` and ``claims.jsonl`` are the gold format (validated by the same pydantic
models as ``claims evaluate``); ``review-state.json`` remembers which proposals were
rejected, so a restarted session resumes where the reviewer stopped. Each save rewrites
the files atomically; nothing is written outside the folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..documents import SourceDocument, sha256_hex
from ..gold import CLAIMS, DOCUMENTS, load_gold
from ..io import dumps_jsonl, write_text_atomic
from ..records import ClaimRecord, GoldClaim, GoldDocument

STATE = "review-state.json"


def proposal_key(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}:{end}"


class Store:
    """Gold claims, rejections and an undo history, persisted into ``folder``."""

    def __init__(self, folder: Path, sources: list[SourceDocument]) -> None:
        self.folder = folder.resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sources = {s.doc_id: s for s in sources}
        self.documents: dict[str, GoldDocument] = {}
        self.claims: list[GoldClaim] = []
        self.rejected: set[str] = set()
        self.history: list[tuple[list[GoldClaim], set[str]]] = []
        if (self.folder / DOCUMENTS).exists() and (self.folder / CLAIMS).exists():
            gold = load_gold(self.folder)
            self.documents, self.claims = gold.documents, gold.claims
        state = self.folder / STATE
        if state.exists():
            self.rejected = set(json.loads(state.read_text(encoding="utf-8"))["rejected"])
        for source in sources:
            if source.doc_id not in self.documents:
                self.documents[source.doc_id] = self.register(source)
        self.save()

    def register(self, source: SourceDocument) -> GoldDocument:
        """A documents.jsonl entry; text without a file on disk is stored inside the folder."""
        path = Path(source.source)
        if path.is_file() and sha256_hex(path.read_bytes()) == source.sha256:
            relative = os.path.relpath(path.resolve(), self.folder)
        else:
            texts = self.folder / "texts"
            texts.mkdir(exist_ok=True)
            target = texts / f"{source.doc_id}.txt"
            target.write_bytes(source.text.encode("utf-8"))
            relative = f"texts/{source.doc_id}.txt"
        raw = (self.folder / relative).read_bytes()
        return GoldDocument(
            doc_id=source.doc_id,
            path=relative,
            sha256=sha256_hex(raw),
            title=source.title,
            author=source.author,
            focal_actors=source.focal_actors,
        )

    def snapshot(self) -> None:
        self.history.append(([c.model_copy() for c in self.claims], set(self.rejected)))

    def save(self) -> None:
        self.claims.sort(key=lambda c: (c.doc_id, c.start, c.end))
        write_text_atomic(self.folder / DOCUMENTS, dumps_jsonl(self.documents.values()))
        write_text_atomic(self.folder / CLAIMS, dumps_jsonl(self.claims))
        write_text_atomic(
            self.folder / STATE, json.dumps({"rejected": sorted(self.rejected)}, indent=1) + "\n"
        )

    def overlapping(self, doc_id: str, start: int, end: int) -> list[GoldClaim]:
        """Gold claims sharing at least half of the longer span with [start, end)."""
        out = []
        for c in self.claims:
            if c.doc_id != doc_id:
                continue
            shared = max(0, min(c.end, end) - max(c.start, start))
            if shared and 2 * shared >= max(c.end - c.start, end - start):
                out.append(c)
        return out

    def accept(self, key: str, claim: GoldClaim) -> None:
        """Store ``claim`` as gold for the proposal ``key`` (replacing an earlier decision)."""
        self.snapshot()
        doc_id, start, end = key.rsplit(":", 2)
        replaced = self.overlapping(doc_id, int(start), int(end))
        replaced += self.overlapping(claim.doc_id, claim.start, claim.end)
        self.claims = [c for c in self.claims if c not in replaced] + [claim]
        self.rejected.discard(key)
        self.save()

    def reject(self, key: str) -> None:
        self.snapshot()
        doc_id, start, end = key.rsplit(":", 2)
        replaced = self.overlapping(doc_id, int(start), int(end))
        self.claims = [c for c in self.claims if c not in replaced]
        self.rejected.add(key)
        self.save()

    def undo(self) -> bool:
        if not self.history:
            return False
        self.claims, self.rejected = self.history.pop()
        self.save()
        return True

    def status(self, record: ClaimRecord) -> tuple[str, GoldClaim | None]:
        """pending, accepted or rejected, with the gold claim that decided it."""
        key = proposal_key(record.doc_id, record.start, record.end)
        if key in self.rejected:
            return "rejected", None
        found = self.overlapping(record.doc_id, record.start, record.end)
        return ("accepted", found[0]) if found else ("pending", None)


def gold_from_record(record: ClaimRecord) -> dict:
    """The gold-format fields of a proposal, to pre-fill the editor."""
    return {
        "doc_id": record.doc_id,
        "start": record.start,
        "end": record.end,
        "text": record.text,
        "section": record.section,
        "actors": sorted(a.id for a in record.actors),
        "regions": sorted(g.id for g in record.regions),
        "stance": record.stance.label,
        "certainty": record.certainty.label,
        "relations": [
            {"source": r.source, "target": r.target, "polarity": r.polarity}
            for r in record.relations
        ],
    }
