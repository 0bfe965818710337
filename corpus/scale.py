"""Crawl-scale ingest, pre-annotation and prediction on Dask distributed, one output shard per input shard.

Why Dask distributed: measured against datatrove and Ray on the same job (README, "At crawl
scale"), all three ran at the same pages/s per worker; Dask and Ray retry a failing task and
rerun the work of a worker that died by themselves (datatrove's local executor stops at the
first failure and waits forever for a killed worker), and Dask adds 32 MB to our install
where Ray adds 238 MB. Its scheduler address is the one thing that changes between this
machine, Slurm and Kubernetes.

The shard is the unit of work, of retry and of resume. A worker reads one input shard (a
WARC/WARC.gz file, or a documents JSONL(.gz) file for predictions), writes one JSONL.gz
output shard atomically, then a small completion record; a shard without its record is
done again, so an interrupted run never leaves half a shard behind and a rerun skips what is
complete. Pages whose text repeats a page of an earlier shard are dropped once every shard
is complete, in input order, so the shards read in order hold exactly the documents that
single-process ``newslayers ingest`` writes.
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import gzip
import hashlib
import logging
import os
import re
import resource
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import msgspec
from newslayers.baselines import prepared_system
from newslayers.corpus import load_corpus
from newslayers.corpus.ingest import RawPage, Rejected, iter_input_files, iter_pages, page_to_document

from newslayers import __version__
from newslayers.engines import Engine
from newslayers.errors import UserError
from newslayers.jsonl import atomic_write, dumps_document, iter_raw_lines, read_documents
from newslayers.model import Document
from newslayers.progress import ProgressBar
from newslayers.systems import System, run_system

ENGINES = ("dask", "serial")
KINDS = ("ingest", "predict")
SHARD_SUFFIX = ".jsonl.gz"
MANIFEST = "manifest.json"
STATE_DIR = "_run"  # completion records and the list of rejected pages
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
DOCUMENT_SUFFIXES = (".jsonl.gz", ".jsonl", ".ndjson.gz", ".ndjson")
BATCH = 256  # documents per system call, as in single-process ingest
GZIP_LEVEL = 3  # a fifth larger than level 9 for a quarter of its time: page conversion, not gzip, should set the pace
SHOWN = 20  # rejections and warnings printed; the rest are in the state folder


# ----------------------------------------------------------------------------- engines


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A task that failed on every attempt (an error, or a worker that died running it)."""

    index: int
    error: str
    attempts: int


def run_tasks(
    engine: Engine, fn: Callable[..., Any], items: Sequence[Any], shared: Any = None, label: str = "shards"
) -> Iterator[tuple[int, Any]]:
    """Run ``fn(item, shared=shared)`` for every item; yield (index, result or TaskFailure) as each ends.

    ``shared`` (for example the gold documents) is sent to every worker once, not once per task.
    """
    if not items:
        return
    runner = RUNNERS[engine.name]
    with ProgressBar(label, total=len(items)) as bar:
        for index, outcome in runner(engine, fn, items, shared):
            bar.update(1)
            yield index, outcome


def task_runner(engine: Engine | None) -> Callable[..., Iterator[tuple[int, Any]]]:
    """``run_tasks`` bound to an engine (this process when there is none), for code that only maps."""
    chosen = engine or Engine("serial")

    def run(fn: Callable[..., Any], items: Sequence[Any], shared: Any = None) -> Iterator[tuple[int, Any]]:
        return run_tasks(chosen, fn, items, shared)

    return run


def _describe(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"[:300]


def _run_serial(engine: Engine, fn: Callable[..., Any], items: Sequence[Any], shared: Any) -> Iterator[tuple[int, Any]]:
    for index, item in enumerate(items):
        error = ""
        for _ in range(engine.retries + 1):
            try:
                result = fn(item, shared=shared)
            except Exception as err:
                error = _describe(err)
                continue
            yield index, result
            break
        else:
            yield index, TaskFailure(index, error, engine.retries + 1)


def _run_dask(engine: Engine, fn: Callable[..., Any], items: Sequence[Any], shared: Any) -> Iterator[tuple[int, Any]]:
    try:
        from distributed import as_completed
    except ImportError:
        raise UserError("--engine dask needs Dask distributed: pip install 'newslayers[scale]'") from None
    with _dask_client(engine) as client:
        scattered = client.scatter([shared], broadcast=True, hash=False)[0] if shared is not None else None
        token = uuid.uuid4().hex[:8]
        keys = [f"newslayers-{getattr(fn, '__name__', 'task')}-{i:06d}-{token}" for i in range(len(items))]
        futures = client.map(fn, items, key=keys, retries=engine.retries, pure=False, shared=scattered)
        position = {future.key: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            index = position[future.key]
            if future.status == "error":
                yield index, TaskFailure(index, _describe(future.exception()), engine.retries + 1)
            else:
                yield index, future.result()
            future.release()


Runner = Callable[[Engine, Callable[..., Any], Sequence[Any], Any], Iterator[tuple[int, Any]]]
RUNNERS: dict[str, Runner] = {"dask": _run_dask, "serial": _run_serial}


_ADDRESS = re.compile(r"^([a-z]+://.+|[\w.-]+:\d+)$")  # tcp://host:8786 or host:8786; anything else is a scheduler file


@contextmanager
def _dask_client(engine: Engine) -> Iterator[Any]:
    """A client of the cluster at ``engine.scheduler``, or of a new local cluster on loopback."""
    from distributed import Client, LocalCluster

    if engine.scheduler:
        target = engine.scheduler
        how = {"address": target} if _ADDRESS.match(target) else {"scheduler_file": target}
        try:
            client = Client(**how, timeout="30s")
        except (OSError, TimeoutError, ValueError) as err:
            raise UserError(f"cannot reach the Dask scheduler at {target}: {_describe(err)}") from None
        with client:
            yield client
        return
    cluster = LocalCluster(
        n_workers=engine.workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    with cluster, Client(cluster) as client:
        yield client


# ----------------------------------------------------------------------------- one shard


@dataclass(frozen=True, slots=True)
class ShardTask:
    """One input shard and where its output goes (absolute paths: any worker can read them)."""

    kind: str  # "ingest" (pages -> documents) or "predict" (documents -> predictions)
    source: str  # the input as the user named it: document origins keep this spelling
    location: str  # its absolute path
    output: str  # the output shard
    record: str  # the completion record
    system: str | None = None


class ShardRecord(msgspec.Struct):
    """What a worker made of one shard; the record's file is what marks the shard complete."""

    source: str
    output: str
    pages: int
    documents: int
    ids: list[tuple[str, str]]  # (id, origin) of every document written, in order
    rejected: list[tuple[str, str, bool]]  # (origin, reason, duplicate)
    warnings: list[str]
    sha256: str
    bytes: int
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    worker: str = ""


_SYSTEMS: dict[str, System] = {}


def worker_system(name: str) -> System:
    """The system ready to predict, once per worker process (a learned one loads its cached model)."""
    if name not in _SYSTEMS:
        _SYSTEMS[name] = prepared_system(name, lambda: load_corpus("train"), load_corpus)[0]
    return _SYSTEMS[name]


def annotate_documents(
    documents: Iterable[Document], system: System | None, warn: Callable[[str], None]
) -> Iterator[Document]:
    """Add a system's predictions to each document, batch by batch; a page it fails on goes out bare."""
    if system is None:
        yield from documents
        return
    for batch in _batches(documents, BATCH):
        run = run_system(system, batch)
        for failure in [*run.failures, *run.invalid]:
            warn(f"no pre-annotation: {failure}")
        predicted = {p.id: p for p in run.predictions}
        for doc in batch:
            if doc.id in predicted:
                for layer in system.layers:
                    doc.set_layer(layer, predicted[doc.id].layer(layer))
            yield doc


def _batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def process_shard(task: ShardTask, shared: Any = None) -> ShardRecord:
    """Turn one input shard into its output shard, then write its completion record (both atomic)."""
    start = time.perf_counter()
    record = _ingest_shard(task) if task.kind == "ingest" else _predict_shard(task)
    record.seconds = round(time.perf_counter() - start, 4)
    record.peak_rss_mb = round(peak_rss_mb(), 1)
    record.worker = f"{socket.gethostname()}:{os.getpid()}"
    write_record(task.record, record)
    return record


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM where there is /proc, as ru_maxrss outlives exec
    (a spawned worker would report the size of the process that forked it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def write_record(path: str | Path, record: ShardRecord) -> None:
    atomic_write(path, lambda handle: handle.write(msgspec.json.encode(record)))


def read_record(path: str | Path) -> ShardRecord | None:
    """A shard's completion record, or None when there is none (or it cannot be read)."""
    try:
        return msgspec.json.decode(Path(path).read_bytes(), type=ShardRecord)
    except (OSError, msgspec.DecodeError):
        return None


def _renamed(origin: str, task: ShardTask) -> str:
    return task.source + origin[len(task.location) :] if origin.startswith(task.location) else origin


def _ingest_shard(task: ShardTask) -> ShardRecord:
    rejected: list[Rejected] = []
    warnings: list[str] = []
    counts = {"pages": 0}

    def documents() -> Iterator[Document]:
        seen: set[str] = set()
        for page in iter_pages([Path(task.location)], {}, rejected):
            counts["pages"] += 1
            result = page_to_document(RawPage(_renamed(page.origin, task), page.content, page.url, page.http_charset))
            if isinstance(result, Rejected):
                rejected.append(result)
            elif result.id in seen:
                rejected.append(_duplicate(result.meta["origin"], result.id))
            else:
                seen.add(result.id)
                yield result

    system = worker_system(task.system) if task.system else None
    ids: list[tuple[str, str]] = []
    sha256, size = write_shard(task.output, annotate_documents(documents(), system, warnings.append), ids)
    return ShardRecord(
        task.source,
        Path(task.output).name,
        counts["pages"],
        len(ids),
        ids,
        [(_renamed(r.origin, task), r.reason, r.duplicate) for r in rejected],
        warnings,
        sha256,
        size,
    )


def _duplicate(origin: str, doc_id: str) -> Rejected:
    return Rejected(origin, f"same text as an earlier page ({doc_id}); kept once", True)


def _predict_shard(task: ShardTask) -> ShardRecord:
    system = worker_system(task.system or "")
    warnings: list[str] = []
    counts = {"pages": 0}

    def predictions() -> Iterator[Document]:
        for batch in _batches(_pages_of(Path(task.location), counts), BATCH):
            run = run_system(system, batch)
            warnings.extend(str(failure) for failure in [*run.failures, *run.invalid])
            yield from run.predictions

    ids: list[tuple[str, str]] = []
    sha256, size = write_shard(task.output, predictions(), ids)
    return ShardRecord(task.source, Path(task.output).name, counts["pages"], len(ids), ids, [], warnings, sha256, size)


def _pages_of(path: Path, counts: dict[str, int]) -> Iterator[Document]:
    """The documents of an input shard (an empty shard has none); every one must carry its text."""
    if is_empty_shard(path):
        return
    for doc in read_documents(path):
        if not doc.text:
            raise UserError(f"{path}: document {doc.id} has no text; systems read the page text")
        counts["pages"] += 1
        yield doc


def is_empty_shard(path: str | Path) -> bool:
    """True for a shard with no document (ingest writes one for a WARC file without an HTML page)."""
    try:
        return next(iter_raw_lines(Path(path)), None) is None
    except (OSError, EOFError):
        return False


def write_shard(path: str | Path, documents: Iterable[Document], ids: list[tuple[str, str]]) -> tuple[str, int]:
    """Write documents as one gzip-compressed JSONL shard, atomically; return its sha256 and size.

    The gzip header carries no name and no time, so the same documents give the same bytes.
    """

    def write(handle: IO[bytes]) -> None:
        with gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=GZIP_LEVEL) as stream:
            for doc in documents:
                stream.write(dumps_document(doc).encode("utf-8") + b"\n")
                ids.append((doc.id, str(doc.meta.get("origin", ""))))

    atomic_write(path, write)
    return _file_digest(Path(path))


def _file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size


# ----------------------------------------------------------------------------- a sharded run


@dataclass(slots=True)
class ShardSummary:
    """A complete shard as the manifest lists it."""

    input: str
    output: str
    pages: int
    documents: int
    rejected: int
    duplicates: int
    warnings: int
    sha256: str
    bytes: int


@dataclass(slots=True)
class ShardRun:
    """What a sharded run did: the shards complete (in input order), those that failed, the timings."""

    out: Path
    tasks: list[ShardTask]
    shards: list[ShardSummary | None]
    failures: list[TaskFailure]
    skipped: int  # already complete before this run
    records: list[ShardRecord]  # the records made by this run (ids dropped), for timings and memory
    seconds: float

    @property
    def complete(self) -> bool:
        return not self.failures and all(self.shards)


def _summary(record: ShardRecord) -> ShardSummary:
    duplicates = sum(1 for r in record.rejected if r[2])
    return ShardSummary(
        record.source,
        record.output,
        record.pages,
        record.documents,
        len(record.rejected) - duplicates,
        duplicates,
        len(record.warnings),
        record.sha256,
        record.bytes,
    )


def output_name(index: int, source: str) -> str:
    """``00042-NAME.jsonl.gz``: input order first, then the input's own name (a leading number dropped)."""
    name = Path(source).name
    for suffix in (*WARC_SUFFIXES, *DOCUMENT_SUFFIXES):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    head, _, rest = name.partition("-")
    if head.isdigit() and rest:
        name = rest
    return f"{index:05d}-{name}{SHARD_SUFFIX}"


def plan_shards(kind: str, sources: Sequence[str], out: Path, system: str | None) -> list[ShardTask]:
    """One task per input shard; checks that ``out`` is new or holds this same job, and records the job."""
    if kind not in KINDS:
        raise ValueError(kind)
    job = _job(kind, sources, system)
    _claim_folder(out, job)
    root = out.resolve()
    tasks = []
    for index, source in enumerate(sources):
        name = output_name(index, source)
        tasks.append(
            ShardTask(
                kind,
                source,
                str(Path(source).resolve()),
                str(root / name),
                str(root / STATE_DIR / f"{name}.json"),
                system,
            )
        )
    return tasks


def _job(kind: str, sources: Sequence[str], system: str | None) -> dict[str, Any]:
    inputs = []
    for source in sources:
        try:
            stat = Path(source).stat()
        except OSError as err:
            raise UserError(f"{source}: cannot be read ({err.strerror or err})") from None
        inputs.append({"path": source, "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    version = worker_system(system).version if system else None
    return {"kind": kind, "system": {"name": system, "version": version} if system else None, "inputs": inputs}


def _claim_folder(out: Path, job: dict[str, Any]) -> None:
    """``out`` must be new, empty, or hold a run of exactly this job (same inputs, unchanged)."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; with --engine, --out is a folder of shards")
    manifest = out / MANIFEST
    if manifest.exists():
        try:
            previous = msgspec.json.decode(manifest.read_bytes())
        except (OSError, msgspec.DecodeError) as err:
            raise UserError(f"{manifest}: not a readable manifest ({err})") from None
        mine = {key: previous.get(key) for key in job}
        if mine != job:
            raise UserError(
                f"--out {out} holds a run of other inputs or another system (or an input changed since); "
                "choose a new folder"
            )
        return
    if out.exists() and any(out.iterdir()):
        raise UserError(f"--out {out} is a folder with other files in it; choose a new or empty folder")
    _write_manifest(out, {"newslayers_version": __version__, **job, "complete": False})


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write(out / MANIFEST, lambda handle: handle.write(msgspec.json.format(msgspec.json.encode(manifest))))


def _complete_record(task: ShardTask) -> ShardRecord | None:
    """The record of a shard finished earlier, if its output is still there as written."""
    record = read_record(task.record)
    if record is None or record.source != task.source:
        return None
    output = Path(task.output)
    if not output.is_file() or output.stat().st_size != record.bytes:
        return None
    return record


def run_shards(kind: str, sources: Sequence[str], out: Path, engine: Engine, system: str | None = None) -> ShardRun:
    """Process every input shard not yet complete, then deduplicate across shards and write the manifest."""
    start = time.perf_counter()
    tasks = plan_shards(kind, sources, out, system)
    shards: list[ShardSummary | None] = []
    pending: list[int] = []
    for index, task in enumerate(tasks):
        record = _complete_record(task)
        shards.append(_summary(record) if record else None)
        if record is None:
            pending.append(index)
    failures: list[TaskFailure] = []
    records: list[ShardRecord] = []
    for position, outcome in run_tasks(engine, process_shard, [tasks[i] for i in pending]):
        index = pending[position]
        if isinstance(outcome, TaskFailure):
            failures.append(TaskFailure(index, outcome.error, outcome.attempts))
            continue
        shards[index] = _summary(outcome)
        outcome.ids = []
        records.append(outcome)
    run = ShardRun(out, tasks, shards, sorted(failures, key=lambda f: f.index), len(tasks) - len(pending), records, 0.0)
    if run.complete and kind == "ingest":
        _drop_cross_shard_duplicates(run)
    _finish(run, kind)
    run.seconds = time.perf_counter() - start
    return run


def _drop_cross_shard_duplicates(run: ShardRun) -> None:
    """Drop every document whose text an earlier shard already holds: input order decides, as in one process."""
    seen: set[str] = set()
    for index, task in enumerate(run.tasks):
        record = read_record(task.record)
        if record is None:
            raise UserError(f"{task.record}: the completion record of {task.source} disappeared during the run")
        repeated = {doc_id for doc_id, _ in record.ids if doc_id in seen}
        seen.update(doc_id for doc_id, _ in record.ids)
        if repeated:
            run.shards[index] = _summary(_rewrite_without(task, record, repeated))


class _IdOnly(msgspec.Struct):
    id: str


def _rewrite_without(task: ShardTask, record: ShardRecord, drop: set[str]) -> ShardRecord:
    """Rewrite a shard without the given documents (atomically), then its record; safe to repeat."""
    decoder = msgspec.json.Decoder(_IdOnly)

    def write(handle: IO[bytes]) -> None:
        with gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=GZIP_LEVEL) as stream:
            for _, raw in iter_raw_lines(Path(task.output)):
                if decoder.decode(raw).id not in drop:
                    stream.write(raw + b"\n")

    atomic_write(task.output, write)
    record.sha256, record.bytes = _file_digest(Path(task.output))
    record.rejected = record.rejected + [
        (origin, _duplicate(origin, doc_id).reason, True) for doc_id, origin in record.ids if doc_id in drop
    ]
    record.ids = [(doc_id, origin) for doc_id, origin in record.ids if doc_id not in drop]
    record.documents = len(record.ids)
    write_record(task.record, record)
    return record


def _finish(run: ShardRun, kind: str) -> None:
    """The manifest (what is complete, what failed) and the list of every rejected page."""
    manifest = msgspec.json.decode((run.out / MANIFEST).read_bytes())
    done = [s for s in run.shards if s]
    manifest.update(
        complete=run.complete,
        shards=[dataclasses.asdict(s) for s in done],
        failed=[{"input": run.tasks[f.index].source, "error": f.error, "attempts": f.attempts} for f in run.failures],
        totals={
            "shards": len(run.tasks),
            "complete": len(done),
            "failed": len(run.failures),
            **{key: sum(getattr(s, key) for s in done) for key in ("pages", "documents", "rejected", "duplicates")},
        },
    )
    if kind == "ingest":
        manifest["rejections"] = f"{STATE_DIR}/rejected.jsonl"
        atomic_write(run.out / STATE_DIR / "rejected.jsonl", lambda handle: _write_rejections(run, handle))
    _write_manifest(run.out, manifest)


def _write_rejections(run: ShardRun, handle: IO[bytes]) -> None:
    for task, shard in zip(run.tasks, run.shards, strict=True):
        record = read_record(task.record) if shard else None
        for origin, reason, duplicate in record.rejected if record else []:
            line = {"origin": origin, "reason": reason, "duplicate": duplicate}
            handle.write(msgspec.json.encode(line) + b"\n")


def iter_rejections(out: Path) -> Iterator[tuple[str, str, bool]]:
    """Every page a sharded ingest rejected, in input order: (origin, reason, duplicate)."""
    path = out / STATE_DIR / "rejected.jsonl"
    if not path.exists():
        return
    for _, raw in iter_raw_lines(path):
        item = msgspec.json.decode(raw)
        yield item["origin"], item["reason"], item["duplicate"]


# ----------------------------------------------------------------------------- finding shards


def shard_paths(spec: Path | str) -> list[Path]:
    """The shards a folder or glob names, in order: a folder's manifest decides when it has one."""
    text = str(spec)
    folder = Path(text)
    if folder.is_dir():
        manifest = folder / MANIFEST
        if manifest.exists():
            listed = msgspec.json.decode(manifest.read_bytes())
            if not listed.get("complete"):
                raise UserError(f"{folder}: the run that writes these shards is not complete; run it again first")
            paths = [folder / shard["output"] for shard in listed.get("shards", [])]
        else:
            paths = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(DOCUMENT_SUFFIXES))
    else:
        paths = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
    if not paths:
        raise UserError(f"{text}: no shard found (files ending in {', '.join(DOCUMENT_SUFFIXES)})")
    return paths


def read_shards(spec: Path | str) -> Iterator[Document]:
    """Every document of a set of shards, in shard order (streamed)."""
    for path in shard_paths(spec):
        if not is_empty_shard(path):
            yield from read_documents(path)


# ----------------------------------------------------------------------------- commands


def _report(run: ShardRun, what: str) -> None:
    """Rejections and warnings (the first few), failures (all), and the totals."""
    shown = 0
    for task, shard in zip(run.tasks, run.shards, strict=True):
        record = read_record(task.record) if shard and (shard.rejected or shard.warnings) else None
        for line in _problem_lines(record) if record else []:
            if shown < SHOWN:
                print(line, file=sys.stderr)
            shown += 1
    if shown > SHOWN:
        print(f"... and {shown - SHOWN} more (all in {run.out / STATE_DIR})", file=sys.stderr)
    for failure in run.failures:
        task = run.tasks[failure.index]
        print(f"{task.source}: shard failed after {failure.attempts} attempt(s): {failure.error}", file=sys.stderr)
    done = [s for s in run.shards if s]
    documents = sum(s.documents for s in done)
    rejected = sum(s.rejected + s.duplicates for s in done)
    print(
        f"{what}: {len(done)} of {len(run.tasks)} shard(s) complete ({run.skipped} from an earlier run), "
        f"{documents} document(s) in {run.out}; {rejected} input(s) skipped; {len(run.failures)} shard(s) failed"
        + ("" if run.complete else " (run the same command again to finish)")
    )


def _problem_lines(record: ShardRecord) -> Iterator[str]:
    for origin, reason, duplicate in record.rejected:
        if not duplicate:
            yield f"{origin}: skipped: {reason}"
    for warning in record.warnings:
        yield f"warning: {warning}"


def _check_out(out: Path, inputs: Iterable[Path]) -> None:
    """The output folder is none of the inputs, holds none of them and is inside none of them."""
    resolved = out.resolve()
    for item in inputs:
        path = Path(item).resolve()
        if resolved == path or path.is_relative_to(resolved) or resolved.is_relative_to(path):
            raise UserError(f"--out {out} is, holds or lies inside one of the inputs; choose another folder")


def cmd_ingest_sharded(args: argparse.Namespace, engine: Engine) -> int:
    """``newslayers ingest PATH... --engine ENGINE --out DIR``: WARC shards -> document shards."""
    if args.url_map:
        raise UserError("--url-map names URLs of plain HTML files; WARC records carry their own URL")
    files = iter_input_files(args.paths)
    missing = [p for p in files if not p.exists()]
    if missing:
        raise UserError(f"{missing[0]}: does not exist")
    sources = [str(p) for p in files if p.name.lower().endswith(WARC_SUFFIXES)]
    others = [p for p in files if not p.name.lower().endswith(WARC_SUFFIXES)]
    if others:
        print(
            f"warning: {len(others)} file(s) are not WARC shards and are skipped (first: {others[0]})", file=sys.stderr
        )
    if not sources:
        raise UserError("--engine reads WARC shards (.warc, .warc.gz); none among the inputs")
    _check_out(args.out, [*args.paths, *files])
    run = run_shards("ingest", sources, args.out, engine, args.system)
    _report(run, "ingest")
    failed_pages = sum(s.rejected for s in run.shards if s)
    return 1 if run.failures or failed_pages else 0


def cmd_baseline_sharded(args: argparse.Namespace, engine: Engine) -> int:
    """``newslayers baseline NAME --input SHARDS --engine ENGINE --out DIR``: one predictions shard per shard."""
    if not args.name or not args.out or not args.input or args.split:
        raise UserError("usage: newslayers baseline NAME --input SHARDS --engine ENGINE --out DIR (no --split)")
    sources = [str(p) for p in shard_paths(args.input)]
    _check_out(args.out, [Path(s) for s in sources])
    run = run_shards("predict", sources, args.out, engine, args.name)
    _report(run, args.name)
    warnings = sum(s.warnings for s in run.shards if s)
    if warnings:
        print(f"{args.name}: {warnings} document(s) failed or broke the contract (listed above)", file=sys.stderr)
    return 1 if run.failures or warnings else 0
