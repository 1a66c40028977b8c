"""Claim records as tidy tables (Parquet, CSV, DuckDB) and as a signed actor network.

Tables, joinable on ``claim_id``:

- ``claims``: one row per claim, scalar fields, stance and certainty labels, ICD 203 band,
  source (kind, actor, its type and home state, cue) and time (relative, start, end, cue),
  the document's date and where it comes from
- ``claim_actors``: one row per (claim, actor), with type, name, home state
- ``claim_regions``: one row per (claim, region), with type, name and parent regions
- ``region_parents``: one row per (region, parent), for roll-up joins
- ``relations``: one row per relation, with its cue
- ``mentions``: one row per actor, region or candidate mention

The DuckDB file also has views: ``claims_wide`` (one row per claim, with its actor, state
and region IDs as lists), ``relation_facts`` (one row per relation, with its claim's labels
and both actors), ``claim_facts`` (one row per (claim, actor, region, relation)
combination: count claims in it with ``count(DISTINCT claim_id)``) and ``claim_years`` (one
row per claim with its year: the year its content holds, else the document's).

The network: nodes are actors (type, name, home state), edges ``source -> target`` carry
counts of cooperative and hostile relations and the claim ids behind them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .. import errors
from ..io import iter_jsonl, parse
from ..models import ClaimRecord

TABLES = ("claims", "claim_actors", "claim_regions", "region_parents", "relations", "mentions")
VIEWS = ("claims_wide", "relation_facts", "claim_facts", "claim_years")
FOLDER_KINDS = ("parquet", "csv")
FILE_KINDS = ("duckdb", "graphml", "json")


def load_records(path: str | Path) -> list[ClaimRecord]:
    """Claim records from a JSONL file; a broken line names file and line."""
    return [parse(ClaimRecord, obj, path, line) for line, obj in iter_jsonl(path)]


def schemas():
    """The pyarrow schema of every table: typed columns, nullable where the record is."""
    import pyarrow as pa

    s, i32, f64 = pa.string(), pa.int32(), pa.float64()
    return {
        "claims": pa.schema(
            [
                ("claim_id", s), ("doc_id", s), ("start", i32), ("end", i32), ("text", s),
                ("section", s), ("sentence_index", i32), ("stance", s), ("focal", s),
                ("certainty", s), ("probability_term", s), ("probability_low", f64),
                ("probability_high", f64), ("n_actors", i32), ("n_regions", i32),
                ("n_relations", i32), ("source_kind", s), ("source_actor", s),
                ("source_type", s), ("source_country", s), ("source_cue", s),
                ("time_relative", s), ("time_start", s), ("time_end", s), ("time_cue", s),
                ("doc_date", s), ("doc_date_source", s), ("doc_sha256", s),
                ("pipeline_version", s), ("model_name", s), ("model_version", s),
            ]
        ),
        "claim_actors": pa.schema(
            [("claim_id", s), ("actor_id", s), ("actor_type", s), ("name", s),
             ("country", s), ("n_mentions", i32)]
        ),
        "claim_regions": pa.schema(
            [("claim_id", s), ("region_id", s), ("region_type", s), ("name", s),
             ("parents", s), ("n_mentions", i32)]
        ),
        "region_parents": pa.schema([("region_id", s), ("parent_id", s)]),
        "relations": pa.schema(
            [("claim_id", s), ("source", s), ("target", s), ("polarity", s),
             ("cue_start", i32), ("cue_end", i32), ("cue_text", s)]
        ),
        "mentions": pa.schema(
            [("claim_id", s), ("kind", s), ("entity_id", s), ("start", i32), ("end", i32),
             ("text", s), ("resolved_by", s), ("label", s)]
        ),
    }  # fmt: skip


def rows(records: Iterable[ClaimRecord]) -> dict[str, list[dict]]:
    """Records flattened into the rows of every table."""
    out: dict[str, list[dict]] = {name: [] for name in TABLES}
    parents: set[tuple[str, str]] = set()
    for r in records:
        band = r.certainty.probability
        out["claims"].append(
            {
                "claim_id": r.claim_id, "doc_id": r.doc_id, "start": r.start, "end": r.end,
                "text": r.text, "section": r.section, "sentence_index": r.sentence_index,
                "stance": r.stance.label, "focal": " ".join(r.stance.focal) or None,
                "certainty": r.certainty.label,
                "probability_term": band.term if band else None,
                "probability_low": band.low if band else None,
                "probability_high": band.high if band else None,
                "n_actors": len(r.actors), "n_regions": len(r.regions),
                "n_relations": len(r.relations),
                **source_time_columns(r),
                **r.provenance.model_dump(exclude={"doc_sha256", "date", "date_source"}),
                "doc_sha256": r.provenance.doc_sha256,
            }
        )  # fmt: skip
        for a in r.actors:
            out["claim_actors"].append(
                {"claim_id": r.claim_id, "actor_id": a.id, "actor_type": a.type,
                 "name": a.name, "country": a.country, "n_mentions": len(a.mentions)}
            )  # fmt: skip
            for m in a.mentions:
                out["mentions"].append(mention_row(r.claim_id, "actor", a.id, m, m.resolved_by))
        for g in r.regions:
            out["claim_regions"].append(
                {"claim_id": r.claim_id, "region_id": g.id, "region_type": g.type,
                 "name": g.name, "parents": " ".join(g.parents) or None,
                 "n_mentions": len(g.mentions)}
            )  # fmt: skip
            parents.update((g.id, p) for p in g.parents)
            for m in g.mentions:
                out["mentions"].append(mention_row(r.claim_id, "region", g.id, m, m.resolved_by))
        for c in r.candidates:
            out["mentions"].append(mention_row(r.claim_id, "candidate", None, c, None, c.label))
        for rel in r.relations:
            out["relations"].append(
                {"claim_id": r.claim_id, "source": rel.source, "target": rel.target,
                 "polarity": rel.polarity, "cue_start": rel.cue.start, "cue_end": rel.cue.end,
                 "cue_text": rel.cue.text}
            )  # fmt: skip
    out["region_parents"] = [{"region_id": a, "parent_id": b} for a, b in sorted(parents)]
    return out


def source_time_columns(r: ClaimRecord) -> dict:
    """The claims table's source, time and document-date columns of a record (the source
    actor's type and home state from the claim's own actors, else the gazetteer)."""
    source, time = r.source, r.time
    actor = source.actor if source else None
    found = next((a for a in r.actors if a.id == actor), None)
    if actor and found is None:
        from ..gazetteer import load_gazetteer

        gaz = load_gazetteer()
        kind, country = gaz.actor_kind(actor), gaz.home_state(actor)
    else:
        kind, country = (found.type, found.country) if found else (None, None)
    return {
        "source_kind": source.kind if source else None,
        "source_actor": actor,
        "source_type": kind,
        "source_country": country,
        "source_cue": source.cue.text if source and source.cue else None,
        "time_relative": time.relative if time else None,
        "time_start": time.start if time else None,
        "time_end": time.end if time else None,
        "time_cue": time.cue.text if time and time.cue else None,
        "doc_date": r.provenance.date,
        "doc_date_source": r.provenance.date_source,
    }


def mention_row(claim_id, kind, entity_id, span, resolved_by, label=None) -> dict:
    return {
        "claim_id": claim_id, "kind": kind, "entity_id": entity_id, "start": span.start,
        "end": span.end, "text": span.text, "resolved_by": resolved_by, "label": label,
    }  # fmt: skip


def tables(records: Iterable[ClaimRecord]):
    """Every table as a typed ``pyarrow.Table`` (empty tables keep their schema)."""
    import pyarrow as pa

    data = rows(records)
    return {
        name: pa.Table.from_pylist(data[name], schema=schema) for name, schema in schemas().items()
    }


def graph(records: Iterable[ClaimRecord]):
    """The signed actor network: a ``networkx.DiGraph`` with one edge per ordered pair."""
    import networkx as nx

    g = nx.DiGraph()
    for r in records:
        actors = {a.id: a for a in r.actors}
        for rel in r.relations:
            for actor_id in (rel.source, rel.target):
                a = actors.get(actor_id)
                if a is not None and actor_id not in g:
                    g.add_node(actor_id, type=a.type, name=a.name, country=a.country or "")
            if not g.has_edge(rel.source, rel.target):
                g.add_edge(rel.source, rel.target, cooperative=0, hostile=0, claim_ids=[])
            edge = g.edges[rel.source, rel.target]
            edge[rel.polarity] += 1
            if r.claim_id not in edge["claim_ids"]:
                edge["claim_ids"].append(r.claim_id)
    return g


def export(records: list[ClaimRecord], dest: Path) -> str:
    """Write records to ``dest`` in the format its name picks; return the format name.

    A destination of the wrong kind (a folder where a file goes, a file where a folder of
    tables goes, a folder holding anything but an earlier export's tables) is refused, so
    nothing the command did not create is deleted; a destination that cannot be written
    is a one-line error. Temporary folders of killed exports beside ``dest`` are removed.
    """
    dest = Path(dest)
    kind = format_of(dest)
    check_destination(dest, kind)
    try:
        remove_stale(dest, kind)
        write(records, dest, kind)
    except OSError as exc:
        detail = exc.strerror or str(exc)
        raise errors.ClaimsError(errors.DEST_WRITE_FAILED.format(detail=detail), dest) from None
    return "graph" if kind in ("graphml", "json") else kind


def format_of(dest: Path) -> str:
    """The export format a destination's name picks: parquet, csv, duckdb, graphml, json."""
    name = dest.name.lower()
    for kind in FOLDER_KINDS + FILE_KINDS:
        if name.endswith(f".{kind}"):
            return kind
    raise errors.ClaimsError(errors.UNKNOWN_DEST.format(dest=str(dest)))


def write(records: list[ClaimRecord], dest: Path, kind: str) -> None:
    if kind in FOLDER_KINDS:
        with AtomicPath(dest, folder=True) as tmp:
            write_tables(tables(records), tmp, kind)
    elif kind == "duckdb":
        with AtomicPath(dest) as tmp:
            write_duckdb(tables(records), tmp)
    else:
        with AtomicPath(dest) as tmp:
            write_graph(graph(records), tmp, kind)


def own_names(dest: Path, kind: str) -> set[str]:
    """The names an export of ``kind`` puts in its folder (or its temporary folder)."""
    if kind in FOLDER_KINDS:
        return {f"{table}.{kind}" for table in TABLES}
    return {dest.name, f"{dest.name}.wal"}


def check_destination(dest: Path, kind: str) -> None:
    """Refuse a destination of the wrong kind, or one that lies under a file."""
    for parent in dest.parents:
        if parent.exists():
            if not parent.is_dir():
                raise errors.ClaimsError(errors.DEST_UNDER_FILE.format(file=str(parent)), dest)
            break
    if kind not in FOLDER_KINDS:
        if dest.is_dir():
            raise errors.ClaimsError(errors.DEST_IS_FOLDER, dest)
        return
    if dest.exists() and not dest.is_dir():
        raise errors.ClaimsError(errors.DEST_IS_FILE, dest)
    if dest.is_dir():
        foreign = sorted(p.name for p in dest.iterdir() if p.name not in own_names(dest, kind))
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise errors.ClaimsError(errors.DEST_NOT_EXPORT.format(names=shown), dest)


def remove_stale(dest: Path, kind: str) -> None:
    """Remove the temporary folders that killed exports to ``dest`` left beside it: named
    for a process that is no longer running and holding nothing but export files."""
    if not dest.parent.is_dir():
        return
    # ours, and those of earlier versions (no process id): .NAME.k2j3h4g5 and .NAME.old
    pattern = re.compile(
        rf"\.{re.escape(dest.name)}\.(?:(?:export|old)-(\d+)-[\w-]+|[a-z0-9_]{{8}}|old)"
    )
    for path in dest.parent.iterdir():
        match = pattern.fullmatch(path.name)
        if not match or not path.is_dir() or path.is_symlink():
            continue
        if match[1] is not None and alive(int(match[1])):
            continue
        if all(p.name in own_names(dest, kind) and not p.is_dir() for p in path.iterdir()):
            shutil.rmtree(path, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether a process with this id is running (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


# CSV cells a spreadsheet would evaluate as a formula (OWASP, "CSV Injection"): text
# beginning with = + - @, a tab or a carriage return (or their full-width forms) gets a
# leading single quote, so that a spreadsheet takes it as text. Text beginning with a
# single quote gets one too, so reading back strips exactly one (``read_tables``).
FORMULA_START = "^[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20']"
CSV_TEXT_MARK = "'"


def map_text_columns(table, pattern: str, replacement: str):
    """``table`` with the first match of ``pattern`` in every string cell replaced."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = [
        pc.replace_substring_regex(c, pattern, replacement, max_replacements=1)
        if pa.types.is_string(c.type)
        else c
        for c in table.columns
    ]
    return pa.Table.from_arrays(columns, schema=table.schema)


def neutralised(table):
    """The table as CSV shows it safely: formula-like text cells marked as text."""
    return map_text_columns(table, FORMULA_START, CSV_TEXT_MARK + "\\0")


def unneutralised(table):
    """The exact values of a table read back from CSV (the text mark removed)."""
    return map_text_columns(table, "^" + CSV_TEXT_MARK, "")


def write_tables(data, folder: Path, kind: str) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for name, table in data.items():
        if kind == "parquet":
            pq.write_table(table, folder / f"{name}.parquet")
        else:
            # Every value quoted, nulls left bare: so that "" and "NaN" read back as text.
            options = pacsv.WriteOptions(quoting_style="all_valid")
            pacsv.write_csv(neutralised(table), folder / f"{name}.csv", write_options=options)


# The DuckDB views, each with its grain (what one row is):
VIEW_SQL = {
    # one row per claim: the claims table with the claim's actor IDs, their home states
    # and its region IDs as sorted lists ([] when there are none)
    "claims_wide": """
        SELECT c.*,
               coalesce(a.actors, []::VARCHAR[]) AS actors,
               coalesce(a.states, []::VARCHAR[]) AS states,
               coalesce(g.regions, []::VARCHAR[]) AS regions
        FROM claims c
        LEFT JOIN (
            SELECT claim_id, list(actor_id ORDER BY actor_id) AS actors,
                   list(DISTINCT country ORDER BY country)
                       FILTER (WHERE country IS NOT NULL) AS states
            FROM claim_actors GROUP BY claim_id
        ) a USING (claim_id)
        LEFT JOIN (
            SELECT claim_id, list(region_id ORDER BY region_id) AS regions
            FROM claim_regions GROUP BY claim_id
        ) g USING (claim_id)
    """,
    # one row per relation: the relation with its claim's labels and both actors' type
    # and home state
    "relation_facts": """
        SELECT r.claim_id, c.doc_id, c.section, c.stance, c.certainty,
               c.probability_low, c.probability_high,
               r.source, s.actor_type AS source_type, s.country AS source_country,
               r.target, t.actor_type AS target_type, t.country AS target_country,
               r.polarity, r.cue_text
        FROM relations r
        JOIN claims c USING (claim_id)
        LEFT JOIN claim_actors s ON s.claim_id = r.claim_id AND s.actor_id = r.source
        LEFT JOIN claim_actors t ON t.claim_id = r.claim_id AND t.actor_id = r.target
    """,
    # one row per (claim, actor, region, relation) combination of a claim (a claim with
    # no actor, region or relation still has one row): a cross product for filtering;
    # count claims with count(DISTINCT claim_id), never count(*)
    "claim_facts": """
        SELECT c.claim_id, c.doc_id, c.section, c.text, c.stance, c.certainty,
               c.probability_low, c.probability_high,
               a.actor_id, a.actor_type, a.country,
               g.region_id, g.region_type, g.parents,
               r.source, r.target, r.polarity
        FROM claims c
        LEFT JOIN claim_actors a USING (claim_id)
        LEFT JOIN claim_regions g USING (claim_id)
        LEFT JOIN relations r USING (claim_id)
    """,
    # one row per claim: its source and time with the years to group by. time_year is the
    # year its content holds (the start's, else the end's), doc_year the document's; year
    # is time_year, else doc_year (null when neither is known). government: the source is
    # a state, or a person with a home state (an official speaking for it)
    "claim_years": """
        SELECT claim_id, doc_id, text, stance, focal, certainty,
               source_kind, source_actor, source_type, source_country, source_cue,
               source_kind = 'actor' AND (source_type = 'state'
                   OR (source_type = 'person' AND source_country IS NOT NULL)) AS government,
               time_relative, time_start, time_end, doc_date,
               TRY_CAST(substr(coalesce(time_start, time_end), 1, 4) AS INTEGER) AS time_year,
               TRY_CAST(substr(doc_date, 1, 4) AS INTEGER) AS doc_year,
               coalesce(time_year, doc_year) AS year
        FROM claims
    """,
}


def write_duckdb(data, path: Path) -> None:
    import duckdb

    # An older storage format, so DuckDB 1.x clients (and the duckdb CLI) can open the file.
    con = duckdb.connect(str(path), config={"storage_compatibility_version": "v1.1.0"})
    try:
        for name, table in data.items():
            con.register("incoming", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
            con.unregister("incoming")
        for view in VIEWS:
            con.execute(f"CREATE VIEW {view} AS {VIEW_SQL[view]}")
    finally:
        con.close()


def write_graph(g, path: Path, kind: str) -> None:
    import networkx as nx

    if kind == "graphml":
        flat = g.copy()
        for _, _, data in flat.edges(data=True):
            data["claim_ids"] = " ".join(data["claim_ids"])
        nx.write_graphml(flat, path)
    else:
        data = nx.node_link_data(g, edges="edges")
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")


class AtomicPath:
    """A temporary file or folder beside ``dest``, renamed onto it on success.

    The temporary folder is named ``.NAME.export-PID-XXXX`` (and a replaced folder export
    ``.NAME.old-PID-XXXX`` for the moment of the swap), so the next export can tell the
    leftovers of a killed one. On failure the temporary is removed and an existing
    ``dest`` is left as it was.
    """

    def __init__(self, dest: Path, folder: bool = False) -> None:
        self.dest, self.folder = Path(dest), folder

    def __enter__(self) -> Path:
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{self.dest.name}.export-{os.getpid()}-"
        self.tmp = Path(tempfile.mkdtemp(dir=self.dest.parent, prefix=prefix))
        return self.tmp if self.folder else self.tmp / self.dest.name

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None:
                return
            source = self.tmp if self.folder else self.tmp / self.dest.name
            os.chmod(source, 0o755 if self.folder else 0o644)
            if self.folder and self.dest.exists():
                old = self.dest.with_name(
                    f".{self.dest.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
                )
                os.replace(self.dest, old)
                os.replace(source, self.dest)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(source, self.dest)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def read_tables(dest: Path) -> dict:
    """Read an export back as pyarrow tables (for checks and round trips)."""
    name = dest.name.lower()
    if name.endswith(".duckdb"):
        import duckdb

        con = duckdb.connect(str(dest), read_only=True)
        try:
            return {t: con.sql(f"SELECT * FROM {t}").to_arrow_table() for t in TABLES}
        finally:
            con.close()
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out = {}
    for table, schema in schemas().items():
        if name.endswith(".parquet"):
            out[table] = pq.read_table(dest / f"{table}.parquet")
        else:
            options = pacsv.ConvertOptions(
                column_types=schema,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            )
            read = pacsv.read_csv(dest / f"{table}.csv", convert_options=options)
            out[table] = unneutralised(read)
    return out
