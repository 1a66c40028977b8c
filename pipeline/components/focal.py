"""Focal pair: the two actors a document is about, for stance and coreference.

A pair given on the Doc (``--focal``, the input line's ``focal_actors``) is kept. Otherwise
it is the two actors most mentioned (by name, alias, demonym or seat; never a mention read
as a place) in the title and first paragraph, earlier first on ties: states (persons count
for their home state) and organisations ("NATO and Russia"). The component runs after the
regions and before the actors' coreference, so a runner can stop the pipeline here to learn
a long document's pair from its first chunk.
"""

from __future__ import annotations

from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import doc_text, register_extensions
from ..ids import actor_type
from .actors import named_actors
from .base import Component, Serialisable


class FocalDetector(Serialisable, Component):
    """Set ``doc._.focal`` where it is not given."""

    def __init__(self, nlp: Language, name: str) -> None:
        register_extensions()
        self.name = name
        self.gazetteer = self.pipeline_gazetteer()

    def process(self, doc: Doc) -> Doc:
        if not doc._.focal:
            doc._.focal = self.detect(doc, named_actors(doc))
        return doc

    def detect(self, doc: Doc, named: list[Span]) -> list[str]:
        """The two most mentioned actors of the title and first paragraph (see above)."""
        text = doc_text(doc)
        end = text.find("\n\n", text.find("\n") + 1)
        end = len(text) if end < 0 else end
        counts: Counter[str] = Counter()
        first_seen: dict[str, int] = {}
        for span in sorted(named, key=lambda s: (s.start, s.kb_id_)):
            key = self.focal_key(span.kb_id_)
            if key and span.start_char < end:
                counts[key] += 1
                first_seen.setdefault(key, span.start)
        return sorted(counts, key=lambda s: (-counts[s], first_seen[s]))[:2]

    def focal_key(self, actor_id: str) -> str | None:
        """What a mention counts for: an organisation itself, any other actor its home
        state (groups without one drop out)."""
        if actor_type(actor_id) == "organisation":
            return actor_id
        return self.gazetteer.home_state(actor_id)


@Language.factory(
    "claims_focal",
    assigns=["doc._.focal"],
    requires=["doc.spans"],
)
def make_focal(nlp: Language, name: str) -> FocalDetector:
    """Factory: detects the focal pair where the Doc has none."""
    return FocalDetector(nlp, name)
