"""The Dask engine: the same pipeline on a cluster (``claims run --engine dask``).

Documents are read lazily in the driver and sent as bags of partitions, at most
``window_partitions`` partitions in flight and topped up as they complete, so memory stays
bounded and no worker idles at the end of a window. Each worker loads the model once
(``shared_nlp`` is cached per process) and returns the records of its partition; records
are yielded as partitions complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import count, islice

from .documents import SourceDocument
from .run import Failure, Runner

PARTITION_DOCS = 16


def process_partition(
    sources: list[tuple[int, dict]], model: str | None, focal: list[str]
) -> list[tuple[int, list[str], str | None]]:
    """On a worker: (sequence number, record JSON lines, error) for each (number, document
    fields) of a partition; records are built (and so validated) here, as in ``--jobs``."""
    runner = Runner(model, focal)
    numbers = [number for number, _ in sources]
    docs = [SourceDocument(**fields) for _, fields in sources]
    out = []
    for number, (item, lines) in zip(numbers, runner.run_json(docs), strict=True):
        if isinstance(item, Failure):
            out.append((number, [], item.error))
        else:
            out.append((number, lines, None))
    return out


def run_dask(
    items: Iterable[SourceDocument | Failure],
    *,
    model: str | None,
    focal: list[str],
    scheduler: str | None,
    workers: int = 2,
    window_partitions: int = 8,
) -> Iterator[tuple[SourceDocument | Failure, list[str]]]:
    """Yield (document or failure, record JSON lines) as the cluster completes partitions."""
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
        sources: dict[int, SourceDocument] = {}  # in flight, by sequence number
        numbers = count()
        running = as_completed()
        refill = max(1, window_partitions // 2)
        exhausted = False
        while True:
            # Keep the cluster busy: top up with a new bag whenever half the window is done.
            while not exhausted and running.count() <= window_partitions - refill:
                window = list(islice(stream, PARTITION_DOCS * refill))
                exhausted = not window
                batch = []
                for item in window:
                    if isinstance(item, Failure):
                        yield item, []
                    else:
                        number = next(numbers)
                        sources[number] = item
                        batch.append((number, vars(item).copy()))
                if batch:
                    bag = db.from_sequence(batch, partition_size=PARTITION_DOCS)
                    parts = bag.map_partitions(process_partition, model, focal).to_delayed()
                    running.update(client.compute(parts))
            if running.is_empty():
                break
            for number, records, error in next(running).result():
                item = sources.pop(number)
                if error:
                    yield Failure(item.source, item.doc_id, error), []
                else:
                    yield item, records
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
