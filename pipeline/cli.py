"""The ``claims`` command line: one click group of thin commands."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import errors
from .corpus.documents import MAX_CHARS
from .version import __version__

FOCAL_OPTION = click.option(
    "--focal",
    help="Focal pair of actor IDs for stance: states or org:/group:/person: IDs, "
    "e.g. RUS,IRN or org:nato,RUS.",
)
MODEL_OPTION = click.option(
    "--model", default=None, help="spaCy model name (default: en_core_web_sm)."
)
CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="Pipeline config (spaCy format; `claims config` prints the default), or the "
    "folder of a saved pipeline (`claims train -o`, `nlp.to_disk`).",
)
ALLOW_OUTSIDE_OPTION = click.option(
    "--allow-outside-paths",
    "allow_outside",
    is_flag=True,
    help="Let a JSONL input's `path` name files outside the JSONL file's folder "
    "(by default only files below it are read).",
)
GAZETTEER_OPTION = click.option(
    "--gazetteer",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extra gazetteer entries: a TOML file in curated.toml's format (repeatable).",
)


def use_config(config_file: Path | None, gazetteer: tuple[Path, ...]) -> None:
    """Check --config / --gazetteer and every file they name before any work (the command
    builds its pipeline from them later, once, and passes it down)."""
    from .nlp import check_config

    if config_file is not None or gazetteer:
        check_config(config_file, tuple(str(g) for g in gazetteer))


class UserError(click.ClickException):
    """A :class:`errors.ClaimsError` as click shows it: ``Error: <message>``, its exit code."""

    def __init__(self, error: errors.ClaimsError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code


class ClaimsGroup(click.Group):
    """The command group: a library error (``ClaimsError``) raised by a command, or while its
    options are read, becomes a ``click.ClickException``, here only (the library stays
    free of click)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except errors.ClaimsError as exc:
            raise UserError(exc) from exc


@click.group(cls=ClaimsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claims")
def main() -> None:
    """Turn geopolitical analysis articles into scored, reviewable claim records.

    \b
    Example:
      claims run seeds/kozak-strategic-convergence-russia-iran.txt -o out/claims.jsonl
      claims evaluate --gold annotations --pred out/claims.jsonl
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Output JSONL file; '-' for stdout. Appears whole when the run completes.",
)
@FOCAL_OPTION
@MODEL_OPTION
@CONFIG_OPTION
@GAZETTEER_OPTION
@click.option(
    "--date",
    "date",
    metavar="YYYY[-MM[-DD]]",
    help="The date of documents whose input line gives none (else a dateline or estimate "
    "number in the text): seats, demonyms and titles resolve to the entities of that date.",
)
@click.option("--batch-size", default=32, show_default=True, type=click.IntRange(1))
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help="Worker processes (default: 1 for small inputs, every core for large ones).",
)
@click.option("--resume", is_flag=True, help="Skip documents already complete in -o's output.")
@ALLOW_OUTSIDE_OPTION
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local processes, or a Dask cluster (needs the 'distributed' extra).",
)
@click.option("--scheduler", help="Dask scheduler address (default: start a LocalCluster).")
@click.option(
    "--max-chars",
    type=click.IntRange(1),
    default=MAX_CHARS,
    show_default=True,
    help="A longer document is an error for that document (the others go on).",
)
def run(
    inputs: tuple[Path, ...],
    output: str,
    focal: str | None,
    model: str | None,
    config_file: Path | None,
    gazetteer: tuple[Path, ...],
    date: str | None,
    batch_size: int,
    jobs: int | None,
    resume: bool,
    allow_outside: bool,
    quiet: bool,
    engine: str,
    scheduler: str | None,
    max_chars: int,
):
    """Segment articles into claims and write one JSON record per claim.

    INPUT is a text file (doc_id = file stem), a folder (every *.txt below), or a JSONL
    file whose lines hold doc_id and text or path, with optional title, author and
    focal_actors (a gold folder's documents.jsonl works). A path must lie below the JSONL
    file's folder unless --allow-outside-paths. Without --focal, a line's
    focal_actors are used, else the two states most mentioned at the top of the article.
    A document's date is its line's date (or meta.date), else --date, else a dateline or
    estimate number at the top of the text; records name it in provenance.date.

    Documents stream through the pipeline; with -o, records go to OUT.partial as each
    document finishes and OUT appears when the run completes. An interrupted run is
    completed by running the same command with --resume. Failed documents are listed
    in OUT.errors.jsonl; the others' records are written, and the exit code is 2.

    \b
    Examples:
      claims run seeds/kozak-strategic-convergence-russia-iran.txt --focal RUS,IRN
      claims run annotations/documents.jsonl -o out/claims.jsonl --allow-outside-paths
      claims run corpus/ -o out/corpus.jsonl --jobs 2 --resume
      claims run corpus/ -o out/corpus.jsonl --engine dask --scheduler tcp://10.0.0.5:8786
      claims run corpus/ --config my.cfg --gazetteer extra.toml
      claims run estimates/ --date 1962 -o out/estimates.jsonl
    """
    from .api import parse_date
    from .corpus.inputs import parse_focal
    from .corpus.runs import run_corpus

    date = parse_date(date) if date is not None else None
    use_config(config_file, gazetteer)
    if resume and output == "-":
        raise errors.ClaimsError("--resume needs an output file (-o)")
    if scheduler and engine != "dask":
        raise errors.ClaimsError("--scheduler goes with --engine dask")
    summary = run_corpus(
        inputs,
        output=output,
        focal=parse_focal(focal),
        model=model,
        batch_size=batch_size,
        jobs=jobs,
        resume=resume,
        allow_outside=allow_outside,
        progress=not quiet,
        engine=engine,
        scheduler=scheduler,
        max_chars=max_chars,
        date=date,
        config=config_file,
        gazetteer=gazetteer,
    )
    if summary.produced:
        click.echo(summary.line(), err=True)
    failure = summary.closing_error()
    if failure is not None:
        raise failure


def sources_and_records(inputs, records_file, model, focal, allow_outside=False, nlp=None):
    """Documents of INPUT and their claim records (from --records, or by running ``nlp``,
    by default ``model``'s default pipeline)."""
    from .corpus.inputs import Failure, iter_documents, parse_focal
    from .corpus.runner import Runner
    from .export.tables import load_records

    sources = []
    for item in iter_documents(inputs, allow_outside):
        if isinstance(item, Failure):
            raise errors.ClaimsError(item.error)
        sources.append(item)
    if not sources:
        raise errors.ClaimsError("no documents in the input")
    by_doc: dict[str, list] = {s.doc_id: [] for s in sources}
    if records_file is not None:
        by_sha = {s.sha256: s.doc_id for s in sources}
        for record in load_records(records_file):
            doc_id = (
                record.doc_id
                if record.doc_id in by_doc
                else by_sha.get(record.provenance.doc_sha256)
            )
            if doc_id is not None:  # same doc_id, or the same text under another name
                by_doc[doc_id].append(record.model_copy(update={"doc_id": doc_id}))
        return sources, by_doc
    runner = Runner(model, parse_focal(focal), nlp=nlp)
    for item, records in runner.run(sources):
        if isinstance(item, Failure):
            raise errors.ClaimsError(item.error)
        by_doc[item.doc_id] = records
    return sources, by_doc


REVIEW_INPUT = click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
RECORDS_OPTION = click.option(
    "--records",
    "records_file",
    type=click.Path(path_type=Path),
    help="Use these claim records (from claims run) instead of running the pipeline.",
)


@main.command()
@REVIEW_INPUT
@click.option(
    "--gold", "gold_dir", type=click.Path(path_type=Path), help="Gold folder to compare with."
)
@RECORDS_OPTION
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("out/report.html"),
    show_default=True,
    help="The HTML report to write.",
)
@MODEL_OPTION
@FOCAL_OPTION
@ALLOW_OUTSIDE_OPTION
def review(inputs, gold_dir, records_file, output, model, focal, allow_outside):
    """Write a self-contained HTML report of the pipeline's annotations of INPUT.

    INPUT is what claims run takes. With --gold, each document is matched to the gold
    document with the same text (sha256) or doc_id; the report shows the evaluation
    scores and, per claim, what differs from gold.

    \b
    Examples:
      claims review annotations/documents.jsonl --gold annotations --allow-outside-paths
      claims review seeds/ --records out/claims.jsonl -o out/report.html
    """
    from .evaluation.gold import load_gold
    from .io import check_output, write_text_atomic
    from .review.report import build_report, gold_matches

    check_output(output)  # before any work: a folder, link, FIFO or device is refused
    sources, records = sources_and_records(inputs, records_file, model, focal, allow_outside)
    gold = load_gold(gold_dir) if gold_dir else None
    html = build_report(sources, records, gold)
    if output.exists():
        click.echo(errors.OVERWRITING.format(path=output), err=True)
    write_text_atomic(output, html)
    click.echo(f"wrote {output}")
    if gold is not None:
        matched = gold_matches(sources, gold)
        for source in sources:
            if source.doc_id not in matched:
                click.echo(
                    f"{source.doc_id}: {errors.NO_GOLD_FOR_DOCUMENT} in {gold_dir}", err=True
                )


@main.command()
@REVIEW_INPUT
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Gold folder the decisions are saved into (created if missing).",
)
@RECORDS_OPTION
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port on 127.0.0.1 (default: a free one).",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option("--verbose", is_flag=True, help="Log every request (default: server errors only).")
@click.option(
    "--order",
    type=click.Choice(["text", "uncertainty"]),
    default="text",
    show_default=True,
    help="Claim order: the text's, or the trained models' least sure first.",
)
@MODEL_OPTION
@CONFIG_OPTION
@GAZETTEER_OPTION
@FOCAL_OPTION
@ALLOW_OUTSIDE_OPTION
def annotate(
    inputs, gold_dir, records_file, port, no_browser, verbose, order, model, config_file,
    gazetteer, focal, allow_outside,
):  # fmt: skip
    """Step through the pipeline's claims in a local web app and correct them into gold.

    Every decision (accept, reject, edit, a claim added from a text selection) is saved
    at once into the gold folder; restarting resumes where you stopped. The app listens
    on 127.0.0.1 only.

    \b
    Examples:
      claims annotate seeds/kozak-strategic-convergence-russia-iran.txt --gold my-gold
      claims annotate annotations/documents.jsonl --gold reviewer2 --allow-outside-paths
      claims annotate corpus/ --gold reviewed --order uncertainty   # least sure first
    """
    import webbrowser

    from .corpus.inputs import parse_focal
    from .nlp import build_nlp
    from .review.app import create_app, model_sureness
    from .review.server import free_port, serve
    from .review.store import Store, focal_pairs

    use_config(config_file, gazetteer)
    custom = config_file is not None or bool(gazetteer)
    nlp = build_nlp(model, config_file, tuple(str(g) for g in gazetteer)) if custom else None
    sources, by_doc = sources_and_records(inputs, records_file, model, focal, allow_outside, nlp)
    records = [r for rs in by_doc.values() for r in rs]
    if order == "uncertainty" and not any(model_sureness(r) is not None for r in records):
        raise errors.ClaimsError(errors.NO_MODEL_ORDER)
    pairs = focal_pairs(sources, records, parse_focal(focal))
    store = Store(gold_dir, sources, pairs)
    port = port or free_port()
    app = create_app(sources, records, store, port, model=model, focal=pairs, order=order, nlp=nlp)
    url = f"http://127.0.0.1:{port}/"
    documents = errors.count(len(sources), "document")

    def ready() -> None:  # the port is ours: announce it, open the page
        click.echo(f"reviewing {documents} at {url} (Ctrl-C to stop); saving into {gold_dir}")
        if not no_browser:
            webbrowser.open(url)

    serve(app, port, verbose=verbose, on_ready=ready)


@main.command("export")
@click.argument("records_file", metavar="RECORDS.jsonl", type=click.Path(path_type=Path))
@click.option(
    "--to",
    "dest",
    required=True,
    type=click.Path(path_type=Path),
    help="DIR.parquet or DIR.csv (tables), FILE.duckdb, FILE.graphml or FILE.json (network).",
)
def export_command(records_file: Path, dest: Path) -> None:
    """Export claim records as tidy tables, a DuckDB database or the actor network.

    The destination's name picks the format. Tables (claims, claim_actors, claim_regions,
    region_parents, relations, mentions) join on claim_id; the DuckDB file also has the
    views claims_wide (one row per claim, with actor and region lists), relation_facts (one
    row per relation) and claim_facts (one row per claim, actor, region and relation
    combination: count claims in it with count(DISTINCT claim_id)). An existing DEST of
    the wrong kind is refused, never deleted.

    \b
    Examples:
      claims export out/claims.jsonl --to out/claims.parquet
      claims export out/claims.jsonl --to out/claims.duckdb
      claims export out/claims.jsonl --to out/network.graphml
    """
    from .export.tables import export, load_records

    records = load_records(records_file)
    kind = export(records, dest)
    click.echo(f"wrote {dest} ({kind}, {errors.count(len(records), 'claim')})")


@main.command()
@click.argument("records_file", metavar="RECORDS.jsonl", type=click.Path(path_type=Path))
@click.option(
    "--by",
    type=click.Choice(["actor", "region", "section"]),
    default="actor",
    show_default=True,
    help="Grouping of the stance table.",
)
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write PNG figures (network, stance by section, certainty) here.",
)
@click.option(
    "--top", default=15, show_default=True, type=click.IntRange(1), help="Rows per table."
)
def summary(records_file: Path, by: str, plot_dir: Path | None, top: int) -> None:
    """Summarise claim records: stance per actor, region or section; certainty; relations.

    \b
    Examples:
      claims summary out/claims.jsonl
      claims summary out/claims.jsonl --by section --plot out/figures
    """
    from .export.summary import plot_all, render
    from .export.tables import load_records

    records = load_records(records_file)
    click.echo(render(records, by=by, top=top))
    if plot_dir is not None:
        for path in plot_all(records, plot_dir):
            click.echo(f"wrote {path}")


@main.command("config")
def config_command() -> None:
    """Print the default pipeline config (spaCy's format): model, components in order, their
    settings, lexicon files and gazetteer extension. Edit a copy, pass it with --config.

    \b
    Example:
      claims config > my.cfg && claims run seeds/ --config my.cfg
    """
    from .nlp import CONFIG

    click.echo(CONFIG.read_text(encoding="utf-8"), nl=False)


@main.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@CONFIG_OPTION
@GAZETTEER_OPTION
@MODEL_OPTION
@click.option("--name", default="claims", show_default=True, help="Package name (after en_).")
@click.option("--version", "version", default=__version__, show_default=True)
@click.option("--wheel", is_flag=True, help="Also build a wheel (needs the `wheel` package).")
def package(out, config_file, gazetteer, model, name, version, wheel) -> None:
    """Save the pipeline (OUT/pipeline) and make it an installable package with `spacy
    package` (OUT/en_NAME-VERSION/dist/*.tar.gz). The package holds the lexicons and the
    gazetteer extension; it requires the claims package, which has the components' code.

    \b
    Example:
      claims package dist/ --gazetteer extra.toml
      pip install dist/en_claims-0.1.0/dist/en_claims-0.1.0.tar.gz
      python -c "import spacy; nlp = spacy.load('en_claims')"
    """
    from .api import check_package_options, load, save_package

    check_package_options(name, wheel)  # before the pipeline loads
    nlp = load(config_file, model=model, gazetteer=gazetteer)
    for path in save_package(nlp, out, name=name, version=version, wheel=wheel):
        click.echo(str(path))


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder to write the JSON Schema files into.",
)
def schema(out: Path) -> None:
    """Write the JSON Schema of every record type (gold documents, gold claims, claim records).

    \b
    Example:
      claims schema --out schemas
    """
    from .models import write_schemas

    for path in write_schemas(out):
        click.echo(str(path))


@main.command()
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Gold folder holding documents.jsonl and claims.jsonl.",
)
@click.option(
    "--pred",
    type=click.Path(path_type=Path),
    help="Predicted claims (JSONL: claim records or gold-format lines). "
    "Without it, the pipeline runs on the gold documents.",
)
@click.option("--model", default=None, help="spaCy model to run when --pred is absent.")
@CONFIG_OPTION
@GAZETTEER_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@click.option("--diff", is_flag=True, help="Also list every missed, extra and wrong claim.")
def evaluate(
    gold_dir: Path,
    pred: Path | None,
    model: str | None,
    config_file: Path | None,
    gazetteer: tuple[Path, ...],
    as_json: bool,
    diff: bool,
):
    """Score predicted claims against a hand-annotated gold set.

    \b
    Examples:
      claims evaluate --gold annotations                      # runs the pipeline
      claims evaluate --gold annotations --pred out/claims.jsonl --json
      claims evaluate --gold annotations --pred out/claims.jsonl --diff
      claims evaluate --gold annotations --config my.cfg
    """
    from .components.base import gazetteer_of
    from .evaluation.gold import load_gold
    from .evaluation.scoring import differences, evaluate, load_predictions
    from .nlp import command_nlp, gazetteer_for

    use_config(config_file, gazetteer)
    gold = load_gold(gold_dir)
    if not gold.claims:
        raise errors.ClaimsError(errors.EMPTY_GOLD, gold_dir)
    if pred is not None:
        predictions = load_predictions(pred, gold)
        for warning in predictions.warnings():
            click.echo(warning, err=True)
        views = predictions.views
        gaz = gazetteer_for(config_file, tuple(str(g) for g in gazetteer))
    else:
        from .corpus.runner import predict_gold

        nlp = command_nlp(model, config_file, gazetteer)
        views, gaz = predict_gold(gold, nlp=nlp), gazetteer_of(nlp)
    report = evaluate(gold, views, gaz)
    emit(report, differences(gold, views) if diff else None, as_json)


@main.command()
@click.option(
    "--gold",
    "gold_dirs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Gold folder to learn from (repeatable): the project's or a reviewer's.",
)
@click.option(
    "--split",
    "split_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A split.json: its test documents are left out (never trained on).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for the trained pipeline (a new path, or one claims train wrote).",
)
@CONFIG_OPTION
@GAZETTEER_OPTION
@MODEL_OPTION
@click.option("--folds", type=click.IntRange(2), help="Cross-validation folds (default: config).")
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes for the one pass of the frozen components over the gold.",
)
def train(gold_dirs, split_file, output, config_file, gazetteer, model, folds, jobs) -> None:
    """Train the pipeline's trained components (actors, stance, relations) on gold folders,
    with cross-validated scores, and save the pipeline to OUTPUT (`claims run --config
    OUTPUT`, `pipeline.load(OUTPUT)`, `spacy.load(OUTPUT)` use it).

    \b
    Examples:
      claims train --gold annotations/train --gold annotations/dev \\
                   --split annotations/split.json -o out/model
      claims train --gold my-reviewed-gold -o out/my-model
      claims run corpus/ --config out/model -o out/claims.jsonl
    """
    from .training.train import Settings, check_output, corpus, save
    from .training.train import train as train_stages

    check_output(output)
    use_config(config_file, gazetteer)
    from .api import load

    nlp = load(config_file, model=model, gazetteer=gazetteer)
    settings = Settings.from_config(nlp.config)
    if folds:
        settings.folds = folds
    data = corpus(nlp, gold_dirs, split_file)
    log = lambda message: click.echo(message, err=True)  # noqa: E731
    log(f"{len(data.used)} documents to learn from; {len(data.left_out)} left out (test)")
    reports = train_stages(nlp, data.examples, settings, log=log, n_process=jobs)
    save(nlp, output, reports, data, settings)
    for report in reports:
        click.echo(training_line(report))
    click.echo(f"saved {output}")


STAGE_FIGURES = {
    "claims_actor_model": ("actors_p", "actors_r", "actors_f"),
    "claims_stance_model": ("stance_acc", "stance_macro_f1", "stance_kappa"),
    "claims_relation_model": ("relations_p", "relations_r", "relations_f"),
}


def training_line(report) -> str:
    """One line of a stage's cross-validated figures (those of what it decides)."""
    from .evaluation.quality import fmt

    keys = [k for name in report.components for k in STAGE_FIGURES.get(name, ())]
    figures = ", ".join(f"{k} {fmt(report.cv_flat.get(k))}" for k in keys)
    return f"{'+'.join(report.components)} (cross-validated, {report.steps} steps): {figures}"


@main.command()
@click.argument("dir_a", type=click.Path(path_type=Path))
@click.argument("dir_b", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@click.option("--diff", is_flag=True, help="Also list every claim the two annotators differ on.")
def agree(dir_a: Path, dir_b: Path, as_json: bool, diff: bool) -> None:
    """Inter-annotator agreement of two gold folders (B scored against A).

    Documents are paired by doc_id or by text hash. F1 and kappa are symmetric; P and R
    swap if the folders are swapped.

    \b
    Example:
      claims agree annotations reviewer2/
    """
    from .evaluation.gold import load_gold
    from .evaluation.scoring import ClaimView, differences, documents_in_common, evaluate
    from .gazetteer import load_gazetteer

    gold_a, gold_b = load_gold(dir_a), load_gold(dir_b)
    mapping = documents_in_common(gold_a, gold_b)
    views = [
        ClaimView.from_gold(c.model_copy(update={"doc_id": mapping[c.doc_id]}))
        for c in gold_b.claims
        if c.doc_id in mapping
    ]
    gold_a.documents = {k: v for k, v in gold_a.documents.items() if k in mapping.values()}
    gold_a.claims = [c for c in gold_a.claims if c.doc_id in gold_a.documents]
    report = evaluate(gold_a, views, load_gazetteer())
    emit(report, differences(gold_a, views) if diff else None, as_json)


@main.command()
@click.argument("drafts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Gold folder whose documents.jsonl lists the drafts' documents.",
)
@click.option(
    "--omit-text",
    is_flag=True,
    help="Leave claim text out of claims.jsonl (for texts the project must not copy).",
)
def locate(drafts: tuple[Path, ...], gold_dir: Path, omit_text: bool) -> None:
    """Turn draft annotations into gold claims: find each claim's text in its document.

    A draft is a JSONL file of one document's claims in text order, in the gold format but
    with start and end left out. Each claim's offsets are found from the end of the one
    before; the document's claims in GOLD/claims.jsonl are replaced, and the folder is
    checked by loading it.

    \b
    Example:
      claims locate drafts/factbook-ir.jsonl --gold annotations/dev --omit-text
    """
    from .evaluation.gold import load_documents, load_gold, locate, merge_claims
    from .io import iter_jsonl

    _, texts = load_documents(gold_dir)
    for draft in drafts:
        doc_ids = {obj.get("doc_id") for _, obj in iter_jsonl(draft)}
        if len(doc_ids) != 1 or not doc_ids <= texts.keys():
            raise errors.ClaimsError(
                errors.DRAFT_DOCUMENT.format(ids=sorted(map(str, doc_ids))), draft
            )
        (doc_id,) = doc_ids
        claims = locate(draft, texts[doc_id], omit_text=omit_text)
        merge_claims(gold_dir, doc_id, claims)
        click.echo(f"{draft}: {errors.count(len(claims), 'claim')} of {doc_id}")
    load_gold(gold_dir)


def emit(report: dict, diff_rows: list[dict] | None, as_json: bool) -> None:
    """Print a report (and differences) as tables or as one JSON object."""
    from .evaluation.render import render_diff, render_scores

    if as_json:
        if diff_rows is not None:
            report = {**report, "diff": diff_rows}
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(render_scores(report))
    if diff_rows is not None:
        click.echo("")
        click.echo(render_diff(diff_rows))


def entry() -> None:
    """The ``claims`` command: :func:`main`, then a quick exit.

    Freeing a built pipeline's objects one by one when the interpreter shuts down is time
    spent for nothing (it took about a second while the gazetteer was held as Python
    objects). The command has closed its files by then, so it flushes the standard streams,
    runs the ``atexit`` handlers (Dask, multiprocessing) and leaves without that teardown.
    """
    import atexit
    import os
    import sys

    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (claims run ... | head)
            code = code or 1
    os._exit(code)


if __name__ == "__main__":
    entry()
