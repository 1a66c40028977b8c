"""Loading the JSON lexicons kept beside the components (users extend them without code)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_lexicon(name: str, path: str | None = None) -> dict:
    """The lexicon at ``path``, or the bundled ``<name>.json`` beside the components."""
    return _read(Path(path) if path else HERE / f"{name}.json")
