"""Derive verb polarity from the CAMEO verb dictionary of PETRARCH2 (build step).

``python -m pipeline.tools.cameo`` (run by ``make gazetteer``) reads
``../shared/lexicons/petrarch2/CAMEO.2.0.txt`` and writes
``pipeline/components/cameo_verbs.json``: every single-word verb of the dictionary with the
CAMEO event code of its synonym block (or its own code), turned into a polarity by the
code's root, the CAMEO "quad class": roots 03-08 (intent to cooperate, consult, diplomatic
and material cooperation, aid, yield) are cooperative, roots 10-20 (demand, disapprove,
reject, threaten, protest, force posture, reduce relations, coerce, assault, fight, mass
violence) hostile. Roots 01 (public statement), 02 (appeal) and 09 (investigate) carry no
stance toward a target and are left out. The relations component reads the generated file
below its own hand lexicon (relations.json), which decides wherever the two disagree.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
OUTPUT = HERE.parent / "components" / "cameo_verbs.json"
SOURCE = HERE.parents[2] / "shared" / "lexicons" / "petrarch2" / "CAMEO.2.0.txt"
CREDIT = (
    "CAMEO.2.0.txt verb dictionary of PETRARCH2 (Open Event Data Alliance, snapshot "
    "676801cd, MIT licence, Copyright (c) 2014 Open Event Data Alliance); polarity from "
    "the CAMEO quad class of each verb's event code"
)
BLOCK_RE = re.compile(r"^---\s+(\S+)\s+\[([^\]]*)\]\s+---")
VERB_RE = re.compile(r"^([A-Z][A-Z'-]*)\s*(?:\{[^}]*\})?\s*(?:\[([^\]]*)\])?")
COOPERATIVE_ROOTS = range(3, 9)
HOSTILE_ROOTS = range(10, 21)


def polarity(code: str | None) -> str | None:
    """'050' -> cooperative, '1123' -> hostile, '010' / '---' / None -> None."""
    if not code or not code[:2].isdigit():
        return None
    root = int(code[:2])
    if root in COOPERATIVE_ROOTS:
        return "cooperative"
    if root in HOSTILE_ROOTS:
        return "hostile"
    return None


def verb_codes(text: str) -> dict[str, Counter]:
    """Lower-case single-word verbs -> counts of the polarities their entries give."""
    found: dict[str, Counter] = {}
    block_code = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        header = BLOCK_RE.match(line)
        if header:
            block_code = header[2].split(":")[0]
            continue
        if not line or line[0] in "-+&\t ":
            continue  # patterns, phrasal verbs, synsets, continuation lines
        match = VERB_RE.match(line)
        if not match or "_" in line.split()[0]:
            continue
        code = (match[2] or block_code or "").split(":")[0]
        pol = polarity(code)
        if pol:
            found.setdefault(match[1].lower(), Counter())[pol] += 1
    return found


def derive(text: str) -> dict[str, list[str]]:
    """Verbs whose entries agree on one polarity, by polarity, sorted."""
    out: dict[str, list[str]] = {"cooperative": [], "hostile": []}
    for verb, counts in sorted(verb_codes(text).items()):
        if len(counts) == 1:
            out[next(iter(counts))].append(verb)
    return out


def main() -> None:
    from pipeline.io import write_text_atomic

    if not SOURCE.is_file():
        raise SystemExit(f"the CAMEO verb dictionary is not at {SOURCE} (../shared)")
    verbs = derive(SOURCE.read_text(encoding="utf-8", errors="replace"))
    payload = {"source": CREDIT, **verbs}
    write_text_atomic(OUTPUT, json.dumps(payload, indent=1) + "\n")
    print(
        f"wrote {OUTPUT}: {len(verbs['cooperative'])} cooperative, {len(verbs['hostile'])} hostile"
    )


if __name__ == "__main__":
    main()
