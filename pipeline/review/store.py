"""The annotation store: a gold folder that every review decision is written into at once.

``documents.jsonl`` and ``claims.jsonl`` are the gold format (validated by the same pydantic
models as ``claims evaluate``); ``review-state.json`` remembers which proposals were
rejected, so a restarted session resumes where the reviewer stopped. Each save rewrites
the files atomically. Every text lies inside the folder (a text outside it is copied into
``texts/`` under a name made from its doc_id and sha256), so the folder can be moved or
shared, and no path is written that does not resolve inside the folder. One session at a
time holds the folder (an advisory lock, released when the process ends, even by a kill).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import errors
from ..corpus.documents import SourceDocument, sha256_hex
from ..evaluation.gold import CLAIMS, DOCUMENTS, load_gold
from ..ids import slugify
from ..io import dumps_jsonl, write_text_atomic
from ..models import ClaimRecord, GoldClaim, GoldDocument

STATE = "review-state.json"
TEXTS = "texts"
SAVED = (DOCUMENTS, CLAIMS, STATE)  # the files a save rewrites (via .NAME.*.tmp)


def proposal_key(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}:{end}"


def parse_key(key: str) -> tuple[str, int, int]:
    """(doc_id, start, end) of a ``doc_id:start:end`` key; ValueError if it is not one."""
    doc_id, start, end = key.rsplit(":", 2)
    if not doc_id or not start.isdigit() or not end.isdigit():
        raise ValueError(key)
    return doc_id, int(start), int(end)


def text_name(doc_id: str, sha256: str) -> str:
    """A safe file name for a document's text: a slug of the doc_id and the text's hash
    (no separators, no leading dot, distinct for distinct texts)."""
    return f"{slugify(doc_id)[:60] or 'document'}-{sha256[:12]}.txt"


def inside(folder: Path, path: Path) -> Path:
    """``path`` resolved, if it lies inside ``folder``; a ClaimsError otherwise."""
    resolved = path.resolve()
    if not resolved.is_relative_to(folder):
        raise errors.ClaimsError(errors.OUTSIDE_GOLD.format(folder=folder), path)
    return resolved


@cache
def _sections():
    """The pipeline's layout component on a blank English pipeline (no model needed)."""
    import spacy

    from .. import components  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    nlp.add_pipe("claims_sections")
    return nlp


def title_of(text: str) -> str | None:
    """The document's title as the pipeline's layout component finds it (its first line,
    when that line is a heading), else None."""
    from ..textnorm import normalise

    text = getattr(normalise(text), "text", text)  # as the pipeline reads it (CR-only lines)
    lead = len(text) - len(text.lstrip())
    end = text.find("\n", lead)
    doc = _sections()(text[: end if end >= 0 else len(text)])
    return next((s.text for s in doc.spans["non_claims"] if s.label_ == "title"), None)


def focal_pairs(
    sources: list[SourceDocument], records: list[ClaimRecord], given: list[str] | None = None
) -> dict[str, list[str]]:
    """Per document, the focal pair its stance was tagged against: the records' own, else
    ``given`` (--focal), else the input's ``focal_actors`` (empty: the pipeline detects it)."""
    tagged = {r.doc_id: list(r.stance.focal) for r in records if r.stance.focal}
    return {s.doc_id: tagged.get(s.doc_id) or given or list(s.focal_actors) for s in sources}


def _lock(folder: Path) -> int | None:
    """An exclusive advisory lock on the folder itself; the kernel drops it with the process."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise errors.ClaimsError(errors.GOLD_IN_USE, folder) from None
    return fd


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files of saves that a kill interrupted; return them."""
    stale = [
        path
        for name in SAVED
        for path in folder.glob(f".{name}.*.tmp")
        if path.is_file() and not path.is_symlink()
    ]
    if (folder / TEXTS).is_dir():
        stale += [p for p in (folder / TEXTS).glob(".*.txt.*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def read_rejections(path: Path) -> set[str]:
    """The rejected proposal keys in review-state.json (none if it is missing)."""
    if not path.exists():
        return set()
    try:
        rejected = json.loads(path.read_text(encoding="utf-8"))["rejected"]
        if not all(isinstance(key, str) for key in rejected):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise errors.ClaimsError(errors.BAD_REVIEW_STATE, path) from None
    return set(rejected)


class Store:
    """Gold claims, rejections and an undo history, persisted into ``folder``.

    ``focal`` gives each document's focal pair for documents.jsonl (see ``focal_pairs``).
    Each decision names the browser tab that made it, so that a tab undoes its own;
    ``version`` changes with every change of the gold, so that a tab's write can say
    which gold it saw.
    """

    def __init__(
        self,
        folder: Path,
        sources: list[SourceDocument],
        focal: dict[str, list[str]] | None = None,
    ) -> None:
        self.folder = folder.resolve()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file there, or no permission
            raise errors.ClaimsError(
                errors.GOLD_UNUSABLE.format(reason=exc.strerror), folder
            ) from None
        self.lock = _lock(self.folder)
        self.focal = focal or {}
        self.documents: dict[str, GoldDocument] = {}
        self.claims: list[GoldClaim] = []
        self.rejected: set[str] = set()
        self.history: list[Decision] = []  # every tab's decisions, oldest first
        self.version = ""  # names the gold as saved (see ``save``)
        try:
            self.open(sources)
        except BaseException:
            self.close()
            raise

    def open(self, sources: list[SourceDocument]) -> None:
        """Read what the folder holds, add the session's documents, save."""
        remove_stale_temporaries(self.folder)
        if (self.folder / DOCUMENTS).exists() and (self.folder / CLAIMS).exists():
            gold = load_gold(self.folder)
            self.documents, self.claims = gold.documents, gold.claims
        self.rejected = read_rejections(self.folder / STATE)
        for source in sources:
            known = self.documents.get(source.doc_id)
            self.documents[source.doc_id] = (
                self.complete(known, source) if known else self.register(source)
            )
        self.save()

    def close(self) -> None:
        """Release the folder (a later session may open it)."""
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None

    def described(self, source: SourceDocument) -> dict:
        """Title, author and focal pair of a document, as documents.jsonl keeps them."""
        return {
            "title": source.title or title_of(source.text),
            "author": source.author,
            "focal_actors": list(source.focal_actors) or self.focal.get(source.doc_id, []),
        }

    def complete(self, known: GoldDocument, source: SourceDocument) -> GoldDocument:
        """An existing entry with a missing title, author or focal pair filled in (its path
        and hash are left as they are)."""
        found = self.described(source)
        update = {
            name: value for name, value in found.items() if value and not getattr(known, name)
        }
        return known.model_copy(update=update) if update else known

    def register(self, source: SourceDocument) -> GoldDocument:
        """A documents.jsonl entry. A text file already inside the folder is referred to
        where it is; any other text is copied into ``texts/``."""
        path = Path(source.source)
        if (
            path.is_file()
            and path.resolve().is_relative_to(self.folder)
            and sha256_hex(path.read_bytes()) == source.sha256
        ):
            relative = path.resolve().relative_to(self.folder).as_posix()
        else:
            relative = f"{TEXTS}/{text_name(source.doc_id, source.sha256)}"
            target = inside(self.folder, self.folder / relative)
            raw = source.text.encode("utf-8")
            if not target.is_file() or target.read_bytes() != raw:
                write_text_atomic(target, source.text)
        raw = inside(self.folder, self.folder / relative).read_bytes()
        return GoldDocument(
            doc_id=source.doc_id, path=relative, sha256=sha256_hex(raw), **self.described(source)
        )

    def save(self) -> None:
        """Write the folder; ``version`` names what it now holds."""
        self.claims.sort(key=lambda c: (c.doc_id, c.start, c.end))
        for name in SAVED:
            inside(self.folder, self.folder / name)
        claims = dumps_jsonl(self.claims)
        state = json.dumps({"rejected": sorted(self.rejected)}, indent=1) + "\n"
        write_text_atomic(self.folder / DOCUMENTS, dumps_jsonl(self.documents.values()))
        write_text_atomic(self.folder / CLAIMS, claims)
        write_text_atomic(self.folder / STATE, state)
        self.version = sha256_hex(f"{claims}\0{state}".encode())[:16]

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

    def accept(self, key: str, claim: GoldClaim, tab: str = "") -> None:
        """Store ``claim`` as gold for the proposal ``key`` (replacing an earlier decision),
        a decision of browser tab ``tab``. A claim that would share characters with another
        gold claim is refused (``ClaimsError``): gold claims never overlap."""
        doc_id, start, end = parse_key(key)  # before anything changes
        replaced = self.overlapping(doc_id, start, end)
        replaced += self.overlapping(claim.doc_id, claim.start, claim.end)
        removed = [c for c in self.claims if c in replaced]
        refuse_overlap([c for c in self.claims if c not in removed], claim)
        self.decide(Decision(tab, key, removed, claim, key in self.rejected), rejected=False)

    def reject(self, key: str, tab: str = "") -> None:
        doc_id, start, end = parse_key(key)
        removed = self.overlapping(doc_id, start, end)
        self.decide(Decision(tab, key, removed, None, key in self.rejected), rejected=True)

    def decide(self, decision: Decision, rejected: bool) -> None:
        self.history.append(decision)
        kept = [c for c in self.claims if c not in decision.removed]
        self.claims = kept + ([decision.added] if decision.added else [])
        self.mark(decision.key, rejected)

    def undo(self, tab: str = "") -> str | None:
        """Take back the last decision of browser tab ``tab`` (not another tab's); return
        its key (None: nothing to undo). A decision that another tab's later decision
        touched (the same claim, or one overlapping it) is not taken back: ``UndoConflict``."""
        mine = [n for n, d in enumerate(self.history) if d.tab == tab]
        if not mine:
            return None
        decision = self.history[mine[-1]]
        if any(decision.touches(later) for later in self.history[mine[-1] + 1 :]):
            raise UndoConflict(errors.UNDO_CONFLICT)
        del self.history[mine[-1]]
        kept = [c for c in self.claims if c != decision.added]
        self.claims = kept + decision.removed
        self.mark(decision.key, decision.was_rejected)
        return decision.key

    def mark(self, key: str, rejected: bool) -> None:
        """Record whether ``key`` is rejected, and save."""
        if rejected:
            self.rejected.add(key)
        else:
            self.rejected.discard(key)
        self.save()

    def status(self, record: ClaimRecord) -> tuple[str, GoldClaim | None]:
        """pending, accepted or rejected, with the gold claim that decided it."""
        key = proposal_key(record.doc_id, record.start, record.end)
        if key in self.rejected:
            return "rejected", None
        found = self.overlapping(record.doc_id, record.start, record.end)
        return ("accepted", found[0]) if found else ("pending", None)


class UndoConflict(errors.ClaimsError):
    """An undo that would take back what another tab decided after it."""


@dataclass
class Decision:
    """One accept or reject, with what it changed, so that it alone can be undone."""

    tab: str  # the browser tab that made it
    key: str  # the proposal (or added claim) it decided
    removed: list[GoldClaim]  # gold claims it replaced
    added: GoldClaim | None  # the gold claim it accepted
    was_rejected: bool  # whether ``key`` was rejected before

    def spans(self) -> list[tuple[str, int, int]]:
        """Every span it changed: its key's, the claims it removed and the one it added."""
        claims = [*self.removed, *([self.added] if self.added else [])]
        return [parse_key(self.key), *((c.doc_id, c.start, c.end) for c in claims)]

    def touches(self, other: Decision) -> bool:
        """Whether ``other`` changed a span sharing a character with one this changed."""
        return any(
            a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
            for a in self.spans()
            for b in other.spans()
        )


def refuse_overlap(claims: list[GoldClaim], claim: GoldClaim) -> None:
    """A ClaimsError if ``claim`` shares a character with one of ``claims``."""
    for other in claims:
        if other.doc_id == claim.doc_id and other.start < claim.end and claim.start < other.end:
            shown = other.text if len(other.text) <= 60 else other.text[:57] + "..."
            msg = errors.OVERLAPS_GOLD.format(start=other.start, end=other.end, text=shown)
            raise errors.ClaimsError(msg)


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
        "source": gold_source(record.source),
        "time": gold_time(record.time),
    }


def gold_source(source) -> dict | None:
    """A record's source in the gold format (cue as [start, end]); None if it has none."""
    if source is None:
        return None
    cue = [source.cue.start, source.cue.end] if source.cue else None
    return {"kind": source.kind, "actor": source.actor, "cue": cue}


def gold_time(time) -> dict | None:
    """A record's time in the gold format (cue as [start, end]); None if it has none."""
    if time is None:
        return None
    cue = [time.cue.start, time.cue.end] if time.cue else None
    return {"relative": time.relative, "start": time.start, "end": time.end, "cue": cue}
