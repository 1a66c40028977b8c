"""The Dask engine: the same pipeline on a cluster (``claims run --engine dask``).

Documents are read lazily in the driver and sent in windows of bag partitions, so memory
stays bounded; each worker loads the model once (``shared_nlp`` is cached per process) and
returns the records of its partition; records are yielded as partitions complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from .documents import SourceDocument
from .records import ClaimRecord
from .run import Failure, Runner

PARTITION_DOCS = 16


def process_partition(sources: list[dict], model: str | None, focal: list[str]) -> list[tuple]:
    """On a worker: (source dict, record dicts, error) for each document of a partition."""
    runner = Runner(model, focal)
    docs = [SourceDocument(**s) for s in sources]
    out = []
    for item, records in runner.run(docs):
        if isinstance(item, Failure):
            out.append((item.source, item.doc_id, [], item.error))
        else:
            out.append(
                (item.source, item.doc_id, [r.model_dump(mode="json") for r in records], None)
            )
    return out


def run_dask(
    items: Iterable[SourceDocument | Failure],
    *,
    model: str | None,
    focal: list[str],
    scheduler: str | None,
    workers: int = 2,
    window_partitions: int = 8,
) -> Iterator[tuple[SourceDocument | Failure, list[ClaimRecord]]]:
    """Yield (document or failure, records) as the cluster completes partitions."""
    import dask.bag as db
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        stream = iter(items)
        while True:
            window = list(islice(stream, PARTITION_DOCS * window_partitions))
            if not window:
                break
            sources = {}
            batch = []
            for item in window:
                if isinstance(item, Failure):
                    yield item, []
                else:
                    sources[(item.source, item.doc_id)] = item
                    batch.append(vars(item).copy())
            if not batch:
                continue
            bag = db.from_sequence(batch, partition_size=PARTITION_DOCS)
            parts = bag.map_partitions(process_partition, model, focal).to_delayed()
            for future in as_completed(client.compute(parts)):
                for source, doc_id, records, error in future.result():
                    item = sources[(source, doc_id)]
                    if error:
                        yield Failure(source, doc_id, error), []
                    else:
                        yield item, [ClaimRecord.model_validate(r) for r in records]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
