"""Loading the JSON lexicons kept beside the components (users extend them without code).

``load_lexicon`` is also how a saved pipeline carries its lexicons: while a component is
being built, every lexicon it loads is recorded (``recording``), so that its ``to_disk``
writes the data itself, never a path; ``from_disk`` rebuilds the component with that data
in place of the bundled files (``overriding``). See ``base.Serialisable``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent

# Lexicon name -> data used instead of the bundled file (a saved pipeline's lexicons).
_OVERRIDES: ContextVar[dict[str, dict] | None] = ContextVar("claims_overrides", default=None)
# Where the lexicons loaded while building one component are recorded (None: nowhere).
_RECORD: ContextVar[dict[str, dict] | None] = ContextVar("claims_lexicon_record", default=None)


@cache
def _read(path: Path) -> dict:
    from .. import errors

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise errors.ClaimsError(errors.MISSING_FILE, path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.ClaimsError(errors.LEXICON_UNREADABLE.format(detail=exc), path) from None
    except json.JSONDecodeError as exc:
        raise errors.ClaimsError(errors.BAD_JSON.format(detail=exc.msg), path, exc.lineno) from None
    if not isinstance(data, dict):
        raise errors.ClaimsError(errors.LEXICON_NOT_OBJECT, path)
    return data


def load_lexicon(name: str, path: str | Path | None = None) -> dict:
    """The lexicon at ``path``, or the bundled ``<name>.json`` beside the components (or, while
    a saved pipeline loads, the copy of ``<name>`` it holds)."""
    overrides = _OVERRIDES.get() or {}
    if path is None and name in overrides:
        data = overrides[name]
    else:
        data = _read(Path(path) if path else HERE / f"{name}.json")
    record = _RECORD.get()
    if record is not None:
        record[name] = data
    return data


@contextmanager
def recording() -> Iterator[dict[str, dict]]:
    """Collect ``{name: data}`` of every lexicon loaded inside the block (also into an
    enclosing block's collection: a subclass's ``__init__`` calling its base's)."""
    found: dict[str, dict] = {}
    token = _RECORD.set(found)
    try:
        yield found
    finally:
        _RECORD.reset(token)
        outer = _RECORD.get()
        if outer is not None:
            outer.update(found)


@contextmanager
def overriding(lexicons: dict[str, dict]) -> Iterator[None]:
    """Inside the block, ``load_lexicon(name)`` without a path returns ``lexicons[name]``."""
    token = _OVERRIDES.set({**(_OVERRIDES.get() or {}), **lexicons})
    try:
        yield
    finally:
        _OVERRIDES.reset(token)
