"""Loading and validating a gold folder (documents.jsonl + claims.jsonl) per the spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import errors
from ..corpus.documents import decode, read_bytes, sha256_hex
from ..io import iter_jsonl, json_line, parse
from ..models import GoldClaim, GoldDocument

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

    def subset(self, doc_ids) -> GoldSet:
        """The same folder restricted to ``doc_ids`` (those it has)."""
        keep = [d for d in self.documents if d in set(doc_ids)]
        return GoldSet(
            folder=self.folder,
            documents={d: self.documents[d] for d in keep},
            texts={d: self.texts[d] for d in keep},
            claims=[c for c in self.claims if c.doc_id in set(keep)],
        )

    def sha_index(self) -> dict[str, list[str]]:
        """doc_ids by text hash, in the folder's order: for many :meth:`find` calls."""
        index: dict[str, list[str]] = {}
        for doc in self.documents.values():
            index.setdefault(doc.sha256, []).append(doc.doc_id)
        return index

    def find(
        self, doc_id: str, sha256: str | None = None, index: dict[str, list[str]] | None = None
    ) -> str | None:
        """The gold doc_id of a document: the one with the same text (sha256), else the
        one with the same doc_id, else None. ``index`` (:meth:`sha_index`) saves a pass
        over the documents per call."""
        if sha256:
            same = (index if index is not None else self.sha_index()).get(sha256, [])
            if same:
                return doc_id if doc_id in same else same[0]
        return doc_id if doc_id in self.documents else None


def check_span(claim, text: str, doc_id: str, path: Path, line: int) -> None:
    """Raise unless ``claim``'s offsets lie in ``text`` and its text (where given) is the
    slice there."""
    if claim.end > len(text):
        msg = errors.OFFSET_RANGE.format(
            start=claim.start, end=claim.end, doc_id=doc_id, length=len(text)
        )
        raise errors.ClaimsError(msg, path, line)
    expected = text[claim.start : claim.end]
    if claim.text is not None and expected != claim.text:
        shown = expected if len(expected) <= 60 else expected[:57] + "..."
        msg = errors.TEXT_MISMATCH.format(
            doc_id=doc_id, start=claim.start, end=claim.end, expected=shown
        )
        raise errors.ClaimsError(msg, path, line)


def check_cues(claim: GoldClaim, text: str, path: Path, line: int) -> None:
    """Raise unless the source and time cues (if any) lie in ``text``, start before end."""
    for part in (claim.source, claim.time):
        cue = part.cue if part is not None else None
        if cue is not None and not 0 <= cue[0] < cue[1] <= len(text):
            msg = errors.CUE_RANGE.format(cue=list(cue), doc_id=claim.doc_id, length=len(text))
            raise errors.ClaimsError(msg, path, line)


def with_text(claim: GoldClaim, text: str, path: Path, line: int) -> GoldClaim:
    """The claim with its offsets checked against ``text``; a missing ``text`` filled in."""
    check_span(claim, text, claim.doc_id, path, line)
    check_cues(claim, text, path, line)
    if claim.text is None:
        claim = claim.model_copy(update={"text": text[claim.start : claim.end]})
    return claim


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
    lines: dict[int, GoldClaim] = {}
    for line, obj in iter_jsonl(path):
        claim = parse(GoldClaim, obj, path, line)
        if claim.doc_id not in documents:
            raise errors.ClaimsError(errors.UNKNOWN_DOC.format(doc_id=claim.doc_id), path, line)
        lines[line] = with_text(claim, texts[claim.doc_id], path, line)
    check_disjoint(lines, path)
    claims = sorted(lines.values(), key=lambda c: (c.doc_id, c.start, c.end))
    return GoldSet(folder=folder, documents=documents, texts=texts, claims=claims)


def check_disjoint(lines: dict[int, GoldClaim], path: Path) -> None:
    """No two claims of a document share a character: a claim listed twice, or two claims
    that overlap, is an error naming the later line and the earlier one."""
    order = sorted(lines, key=lambda n: (lines[n].doc_id, lines[n].start, lines[n].end))
    reach = None  # the line of the claim reaching furthest so far in its document
    for line in order:
        claim, before = lines[line], lines.get(reach)
        if before is not None and before.doc_id == claim.doc_id and claim.start < before.end:
            first, second = sorted((reach, line))
            a, b = lines[first], lines[second]
            same = (a.start, a.end) == (b.start, b.end)
            template = errors.DUPLICATE_CLAIM if same else errors.OVERLAPPING_CLAIMS
            msg = template.format(
                doc_id=b.doc_id, start=b.start, end=b.end, line=first, other=f"{a.start}-{a.end}"
            )
            raise errors.ClaimsError(msg, path, second)
        if before is None or before.doc_id != claim.doc_id or claim.end > before.end:
            reach = line


# -- drafts: claims written as text, located in the document ------------------------------


def locate(path: Path, text: str, omit_text: bool = False) -> list[GoldClaim]:
    """Gold claims from a draft file: gold-format lines whose ``start``/``end`` may be left
    out. Each claim's text is found at or after the end of the claim before it, so claims
    must be in text order; a text that is not there is an error naming the draft line."""
    cursor, claims = 0, []
    for line, obj in iter_jsonl(path):
        if "start" not in obj:
            snippet = obj.get("text") or ""
            start = text.find(snippet, cursor) if snippet else -1
            if start < 0:
                msg = errors.DRAFT_NOT_FOUND.format(text=snippet[:60], offset=cursor)
                raise errors.ClaimsError(msg, path, line)
            obj = {**obj, "start": start, "end": start + len(snippet)}
        claim = with_text(parse(GoldClaim, obj, path, line), text, path, line)
        cursor = claim.end
        claims.append(claim.model_copy(update={"text": None}) if omit_text else claim)
    return claims


def merge_claims(folder: Path, doc_id: str, claims: list[GoldClaim]) -> Path:
    """Replace one document's claims in ``folder``'s claims.jsonl (written atomically, in
    doc_id and start order)."""
    from ..io import write_text_atomic

    path = folder / CLAIMS
    kept = []
    if path.is_file():
        kept = [parse(GoldClaim, obj, path, n) for n, obj in iter_jsonl(path)]
    rows = [c for c in kept if c.doc_id != doc_id] + claims
    rows.sort(key=lambda c: (c.doc_id, c.start, c.end))
    return write_text_atomic(path, "".join(gold_line(c) + "\n" for c in rows))


def gold_line(claim: GoldClaim) -> str:
    """One claims.jsonl line in the spec's field order; absent optional fields left out."""
    row = {"doc_id": claim.doc_id, **claim.model_dump(mode="json", exclude_none=True)}
    row["section"] = claim.section
    order = ["doc_id", "start", "end", "text", "section", *GoldClaim.model_fields]
    row = {k: row[k] for k in dict.fromkeys(order) if k in row}
    return json_line(row)
