"""The Python API: load the pipeline, run it, turn its Docs into claim records.

    >>> from pipeline import load, records, extract
    >>> nlp = load()                                   # the bundled config.cfg
    >>> doc = nlp("Russia and Iran deepened their military cooperation.")
    >>> [claim._.stance for claim in doc.spans["claims"]]
    >>> records(doc, doc_id="note-1")                  # list[ClaimRecord]
    >>> extract("Russia and Iran ...", focal=("RUS", "IRN"))
    >>> extract("Moscow will ...", date="1962-05")  # the document's date: SUN, not RUS

``load`` builds from a config (``claims config`` prints the default) or loads a saved
pipeline folder; ``nlp.to_disk(folder)`` saves one, which ``spacy.load(folder)`` reads back
in any process where the ``claims`` package is installed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from .models import ClaimRecord


def load(
    config: str | Path | None = None,
    *,
    model: str | None = None,
    gazetteer: Iterable[str | Path] = (),
) -> Language:
    """A new claims pipeline (a spaCy ``Language``).

    ``config``: a config file like ``pipeline/config.cfg`` (default: that file), or the folder
    of a saved pipeline (``nlp.to_disk``). ``model`` replaces the config's spaCy model;
    ``gazetteer`` adds TOML files in ``curated.toml``'s format to the bundled gazetteer. Raises
    ``pipeline.errors.ClaimsError`` for a missing or invalid file."""
    from . import nlp as nlp_module

    return nlp_module.build_nlp(model, config, tuple(str(g) for g in gazetteer))


def records(
    doc: Doc,
    doc_id: str = "doc",
    *,
    nlp: Language | None = None,
    offset: int = 0,
    sha256: str | None = None,
) -> list[ClaimRecord]:
    """The claim records of a Doc the pipeline processed, in text order.

    ``nlp`` is the pipeline that made ``doc``: its model is named in each record's
    provenance and its gazetteer names the actors (default: the default pipeline, as
    ``extract``); ``offset`` shifts every character offset and ``sha256``
    names the whole text, for a chunk of a longer text (default: the sha256 of the Doc's
    text as UTF-8). Raises ``ClaimsError`` if a component failed on the Doc."""
    from . import errors
    from .components.base import ERROR_KEY, gazetteer_of
    from .conversion import records_from_doc
    from .corpus.documents import sha256_hex
    from .models import Provenance
    from .nlp import model_id, shared_nlp
    from .textnorm import original_text
    from .version import __version__

    if doc.user_data.get(ERROR_KEY):
        raise errors.ClaimsError(doc.user_data[ERROR_KEY], doc_id)
    nlp = nlp or shared_nlp()
    name, version = model_id(nlp)
    sha = sha256 or sha256_hex(original_text(doc).encode("utf-8"))
    provenance = Provenance(
        doc_sha256=sha, pipeline_version=__version__, model_name=name, model_version=version
    )
    return records_from_doc(
        doc,
        doc_id=doc_id,
        doc_sha256=sha,
        provenance=provenance,
        gazetteer=gazetteer_of(nlp),
        offset=offset,
    )


def extract(
    text: str,
    focal: Iterable[str] | str | None = None,
    *,
    doc_id: str = "doc",
    nlp: Language | None = None,
    date: str | None = None,
) -> list[ClaimRecord]:
    """Run the pipeline on ``text`` and return its claim records.

    ``focal`` is the pair stance is judged for, e.g. ``("RUS", "IRN")`` or ``"org:nato,RUS"``
    (default: the two actors most mentioned at the top of the text). ``date`` is the
    document's date, ``YYYY[-MM[-DD]]`` (default: a dateline or estimate number at the top
    of the text, else none): seats, demonyms and titles resolve to the entities of that
    date, and relative time expressions against it. ``nlp`` defaults to one default
    pipeline per process, built on first use. A text longer than ``nlp.max_length`` is
    processed in chunks, offsets still counting from the start of ``text``. Raises
    ``ClaimsError`` for a focal pair or date it cannot read, or naming the component that
    failed on the text (``nlp`` gets the runner's error handler, ``run.fail_document``)."""
    from .corpus.documents import sha256_hex
    from .corpus.runner import chunks, install_error_handler
    from .nlp import shared_nlp

    nlp = nlp or shared_nlp()
    install_error_handler(nlp)
    sha = sha256_hex(text.encode("utf-8"))
    pair = _focal(focal)
    dating = (parse_date(date), "option") if date is not None else (None, None)
    pieces = chunks(text, nlp.max_length)
    if (not pair or not dating[0]) and len(pieces) > 1:
        first = nlp(_make_doc(nlp, pieces[0][1], pair, dating))
        pair = pair or list(first._.focal or [])
        dating = (first._.date, first._.date_source)
    out: list[ClaimRecord] = []
    for offset, piece in pieces:
        doc = nlp(_make_doc(nlp, piece, pair, dating))
        out.extend(records(doc, doc_id, nlp=nlp, offset=offset, sha256=sha))
    return out


def parse_date(value: str) -> str:
    """A ``YYYY[-MM[-DD]]`` date as given (``--date``, ``extract(date=)``); a
    ``ClaimsError`` for anything else."""
    from . import errors
    from .dates import is_date

    if not isinstance(value, str) or not is_date(value.strip()):
        raise errors.ClaimsError(errors.DATE_OPTION.format(value=value))
    return value.strip()


def _focal(focal: Iterable[str] | str | None) -> list[str]:
    from .corpus.inputs import parse_focal

    if focal is None:
        return []
    return parse_focal(focal if isinstance(focal, str) else ",".join(focal))


def _make_doc(nlp: Language, text: str, focal: list[str], dating: tuple = (None, None)) -> Doc:
    from .textnorm import make_doc

    return make_doc(nlp, text, focal, *dating)


def save_package(
    nlp: Language,
    out: str | Path,
    *,
    name: str = "claims",
    version: str | None = None,
    wheel: bool = False,
) -> list[Path]:
    """Save ``nlp`` to ``out/pipeline`` and build an installable package from it with
    ``spacy package`` (``out/<lang>_<name>-<version>/dist/``); return the files built.

    The package requires the ``claims`` distribution (the components' code, found by
    spaCy through its entry points); lexicons and gazetteer extension are inside it.
    spaCy's and setuptools' output is kept back; a failure is one line from it."""
    from spacy.cli.package import package

    from . import errors
    from .version import __version__

    check_package_options(name, wheel)
    out = Path(out)
    version = version or __version__
    folder = out / "pipeline"
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(folder)
    with CapturedOutput() as output:
        try:
            package(folder, out, name=name, version=version, create_wheel=wheel, force=True)
        except SystemExit:  # spaCy's CLI helpers exit on errors they print
            failed = True
        else:
            failed = False
    if failed:
        detail = failure_line(output.getvalue())
        raise errors.ClaimsError(errors.PACKAGE_FAILED.format(detail=detail), out)
    lang = nlp.meta.get("lang", "en")
    return sorted((out / f"{lang}_{name}-{version}" / "dist").glob("*"))


def check_package_options(name: str, wheel: bool) -> None:
    """Refuse, before any work, a package name spaCy would refuse and ``--wheel`` without
    a tool to build it."""
    import re

    from spacy.cli.package import has_build, has_wheel

    from . import errors

    if not (name.isidentifier() and re.fullmatch(r"[A-Za-z0-9_]+", name)):
        raise errors.ClaimsError(errors.PACKAGE_NAME.format(name=name))
    if wheel and not (has_build() or has_wheel()):
        raise errors.ClaimsError(errors.PACKAGE_WHEEL)


class CapturedOutput:
    """Collect what is written to stdout and stderr, by Python and by child processes
    (``setup.py sdist``), instead of printing it; ``getvalue()`` returns it."""

    def __enter__(self):
        import contextlib
        import io
        import os
        import sys
        import tempfile

        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        self.file = tempfile.TemporaryFile()
        self.saved = [os.dup(1), os.dup(2)]
        for fd in (1, 2):
            os.dup2(self.file.fileno(), fd)
        self.text = io.StringIO()
        self.redirects = contextlib.ExitStack()
        self.redirects.enter_context(contextlib.redirect_stdout(self.text))
        self.redirects.enter_context(contextlib.redirect_stderr(self.text))
        return self

    def __exit__(self, *exc) -> None:
        import os

        self.redirects.close()
        for fd, saved in zip((1, 2), self.saved, strict=True):
            os.dup2(saved, fd)
            os.close(saved)
        self.file.seek(0)
        self.text.write(self.file.read().decode("utf-8", "replace"))
        self.file.close()

    def getvalue(self) -> str:
        return self.text.getvalue()


def failure_line(output: str) -> str:
    """The line of spaCy's output that says what failed (its ✘ line), else the last one."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    failed = [line.lstrip("✘ ").strip() for line in lines if line.startswith("✘")]
    return (failed or lines or ["no output"])[-1]
