"""Claim segmentation: sentences, split at semicolons and coordinated independent clauses.

A sentence is split only where the annotation spec allows: at a semicolon, or where a
coordinating conjunction joins two clauses that each have their own explicit subject and
finite verb (read from the dependency parse). Non-claim text (title, headings, bylines,
labels, lead-in topics) is cut away; questions and verbless fragments are dropped.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .. import errors
from ..extensions import doc_text, register_extensions
from .base import Component
from .features import Tokens
from .syntax import DEPS, covered, indexes_with, tokens_within, word_ids

SUBJECT_DEPS = DEPS["clause_subject"]
FINITE_TAGS = {"VBD", "VBZ", "VBP", "MD"}
CLAUSE_CONJUNCTIONS = {"and", "but", "yet", "or", "so"}
BULLETS = {"\u2022", "*", "-", "\u2013", "\u2014", "\u00b7", "\u25aa", "\u25e6", "\u2023"}
QUOTES = {'"', "\u201c", "\u201d", "'", "\u2018", "\u2019", "\u00ab", "\u00bb"}
FINAL = {".", "!", "?", "…"}
LEADING = BULLETS | {",", ";"}  # dropped before a claim (with space)
TRAILING = {",", ";", ":"}  # dropped after a claim (with space)
VERB_POS = {"VERB", "AUX"}  # parts of speech of a verb


def has_subject(verb: Token) -> bool:
    return any(child.dep_ in SUBJECT_DEPS for child in verb.children)


def is_finite(verb: Token) -> bool:
    if verb.tag_ in FINITE_TAGS:
        return True
    return any(c.dep_ in {"aux", "auxpass"} and c.tag_ in FINITE_TAGS for c in verb.children)


def clause_splits(span: Span, candidates: list[Token]) -> list[tuple[int, int]]:
    """Token ranges (end exclusive) of the joining material between independent clauses;
    ``candidates`` are the span's semicolons and ``conj`` tokens, where a cut can be."""
    cuts = []
    for token in candidates:
        if token.text == ";":
            cuts.append((token.i, token.i + 1))
            continue
        if token.dep_ != "conj" or token.pos_ not in {"VERB", "AUX"}:
            continue
        head = token.head
        if head.pos_ not in {"VERB", "AUX"} or not (has_subject(head) and has_subject(token)):
            continue
        if not (is_finite(head) and is_finite(token)):
            continue
        conj = [
            c
            for c in head.children
            if c.dep_ == "cc" and c.lower_ in CLAUSE_CONJUNCTIONS and head.i < c.i < token.i
        ]
        if not conj:
            continue
        cc = conj[-1]
        start = cc.i - 1 if cc.i > span.start and cc.nbor(-1).text == "," else cc.i
        cuts.append((start, cc.i + 1))
    return sorted(cuts)


def trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding space, joining punctuation, bullets, wrapping quotes, footnote marks."""
    tokens = Tokens.of(doc)
    orth, space = tokens.text, tokens.space
    while start < end and (space[start] or orth[start] in LEADING):
        start += 1
    while end > start and (space[end - 1] or orth[end - 1] in TRAILING):
        end -= 1
    # After the final punctuation: closing quotes and footnote markers stay outside.
    last_final = next((i for i in range(end - 1, start - 1, -1) if orth[i] in FINAL), None)
    if last_final is not None and last_final + 1 < end:
        tail = doc[last_final + 1 : end]
        marks = set("".join(QUOTES)) | set("0123456789[]()*\u2020\u2021 ")
        if all(set(t.text_with_ws) <= marks | {"\n"} for t in tail):
            if any(set(t.text) & set("".join(QUOTES)) for t in tail) and orth[start] in QUOTES:
                start += 1
            end = last_final + 1
    return start, end


class ClaimSegmenter(Component):
    """Write claim spans to ``doc.spans["claims"]`` with ``_.section``, ``_.sentence_index``."""

    score_fields = ("claims", "section")

    def __init__(self, nlp: Language, name: str, *, min_tokens: int = 3) -> None:
        if min_tokens < 1:
            raise errors.BadSetting("min_tokens", f"must be 1 or more, not {min_tokens}")
        register_extensions()
        self.name = name
        self.min_tokens = min_tokens
        self.split_ids = word_ids(nlp.vocab, [";", "conj"])

    def process(self, doc: Doc) -> Doc:
        excluded = covered(doc.spans.get("non_claims", []))
        sections = list(doc.spans.get("sections", []))
        claims = []
        text = doc_text(doc)
        split_indexes = indexes_with(doc, self.split_ids, "ORTH", "DEP")
        for index, sent in enumerate(doc.sents):
            kept = [i for i in range(sent.start, sent.end) if i not in excluded]
            if not kept:
                continue
            first, last = kept[0], kept[-1] + 1
            bounds, cursor = [], first
            kept_span = doc[first:last]
            cuts = clause_splits(kept_span, tokens_within(kept_span, split_indexes))
            for cut_start, cut_end in cuts:
                bounds.append((cursor, cut_start))
                cursor = cut_end
            bounds.append((cursor, last))
            kept_text = text[kept_span.start_char : kept_span.end_char]
            final = kept_text.rstrip().rstrip("".join(QUOTES) + "0123456789[]()")
            for start, end in bounds:
                start, end = trim(doc, start, end)
                span = doc[start:end]
                span_text = text[span.start_char : span.end_char]
                if not self.is_claim(span, span_text, final[-1:] in FINAL):
                    continue
                ext = span._
                ext.sentence_index = index
                ext.section = next(
                    (s._.section for s in sections if s.start <= span.start < s.end), None
                )
                claims.append(span)
        doc.spans["claims"] = claims
        return doc

    def is_claim(self, span: Span, text: str, sentence_final: bool) -> bool:
        """Declarative and clause-like: long enough, not a question, and with a verb or
        in a sentence with final punctuation (the tagger misses some verbs)."""
        tokens = Tokens.of(span.doc)
        punct, space, indexes = tokens.punct, tokens.space, range(span.start, span.end)
        count = sum(1 for i in indexes if not punct[i] and not space[i])
        if count < self.min_tokens or text.rstrip("".join(QUOTES) + " ").endswith("?"):
            return False
        pos = tokens.pos
        return sentence_final or any(pos[i] in VERB_POS for i in indexes)


@Language.factory(
    "claims_segmenter",
    assigns=["doc.spans", "span._.section", "span._.sentence_index"],
    requires=["token.dep", "token.pos", "doc.sents"],
    default_config={"min_tokens": 3},
)
def make_claims(nlp: Language, name: str, min_tokens: int) -> ClaimSegmenter:
    """Factory: ``min_tokens`` is the fewest words a claim may have."""
    return ClaimSegmenter(nlp, name, min_tokens=min_tokens)
