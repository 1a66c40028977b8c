"""The base of every claims component (a Doc a component failed on is skipped by the later
ones); and the mixin that saves a component's lexicons (and the gazetteer extension) with
the pipeline."""

from __future__ import annotations

import functools
import inspect
import json
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.tokens import Doc

if TYPE_CHECKING:
    from ..gazetteer import Extension, Gazetteer

ERROR_KEY = "claims_error"
LEXICON_DIR = "lexicons"
GAZETTEER_FILE = "gazetteer.json"
GAZETTEER_BINARY = "gazetteer.msgpack"  # the extended gazetteer's binary form (store.py)


class Component:
    """Run ``process`` on a Doc, unless a component already failed on it.

    A component's exception goes to the pipeline's spaCy error handler
    (``nlp.set_error_handler``): the runner's (``run.fail_document``) records it on the Doc
    (``doc.user_data[ERROR_KEY]``) and fails that document alone; with spaCy's default
    handler it is raised. In ``nlp(doc)`` a Doc goes on after a recorded error: the later
    claims components skip it.
    """

    name: str
    score_fields: tuple[str, ...] = ()  # what nlp.evaluate reports for it (training.scoring)

    def score(self, examples, **_) -> dict:
        """The figures of what this component decides (``score_fields``), for
        ``nlp.evaluate``: the project's own scorer over the examples' final Docs."""
        from ..training.scoring import evaluate_examples, flat_scores

        if not self.score_fields:
            return {}
        gazetteer = self.pipeline_gazetteer() if isinstance(self, Serialisable) else None
        report = evaluate_examples(list(examples), gazetteer=gazetteer)
        return flat_scores(report, self.score_fields)

    def __call__(self, doc: Doc) -> Doc:
        if doc.user_data.get(ERROR_KEY):
            return doc
        return self.process(doc)

    def process(self, doc: Doc) -> Doc:
        raise NotImplementedError


def gazetteer_of(nlp) -> Gazetteer:
    """A pipeline's gazetteer: the one its gazetteer holder (``claims_mentions``) holds, the
    bundled gazetteer plus the pipeline's extension; the bundled one for a pipeline
    without a holder (or ``nlp`` None)."""
    from ..gazetteer import load_gazetteer

    for _, proc in nlp.components if nlp is not None else ():
        if getattr(proc, "holds_gazetteer", False) and "gazetteer" in vars(proc):
            return proc.gazetteer
    return load_gazetteer()


class Serialisable:
    """``initialize``, ``to_disk``/``from_disk`` and ``to_bytes``/``from_bytes`` for a component
    built from lexicons, the way spaCy's ``SpanRuler`` keeps its patterns.

    Every lexicon the component's ``__init__`` loads through ``self.lexicon`` is recorded on
    the component; ``to_disk`` writes each as ``lexicons/<name>.json`` (the bundled files'
    format), and ``from_disk`` rebuilds the component from those copies, so a saved
    pipeline holds its lexicons' data and never a path (``exclude=["lexicons"]`` leaves
    them out, as ``SpanRuler`` leaves out its patterns). ``initialize(lexicon=PATH, ...)``
    (the config's ``[initialize.components.<name>]``) rebuilds it from other files. A
    component built from a gazetteer reads the pipeline's (``gazetteer_of``) and is rebuilt
    when that changes (the holder's ``initialize`` or ``from_disk``). Settings whose name
    ends in ``lexicon`` are file paths.
    """

    _claims_build: tuple[tuple, dict]
    _claims_lexicons: dict[str, dict]
    _claims_gazetteer: str | None  # the source of the gazetteer it was built from, if any

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            cls.__init__ = _recorded(init)

    # -- building ---------------------------------------------------------------------------

    def lexicon(self, name: str, path: str | Path | None = None) -> dict:
        """The lexicon ``name`` (``lexicon.load_lexicon``; while a saved component is
        restored, its saved copy), recorded as one this component was built from."""
        from .lexicon import load_lexicon

        data = load_lexicon(name, path, vars(self).get("_claims_saved"))
        loading = vars(self).get("_claims_loading")
        if loading is not None:
            loading[name] = data
        return data

    def pipeline_gazetteer(self) -> Gazetteer:
        """The gazetteer of the pipeline this component was built for (recorded as one it
        was built from when read by its ``__init__``)."""
        args, kwargs = self._claims_build
        gazetteer = gazetteer_of(args[0] if args else kwargs.get("nlp"))
        if "_claims_loading" in vars(self):
            self._claims_gazetteer = gazetteer.source
        return gazetteer

    def _stale(self) -> bool:
        """Built from a gazetteer that is no longer the pipeline's."""
        built = self._claims_gazetteer
        return built is not None and built != self.pipeline_gazetteer().source

    def initialize(self, get_examples=None, *, nlp=None, **settings) -> None:
        """Rebuild from the lexicon files in ``settings`` (None: keep the current one), or
        for the pipeline's gazetteer if it changed since the component was built."""
        paths = {key: value for key, value in settings.items() if value is not None}
        self._check_settings(paths)
        if paths or self._stale():
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
        args, kwargs = self._claims_build
        self._claims_saved = lexicons
        try:
            type(self).__init__(self, *args, **{**kwargs, **settings})
        finally:
            del self._claims_saved

    def _restore(self, lexicons: dict[str, dict]) -> Serialisable:
        """Become the saved component: its lexicons, for the pipeline's gazetteer."""
        if lexicons == self._claims_lexicons and not self._stale():
            return self
        paths = {key: None for key in self._claims_build[1] if key.endswith("lexicon")}
        self._rebuild(lexicons, paths)
        return self

    # -- serialisation ----------------------------------------------------------------------

    def _writers(self) -> dict:
        return {"lexicons": self._write_lexicons}

    def _write_lexicons(self, folder: Path) -> None:
        """Each lexicon as JSON; with the standard library, whose floats read back exactly
        (srsly's ujson read 0.95 back as 0.9500000000000001)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in sorted(self._claims_lexicons.items()):
            text = json.dumps(data, indent=2, ensure_ascii=False)
            (folder / f"{name}.json").write_text(text, encoding="utf-8")

    def _read_saved(self, path: Path, exclude) -> None:
        """Take what ``to_disk`` wrote besides the lexicons (the holder: its gazetteer)."""

    def to_disk(self, path: str | Path, *, exclude=()) -> None:
        from spacy import util

        util.to_disk(path, self._writers(), exclude)

    def from_disk(self, path: str | Path, *, exclude=()) -> Serialisable:
        path = Path(path)
        if not path.is_dir():  # nothing saved for this component: keep the bundled data
            return self
        self._read_saved(path, exclude)
        if "lexicons" in exclude:
            return self._restore(self._claims_lexicons)
        found = sorted(path.glob(f"{LEXICON_DIR}/*.json"))
        return self._restore({p.stem: json.loads(p.read_text("utf-8")) for p in found})

    def _bytes_fields(self) -> dict:
        return {"lexicons": self._claims_lexicons}

    def _take_bytes(self, saved: dict) -> None:
        """Take what ``to_bytes`` wrote besides the lexicons (the holder: its extension)."""

    def to_bytes(self, *, exclude=()) -> bytes:
        import srsly

        fields = self._bytes_fields()
        return srsly.msgpack_dumps({k: v for k, v in fields.items() if k not in exclude})

    def from_bytes(self, data: bytes, *, exclude=()) -> Serialisable:
        import srsly

        saved = {k: v for k, v in srsly.msgpack_loads(data).items() if k not in exclude}
        self._take_bytes(saved)
        return self._restore(saved.get("lexicons", self._claims_lexicons))


class GazetteerHolder(Serialisable):
    """The component that holds the pipeline's gazetteer (``claims_mentions``): the bundled
    one plus the extension set by ``initialize(gazetteer=TOML paths)`` (the config's
    ``[paths] gazetteer``). It saves the extension's data (``gazetteer.json``) and the
    extended gazetteer's binary form (``gazetteer.msgpack``, used when loading if made from
    the same bundled gazetteer); the other components read it through ``gazetteer_of``."""

    holds_gazetteer = True
    extension: Extension | None = None

    def pipeline_gazetteer(self) -> Gazetteer:
        from ..gazetteer import load_gazetteer

        gazetteer = vars(self).get("gazetteer") or load_gazetteer()
        if "_claims_loading" in vars(self):
            self._claims_gazetteer = gazetteer.source
        return gazetteer

    def initialize(self, get_examples=None, *, nlp=None, **settings) -> None:
        """As ``Serialisable.initialize``; with ``gazetteer`` (a TOML path, a list of them, or
        None), the pipeline's gazetteer becomes the bundled one plus that extension."""
        from .. import gazetteer

        if "gazetteer" in settings:
            self.use_extension(gazetteer.read_extension(settings.pop("gazetteer")))
        super().initialize(get_examples, nlp=nlp, **settings)

    def use_extension(self, extension: Extension | None, raw: bytes | None = None) -> None:
        """Hold the bundled gazetteer plus ``extension`` (from its saved binary form
        ``raw`` when that fits)."""
        from .. import gazetteer

        self.extension = extension
        if extension is None:
            self.gazetteer = gazetteer.load_gazetteer()
        else:
            self.gazetteer = gazetteer.from_binary(extension, raw)

    def _writers(self) -> dict:
        import srsly

        from ..gazetteer import binary

        writers = super()._writers()
        data = self.extension.data if self.extension else {}
        writers[GAZETTEER_FILE] = lambda p: srsly.write_json(p, data)
        if self.extension is not None:
            writers[GAZETTEER_BINARY] = lambda p: p.write_bytes(binary(self.gazetteer))
        return writers

    def _read_saved(self, path: Path, exclude) -> None:
        import srsly

        from ..gazetteer import Extension

        if "gazetteer" in exclude or not (path / GAZETTEER_FILE).is_file():
            return
        extension = Extension.from_data(srsly.read_json(path / GAZETTEER_FILE))
        binary = path / GAZETTEER_BINARY
        raw = binary.read_bytes() if extension and binary.is_file() else None
        self.use_extension(extension, raw)

    def _bytes_fields(self) -> dict:
        return {
            **super()._bytes_fields(),
            "gazetteer": self.extension.data if self.extension else {},
        }

    def _take_bytes(self, saved: dict) -> None:
        from ..gazetteer import Extension

        if "gazetteer" in saved:
            self.use_extension(Extension.from_data(saved["gazetteer"] or {}))


def _recorded(init):
    """``init`` recording the lexicons it loads, its arguments and the gazetteer it saw
    (once, for the outermost ``__init__``: a subclass's calling its base's)."""

    @functools.wraps(init)
    def wrapped(self, *args, **kwargs) -> None:
        if "_claims_loading" in vars(self):
            init(self, *args, **kwargs)
            return
        self._claims_loading = {}
        self._claims_build = (args, kwargs)  # also what ``pipeline_gazetteer`` reads
        self._claims_gazetteer = None  # set if ``init`` reads the gazetteer
        try:
            init(self, *args, **kwargs)
        finally:
            found = vars(self).pop("_claims_loading")
        self._claims_lexicons = found
        self._claims_init = init

    return wrapped
