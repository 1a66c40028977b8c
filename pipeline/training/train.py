"""Training the pipeline's trainable components from gold folders (``claims train``).

spaCy's own machinery throughout: the settings come from the config's ``[training]``
section (seed, dropout, patience, max_epochs, eval_frequency, optimizer, batcher,
score_weights), the data are ``Example``s built from gold (``examples``), and the loop is
spaCy's ``train_while_improving`` calling ``nlp.update`` with every other component
excluded. The rule components and the statistical model are frozen: each document goes
through them once, and the trained components learn from what they made.

The trained components form *stages*: one trainable component with the frozen ones before
it (the actor model after the actor rules; the stance model after the relation, certainty
and stance rules, which read the actors; the relation model after it). Stages are trained
in order and stacked by cross-fitting: every document's input to a later stage comes from
an earlier-stage model that never saw that document, so each stage learns from what it
will see on new text.

Model selection never sees a test document: ``train`` uses the documents it is given (the
CLI leaves out the split's ``test`` part), estimates each stage's scores by k-fold
cross-validation over documents (each fold trained until its held-out score stops
improving), learns a component's ``threshold`` from the pooled held-out folds, trains the
stage on all documents for the median number of steps the folds needed, and saves the
pipeline.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.training import Example
from spacy.training.loop import train_while_improving
from spacy.util import fix_random_seed, registry

from ..components.classifier import ClaimClassifier
from .scoring import evaluate_examples, flat_scores

THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
Log = Callable[[str], None]


@dataclass
class Settings:
    """What ``[training]`` (and ``[crossval]``) of the config say."""

    seed: int = 0
    dropout: float = 0.0
    max_epochs: int = 30
    patience: int = 200
    eval_frequency: int = 20
    score_weights: dict[str, float] = field(default_factory=dict)
    folds: int = 5
    optimizer_config: dict = field(default_factory=lambda: {"@optimizers": "Adam.v1"})
    batcher: object = None

    @classmethod
    def from_config(cls, cfg) -> Settings:
        training = dict(cfg.get("training", {}))
        keys = ("seed", "dropout", "max_epochs", "patience", "eval_frequency", "score_weights")
        plain = {k: training[k] for k in keys if k in training}
        if "batcher" in training:
            plain["batcher"] = registry.resolve({"batcher": training["batcher"]})["batcher"]
        if "optimizer" in training:
            plain["optimizer_config"] = dict(training["optimizer"])
        folds = cfg.get("crossval", {}).get("folds", cls.folds)
        return cls(**plain, folds=folds)

    def new_optimizer(self):
        """A fresh optimizer of the config's kind (each fold and the final fit start anew)."""
        return registry.resolve({"optimizer": self.optimizer_config})["optimizer"]


@dataclass
class Report:
    """What training one stage found: cross-validated scores, steps and thresholds."""

    components: list[str]
    cv: dict
    cv_flat: dict[str, float | None]
    steps: int
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    folds: list[dict] = field(default_factory=list)


@dataclass
class Stage:
    """Frozen components to run, then the trainable components that learn from them."""

    frozen: list[str]
    trainable: list[str]


def trainable(nlp: Language) -> list[str]:
    return [name for name, proc in nlp.pipeline if isinstance(proc, ClaimClassifier)]


def stages(nlp: Language) -> list[Stage]:
    """The pipeline cut into stages (see the module doc): one trainable component each, so
    each stops at its own best held-out score, with the frozen components before it."""
    out, frozen = [], []
    for name, proc in nlp.pipeline:
        if isinstance(proc, ClaimClassifier):
            out.append(Stage(frozen, [name]))
            frozen = []
        else:
            frozen.append(name)
    return out


def annotate(nlp: Language, examples: list[Example], names: list[str], n_process: int = 1):
    """Examples whose predicted Docs went through the components ``names`` (in pipeline
    order); the first stage's run starts from unprocessed Docs and may use processes."""
    with nlp.select_pipes(enable=names):
        docs = list(nlp.pipe((eg.predicted for eg in examples), n_process=n_process))
    return [Example(doc, eg.reference) for doc, eg in zip(docs, examples, strict=True)]


def reset(nlp: Language, names: list[str], examples: list[Example], cache=None) -> None:
    """Fresh components ``names``, initialised from ``examples`` (sharing ``cache``, the
    items of the training documents, across folds)."""
    for name in names:
        config = {k: v for k, v in nlp.config["components"][name].items() if k != "factory"}
        factory = nlp.get_pipe_meta(name).factory
        nlp.replace_pipe(name, factory, config=config)
        proc = nlp.get_pipe(name)
        proc.item_cache = {} if cache is None else cache.setdefault(name, {})
        proc.initialize(lambda: examples, nlp=nlp)


def predict(nlp: Language, examples: list[Example], names: list[str]) -> list[Example]:
    """Copies of the examples with the components ``names`` applied."""
    docs = [eg.predicted.copy() for eg in examples]
    for name in names:
        docs = list(nlp.get_pipe(name).pipe(docs))
    return [Example(doc, eg.reference) for doc, eg in zip(docs, examples, strict=True)]


def stage_weights(nlp: Language, names: list[str], settings: Settings) -> dict[str, float]:
    """The score weights of a stage's components (the config's, else their defaults)."""
    weights = {}
    for name in names:
        for key, value in nlp.get_pipe_meta(name).default_score_weights.items():
            weights[key] = settings.score_weights.get(key, value)
    return weights


def weighted(scores: dict, weights: dict[str, float]) -> float:
    return sum(w * (scores.get(k) or 0.0) for k, w in weights.items())


def batches(examples: list[Example], settings: Settings, epochs: int) -> Iterator:
    """(epoch, batch) for spaCy's loop: seeded shuffles, the config's batcher."""
    examples = list(examples)
    for epoch in range(epochs):
        random.shuffle(examples)
        for batch in settings.batcher(examples):
            yield epoch, batch


def run_loop(nlp, names, train, settings, evaluate=None, max_steps: int = 0, log: Log = print):
    """spaCy's ``train_while_improving`` over ``train``, updating only ``names``; returns
    its checkpoints ``(score, step)``. The components keep the optimizer's averaged
    weights, if it keeps averages (what spaCy evaluates and saves)."""
    optimizer = settings.new_optimizer()
    loop = train_while_improving(
        nlp,
        optimizer,
        batches(train, settings, settings.max_epochs if not max_steps else 10**6),
        evaluate or (lambda: (0.0, {})),
        dropout=settings.dropout,
        eval_frequency=settings.eval_frequency if evaluate else 10**9,
        accumulate_gradient=1,
        patience=settings.patience if evaluate else 0,
        max_steps=max_steps,
        exclude=[name for name in nlp.pipe_names if name not in names],
        annotating_components=[],
        before_update=None,
    )
    checkpoints: list[tuple[float, int]] = []
    for _, info, best in loop:
        if best is not None and evaluate is not None:
            checkpoints = info["checkpoints"]
            mark = " *" if best else ""
            log(f"    step {info['step']:>5}  epoch {info['epoch']:>3}  {info['score']:.3f}{mark}")
    if optimizer.averages:
        with nlp.use_params(optimizer.averages):
            averaged = snapshot(nlp, names)
        restore(nlp, averaged)
    return checkpoints


def folds_of(examples: list, k: int, seed: int) -> list[list[int]]:
    """Document indexes split into ``k`` folds (seeded shuffle)."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


def fold_run(nlp, names, train, held, settings, weights, log: Log, cache=None) -> int:
    """Train ``names`` on ``train`` until the held-out score stops improving; they are left
    at the best checkpoint, whose step is returned."""
    reset(nlp, names, train, cache)
    best: dict = {}

    def evaluate() -> tuple[float, dict]:
        scores = flat_scores(evaluate_examples(predict(nlp, held, names)))
        score = weighted(scores, weights)
        if score > best.get("score", -1.0):
            best.update(score=score, params=snapshot(nlp, names))
        return score, scores

    checkpoints = run_loop(nlp, names, train, settings, evaluate, log=log)
    step = -max((s, -st) for s, st in checkpoints)[1] if checkpoints else 0
    restore(nlp, best.get("params", {}))
    return step


def snapshot(nlp: Language, names: list[str]) -> dict[str, bytes]:
    return {name: nlp.get_pipe(name).model.to_bytes() for name in names}


def restore(nlp: Language, params: dict[str, bytes]) -> None:
    for name, data in params.items():
        nlp.get_pipe(name).model.from_bytes(data)


def held_out(nlp: Language, held: list[Example], name: str) -> list[tuple[Example, object]]:
    """The held-out documents with the component's raw predictions (its thresholds are
    applied afterwards, at every candidate value, without predicting again)."""
    proc = nlp.get_pipe(name)
    return [(eg, proc.predict([eg.predicted])) for eg in held]


def apply_thresholds(nlp, name, pooled, thresholds: dict[str, float]) -> list[Example]:
    """Copies of the pooled held-out documents annotated at ``thresholds``."""
    proc = nlp.get_pipe(name)
    saved = dict(proc.cfg.get("thresholds", {}))
    proc.cfg["thresholds"] = {**saved, **thresholds}
    out = []
    for eg, prediction in pooled:
        doc = eg.predicted.copy()
        proc.set_annotations([doc], prediction)
        out.append(Example(doc, eg.reference))
    proc.cfg["thresholds"] = saved
    return out


def tune_thresholds(nlp, name, pooled, log: Log) -> tuple[dict[str, float], dict]:
    """Each named threshold of the component in turn (coordinate search, two rounds), the
    value with the best pooled held-out score of the component; and the report there."""
    key = next(iter(nlp.get_pipe_meta(name).default_score_weights))
    current = dict(nlp.get_pipe(name).cfg.get("thresholds", {}))

    def score(thresholds) -> tuple[float, dict]:
        report = evaluate_examples(apply_thresholds(nlp, name, pooled, thresholds))
        return flat_scores(report).get(key) or 0.0, report

    best, report = score(current)
    for _ in range(2):
        for which in list(current):
            for value in THRESHOLDS:
                trial = {**current, which: value}
                found, trial_report = score(trial)
                if found > best + 1e-9:
                    best, report, current = found, trial_report, trial
    log(f"  thresholds {current}: pooled held-out {key} {best:.3f}")
    return current, report


def cross_validate(nlp, examples, names, settings, log: Log) -> tuple[Report, list[Example]]:
    """k-fold cross-validation of the components ``names`` over documents: the report and
    every document's held-out (cross-fitted) prediction, in the order of ``examples``. A
    component's thresholds are tuned on the pooled held-out predictions of all folds."""
    (name,) = names  # one trainable component per stage
    weights = stage_weights(nlp, names, settings)
    pooled: list[tuple[int, tuple[Example, object]]] = []
    steps, cache = [], {}
    for k, fold in enumerate(folds_of(examples, settings.folds, settings.seed)):
        fix_random_seed(settings.seed + k)
        chosen = set(fold)
        train = [eg for i, eg in enumerate(examples) if i not in chosen]
        held = [examples[i] for i in fold]
        log(f"  fold {k + 1}/{settings.folds}: {len(train)} to train, {len(held)} held out")
        steps.append(fold_run(nlp, names, train, held, settings, weights, log, cache))
        pooled.extend(zip(fold, held_out(nlp, held, name), strict=True))
    pooled.sort(key=lambda pair: pair[0])
    predictions = [p for _, p in pooled]
    thresholds = {}
    if nlp.get_pipe(name).cfg.get("thresholds"):
        thresholds, report = tune_thresholds(nlp, name, predictions, log)
    else:
        report = evaluate_examples(apply_thresholds(nlp, name, predictions, {}))
    crossfit = apply_thresholds(nlp, name, predictions, thresholds)
    return Report(
        components=names,
        cv=report,
        cv_flat=flat_scores(report),
        steps=max(1, int(statistics.median(steps))),
        thresholds={name: thresholds} if thresholds else {},
        folds=[{"step": s} for s in steps],
    ), crossfit


def fit(nlp, examples, names, settings, report: Report, log: Log) -> None:
    """The final components: trained on every document for the cross-validated number of
    steps, with the cross-validated thresholds."""
    fix_random_seed(settings.seed)
    reset(nlp, names, examples)
    run_loop(nlp, names, examples, settings, max_steps=report.steps, log=log)
    for name in names:
        nlp.get_pipe(name).item_cache = None
    for name, thresholds in report.thresholds.items():
        nlp.get_pipe(name).cfg["thresholds"] = dict(thresholds)


def run_frozen(nlp: Language, examples: list[Example], names: list[str]) -> list[Example]:
    """Examples whose (already processed) Docs went through the frozen components ``names``."""
    docs = [eg.predicted for eg in examples]
    for name in names:
        proc = nlp.get_pipe(name)
        docs = list(proc.pipe(docs)) if hasattr(proc, "pipe") else [proc(doc) for doc in docs]
    return [Example(doc, eg.reference) for doc, eg in zip(docs, examples, strict=True)]


def train(
    nlp: Language,
    examples: list[Example],
    settings: Settings,
    output: Path | None = None,
    log: Log = print,
    n_process: int = 1,
) -> list[Report]:
    """Cross-validate and fit every stage in order, stacking by cross-fitting, and (with
    ``output``) save the pipeline; see the module doc. Returns one report per stage."""
    plan = stages(nlp)
    if not plan:
        raise ValueError("the pipeline has no trainable component")
    fix_random_seed(settings.seed)
    reports = []
    for n, stage in enumerate(plan):
        log(f"stage {n + 1}/{len(plan)}: {', '.join(stage.trainable)}")
        if n == 0:
            log(f"  annotating {len(examples)} documents with the frozen components")
            examples = annotate(nlp, examples, stage.frozen, n_process=n_process)
        else:
            examples = run_frozen(nlp, examples, stage.frozen)
        report, crossfit = cross_validate(nlp, examples, stage.trainable, settings, log)
        log(f"  training on all {len(examples)} documents for {report.steps} steps")
        fit(nlp, examples, stage.trainable, settings, report, log)
        reports.append(report)
        examples = crossfit
    if output is not None:
        nlp.to_disk(output)
    return reports


@dataclass
class Corpus:
    """The gold documents training uses, and those a split keeps out."""

    examples: list[Example]
    used: list[str]
    left_out: list[str]


def corpus(nlp: Language, gold_dirs, split_file: Path | None = None) -> Corpus:
    """Examples of every document of ``gold_dirs`` but those of the split's ``test`` part
    (never trained on, never used to choose a model)."""
    from .. import errors
    from ..evaluation.gold import load_gold
    from .examples import examples as make_examples

    golds = [load_gold(folder) for folder in gold_dirs]
    test = test_part(Path(split_file), golds) if split_file is not None else set()
    kept = [gold.subset([d for d in gold.documents if d not in test]) for gold in golds]
    used = [d for gold in kept for d in gold.documents]
    left_out = sorted(d for gold in golds for d in gold.documents if d in test)
    if not used:
        raise errors.ClaimsError(errors.NOTHING_TO_TRAIN, Path(gold_dirs[0]))
    return Corpus(make_examples(nlp, kept), used, left_out)


def test_part(split_file: Path, golds) -> set[str]:
    """The split's test documents. A split naming exactly these gold folders' documents is
    checked whole (``quality.load_split``); one of a larger collection lends its test part."""
    from ..evaluation.quality import load_split, read_split

    split = read_split(split_file)
    named = {d for part in ("train", "tune", "test") for d in split.get(part, [])}
    if named == {d for gold in golds for d in gold.documents}:
        return set(load_split(split_file, *golds)["test"])
    return set(split.get("test", []))


TRAINING_FILE = "training.json"


def check_output(output: Path) -> None:
    """``output`` must be a new path or a folder an earlier ``claims train`` wrote (holding
    its ``training.json``), so nothing else is ever replaced."""
    from .. import errors

    if output.is_symlink() or (output.exists() and not (output / TRAINING_FILE).is_file()):
        raise errors.ClaimsError(errors.TRAIN_OUTPUT, output)


def save(nlp: Language, output: Path, reports: list[Report], data: Corpus, settings) -> Path:
    """The trained pipeline in ``output`` (``nlp.to_disk``) with ``training.json``: the
    documents used and left out, the settings and each stage's cross-validated report.
    Written beside ``output`` and renamed into place."""
    import json
    import os
    import shutil

    check_output(output)
    staging = output.with_name(f".{output.name}.train-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    nlp.to_disk(staging)
    summary = {
        "documents": data.used,
        "left_out": data.left_out,
        "seed": settings.seed,
        "folds": settings.folds,
        "stages": [
            {
                "components": r.components,
                "steps": r.steps,
                "thresholds": r.thresholds,
                "cross_validated": r.cv_flat,
                "report": {k: v for k, v in r.cv.items() if k != "per_document"},
                "folds": r.folds,
            }
            for r in reports
        ],
    }
    (staging / TRAINING_FILE).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    if output.exists():
        shutil.rmtree(output)
    staging.rename(output)
    return output
