"""The base of every claims component: one document's failure never stops a corpus; and the
mixin that saves a component's lexicons (and the gazetteer extension) with the pipeline."""

from __future__ import annotations

import functools
import inspect
from pathlib import Path

from spacy.tokens import Doc

ERROR_KEY = "claims_error"
LEXICON_DIR = "lexicons"
GAZETTEER_FILE = "gazetteer.json"
GAZETTEER_BINARY = "gazetteer.msgpack"  # the extended gazetteer's binary form (store.py)


class Component:
    """Run ``process`` on a Doc; if it raises, record the error on the Doc and pass it on.

    The error (``doc.user_data[ERROR_KEY]``) travels with the Doc, also back from worker
    processes, so the runner reports that document as failed and goes on with the others.
    Later components skip a Doc that already failed.
    """

    name: str
    score_fields: tuple[str, ...] = ()  # what nlp.evaluate reports for it (training.scoring)

    def score(self, examples, **_) -> dict:
        """The figures of what this component decides (``score_fields``), for
        ``nlp.evaluate``: the project's own scorer over the examples' final Docs."""
        from ..training.scoring import evaluate_examples, flat_scores

        if not self.score_fields:
            return {}
        return flat_scores(evaluate_examples(list(examples)), self.score_fields)

    def __call__(self, doc: Doc) -> Doc:
        if doc.user_data.get(ERROR_KEY):
            return doc
        try:
            return self.process(doc)
        except Exception as exc:  # recorded on the document, reported by the runner
            doc.user_data[ERROR_KEY] = f"{self.name}: {type(exc).__name__}: {exc}"
            return doc

    def process(self, doc: Doc) -> Doc:
        raise NotImplementedError


class Serialisable:
    """``initialize``, ``to_disk``/``from_disk`` and ``to_bytes``/``from_bytes`` for a component
    built from lexicons, the way spaCy's ``SpanRuler`` keeps its patterns.

    Every lexicon the component's ``__init__`` loads through ``load_lexicon`` is recorded;
    ``to_disk`` writes each as ``lexicons/<name>.json`` (the bundled files' format), and
    ``from_disk`` rebuilds the component from those copies, so a saved pipeline holds its
    lexicons' data and never a path. ``initialize(lexicon=PATH, ...)`` (the config's
    ``[initialize.components.<name>]``) rebuilds it from other files; a component given a
    ``gazetteer`` there owns the pipeline's gazetteer extension and saves it too: its data
    (``gazetteer.json``) and the extended gazetteer's binary form (``gazetteer.msgpack``,
    used when loading if it was made from the same bundled gazetteer). Settings whose name
    ends in ``lexicon`` are file paths.
    """

    _claims_build: tuple[tuple, dict]
    _claims_lexicons: dict[str, dict]
    _claims_gazetteer: str | None
    _claims_owns_gazetteer: bool = False
    _claims_extension = None  # the gazetteer.Extension it owns (None: the bundled gazetteer)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            cls.__init__ = _recorded(init)

    # -- building ---------------------------------------------------------------------------

    def initialize(self, get_examples=None, *, nlp=None, **settings) -> None:
        """Rebuild from the lexicon files in ``settings`` (None: keep the current one); with
        ``gazetteer`` (a TOML path, a list of them, or None), set the gazetteer extension."""
        from .. import gazetteer

        owns = "gazetteer" in settings
        if owns:
            self._claims_owns_gazetteer = True
            self._claims_extension = gazetteer.read_extension(settings.pop("gazetteer"))
            gazetteer.use_extension(self._claims_extension)
        paths = {key: value for key, value in settings.items() if value is not None}
        self._check_settings(paths)
        if paths or self._claims_gazetteer != gazetteer.active_key():
            self._rebuild({}, paths)

    def _check_settings(self, settings: dict) -> None:
        from .. import errors

        accepted = inspect.signature(self._claims_init).parameters
        unknown = sorted(set(settings) - set(accepted))
        if unknown:
            raise errors.ClaimsError(
                errors.UNKNOWN_SETTING.format(component=self.name, names=", ".join(unknown))
            )

    def _rebuild(self, lexicons: dict[str, dict], settings: dict) -> None:
        from .lexicon import overriding

        args, kwargs = self._claims_build
        with overriding(lexicons):
            type(self).__init__(self, *args, **{**kwargs, **settings})

    def _restore(self, lexicons: dict[str, dict], extension: dict | None) -> Serialisable:
        """Become the saved component: its lexicons and (if it owns it) gazetteer extension."""
        from .. import gazetteer

        if extension is not None:
            self._claims_owns_gazetteer = True
            self._claims_extension = gazetteer.Extension.from_data(extension)
            gazetteer.use_extension(self._claims_extension)
        if lexicons == self._claims_lexicons and self._claims_gazetteer == gazetteer.active_key():
            return self
        paths = {key: None for key in self._claims_build[1] if key.endswith("lexicon")}
        self._rebuild(lexicons, paths)
        return self

    def _extension_data(self) -> dict | None:
        if not self._claims_owns_gazetteer:
            return None
        return self._claims_extension.data if self._claims_extension else {}

    # -- serialisation ----------------------------------------------------------------------

    def to_disk(self, path: str | Path, *, exclude=()) -> None:
        import srsly

        from ..gazetteer import extended_binary

        path = Path(path)
        (path / LEXICON_DIR).mkdir(parents=True, exist_ok=True)
        for name, data in sorted(self._claims_lexicons.items()):
            srsly.write_json(path / LEXICON_DIR / f"{name}.json", data)
        extension = self._extension_data()
        if extension is not None:
            srsly.write_json(path / GAZETTEER_FILE, extension)
        if self._claims_extension is not None:
            (path / GAZETTEER_BINARY).write_bytes(extended_binary(self._claims_extension))

    def from_disk(self, path: str | Path, *, exclude=()) -> Serialisable:
        import srsly

        from ..gazetteer import Extension, adopt_binary

        path = Path(path)
        if not path.is_dir():  # nothing saved for this component: keep the bundled data
            return self
        lexicons = {p.stem: srsly.read_json(p) for p in sorted(path.glob(f"{LEXICON_DIR}/*.json"))}
        extension = (
            srsly.read_json(path / GAZETTEER_FILE) if (path / GAZETTEER_FILE).is_file() else None
        )
        saved = Extension.from_data(extension) if extension else None
        if saved is not None and (path / GAZETTEER_BINARY).is_file():
            adopt_binary(saved, (path / GAZETTEER_BINARY).read_bytes())
        return self._restore(lexicons, extension)

    def to_bytes(self, *, exclude=()) -> bytes:
        import srsly

        return srsly.msgpack_dumps(
            {"lexicons": self._claims_lexicons, "gazetteer": self._extension_data()}
        )

    def from_bytes(self, data: bytes, *, exclude=()) -> Serialisable:
        import srsly

        saved = srsly.msgpack_loads(data)
        return self._restore(saved["lexicons"], saved["gazetteer"])


def _recorded(init):
    """``init`` recording the lexicons it loads, its arguments and the gazetteer it saw."""

    @functools.wraps(init)
    def wrapped(self, *args, **kwargs) -> None:
        from .. import gazetteer
        from .lexicon import recording

        with recording() as found:
            init(self, *args, **kwargs)
        self._claims_build = (args, kwargs)
        self._claims_lexicons = found
        self._claims_gazetteer = gazetteer.active_key()
        self._claims_init = init

    return wrapped
