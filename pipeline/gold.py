"""Loading and validating a gold folder (documents.jsonl + claims.jsonl) per the spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import errors
from .documents import decode, read_bytes, sha256_hex
from .io import iter_jsonl, parse
from .records import GoldClaim, GoldDocument

DOCUMENTS = "documents.jsonl"
CLAIMS = "claims.jsonl"


@dataclass
class GoldSet:
    """A validated gold folder: documents with their text, and claims in (doc_id, start) order."""

    folder: Path
    documents: dict[str, GoldDocument] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    claims: list[GoldClaim] = field(default_factory=list)

    def claims_of(self, doc_id: str) -> list[GoldClaim]:
        """Gold claims of one document, in span order."""
        return [c for c in self.claims if c.doc_id == doc_id]

    def find(self, doc_id: str, sha256: str | None = None) -> str | None:
        """The gold doc_id for a document given by doc_id or by text hash, if any."""
        if doc_id in self.documents:
            return doc_id
        if sha256:
            return next((d.doc_id for d in self.documents.values() if d.sha256 == sha256), None)
        return None


def check_span(claim, text: str, doc_id: str, path: Path, line: int) -> None:
    """Raise unless ``claim``'s offsets lie in ``text`` and its text is the slice there."""
    if claim.end > len(text):
        msg = errors.OFFSET_RANGE.format(
            start=claim.start, end=claim.end, doc_id=doc_id, length=len(text)
        )
        raise errors.ClaimsError(msg, path, line)
    expected = text[claim.start : claim.end]
    if expected != claim.text:
        shown = expected if len(expected) <= 60 else expected[:57] + "..."
        msg = errors.TEXT_MISMATCH.format(
            doc_id=doc_id, start=claim.start, end=claim.end, expected=shown
        )
        raise errors.ClaimsError(msg, path, line)


def load_documents(folder: Path) -> tuple[dict[str, GoldDocument], dict[str, str]]:
    """Read documents.jsonl and each document's text, checking every sha256."""
    path = folder / DOCUMENTS
    documents: dict[str, GoldDocument] = {}
    texts: dict[str, str] = {}
    for line, obj in iter_jsonl(path):
        doc = parse(GoldDocument, obj, path, line)
        if doc.doc_id in documents:
            raise errors.ClaimsError(errors.DUPLICATE_DOC.format(doc_id=doc.doc_id), path, line)
        text_path = folder / doc.path
        if not text_path.is_file():
            raise errors.ClaimsError(f"text file {text_path} not found", path, line)
        raw = read_bytes(text_path)
        actual = sha256_hex(raw)
        if actual != doc.sha256:
            msg = errors.SHA_MISMATCH.format(text=text_path, actual=actual, expected=doc.sha256)
            raise errors.ClaimsError(msg, path, line)
        documents[doc.doc_id] = doc
        texts[doc.doc_id] = decode(raw, text_path)
    return documents, texts


def load_gold(folder: str | Path) -> GoldSet:
    """Load and validate a gold folder; any problem is a one-line error naming file and line."""
    folder = Path(folder)
    if not (folder / DOCUMENTS).is_file() or not (folder / CLAIMS).is_file():
        raise errors.ClaimsError(errors.NOT_A_GOLD_DIR, folder)
    documents, texts = load_documents(folder)
    path = folder / CLAIMS
    claims = []
    for line, obj in iter_jsonl(path):
        claim = parse(GoldClaim, obj, path, line)
        if claim.doc_id not in documents:
            raise errors.ClaimsError(errors.UNKNOWN_DOC.format(doc_id=claim.doc_id), path, line)
        check_span(claim, texts[claim.doc_id], claim.doc_id, path, line)
        claims.append(claim)
    claims.sort(key=lambda c: (c.doc_id, c.start, c.end))
    return GoldSet(folder=folder, documents=documents, texts=texts, claims=claims)
