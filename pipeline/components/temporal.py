"""Time: when a claim's content holds or happens (GUIDELINES G12.5-21).

Time expressions are found in each claim by patterns over its text (temporal.json):
dates and years ("in 2008", "On 8 December 2024", "in May 2022"), ranges and lists ("from
1918 to 1920", "1921-22", "in 2003 and 2004"), decades and centuries ("the 1990s", "the
latter part of the 18th century"), named periods ("World War II", "the Cold War"), periods
running forward or back from the document's date ("over the next three to five years",
"the foreseeable future", "over the past two decades", "last year"), months without a
year after a preposition ("Since mid-April": the latest April up to the document's date,
the next one for a future verb) and seasons ("last fall"), counted durations
("for over 50 years") and expressions that refer back to the previous claim's date ("Since
then", "since that date", "later that year"; "the next year" too, unless a preposition of
duration makes it a forward period: "for the next year"), and "today" (the document's
date). The preposition or clause that anchors an expression sets what it says: "since X"
(start X, open end; past on a past perfect verb: "had been attempting since 1953"), "until
X" and "by X" (end X), "after X" and "before X" (that date as start and end; "after X" on a
present-perfect verb reads as "since X", G12.16), "beginning in X" (start X).

Where a claim has several, the one attached to the main clause's verb decides (or to its
subject's event noun, "His reelection in 2009 sparked ..."); one in a temporal clause
("when ...", "after ...") only when the main clause has none; never one inside a relative
clause, a concessive or causal clause, an object's modifier ("an increase in attacks over
the past year") or after a superlative ("their closest partnership since the 1950s").
Dates one verb lists ("won the election in 2007, and again in 2012 and 2017"; "signed the
START Treaty (1992), ... and the Comprehensive Test Ban Treaty (2001)") run from the first
to the last.

``relative``: a forward period is future, "since X" present; with the document's date, an
expression wholly before it is past, wholly after it future and containing it present;
otherwise the tense and modality of the verb the expression belongs to (without an
expression: of the main verb, for a reported claim or an estimative frame the content
clause's): past and past perfect -> past; present, present perfect and progressive ->
present; the author's expectation of an event ("we do not foresee a break", G12.10),
will, be going/likely/expected to, should/must/would and could/may/might with an event
verb -> future; a modal
with a state verb ("may be") -> present, with "have" ("may have") -> past.

Dates are written as precisely as the text gives them (``dates``); no date library is
needed for this closed set of forms, and a general parser would invent the months and
days the text does not give.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .. import dates
from ..extensions import doc_text, register_extensions
from .base import Component, Serialisable
from .quotations import Attribution, attributions
from .syntax import DEPS, word_ids

YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
MONTH = rf"(?i:{dates.MONTH_NAMES})\.?"
DAY = r"[0-3]?\d"
PART = r"(?:(?:early|mid|late)[- ]?)?"
ATOM = (
    rf"(?:{DAY}\s+{MONTH},?\s+{YEAR}|{MONTH}\s+{DAY},?\s+{YEAR}|{PART}{MONTH},?\s+{YEAR}"
    rf"|{PART}{YEAR})(?![\d,]\d)"
)
ATOM_PARTS = re.compile(
    rf"(?:(?P<d1>{DAY})\s+(?P<m1>{MONTH}),?\s+(?P<y1>{YEAR})"
    rf"|(?P<m2>{MONTH})\s+(?P<d2>{DAY}),?\s+(?P<y2>{YEAR})"
    rf"|{PART}(?P<m3>{MONTH}),?\s+(?P<y3>{YEAR})|{PART}(?P<y4>{YEAR}))"
)
# What an ATOM can start with (a digit; a month's, "early"'s, "mid"'s or "late"'s first
# letter): the regex engine skips other places without trying every alternative of ATOM.
ATOM_START = r"(?=\d|(?i:[jfmasondel]))"
DASH = "[-\u2010\u2011\u2012\u2013\u2014]"
ATOM_RANGES = (  # tried where a date starts: "1921-22", "2003, 2004 and 2005"
    re.compile(rf"(?P<a>{ATOM}){DASH}(?P<b>\d{{2,4}})(?![\d,])"),
    re.compile(rf"(?P<a>{ATOM})(?:,\s*{ATOM})*,?\s+(?:and|or)\s+(?P<b>{ATOM})"),
)
MONTH_ALONE = (  # a capitalised month without a year: "Since mid-April", "on February 1"
    rf"(?<![\w-])(?:(?:early|mid|late)[- ]?)?(?P<m>{'|'.join(dates.MONTH_FULL_NAMES)})"
    rf"(?:\s+(?P<d>{DAY})(?!\d))?(?![\w-])(?!,?\s+(?:{DAY},?\s+)?{YEAR})"
)
ORDINAL = r"\d{1,2}(?:st|nd|rd|th)"
CENTURY = (
    r"\b(?:[Ff]rom\s+)?(?:[Tt]he\s+)?(?:(?P<part>(?i:early|mid|late|latter part of the|"
    rf"first half of the|second half of the))[- ])?(?P<c1>{ORDINAL})(?:\s+(?:and|to)\s+"
    rf"(?:the\s+)?(?P<c2>{ORDINAL}))?[- ](?i:centur(?:y|ies))\b"
)
CENTURY_PARTS = {  # (first, last) years within the century (G12.15)
    "early": (0, 49),
    "first half of the": (0, 49),
    "late": (50, 99),
    "latter part of the": (50, 99),
    "second half of the": (50, 99),
}
DECADE = (
    r"\b(?:[Tt]he\s+)?(?:(?P<part>early|mid|late)[- ]?)?(?P<decade>(?:1[0-9]|20)[0-9]0)"
    "['\u2019]?s\\b"
)
CONTENT = {"ccomp", "csubj", "csubjpass"}
VERBS = {"VERB", "AUX"}
WORDED = {  # else: numeric
    *("named", "anaphora", "forward", "counted", "backward", "this", "today", "month", "season")
}
DIGIT = re.compile(r"\d")
YEAR_FOUND = re.compile(YEAR)  # the kinds whose patterns hold a YEAR need one in the text
WITH_YEAR = {"range", "decade", "point"}
DECADE_ENDS = ("0s", "0's", "0\u2019s")  # and a decade one of these
FINITE_TAGS = {"VBD", "VBZ", "VBP", "MD"}
FINITE_DEPS = {"ROOT", "ccomp", "advcl"}  # where a bare participle is a finite verb
EXPLICIT = {"point", "range", "since", "until", "from"}  # dated by the text itself
LISTING = {"pobj", "prep", "appos", "conj", "cc", "punct"}  # what a listed date hangs by
TEMPORAL_PREPS = {"in", "on", "at", "during", "throughout", "within", "of"}


@dataclass
class Expression:
    """A time expression of a claim: document offsets, what it says, the token it hangs on."""

    start: int
    end: int
    kind: str  # point, range, since, until, from, forward, backward, counted, anaphora
    first: str | None
    last: str | None
    head: Token
    anchor: str | None = None  # since, until, after, before or from: what anchors it
    anchor_at: int | None = None  # the anchoring word's token index

    def dated(self) -> bool:
        return self.first is not None or self.last is not None


def atom_date(text: str) -> str | None:
    """The date of one :data:`ATOM` ("8 December 2024", "mid-January 1981", "2014")."""
    match = ATOM_PARTS.search(text)
    if not match:
        return None
    found = {k[0]: v for k, v in match.groupdict().items() if v}
    month = dates.MONTHS[found["m"].lower().rstrip(".")] if "m" in found else None
    return dates.make(int(found["y"]), month, int(found["d"]) if "d" in found else None)


class TimeTagger(Serialisable, Component):
    """Set ``_.time`` ({relative, start, end, cue}) on every claim."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = self.lexicon("temporal", lexicon)
        self.anchors: dict[str, str] = lex["anchors"]
        self.temporal_marks = set(lex["temporal_marks"])
        self.numbers: dict[str, int] = lex["number_words"]
        self.units: dict[str, int] = lex["units"]
        self.named = {k.lower(): v for k, v in lex["named_periods"].items()}
        self.anaphora = {k.lower(): v for k, v in lex["anaphora"].items()}
        self.number_nouns = set(lex["number_nouns"])
        self.time_nouns = {w.lower() for w in lex["time_nouns"]}
        self.superlatives = set(lex["superlative_words"])
        self.background_marks = set(lex["background_marks"])
        self.future_modals = set(lex["future_modals"])
        self.possibility = set(lex["possibility_modals"])
        self.obligation = set(lex["obligation_modals"])
        self.present_would = set(lex["present_would"])
        self.future_adjectives = set(lex["future_adjectives"])
        self.state_verbs = set(lex["state_verbs"])
        self.frames = set(lex["estimative_frames"])
        self.author = set(lex["author_subjects"])
        self.modals = self.future_modals | self.possibility | self.obligation | {"can", "cannot"}
        self.clause_words = self.temporal_marks.union(self.anchors)  # open a temporal clause
        self.during_words = TEMPORAL_PREPS.union(self.anchors)  # "during the war in 2008"
        self.patterns = [
            (kind, pattern, self.trigger_ids(nlp.vocab, kind, lex))
            for kind, pattern in self.compile(lex)
        ]
        self.since_id = nlp.vocab.strings.add("since")
        self.duration_preps = set(lex["duration_preps"])
        self.month_preps = set(lex["month_preps"])
        self.seasons: dict[str, int] = lex["seasons"]
        self.expectations = {tuple(p.split()) for p in lex["expectation_frames"]}

    def trigger_ids(self, vocab, kind: str, lex: dict) -> frozenset[int] | None:
        """The IDs of ``triggers``; None for a numeric kind that needs a digit alone."""
        words = self.triggers(kind, lex)
        return None if words is None else word_ids(vocab, words)

    def triggers(self, kind: str, lex: dict) -> set[str] | None:
        """The words (lower case) a claim must have for a pattern of ``kind`` to match (one
        of them; the numeric kinds also need a digit), None where a digit is enough."""
        last = lambda phrases: {p.lower().split()[-1] for p in phrases}  # noqa: E731
        units = set(self.units)
        return {
            "range": {"from", "between"},
            "century": {"century", "centuries"},
            "named": last(self.named) | {"9/11"},
            "anaphora": last(self.anaphora),
            "forward": last(lex["forward_phrases"]) | units,
            "counted": units,
            "backward": units,
            "this": {"year"},
            "today": {"today"},
            "month": {name.lower() for name in dates.MONTH_FULL_NAMES},
            "season": set(lex["seasons"]),
        }.get(kind)

    @staticmethod
    def alternatives(phrases) -> str:
        """A regex alternation of phrases, longest first, any whitespace between words."""
        escaped = (r"\s+".join(map(re.escape, p.split())) for p in phrases)
        return "|".join(sorted(escaped, key=len, reverse=True))

    def compile(self, lex: dict) -> list[tuple[str, re.Pattern]]:
        """(kind, pattern) in priority order: an earlier pattern's match wins an overlap."""
        num = rf"(?:\d+|{self.alternatives(self.numbers)})"
        unit = rf"(?:{self.alternatives(self.units)})"
        forward = self.alternatives(lex["forward_words"])
        backward = self.alternatives(lex["backward_words"])
        counted = self.alternatives(lex["counted_prefixes"])
        patterns = {
            "range": [
                rf"\b(?i:from|between)\s+(?P<a>{ATOM})\s+(?i:to|until|till|through|and)\s+"
                rf"(?P<b>{ATOM})",
            ],
            "century": [CENTURY],
            "decade": [DECADE],
            "named": [rf"(?<!\w)(?i:{self.alternatives(self.named)})(?!\w)"],
            "forward": [
                rf"\b(?i:{self.alternatives(lex['forward_phrases'])})\b",
                rf"\b[Tt]he\s+(?i:{forward})\s+(?:(?P<n1>{num})(?:\s+(?:to|or)\s+(?P<n2>{num}))?"
                rf"\s+)?(?P<unit>{unit})(?:\s+or\s+(?P<alt>so|two|three))?\b",
            ],
            "anaphora": [rf"\b(?i:{self.alternatives(self.anaphora)})\b"],
            "counted": [rf"\b(?i:{counted})\s+(?P<n1>{num})\s+(?P<unit>{unit})\b"],
            "backward": [
                rf"\b(?:[Tt]he\s+)?(?i:{backward})\s+(?:(?P<n1>{num})\s+)?(?P<unit>{unit})"
                r"(?:\s+or\s+(?P<alt>so|two|three))?\b"
            ],
            "this": [r"\b(?i:this|next)\s+year\b"],
            "today": [r"\b(?i:today)\b(?!['\u2019])"],
            "point": [rf"(?<![\w.,/$-]){ATOM_START}{ATOM}"],
            "month": [MONTH_ALONE],
            "season": [rf"\b(?i:last)\s+(?P<season>(?i:{self.alternatives(lex['seasons'])}))\b"],
        }
        return [(kind, re.compile(p)) for kind, ps in patterns.items() for p in ps]

    def matches(self, kind: str, pattern: re.Pattern, piece: str):
        """(kind, match) of a pattern in a claim's text; a date read once for the forms that
        start with one: "1921-22", "in 2003 and 2004" (ranges), else the date alone."""
        for match in pattern.finditer(piece):
            if kind == "point":
                longer = (p.match(piece, match.start()) for p in ATOM_RANGES)
                found = next((m for m in longer if m is not None), None)
                if found is not None:
                    yield "range", found
                    continue
            yield kind, match

    # -- the component ----------------------------------------------------------------------

    def process(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        lower = doc.to_array("LOWER").tolist() if len(doc) else []
        date = doc._.date
        previous: tuple[str | None, str | None] = (None, None)
        lead: tuple[int, Expression] | None = None  # "In 1961, A; B": the sentence's lead
        starts = [sent.start for sent in doc.sents]
        dated = [a for a in attributions(doc) if a.date]
        for claim in doc.spans.get("claims", []):
            quote = next((a for a in dated if a.holds(claim.start_char)), None)
            if quote is not None:
                claim._.time = self.quoted_time(quote, date)
                continue
            found = self.expressions(doc, claim, text, date, previous, lower)
            chosen = self.choose(claim, found)
            sentence = starts[bisect_right(starts, claim.start) - 1]
            if chosen is None and lead is not None and lead[0] == sentence:
                chosen = lead[1]  # a later clause of a sentence its opening dates (G12.7)
            elif chosen is not None and self.leads(claim, chosen, sentence):
                lead = (sentence, chosen)
            claim._.time = self.time_of(claim, chosen, date)
            if chosen is not None and chosen.dated():
                previous = (chosen.first, chosen.last)
        return doc

    def quoted_time(self, quote: Attribution, date: str | None) -> dict:
        """A quotation's trailer date dates its claims as an expression on a verb of saying
        does (G12.20, G12.10): by the document's date, else past (the statement came
        before the text quoting it)."""
        found = Expression(*quote.date_cue, "point", quote.date, quote.date, head=None)
        return {"relative": self.by_date(found, date) or "past", "start": quote.date,
                "end": quote.date, "cue": list(quote.date_cue)}  # fmt: skip

    @staticmethod
    def leads(claim: Span, chosen: Expression, sentence: int) -> bool:
        """An expression opening the claim's sentence (which starts at token ``sentence``):
        "In 2015, Russia launched ...; ... forces recaptured ..."."""
        plain = chosen.kind in {"point", "range"} and chosen.anchor is None
        return plain and claim.start == sentence and chosen.start == claim.start_char

    def time_of(self, claim: Span, chosen: Expression | None, date: str | None) -> dict:
        if chosen is None:
            return {"relative": self.tense(self.main_verb(claim)), "start": None,
                    "end": None, "cue": None}  # fmt: skip
        inside = claim.start_char <= chosen.start < claim.end_char
        return {
            "relative": self.relative(chosen, date)
            if inside
            else self.relative_in(claim, chosen, date),
            "start": chosen.first,
            "end": chosen.last,
            "cue": [chosen.start, chosen.end],
        }

    # -- finding expressions ----------------------------------------------------------------

    def expressions(self, doc, claim: Span, text: str, date, previous, lower) -> list[Expression]:
        """Every time expression of a claim. A pattern runs only on a claim that has a word
        it needs (its ``triggers``; a digit for the numeric ones): most claims have few."""
        base = claim.start_char
        piece = text[base : claim.end_char]
        words = set(lower[claim.start : claim.end])
        digits = DIGIT.search(piece) is not None
        years = digits and YEAR_FOUND.search(piece) is not None
        decades = years and any(end in piece for end in DECADE_ENDS)
        taken: list[tuple[int, int]] = []
        out = []
        for kind, pattern, needs in self.patterns:
            if (kind not in WORDED and not digits) or (
                needs is not None and needs.isdisjoint(words)
            ):
                continue
            if (kind in WITH_YEAR and not years) or (kind == "decade" and not decades):
                continue
            for found, match in self.matches(kind, pattern, piece):
                start, end = base + match.start(), base + match.end()
                if any(start < e and s < end for s, e in taken):
                    continue
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None or not self.plausible(found, span):
                    continue
                first, last, kind_ = self.read(found, match, date, previous, span)
                if kind_ is None:
                    continue
                taken.append((start, end))
                out.append(
                    self.anchored(Expression(start, end, kind_, first, last, span.root), span)
                )
        if self.since_id in words:
            out += self.since_then(claim, taken, previous)
        return sorted(out, key=lambda e: e.start)

    @staticmethod
    def since_then(claim: Span, taken: list, previous) -> list[Expression]:
        """A bare "since" ("has since frozen"): since the previous claim's date."""
        out = []
        for token in claim:
            if token.lower_ != "since" or any(
                token.idx < e and s < token.idx + 5 for s, e in taken
            ):
                continue
            if token.dep_ == "advmod" and not any(
                c.dep_ in {"pobj", "pcomp"} for c in token.children
            ):
                first = previous[0] or previous[1]
                out.append(Expression(token.idx, token.idx + 5, "since", first, None, token))
        return out

    def plausible(self, kind: str, span: Span) -> bool:
        """A bare year is a year: not a number after "Resolution", "$" or before "%", nor
        the count of a plural noun ("2000 troops"); a month alone follows a preposition
        ("since", "in", "last"); a forward phrase modifies no noun ("the future political
        developments")."""
        first = span[0]
        doc = span.doc
        before = doc[first.i - 1] if first.i else None
        if kind == "month":
            return before is not None and before.lower_ in self.month_preps
        if kind == "forward":  # "the future political developments": a modifier, no period
            last = span[-1]
            return not (last.dep_ in {"amod", "compound"} and last.head.i > last.i)
        if kind == "named":  # "Russia's invasion of Ukraine has ongoing repercussions": the topic
            governed = before is not None and before.tag_ == "IN"
            return governed or span.root.dep_ not in DEPS["subject"]
        if kind not in {"point", "range"}:
            return True
        if before is not None and (before.text in self.number_nouns or before.text in "$#№"):
            return False
        after = doc[span.end] if span.end < len(doc) else None
        if after is not None and after.text in {"%", "percent", "km", "kilometres", "miles"}:
            return False
        head = span.root.head
        counted = head.tag_ in {"NNS", "NNPS"} and head.text[:1].islower()
        return not (span.root.dep_ == "nummod" and counted and head.lower_ not in self.time_nouns)

    def read(self, kind: str, match: re.Match, date, previous, span: Span):
        """(first, last, kind) of a match (kind None: not an expression after all)."""
        if kind == "month":
            return self.read_month(match, date, span)
        reader = getattr(self, f"read_{kind}")
        return reader(match, date, previous)

    def read_month(self, match, date, span: Span):
        """A month without a year, against the document's date (G12.6): in the date's year
        for a date without a month; else its latest occurrence up to the date, or for a
        future verb its next one from the date ("will travel on February 1"). Without a
        date: the cue alone."""
        if date is None:
            return None, None, "counted"
        year, month_now, _ = dates.parts(date)
        month = dates.MONTHS[match["m"].lower()]
        if month_now is not None:
            future = self.tense(self.verb_of(span.root)) == "future"
            if future and month < month_now:
                year += 1
            elif not future and month > month_now:
                year -= 1
        found = dates.make(year, month, int(match["d"]) if match["d"] else None)
        return (found, found, "point") if found else (None, None, None)

    def read_season(self, match, date, previous):
        """ "last fall": the latest such season ended before the document's date (the
        year before a date without a month)."""
        if date is None:
            return None, None, "counted"
        year, month_now, _ = dates.parts(date)
        ends = self.seasons[match["season"].lower()]
        found = f"{year if month_now is not None and ends < month_now else year - 1:04d}"
        return found, found, "point"

    def read_point(self, match, date, previous):
        found = atom_date(match.group(0))
        return (found, found, "point") if found else (None, None, None)

    def read_range(self, match, date, previous):
        first = atom_date(match["a"])
        last_text = match["b"]
        if re.fullmatch(r"\d{2}", last_text) and first:  # "1921-22"
            last_text = first[:2] + last_text
        last = atom_date(last_text) if re.search(r"\d{4}", last_text) else None
        if not first or not last or last < first:
            return None, None, None
        return first, last, "range"

    def read_century(self, match, date, previous):
        first = (int(match["c1"][:-2]) - 1) * 100
        last = (int(match["c2"][:-2]) - 1) * 100 + 99 if match["c2"] else first + 99
        part = CENTURY_PARTS.get((match["part"] or "").lower())
        if part is not None and not match["c2"]:
            first, last = first + part[0], first + part[1]
        return f"{first:04d}", f"{last:04d}", "range"

    def read_decade(self, match, date, previous):
        start = int(match["decade"])
        return f"{start:04d}", f"{start + 9:04d}", "range"

    def read_named(self, match, date, previous):
        key = " ".join(match.group(0).lower().split())
        key = next((k for k in self.named if k == key or k == f"the {key}"), key)
        first, last = self.named[key]
        if date is not None and dates.year(date) < first:
            return None, None, None  # not yet: "Russia's invasion of Ukraine" in 2015 is 2014's
        return f"{first:04d}", f"{last:04d}" if last is not None else None, "range"

    def read_anaphora(self, match, date, previous):
        how, offset = self.anaphora[" ".join(match.group(0).lower().split())]
        first, last = previous
        known = last or first
        if how == "since":
            return (first or last), None, "since"
        if known is None:
            return None, None, "anaphora"
        year = dates.shift_years(known, offset) if offset else known
        return year, year, "point"

    def count(self, word: str | None) -> int | None:
        if word is None:
            return None
        return int(word) if word.isdigit() else self.numbers.get(word.lower())

    def read_forward(self, match, date, previous):
        """A period from the document's date on: its year to as far as it reaches. "the
        next year" alone is no period but the year after an earlier date (anaphora), unless
        a preposition of duration makes it one ("for the next year", "within the next year
        or two")."""
        groups = match.groupdict()
        if self.next_unit_alone(match):
            return None, None, None
        if date is None:
            return None, None, "forward"
        unit = self.units.get((groups.get("unit") or "").lower())
        if unit is None:
            return date[:4], None, "forward"
        alt = {"two": 2, "three": 3}.get(groups.get("alt") or "")
        counts = [self.count(groups.get("n1")), self.count(groups.get("n2")), alt]
        singular = not groups.get("n1") and not (groups.get("unit") or "").endswith("s")
        n = max([c for c in counts if c] or ([1] if singular else [0]))
        if not n or not unit:
            return date[:4], None, "forward"
        return date[:4], dates.shift_years(date, n * unit), "forward"

    def next_unit_alone(self, match) -> bool:
        """A forward phrase the anaphora lexicon also reads ("the next year") with no
        preposition of duration before it."""
        if " ".join(match.group(0).lower().split()) not in self.anaphora:
            return False
        before = match.string[: match.start()].split()
        return not before or before[-1].lower() not in self.duration_preps

    def read_counted(self, match, date, previous):
        return None, None, "counted"

    def read_backward(self, match, date, previous):
        """ "over the past two decades" (to the document's date), "last year" (the year
        before it)."""
        words = match.group(0).lower().split()
        unit = self.units.get(match["unit"].lower(), 0)
        if date is None:
            return None, None, "backward"
        single = match["n1"] is None and match["alt"] is None
        if words[0] == "last" and single and not match["unit"].endswith("s"):
            year = dates.shift_years(date, -max(unit, 1))
            return year, year, "point"
        alt = {"two": 2, "three": 3}.get(match["alt"] or "")
        n = max(self.count(match["n1"]) or 1, alt or 0)
        return dates.shift_years(date, -n * max(unit, 1)), date[:4], "backward"

    def read_this(self, match, date, previous):
        if date is None:
            return None, None, "counted"
        offset = 1 if match.group(0).lower().startswith("next") else 0
        year = dates.shift_years(date, offset)
        return year, year, "point" if not offset else "forward"

    def read_today(self, match, date, previous):
        """ "today": the document's date (G12.21); without one, the cue alone."""
        return (date, date, "point") if date else (None, None, "counted")

    # -- what anchors an expression ---------------------------------------------------------

    def anchor_of(self, expression: Expression) -> Token | None:
        """The preposition or clause mark that anchors an expression ("since 2012",
        "until granting it independence in 1946", "after it terminated ... in 2018")."""
        token = expression.head
        for _ in range(8):
            if token.lower_ in self.anchors and token.dep_ in {"prep", "mark", "advmod", "pcomp"}:
                return token
            if token.pos_ in {"VERB", "AUX"}:
                found = next(
                    (m for m in self.clause_openers(token) if m.lower_ in self.anchors), None
                )
                if found is None and token.dep_ == "pcomp" and token.head.lower_ in self.anchors:
                    found = token.head
                return found
            if token.head.i == token.i:
                return None
            token = token.head
        return None

    def anchor_before(self, expression: Expression, span: Span | None = None) -> Token | None:
        """The anchoring preposition just before an expression the parse did not hang on it
        ("After World War I, ..." where "I" was read as a pronoun); ``span``: the
        expression's tokens, where the caller has them."""
        doc = expression.head.doc
        if span is None:
            span = doc.char_span(expression.start, expression.end, alignment_mode="expand")
        if span is None or span.start == 0:
            return None
        before = doc[span.start - 1]
        if before.lower_ in self.anchors and before.pos_ in {"ADP", "SCONJ", "VERB"}:
            return before
        return None

    @staticmethod
    def perfect(verb: Token) -> bool:
        """A present perfect verb group ("has moved", "have deteriorated")."""
        auxes = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
        return verb.tag_ == "VBN" and bool(auxes & {"has", "have", "'ve"})

    @staticmethod
    def clause_openers(verb: Token) -> list[Token]:
        """The words that open a verb's clause: its marks ("after", "until"), and for an
        adverbial clause an adverb or preposition before it ("When Lithuania restricted",
        "After a pipeline was damaged" as the small model parses them)."""
        opening = {"mark"} | ({"advmod", "prep"} if verb.dep_ == "advcl" else set())
        return [c for c in verb.children if c.dep_ in opening and c.i < verb.i]

    def anchored(self, expression: Expression, span: Span | None = None) -> Expression:
        """The expression as its anchor reads it; the cue from the anchor on (or from the
        preposition just before it: "in the near term", "over the past two decades").
        ``span``: the expression's tokens, where the caller has them."""
        if span is None:
            doc = expression.head.doc
            span = doc.char_span(expression.start, expression.end, alignment_mode="expand")
        if expression.kind not in {"point", "range"}:
            doc = expression.head.doc
            first = span
            before = doc[first.start - 1] if first is not None and first.start else None
            if before is not None and before.tag_ == "IN" and before.lower_ not in self.anchors:
                expression.start = before.idx
            return expression
        anchor = self.anchor_of(expression) or self.anchor_before(expression, span)
        if anchor is None:
            before = expression.head.head
            if before.dep_ == "prep" and before.i < expression.head.i:
                expression.start = min(expression.start, before.idx)
            return expression
        how = self.anchors[anchor.lower_]
        if how == "from" and anchor.i + 1 < len(anchor.doc) and anchor.nbor().lower_ == "to":
            return expression
        if how == "after" and self.perfect(self.verb_of(anchor.head)):
            how = "since"  # "Following the unrest in 2022, Tokayev has moved ..." (G12.16)
            expression.first = expression.last
        first, last = expression.first, expression.last
        expression.first, expression.last = {
            "since": (first, None),
            "until": (None, last),
            "after": (last, last),
            "before": (first, first),
            "from": (first, None),
        }[how]
        expression.kind = {"since": "since", "from": "from", "until": "until"}.get(how, "point")
        expression.anchor, expression.anchor_at = how, anchor.i
        if anchor.idx < expression.start:
            expression.start = anchor.idx
        return expression

    # -- which expression decides -----------------------------------------------------------

    def choose(self, claim: Span, found: list[Expression]) -> Expression | None:
        ranked = [(self.rank(claim, e), e) for e in found]
        usable = [(rank, e) for rank, e in ranked if rank is not None]
        if not usable:
            return None
        return self.combined(min(usable, key=lambda r: r[0]), usable, claim)

    def combined(self, chosen: tuple, usable: list[tuple], claim: Span) -> Expression:
        """The expressions of one anchor, one temporal clause or one verb together: "after
        the election ... in 1997 and a reformist Majles in 2000" is after 2000; "when
        students seized the embassy in November 1979 and held personnel hostage until
        mid-January 1981" is from 1979-11 to 1981-01; "won the election in 2007, and again
        in 2012 and 2017" and "signed the START Treaty (1992) ... and the Comprehensive Test
        Ban Treaty (2001)" (dates as far from the verb) run from the first to the last."""
        chosen = chosen[1]
        if chosen.anchor_at is not None:
            same = [e for _, e in usable if e.anchor_at == chosen.anchor_at]
        elif (clause := self.temporal_clause(chosen.head, claim)) is not None:
            same = [
                e
                for _, e in usable
                if e.kind in EXPLICIT and self.temporal_clause(e.head, claim) == clause
            ]
        elif chosen.kind in {"point", "range"}:
            at = self.attachment(chosen.head)
            same = [
                e
                for _, e in usable
                if e.kind in {"point", "range"} and e.anchor is None
                and self.attachment(e.head) == at
            ]  # fmt: skip
        else:
            return chosen
        if len(same) < 2:
            return chosen
        firsts = [e.first for e in same if e.first]
        lasts = [e.last for e in same if e.last]
        first = min(firsts, key=dates.first_day) if firsts else None
        last = max(lasts, key=dates.last_day) if lasts else None
        if chosen.anchor == "after":
            first = last
        elif chosen.anchor == "before":
            last = first
        kind = chosen.kind if chosen.anchor else "range"
        found = Expression(min(e.start for e in same), max(e.end for e in same), kind, first, last,
                           chosen.head, chosen.anchor, chosen.anchor_at)  # fmt: skip
        return found

    @staticmethod
    def attachment(token: Token) -> Token:
        """What a date hangs on through prepositions, appositions and coordination: the
        verb of "in 2007, and again in 2012", the first object of "the START Treaty (1992),
        ... and the Comprehensive Test Ban Treaty (2001)"."""
        while token.dep_ in LISTING and token.pos_ not in VERBS and token.head.i != token.i:
            token = token.head
        return token

    @staticmethod
    def temporal_clause(token: Token, claim: Span) -> int | None:
        """The index of the adverbial clause's verb an expression lies in, if any."""
        while claim.start <= token.i < claim.end and token.head.i != token.i:
            if token.dep_ == "advcl":
                return token.i
            token = token.head
        return None

    def rank(self, claim: Span, expression: Expression):
        """(conjuncts crossed, clauses and object modifiers crossed, position) on the way up
        to the claim's root, or None where the expression cannot decide (see the module)."""
        if self.after_superlative(expression):
            return None
        steps = conjuncts = 0
        token = expression.head
        root = claim.root
        while token != root and claim.start <= token.i < claim.end and token.head.i != token.i:
            cost = self.step_cost(token, expression)
            if cost is None:
                return None
            steps += cost
            conjuncts += token.dep_ == "conj" and token.pos_ in {"VERB", "AUX"}
            token = token.head
        return conjuncts, steps, expression.start

    def step_cost(self, token: Token, expression: Expression) -> int | None:
        """What one step up from ``token`` costs: 1 out of a temporal, content or
        infinitival clause or out of an object's modifier, 0 along the verb group; None out
        of a relative, concessive or causal clause, or out of a descriptor ("the world of the
        Cold War", "an increase in attacks over the past year")."""
        dep, head = token.dep_, token.head
        if dep == "relcl" or self.concessive(head):
            return None
        if dep == "advcl":
            words = self.clause_words
            temporal = token.lower_ in self.anchors or any(
                c.lower_ in words for c in self.clause_openers(token)
            )
            return 1 if temporal else None
        if dep in CONTENT or dep == "acl":
            return 1
        if head.pos_ not in {"NOUN", "PROPN"} or dep in {"conj", "cc", "punct", "det"}:
            return 0
        if token.lower_ == "of" or expression.kind not in EXPLICIT:
            if head.dep_ in DEPS["subject"]:
                return 0
            return 1 if self.forward_on_object(token, expression) else None
        if head.dep_ in DEPS["subject"]:
            return 0  # the subject's event noun: "His reelection in 2009 sparked ..."
        during = head.dep_ == "pobj" and head.head.lower_ in self.during_words
        return 0 if during else 1

    @staticmethod
    def forward_on_object(token: Token, expression: Expression) -> bool:
        """A forward period's preposition the parser hung on the verb's object: "require
        large-scale foreign aid for the indefinite future", "exclude a sudden explosion ...
        in the near term" date the verb (G12.9, G12.17)."""
        return (
            expression.kind == "forward"
            and token.dep_ == "prep"
            and token.lower_ != "of"
            and token.head.dep_ == "dobj"
        )

    def concessive(self, verb: Token) -> bool:
        """A verb opened by "although", "while", "because", "if" ...: its clause is
        background, never the claim's time (also where the parser made it the root)."""
        return verb.pos_ in VERBS and any(
            c.dep_ == "mark" and c.lower_ in self.background_marks for c in verb.children
        )

    def after_superlative(self, expression: Expression) -> bool:
        """ "their closest partnership since the 1950s": no time expression (G12.13)."""
        if expression.kind != "since":
            return False
        doc = expression.head.doc
        anchor = doc.char_span(expression.start, expression.end, alignment_mode="expand")
        start = anchor.start if anchor is not None else expression.head.i
        window = doc[max(0, start - 6) : start]
        return any(t.tag_ in {"JJS", "RBS"} or t.lower_ in self.superlatives for t in window)

    # -- past, present or future ------------------------------------------------------------

    def relative(self, chosen: Expression, date: str | None) -> str:
        """From the expression against the document's date, else from the verb it
        belongs to (out of a temporal clause: the verb that clause dates)."""
        verb = self.verb_of(chosen.head)
        while verb.dep_ == "advcl" and verb.head.i != verb.i:
            verb = self.verb_of(verb.head)
        if chosen.kind == "since" and self.past_perfect(verb):
            return "past"  # "Since 1953, the United States had been attempting ..."
        by_date = self.by_date(chosen, date)
        return by_date if by_date is not None else self.tense(verb)

    @staticmethod
    def past_perfect(verb: Token) -> bool:
        """ "had been attempting", "had remained": a period that ended before the text."""
        auxes = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
        return "had" in auxes or "'d" in auxes

    def relative_in(self, claim: Span, chosen: Expression, date: str | None) -> str:
        """Of a claim dated by another clause's expression: by date, else its own verb."""
        return self.by_date(chosen, date) or self.tense(self.main_verb(claim))

    @staticmethod
    def by_date(chosen: Expression, date: str | None) -> str | None:
        """future for a forward period, present for "since"; with the document's date, past
        for an expression wholly before it and future for one wholly after; else None."""
        if chosen.kind == "forward":
            return "future"
        if chosen.kind == "since":
            return "present"
        if date is not None and chosen.dated():
            if chosen.last is not None and dates.last_day(chosen.last) < dates.first_day(date):
                return "past"
            if chosen.first is not None and dates.first_day(chosen.first) > dates.last_day(date):
                return "future"
            if chosen.first is not None and chosen.last is not None:
                inside = dates.first_day(chosen.first) <= dates.first_day(date)
                if inside and dates.last_day(date) <= dates.last_day(chosen.last):
                    return "present"  # "In 2018, ... appeared to open" in July 2018
        return None

    @staticmethod
    def verb_of(token: Token) -> Token:
        """The verb an expression belongs to: the first verb above it (else its root)."""
        while token.pos_ not in {"VERB", "AUX"} and token.head.i != token.i:
            token = token.head
        return token

    def main_verb(self, claim: Span) -> Token:
        """The verb whose tense decides: the claim's root, or for a reported claim or an
        estimative frame ("we believe that ...") the content clause's verb."""
        root = claim.root
        if root.pos_ not in VERBS:  # a misparse: the first finite verb of the claim
            root = next((t for t in claim if t.tag_ in FINITE_TAGS), root)
            if root.dep_ in {"aux", "auxpass"} and root.head.pos_ in VERBS:
                root = root.head
        content = [c for c in root.children if c.dep_ == "ccomp"]
        if content and (claim._.certainty == "reported" or self.is_frame(root)):
            return content[0]
        return self.existential(root) or root

    def is_frame(self, verb: Token) -> bool:
        """An estimative frame of the author: "we believe", "it is estimated"."""
        if verb.lemma_ not in self.frames:
            return False
        subjects = [c for c in verb.children if c.dep_ in DEPS["subject"] | {"expl"}]
        return any(s.lower_ in self.author or s.lower_ == "it" for s in subjects)

    def expects(self, verb: Token, children: list[Token] | None = None) -> bool:
        """The author's expectation of an event ("We do not foresee a deliberate break",
        "we do not look for an attack", "We expect tensions to continue"): future (G12.10).
        ``children``: the verb's, where the caller has them."""
        children = list(verb.children) if children is None else children
        words = (verb.lemma_, *(c.lower_ for c in children if c.dep_ == "prep"))
        if not any(e[0] == words[0] and set(e[1:]) <= set(words) for e in self.expectations):
            return False
        subjects = [c for c in children if c.dep_ in DEPS["subject"]]
        return any(s.lower_ in self.author for s in subjects)

    def existential(self, root: Token) -> Token | None:
        """ "There is a roughly even chance that Ankara will agree": the chance's clause."""
        if root.lemma_ != "be" or not any(c.dep_ == "expl" for c in root.children):
            return None
        for attr in (c for c in root.children if c.dep_ == "attr"):
            clause = [c for c in attr.children if c.dep_ in {"acl", "ccomp", "relcl"}]
            if clause:
                return clause[0]
        return None

    def tense(self, verb: Token) -> str:
        """past, present or future from a verb group's tense and modality (G12.8, G12.12);
        a verb without a tense of its own (an infinitive, a participle) takes its head's."""
        children = list(verb.children)
        if self.expects(verb, children):
            return "future"
        auxes = [c for c in children if c.dep_ in {"aux", "auxpass"}]
        words = [a.lower_ for a in auxes]
        modal = next((w for w in words if w in self.modals), None)
        if modal is not None:
            return self.modal_tense(modal, verb, words)
        if self.future_frame(verb, children) or "going" in words:
            return "future"
        if verb.dep_ == "xcomp" and verb.head.lower_ == "going":
            return "future"
        if any(w in {"had", "'d", "did", "was", "were"} for w in words):
            return "past"
        if any(w in {"has", "have", "'ve", "'s", "is", "are", "am", "'re", "do", "does"}
               for w in words):  # fmt: skip
            return "present"
        if verb.tag_ == "VBD" or (verb.tag_ == "VBN" and verb.dep_ in FINITE_DEPS):
            return "past"  # a bare participle as the verb is a past tense ("Asad seized")
        if verb.dep_ == "conj" and verb.tag_ in {"VB", "VBN", "VBG"} and verb.head.pos_ in VERBS:
            return self.tense(verb.head)  # "has deepened and expanded"
        if verb.tag_ in {"VB", "VBG", "VBN"} and verb.head.i != verb.i:
            head = verb.head
            while head.pos_ not in {"VERB", "AUX"} and head.head.i != head.i:
                head = head.head
            if head.pos_ in {"VERB", "AUX"} and head.i != verb.i:
                return self.tense(head)
        return "present"

    def modal_tense(self, modal: str, verb: Token, words: list[str]) -> str:
        if modal in self.future_modals:
            return "future"
        if modal in {"can", "cannot"}:
            return "present"
        if "have" in words and verb.tag_ == "VBN":
            return "past"  # "may have", "could have"
        if modal == "would" and verb.lemma_ in self.present_would:
            return "present"
        if verb.lemma_ in self.state_verbs or verb.lower_ in self.state_verbs:
            return "present"  # "may be", "could remain"
        return "future"

    def future_frame(self, verb: Token, children: list[Token] | None = None) -> bool:
        """ "is likely to abandon", "is expected to agree", "is set to": future
        (``children``: the verb's, where the caller has them)."""
        children = list(verb.children) if children is None else children
        for token in (verb, verb.head):
            if token.lower_ in self.future_adjectives and any(
                c.dep_ == "xcomp" for c in token.children
            ):
                return True
        adjectives = [c for c in children if c.dep_ in {"acomp", "attr", "oprd"}]
        return any(
            a.lower_ in self.future_adjectives and any(c.dep_ == "xcomp" for c in a.children)
            for a in adjectives
        )


@Language.factory(
    "claims_time",
    assigns=["span._.time"],
    requires=["doc.spans", "doc._.date", "token.dep", "token.tag", "span._.certainty"],
    default_config={"lexicon": None},
)
def make_time(nlp: Language, name: str, lexicon: str | None) -> TimeTagger:
    """Factory: ``lexicon`` is a JSON file like temporal.json (None: the bundled one)."""
    return TimeTagger(nlp, name, lexicon=lexicon)
