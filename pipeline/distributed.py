"""The Dask engine: the same pipeline on a cluster (``claims run --engine dask``).

Documents are read lazily in the driver and sent in partitions, at most
``window_partitions`` partitions in flight and topped up as they complete, so memory stays
bounded and no worker idles at the end of a window. Each worker loads the model once
(``shared_nlp`` is cached per process) and returns the records of its partition; records
are yielded as partitions complete. One document's failure fails that document only (the
worker's runner retries it alone); a partition the cluster gives up on (its worker died
too often: ``KilledWorker``) fails its documents, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import count, islice

from . import errors
from .documents import MAX_CHARS, SourceDocument
from .run import Failure, Runner, describe

PARTITION_DOCS = 16


def process_partition(
    sources: list[tuple[int, dict]],
    model: str | None,
    focal: list[str],
    max_chars: int = MAX_CHARS,
) -> list[tuple[int, list[str], str | None]]:
    """On a worker: (sequence number, record JSON lines, error) for each (number, document
    fields) of a partition; records are built (and so validated) here, as in ``--jobs``."""
    runner = Runner(model, focal, max_chars=max_chars)
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
    max_chars: int = MAX_CHARS,
) -> Iterator[tuple[SourceDocument | Failure, list[str]]]:
    """Yield (document or failure, record JSON lines) as the cluster completes partitions."""
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
        running = as_completed()
        parts: dict = {}  # future -> its documents, by sequence number
        refill = max(1, window_partitions // 2)
        numbers = count()
        exhausted = False
        while True:
            # Keep the cluster busy: top up whenever half the window is done.
            while not exhausted and running.count() <= window_partitions - refill:
                window = list(islice(stream, PARTITION_DOCS * refill))
                exhausted = not window
                for item in window:
                    if isinstance(item, Failure):
                        yield item, []
                sources = [(next(numbers), i) for i in window if not isinstance(i, Failure)]
                for start in range(0, len(sources), PARTITION_DOCS):
                    part = dict(sources[start : start + PARTITION_DOCS])
                    fields = [(n, vars(doc).copy()) for n, doc in part.items()]
                    future = client.submit(
                        process_partition, fields, model, focal, max_chars, pure=False
                    )
                    parts[future] = part
                    running.add(future)
            if running.is_empty():
                break
            future = next(running)
            yield from partition_results(future, parts.pop(future))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def partition_results(future, part: dict[int, SourceDocument]) -> Iterator[tuple]:
    """(document or failure, records) for each document of a completed partition; every
    document of a partition that failed as a whole (``KilledWorker``) is a failure."""
    try:
        results = future.result()
    except Exception as exc:  # the cluster gave up on the partition
        detail = errors.WORKER_DIED.format(detail=describe("dask", exc))
        for item in part.values():
            yield Failure(item.source, item.doc_id, f"{item.source}: {detail}"), []
        return
    for number, records, error in results:
        item = part[number]
        yield (Failure(item.source, item.doc_id, error), []) if error else (item, records)
