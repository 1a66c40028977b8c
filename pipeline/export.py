"""Claim records as tidy tables (Parquet, CSV, DuckDB) and as a signed actor network.

Tables, joinable on ``claim_id``:

- ``claims``: one row per claim, scalar fields, stance and certainty labels, ICD 203 band
- ``claim_actors``: one row per (claim, actor), with type, name, home state
- ``claim_regions``: one row per (claim, region), with type, name and parent regions
- ``region_parents``: one row per (region, parent), for roll-up joins
- ``relations``: one row per relation, with its cue
- ``mentions``: one row per actor, region or candidate mention

The network: nodes are actors (type, name, home state), edges ``source -> target`` carry
counts of cooperative and hostile relations and the claim ids behind them.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from . import errors
from .io import iter_jsonl, parse
from .records import ClaimRecord

TABLES = ("claims", "claim_actors", "claim_regions", "region_parents", "relations", "mentions")


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
                ("n_relations", i32), ("doc_sha256", s), ("pipeline_version", s),
                ("model_name", s), ("model_version", s),
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
                **r.provenance.model_dump(exclude={"doc_sha256"}),
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
    """Write records to ``dest`` in the format its name picks; return the format name."""
    name = dest.name.lower()
    if name.endswith((".parquet", ".csv")):
        kind = "parquet" if name.endswith(".parquet") else "csv"
        with AtomicPath(dest, folder=True) as tmp:
            write_tables(tables(records), tmp, kind)
        return kind
    if name.endswith(".duckdb"):
        with AtomicPath(dest) as tmp:
            write_duckdb(tables(records), tmp)
        return "duckdb"
    if name.endswith((".graphml", ".json")):
        with AtomicPath(dest) as tmp:
            write_graph(graph(records), tmp, "graphml" if name.endswith(".graphml") else "json")
        return "graph"
    raise errors.ClaimsError(errors.UNKNOWN_DEST.format(dest=str(dest)))


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
            pacsv.write_csv(table, folder / f"{name}.csv", write_options=options)


def write_duckdb(data, path: Path) -> None:
    import duckdb

    # An older storage format, so DuckDB 1.x clients (and the duckdb CLI) can open the file.
    con = duckdb.connect(str(path), config={"storage_compatibility_version": "v1.1.0"})
    try:
        for name, table in data.items():
            con.register("incoming", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
            con.unregister("incoming")
        con.execute(
            """
            CREATE VIEW claim_facts AS
            SELECT c.claim_id, c.doc_id, c.section, c.text, c.stance, c.certainty,
                   c.probability_low, c.probability_high,
                   a.actor_id, a.actor_type, a.country,
                   g.region_id, g.region_type, g.parents,
                   r.source, r.target, r.polarity
            FROM claims c
            LEFT JOIN claim_actors a USING (claim_id)
            LEFT JOIN claim_regions g USING (claim_id)
            LEFT JOIN relations r USING (claim_id)
            """
        )
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

    On failure the temporary is removed and an existing ``dest`` is left as it was.
    """

    def __init__(self, dest: Path, folder: bool = False) -> None:
        self.dest, self.folder = Path(dest), folder

    def __enter__(self) -> Path:
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(dir=self.dest.parent, prefix=f".{self.dest.name}."))
        return self.tmp if self.folder else self.tmp / self.dest.name

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None:
                return
            source = self.tmp if self.folder else self.tmp / self.dest.name
            os.chmod(source, 0o755 if self.folder else 0o644)
            if self.folder and self.dest.exists():
                old = self.dest.with_name(f".{self.dest.name}.old")
                os.replace(self.dest, old)
                os.replace(source, self.dest)
                shutil.rmtree(old, ignore_errors=True)
            else:
                if self.dest.is_dir():
                    shutil.rmtree(self.dest)
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
            out[table] = pacsv.read_csv(dest / f"{table}.csv", convert_options=options)
    return out
