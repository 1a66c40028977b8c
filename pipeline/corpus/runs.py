"""Corpus runs: stream documents through a local or Dask engine into a record sink."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import errors
from .documents import MAX_CHARS, SourceDocument
from .inputs import Failure, iter_documents
from .sink import RecordSink

# Above this input size --jobs defaults to every core: where two forked workers started to
# pay on the 2-core benchmark machine (bench/crossover.md: 1.07x the time at 26 KB, 0.68x at
# 125 KB).
AUTO_PARALLEL_BYTES = 100_000


@dataclass
class Summary:
    """Counts of a finished run, for the closing line and the exit code."""

    documents: int = 0
    claims: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def produced(self) -> bool:
        """Whether the output holds anything: a document done now or in an earlier run."""
        return self.documents > self.failed or self.skipped > 0

    def line(self) -> str:
        done = self.documents - self.failed
        parts = [f"{errors.count(self.claims, 'claim')} from {errors.count(done, 'document')}"]
        if self.skipped:
            parts.append(f"{self.skipped} already complete")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return ", ".join(parts)

    def closing_error(self) -> errors.ClaimsError | None:
        """The error the run ends with: no documents, or some (or all) of them failed."""
        if not self.documents and not self.skipped:
            return errors.ClaimsError(errors.NO_INPUT_DOCUMENTS)
        if self.failed:
            total = self.documents + self.skipped
            return errors.ClaimsError(errors.closing_message(self.failed, total))
        return None


def input_bytes(inputs: Iterable[Path]) -> int:
    """Total size of the input files (folders: their *.txt files), without reading them."""
    total = 0
    for path in inputs:
        try:
            if path.is_dir():
                total += sum(p.stat().st_size for p in path.rglob("*.txt"))
            elif path.exists():
                total += path.stat().st_size
        except OSError:
            continue
    return total


def choose_jobs(inputs: Iterable[Path], jobs: int | None) -> int:
    """The process count: as asked, else every core for large inputs and one for small."""
    if jobs:
        return jobs
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1) if input_bytes(inputs) >= AUTO_PARALLEL_BYTES else 1


def count_documents(inputs: Iterable[Path]) -> int:
    """How many documents the inputs hold (cheap: files and lines), for the progress bar."""
    total = 0
    for path in inputs:
        try:
            if path.is_dir():
                total += sum(1 for _ in path.rglob("*.txt"))
            elif path.suffix == ".jsonl" and path.is_file():
                with open(path, "rb") as handle:  # lines split on b"\n" only, as read
                    total += sum(1 for line in handle if line.strip())
            else:
                total += 1
        except OSError:  # unreadable: one failure when it is read
            total += 1
    return total


def skip_done(items: Iterable, sink: RecordSink, summary: Summary) -> Iterator:
    """The items not already complete in the output (noting each for the sink)."""
    for item in items:
        sha = item.sha256 if isinstance(item, SourceDocument) else None
        if sink.is_done(item.doc_id, sha):
            summary.skipped += 1
            continue
        yield item


def run_corpus(
    inputs: tuple[Path, ...],
    *,
    output: str,
    focal: list[str],
    model: str | None,
    batch_size: int,
    jobs: int | None,
    resume: bool,
    progress: bool,
    allow_outside: bool = False,
    engine: str,
    scheduler: str | None,
    max_chars: int = MAX_CHARS,
    date: str | None = None,
    config: Path | None = None,
    gazetteer: tuple[Path, ...] = (),
) -> Summary:
    """Run the pipeline over every input document and write the records to ``output``.

    ``OUT`` is checked and locked, and a Dask scheduler reached, before the pipeline (of
    ``model``, ``config`` and ``gazetteer``) is built, once, or any file is written; the
    Dask workers of a ``config``/``gazetteer`` run load it from a folder it is saved to."""
    import tempfile

    summary = Summary()
    sink = open_sink(output, resume)
    connection = saved = None
    complete = False
    try:
        if engine == "dask":
            from .distributed import connect, run_dask

            connection = connect(scheduler)
        # The driver of a Dask run of the default pipeline loads it only to record its
        # settings; the pipeline of a config is saved for the workers to load.
        custom = config is not None or bool(gazetteer)
        needed = engine == "local" or sink.path is not None or custom
        runner = make_runner(model, config, gazetteer, focal, max_chars, date) if needed else None
        sink.begin(runner.settings() if runner else None)
        items = skip_done(iter_documents(inputs, allow_outside), sink, summary)
        if connection is not None:
            saved = tempfile.TemporaryDirectory(prefix="claims-pipeline-") if custom else None
            if saved is not None:
                runner.nlp.to_disk(saved.name)
            results = run_dask(
                items,
                model=model,
                focal=focal,
                connection=connection,
                max_chars=max_chars,
                date=date,
                folder=saved.name if saved is not None else None,
            )
        else:
            jobs = choose_jobs(inputs, jobs)
            results = (
                runner.run_parallel(items, batch_size, jobs)
                if jobs > 1
                else runner.run_json(items, batch_size)  # JSON lines as chunks finish: compact
            )
        try:
            write_results(results, sink, summary, make_bar(inputs, progress))
        finally:
            results.close()  # the engine's pool ends here, not at exit
        complete = True
    finally:
        if connection is not None:
            connection.close()
        if saved is not None:
            saved.cleanup()
        finish(sink, complete, summary.produced)
    if complete and summary.produced:
        report_stale(sink)
    return summary


def make_runner(model, config, gazetteer, focal, max_chars, date):
    """The run's runner, holding the pipeline built from ``model``, ``config`` and
    ``gazetteer`` (the default pipeline when neither is given)."""
    from ..nlp import command_nlp
    from .runner import Runner

    nlp = command_nlp(model, config, gazetteer)
    return Runner(focal=focal, max_chars=max_chars, nlp=nlp, date=date)


def write_results(results: Iterator, sink: RecordSink, summary: Summary, bar) -> None:
    """Each document's records (or failure) into the sink as the engine yields them."""
    try:
        for item, records in results:
            summary.documents += 1
            if isinstance(item, Failure):
                summary.failed += 1
                sink.fail(item.doc_id, item.source, item.error)
                print(f"Error: {item.error}", file=sys.stderr)
            else:
                sink.write(item.doc_id, item.sha256, records)
                summary.claims += len(records)
                if bar is not None:
                    bar.update(1)
                    bar.words += len(item.text.split())
                    bar.set_postfix_str(
                        f"{bar.words / max(bar.format_dict['elapsed'], 1e-9):,.0f} words/s"
                    )
    except KeyboardInterrupt:
        raise errors.ClaimsError(
            "interrupted: the records so far are kept; run the same command with --resume"
        ) from None
    finally:
        if bar is not None:
            bar.close()


def report_stale(sink: RecordSink) -> None:
    """Say which documents of the earlier run a resumed output left out, and why."""
    changed, removed = sink.stale()
    for message, ids in ((errors.RESUME_CHANGED, changed), (errors.RESUME_REMOVED, removed)):
        if ids:
            docs = errors.count(len(ids), "document")
            print(f"Warning: {message.format(docs=docs, ids=errors.shown(ids))}", file=sys.stderr)


def open_sink(output: str, resume: bool) -> RecordSink:
    """The record sink for ``-o``; a place that cannot be written is a one-line error."""
    try:
        return RecordSink(output, resume=resume)
    except FileExistsError as exc:  # a file where a folder of OUT should be
        raise errors.ClaimsError(errors.NOT_A_FOLDER, exc.filename or output) from None
    except OSError as exc:
        msg = errors.CANNOT_WRITE.format(reason=exc.strerror)
        raise errors.ClaimsError(msg, exc.filename or output) from None


def finish(sink: RecordSink, complete: bool, produced: bool) -> None:
    """Close the sink; a complete run that produced nothing (every document failed, or
    there were none) leaves no output, and an earlier OUT untouched."""
    sink.close(complete and produced)
    if complete and not produced and sink.path is not None:
        sink.partial.unlink(missing_ok=True)
        sink.ledger_path.unlink(missing_ok=True)


def make_bar(inputs: tuple[Path, ...], progress: bool):
    """A tqdm bar on stderr for interactive runs; None when stderr is not a terminal."""
    if not progress or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=count_documents(inputs), unit="doc", file=sys.stderr, smoothing=0.1)
    bar.words = 0
    return bar
