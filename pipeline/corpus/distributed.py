"""The Dask engine: the same pipeline on a cluster (``claims run --engine dask``).

Documents are read lazily in the driver and sent in partitions, at most
``window_partitions`` partitions in flight and topped up as they complete, so memory stays
bounded and no worker idles at the end of a window. Each worker loads the model once
(the default pipeline of ``--model``, or the pipeline the driver saved to a folder for a
run with ``--config``/``--gazetteer``; cached per process) and returns the records of its
partition; records
are yielded as partitions complete. One document's failure fails that document only (the
worker's runner retries it alone); a partition the cluster gives up on (its worker died
too often: ``KilledWorker``) fails its documents, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import count, islice
from typing import Any

from .. import errors
from .documents import MAX_CHARS, SourceDocument
from .runner import CHUNK_CHARS, Failure, Runner, WorkerSpec, describe, one_line, worker_runner

PARTITION_DOCS = 16
HANDSHAKE_SLACK = 2.0  # seconds past Dask's connect timeout for a scheduler to say who it is


def process_partition(
    sources: list[tuple[int, dict]],
    model: str | None,
    focal: list[str],
    max_chars: int = MAX_CHARS,
    date: str | None = None,
    folder: str | None = None,
) -> list[tuple[int, list[str], str | None]]:
    """On a worker: (sequence number, record JSON lines, error) for each (number, document
    fields) of a partition; records are built (and so validated) here, as in ``--jobs``.
    ``folder``: a saved pipeline to run instead of ``model``'s default one."""
    if folder is not None:
        spec = WorkerSpec(folder, tuple(focal), date, max_chars, CHUNK_CHARS)
        runner = worker_runner(spec)
    else:
        runner = Runner(model, focal, max_chars=max_chars, date=date)
    numbers = [number for number, _ in sources]
    docs = [SourceDocument(**fields) for _, fields in sources]
    out = []
    for number, (item, lines) in zip(numbers, runner.run_json(docs), strict=True):
        if isinstance(item, Failure):
            out.append((number, [], item.error))
        else:
            out.append((number, lines, None))
    return out


@dataclass
class Connection:
    """A Dask client, and the LocalCluster it runs on when the run started one."""

    client: Any
    cluster: Any = None

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def connect(scheduler: str | None, workers: int = 2) -> Connection:
    """A client of the scheduler at ``scheduler`` (which must first answer as a Dask
    scheduler), or of a new LocalCluster of ``workers`` processes. An address that is
    malformed, unreachable or not a Dask scheduler is a one-line error."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise errors.ClaimsError(errors.DASK_MISSING) from None
    if not scheduler:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Connection(Client(cluster), cluster)
    check_scheduler(scheduler)
    try:
        return Connection(Client(scheduler))
    except (OSError, ValueError) as exc:  # it went away since the check
        raise scheduler_error(errors.SCHEDULER_UNREACHABLE, scheduler, exc) from None


def check_scheduler(address: str) -> None:
    """Ask ``address`` who it is, within Dask's connect timeout (and a little): Dask's own
    client would wait forever for the handshake of a server that is not Dask."""
    import asyncio

    import dask
    from dask.utils import parse_timedelta
    from distributed.comm import connect as dask_connect

    timeout = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s")

    async def identity():
        comm = await dask_connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        found = asyncio.run(asyncio.wait_for(identity(), timeout + HANDSHAKE_SLACK))
    except ValueError as exc:  # malformed address
        raise scheduler_error(errors.SCHEDULER_ADDRESS, address, exc) from None
    except TimeoutError:
        detail = f"no reply to Dask's handshake within {timeout:g} s"
        raise scheduler_error(errors.SCHEDULER_SILENT, address, detail) from None
    except OSError as exc:  # refused, unreachable, closed
        raise scheduler_error(errors.SCHEDULER_UNREACHABLE, address, exc) from None
    except Exception:  # bytes that are not Dask's (read as an absurd frame length...)
        detail = "its reply is not Dask's handshake"
        raise scheduler_error(errors.SCHEDULER_SILENT, address, detail) from None
    kind = found.get("type") if isinstance(found, dict) else None
    if kind is None:
        detail = "its reply is not Dask's handshake"
        raise scheduler_error(errors.SCHEDULER_SILENT, address, detail)
    if kind != "Scheduler":
        raise scheduler_error(errors.SCHEDULER_KIND, address, kind.lower())


def scheduler_error(template: str, address: str, detail) -> errors.ClaimsError:
    """One line about ``address``; ``detail`` a phrase or the exception behind it."""
    if isinstance(detail, BaseException):
        detail = one_line(str(detail) or type(detail).__name__)
    return errors.ClaimsError(template.format(address=address, detail=detail))


def run_dask(
    items: Iterable[SourceDocument | Failure],
    *,
    model: str | None,
    focal: list[str],
    scheduler: str | None = None,
    connection: Connection | None = None,
    workers: int = 2,
    window_partitions: int = 8,
    max_chars: int = MAX_CHARS,
    date: str | None = None,
    folder: str | None = None,
) -> Iterator[tuple[SourceDocument | Failure, list[str]]]:
    """Yield (document or failure, record JSON lines) as the cluster completes partitions
    (run by ``model``'s default pipeline, or the one saved in ``folder``, a path the
    workers can read).

    Runs on ``connection`` (left open: its owner closes it), else on one made here from
    ``scheduler`` and closed at the end."""
    from dask.distributed import as_completed

    owned = connection is None
    if owned:
        connection = connect(scheduler, workers)
    client = connection.client
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
                        process_partition,
                        fields,
                        model,
                        focal,
                        max_chars,
                        date,
                        folder,
                        pure=False,
                    )
                    parts[future] = part
                    running.add(future)
            if running.is_empty():
                break
            future = next(running)
            yield from partition_results(future, parts.pop(future))
    finally:
        if owned:
            connection.close()


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
