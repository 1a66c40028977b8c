"""Document layout: title, headings, bylines, labels and ``Topic - statement.`` lead-ins.

Runs before the parser: it marks sentence starts at line starts that begin a new unit and
at the statement after a lead-in or label, so the parser never glues a heading to the next
sentence. Non-claim spans go to ``doc.spans["non_claims"]``; each subsection (a lead-in to
the next lead-in, heading or blank line) goes to ``doc.spans["sections"]`` with its topic
in ``_.section``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import doc_text, register_extensions
from .base import Component, Serialisable

DASHES = "\\-\u2013\u2014"  # hyphen, en dash, em dash, for character classes


@dataclass
class Line:
    """One line of the text, trimmed of surrounding whitespace, with its offsets."""

    start: int
    end: int
    text: str


def split_lines(text: str) -> list[Line | None]:
    """Lines with offsets of their trimmed content; None for blank lines."""
    out: list[Line | None] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(Line(pos + lead, pos + lead + len(stripped), stripped))
        else:
            out.append(None)
        pos += len(raw) + 1
    return out


class SectionDetector(Serialisable, Component):
    """Find titles, headings, bylines, labels and lead-ins; set sentence starts."""

    def __init__(self, nlp: Language, name: str, *, lexicon: str | None = None) -> None:
        register_extensions()
        self.name = name
        lex = self.lexicon("sections", lexicon)
        labels = lex["labels"]
        self.max_topic_words = lex["max_topic_words"]
        self.max_heading_words = lex["max_heading_words"]
        self.max_heading_chars = lex["max_heading_chars"]
        self.byline_prefixes = tuple(lex["byline_prefixes"])
        self.terminal = lex["terminal"]
        label_alt = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
        self.label_re = re.compile(rf"^(?:{label_alt})\s*[:{DASHES}]\s*(?=\S)", re.IGNORECASE)
        self.dash_lead_re = re.compile(rf"^(?P<topic>[^.;!?{DASHES}:]+?)\s+[{DASHES}]\s+(?=\S)")
        self.colon_lead_re = re.compile(r"^(?P<topic>[^.;!?:]+?):\s+(?=[A-Z\"\u201c\u2018'])")

    def ends_sentence(self, line: Line) -> bool:
        return line.text[-1] in self.terminal

    def is_heading(self, line: Line) -> bool:
        """Short line without final punctuation whose words are mostly capitalised."""
        words = line.text.split()
        if self.ends_sentence(line) or len(words) > self.max_heading_words:
            return False
        if len(line.text) > self.max_heading_chars:
            return False
        capitalised = sum(w[:1].isupper() or not w[:1].isalpha() for w in words)
        return capitalised >= max(1, len(words) // 2)

    def lead_in(self, line: Line) -> int | None:
        """Length of a ``Topic - `` / ``Topic: `` prefix opening a subsection, if any."""
        if not self.ends_sentence(line):
            return None
        for regex in (self.dash_lead_re, self.colon_lead_re):
            match = regex.match(line.text)
            if match is None:
                continue
            topic = match.group("topic")
            words = topic.split()
            if len(words) <= self.max_topic_words and topic[:1].isupper():
                return match.end()
        return None

    def process(self, doc: Doc) -> Doc:
        layout = Layout(doc)
        previous: Line | None = None
        seen_content = False
        for line in split_lines(doc_text(doc)):
            if line is None:
                if previous is not None:
                    layout.close(previous.end)
                previous = None
                continue
            new_unit = previous is None or self.ends_sentence(previous) or not seen_content
            new_unit = new_unit or self.is_heading(previous)
            if new_unit:
                layout.sent_start(line.start)
            if not seen_content and self.is_heading(line):
                layout.mark("title", line.start, line.end)
            elif new_unit:
                self.open_unit(layout, line)
            seen_content = True
            previous = line
        if previous is not None:
            layout.close(previous.end)
        doc.spans["non_claims"] = layout.non_claims
        doc.spans["sections"] = layout.sections
        return doc

    def open_unit(self, layout: Layout, line: Line) -> None:
        """A line that starts a new unit: a byline, heading, label or lead-in topic (each
        closes the open subsection), or plain text."""
        if line.text.startswith(self.byline_prefixes) and self.is_heading(
            Line(line.start, line.end, line.text.split(" ", 1)[-1])
        ):
            layout.close(line.start)
            layout.mark("byline", line.start, line.end)
        elif self.is_heading(line):
            layout.close(line.start)
            layout.mark("heading", line.start, line.end)
        elif label := self.label_re.match(line.text):
            layout.close(line.start)
            layout.mark("label", line.start, line.start + label.end())
            layout.sent_start(line.start + label.end())
        elif (cut := self.lead_in(line)) is not None:
            layout.close(line.start)
            topic = self.dash_lead_re.match(line.text) or self.colon_lead_re.match(line.text)
            topic_text = topic.group("topic").strip() if topic else line.text[:cut]
            layout.mark("topic", line.start, line.start + cut)
            layout.section = (topic_text, line.start + cut)
            layout.sent_start(line.start + cut)


class Layout:
    """What the section detector finds in one Doc: non-claim spans, subsections (the open
    one as (topic, start)), and the sentence starts it sets."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.offsets = doc.to_array("IDX")  # token start offsets, without Token objects
        self.non_claims: list[Span] = []
        self.sections: list[Span] = []
        self.section: tuple[str, int] | None = None

    def close(self, end: int) -> None:
        """End the open subsection at ``end``."""
        if self.section is not None:
            topic, start = self.section
            span = self.doc.char_span(start, end, alignment_mode="expand", label="section")
            if span is not None:
                span._.section = topic
                self.sections.append(span)
        self.section = None

    def mark(self, kind: str, start: int, end: int) -> None:
        span = self.doc.char_span(start, end, label=kind, alignment_mode="expand")
        if span is not None:
            self.non_claims.append(span)

    def sent_start(self, char: int) -> None:
        doc, offsets = self.doc, self.offsets
        i = int(offsets.searchsorted(char))
        if 0 < i < len(doc) and offsets[i] == char and not doc[i].is_space:
            doc[i].is_sent_start = True


@Language.factory(
    "claims_sections",
    assigns=["token.is_sent_start", "doc.spans"],
    default_config={"lexicon": None},
)
def make_sections(nlp: Language, name: str, lexicon: str | None) -> SectionDetector:
    """Factory: ``lexicon`` is a JSON file like sections.json (None: the bundled one)."""
    return SectionDetector(nlp, name, lexicon=lexicon)
