"""Crawl-scale ingest on Dask distributed: pages/s per worker, memory per worker, and the engine comparison.

``python -m newslayers.benchmarks.bench_scale [--pages 20000] [--shards 40] [--workers 1 2 4]``
writes a WARC corpus in a temporary folder (every embedded page, and every page of
``../shared/realpages`` when present, repeated with a numbered line added so that each copy
is a new text; one page in a hundred repeated exactly, and a robots.txt per shard, as in a
crawl), then times the single-process path (``newslayers ingest --workers 1``) and
``ingest --engine dask`` with 1, 2 and 4 local workers, without and with ``--system
rules``, each run in a child process of its own. It checks that the shards, read in
order, hold exactly the single-process output, and prints a projection for 1,000,000
pages on 32 workers with its assumptions.

``--engines dask datatrove ray`` runs the comparison that chose Dask: the same job (the
same shard function, 2 workers) through each engine's own executor, then each engine's
behaviour when a shard fails on every attempt and when a worker process is killed
mid-shard. datatrove and Ray are not dependencies of newslayers: install them next to it
to run their part (``pip install datatrove ray``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import inspect
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from newslayers.corpus import load_corpus
from newslayers.corpus import scale as scale_module
from newslayers.corpus.scale import ShardRun, TaskFailure, peak_rss_mb, read_record, run_shards
from rich.console import Console
from rich.table import Table

from newslayers.cli import main as cli_main
from newslayers.engines import Engine

SHARED_REALPAGES = Path(__file__).resolve().parents[1].parent / "shared" / "realpages"
SEED = 20261204
MB = 1024 * 1024


# ----------------------------------------------------------------------------- the corpus


def source_pages(realpages: Path | None = SHARED_REALPAGES) -> list[tuple[str, bytes]]:
    """(url, html bytes) of every embedded page, then of every real page when the folder is there."""
    pages = [(f"https://news.example/{doc.id}", (doc.html or "").encode("utf-8")) for doc in load_corpus()]
    truth_file = realpages / "ground-truth.json" if realpages else None
    if truth_file and truth_file.exists():
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        for key in sorted(truth):
            path = realpages / "html" / f"{key}.html.gz"
            if path.exists():
                pages.append((truth[key]["url"], gzip.decompress(path.read_bytes())))
    return [(url, html) for url, html in pages if html.strip()]


def _variant(html: bytes, copy: int) -> bytes:
    """The page with one numbered line at the end of its body: a new text, the same kind of page."""
    line = f'<p class="edition">Edition {copy}</p>'.encode()
    cut = html.rfind(b"</body>")
    return html + line if cut < 0 else html[:cut] + line + html[cut:]


def write_warc_corpus(folder: Path, pages: int, shards: int, realpages: Path | None = SHARED_REALPAGES) -> int:
    """``shards`` WARC.gz files holding ``pages`` HTML responses (and a robots.txt each); returns pages written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    sources = source_pages(realpages)
    rng = random.Random(SEED)
    order = [rng.randrange(len(sources)) for _ in range(pages)]
    folder.mkdir(parents=True, exist_ok=True)
    per_shard = -(-pages // shards)
    html_headers = [("Content-Type", "text/html; charset=utf-8")]
    previous = b""
    for shard in range(shards):
        with (folder / f"crawl-{shard:04d}.warc.gz").open("wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for number in range(shard * per_shard, min(pages, (shard + 1) * per_shard)):
                url, html = sources[order[number]]
                body = previous if number % 100 == 99 else _variant(html, number)
                previous = body
                headers = StatusAndHeaders("200 OK", html_headers, protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    f"{url}?copy={number}", "response", payload=io.BytesIO(body), http_headers=headers
                )
                writer.write_record(record)
            robots = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    "https://news.example/robots.txt",
                    "response",
                    payload=io.BytesIO(b"User-agent: *"),
                    http_headers=robots,
                )
            )
    return pages


# ----------------------------------------------------------------------------- the other engines (comparison only)


def _run_datatrove(
    engine: Engine, fn: Callable[..., Any], items: Sequence[Any], shared: Any
) -> Iterator[tuple[int, Any]]:
    """datatrove's local executor, one task per shard; it returns no results, so they are read from the records."""
    from datatrove.executor import LocalPipelineExecutor

    logs = tempfile.mkdtemp(prefix="newslayers-datatrove-")

    def step(data: Any, rank: int = 0, world_size: int = 1) -> None:
        fn(items[rank], shared=shared)

    error = ""
    for _ in range(engine.retries + 1):  # a rerun skips the tasks it has marked complete
        try:
            LocalPipelineExecutor([step], tasks=len(items), workers=engine.workers, logging_dir=logs).run()
            break
        except Exception as err:
            error = f"{type(err).__name__}: {err}"[:300]
    for index, item in enumerate(items):
        record = read_record(item.record)
        yield index, record if record else TaskFailure(index, error or "did not complete", engine.retries + 1)


def _run_ray(engine: Engine, fn: Callable[..., Any], items: Sequence[Any], shared: Any) -> Iterator[tuple[int, Any]]:
    """Ray tasks on a local Ray instance, retried on errors and on worker deaths."""
    import ray

    ray.init(num_cpus=engine.workers, include_dashboard=False, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1, max_retries=engine.retries, retry_exceptions=True)(fn)
        shared_ref = ray.put(shared)
        index = {remote.remote(item, shared=shared_ref): i for i, item in enumerate(items)}
        pending = list(index)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            try:
                yield index[done[0]], ray.get(done[0])
            except Exception as err:
                yield index[done[0]], TaskFailure(index[done[0]], f"{type(err).__name__}"[:300], engine.retries + 1)
    finally:
        ray.shutdown()


RUNNERS: dict[str, Callable[..., Iterator[tuple[int, Any]]]] = {"datatrove": _run_datatrove, "ray": _run_ray}


def glue_lines() -> dict[str, int]:
    """Lines of code that bind each engine to the shard function (same signature, same duties)."""
    dask = [scale_module._run_dask, scale_module._dask_client]  # the glue under test
    functions = {"dask": dask, "datatrove": [_run_datatrove], "ray": [_run_ray]}
    return {name: sum(_code_lines(f) for f in fns) for name, fns in functions.items()}


def _code_lines(function: Callable[..., Any]) -> int:
    source = inspect.getsource(function).splitlines()
    docstring = inspect.getdoc(function)
    skip = len(docstring.splitlines()) if docstring else 0
    return len([line for line in source if line.strip() and not line.strip().startswith("#")]) - skip


# ----------------------------------------------------------------------------- child processes


def child_single(warcs: Path, out: Path, system: str | None) -> dict[str, Any]:
    """The single-process path, timed in this process."""
    argv = ["ingest", str(warcs), "--out", str(out), "--workers", "1", *(["--system", system] if system else [])]
    start = time.perf_counter()
    status = cli_main(argv)
    return {"status": status, "seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb()}


def child_sharded(warcs: Path, out: Path, engine: Engine, system: str | None) -> dict[str, Any]:
    """One sharded run through the chosen engine, or through another engine's runner for the comparison."""
    scale_module.RUNNERS.update(RUNNERS)  # the comparison: the same job, another engine underneath
    sources = sorted(str(p) for p in warcs.glob("*.warc.gz"))
    run = run_shards("ingest", sources, out, engine, system)
    return _describe_run(run)


def _describe_run(run: ShardRun) -> dict[str, Any]:
    workers: dict[str, dict[str, float]] = {}
    for record in run.records:
        entry = workers.setdefault(record.worker, {"pages": 0, "seconds": 0.0, "peak_rss_mb": 0.0})
        entry["pages"] += record.pages
        entry["seconds"] += record.seconds
        entry["peak_rss_mb"] = max(entry["peak_rss_mb"], record.peak_rss_mb)
    done = [s for s in run.shards if s]
    return {
        "seconds": run.seconds,
        "pages": sum(s.pages for s in done),
        "documents": sum(s.documents for s in done),
        "bytes": sum(s.bytes for s in done),
        "workers": workers,
        "failures": [{"shard": f.index, "error": f.error, "attempts": f.attempts} for f in run.failures],
        "complete": run.complete,
    }


def _kill_a_busy_worker(after: float, log: list[str]) -> None:
    """After ``after`` seconds, SIGKILL a process of this run that has a WARC shard open (a worker mid-shard)."""
    import psutil

    time.sleep(after)
    deadline = time.time() + 60
    while time.time() < deadline:
        for proc in psutil.Process().children(recursive=True):
            try:
                if any(f.path.endswith(".warc.gz") for f in proc.open_files()):
                    proc.send_signal(signal.SIGKILL)
                    log.append(f"killed pid {proc.pid}")
                    return
            except (psutil.Error, OSError):
                continue
        time.sleep(0.05)


def _sample_memory(peak: dict[str, float], stop: threading.Event) -> None:
    """Largest total resident memory of this process and all its descendants (engine daemons included)."""
    import psutil

    me = psutil.Process()
    while not stop.is_set():
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        peak["total_mb"] = max(peak.get("total_mb", 0.0), total / MB)
        stop.wait(0.2)


def _run_child(args: list[str], timeout: float) -> dict[str, Any]:
    """One measured run in a process group of its own; a run that hangs is stopped with all it started."""
    command = [sys.executable, "-m", "newslayers.benchmarks.bench_scale", *args]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONWARNINGS": "ignore"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    ) as child:
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return {"hung": True}
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (stderr.strip().splitlines() or ["no output"])[-1][:300]}
    return json.loads(lines[-1])


def _child_main(args: argparse.Namespace) -> int:
    if args.child == "single":
        result = child_single(args.warcs, args.out, args.system)
    else:
        if args.block is not None:  # a shard that fails on every attempt: a folder where its output goes
            sources = sorted(str(p) for p in args.warcs.glob("*.warc.gz"))
            tasks = scale_module.plan_shards("ingest", sources, args.out, args.system)
            Path(tasks[args.block].output).mkdir()
        log: list[str] = []
        if args.kill_after is not None:
            threading.Thread(target=_kill_a_busy_worker, args=(args.kill_after, log), daemon=True).start()
        engine = Engine(args.child, args.workers_n, None, 2)
        peak: dict[str, float] = {}
        stop = threading.Event()
        threading.Thread(target=_sample_memory, args=(peak, stop), daemon=True).start()
        result = {**child_sharded(args.warcs, args.out, engine, args.system), "killed": log, **peak}
        stop.set()
    print(json.dumps(result))
    return 0


# ----------------------------------------------------------------------------- the benchmark


def _concatenated_digest(folder: Path) -> str:
    """sha256 of the shards' documents in order, streamed (this process stays small: children fork from it)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rb") as handle:
            for block in iter(lambda: handle.read(MB), b""):
                digest.update(block)
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(MB), b""):
            digest.update(block)
    return digest.hexdigest()


def measure(work: Path, warcs: Path, pages: int, workers: Sequence[int], console: Console) -> dict[str, Any]:
    """Single-process and Dask runs, without and with rules; every sharded output checked against single."""
    results: dict[str, Any] = {}
    for system in (None, "rules"):
        label = "ingest + rules" if system else "ingest"
        extra = ["--system", system] if system else []
        single_out = work / f"single-{system}.jsonl"
        console.print(f"[bold]{label}[/]: single process …")
        single = _run_child(["--child", "single", str(warcs), str(single_out), *extra], 3600)
        results[f"{label}|single"] = single
        for n in workers:
            console.print(f"[bold]{label}[/]: dask, {n} worker(s) …")
            out = work / f"dask{n}-{system}"
            run = _run_child(["--child", "dask", str(warcs), str(out), "--workers-n", str(n), *extra], 3600)
            run["identical"] = run.get("complete") and _concatenated_digest(out) == _file_digest(single_out)
            results[f"{label}|{n}"] = run
    return results


def compare_engines(work: Path, warcs: Path, engines: Sequence[str], console: Console) -> dict[str, Any]:
    """The same job through each engine: 2 workers; then a shard that always fails; then a worker killed."""
    out: dict[str, Any] = {}
    for name in engines:
        console.print(f"[bold]{name}[/]: same job, 2 workers …")
        run = _run_child(["--child", name, str(warcs), str(work / f"cmp-{name}"), "--workers-n", "2"], 1800)
        blocked = _run_child(
            ["--child", name, str(warcs), str(work / f"block-{name}"), "--workers-n", "2", "--block", "1"], 900
        )
        killed = _run_child(
            ["--child", name, str(warcs), str(work / f"kill-{name}"), "--workers-n", "2", "--kill-after", "0"], 300
        )
        out[name] = {"run": run, "blocked": blocked, "killed": killed}
    return out


def _rate(result: dict[str, Any], pages: int) -> tuple[float, float, float]:
    """(pages/s overall, pages/s per worker over the wall time, pages/s per busy worker-second)."""
    workers = result.get("workers") or {}
    n = max(1, len(workers))
    overall = pages / result["seconds"] if result.get("seconds") else 0.0
    busy = sum(w["seconds"] for w in workers.values())
    return overall, overall / n, (pages / busy if busy else overall)


def print_measurements(results: dict[str, Any], pages: int, workers: Sequence[int], console: Console) -> None:
    table = Table(title=f"newslayers ingest at scale: {pages:,} pages in WARC.gz shards")
    for column in (
        "job",
        "path",
        "wall s",
        "pages/s",
        "pages/s per worker",
        "busy pages/s per worker",
        "peak MB per worker",
        "same as single",
    ):
        table.add_column(column, justify="right" if column not in ("job", "path") else "left")
    for label in ("ingest", "ingest + rules"):
        single = results[f"{label}|single"]
        rate = pages / single["seconds"]
        table.add_row(
            label,
            "single process",
            f"{single['seconds']:.1f}",
            f"{rate:.0f}",
            f"{rate:.0f}",
            f"{rate:.0f}",
            f"{single['peak_rss_mb']:.0f}",
            "—",
        )
        for n in workers:
            run = results[f"{label}|{n}"]
            if "seconds" not in run:
                table.add_row(label, f"dask × {n}", "failed", str(run), "", "", "", "")
                continue
            overall, per_worker, busy = _rate(run, pages)
            peak = max((w["peak_rss_mb"] for w in run["workers"].values()), default=0.0)
            table.add_row(
                label,
                f"dask × {n}",
                f"{run['seconds']:.1f}",
                f"{overall:.0f}",
                f"{per_worker:.0f}",
                f"{busy:.0f}",
                f"{peak:.0f}",
                "yes" if run["identical"] else "NO",
            )
    console.print(table)


def print_projection(
    results: dict[str, Any], pages: int, console: Console, target: int = 1_000_000, nodes: int = 32
) -> None:
    """1,000,000 pages on 32 workers, from the 1-worker busy rate (one worker per core, no sharing)."""
    for label in ("ingest", "ingest + rules"):
        run = results.get(f"{label}|1") or {}
        if "seconds" not in run:
            continue
        _, _, busy = _rate(run, pages)
        bytes_per_page = run["bytes"] / max(1, run["documents"])
        startup = max(0.0, run["seconds"] - pages / busy)
        minutes = (target / (busy * nodes) + startup) / 60
        console.print(
            f"{label}: {target:,} pages on {nodes} workers ≈ {minutes:.1f} min "
            f"({busy:.0f} pages/s per worker × {nodes}, plus {startup:.0f} s start-up); "
            f"output ≈ {bytes_per_page * target / 1e9:.1f} GB of JSONL.gz, written at ≈ {bytes_per_page * busy * nodes / MB:.0f} MB/s"
        )
    console.print(
        "Assumptions: each worker has a core of its own as fast as this machine's (the 1-worker rate, not the\n"
        "rates measured with more workers than cores); pages like this mix (the embedded pages and the real\n"
        "pages); shards of a few hundred pages or more, so scheduling costs nothing next to a shard; inputs\n"
        "and outputs on a shared file system that keeps up with the rate shown; the cross-shard duplicate pass\n"
        "(one read of every record, and a rewrite of the few shards with duplicates) is left out."
    )


def print_comparison(results: dict[str, Any], pages: int, console: Console) -> None:
    table = Table(title=f"engines on the same job ({pages:,} pages, 2 local workers)")
    for column in (
        "engine",
        "glue lines",
        "wall s",
        "busy pages/s per worker",
        "peak MB per worker",
        "peak MB, all processes",
        "a shard failing every time",
        "a worker killed mid-shard",
    ):
        table.add_column(column)
    lines = glue_lines()
    for name, outcome in results.items():
        run = outcome["run"]
        if "seconds" not in run:
            table.add_row(name, str(lines.get(name, "")), "—", "—", "—", "—", str(run), "")
            continue
        _, _, busy = _rate(run, pages)
        peak = max((w["peak_rss_mb"] for w in run["workers"].values()), default=0.0)
        table.add_row(
            name,
            str(lines[name]),
            f"{run['seconds']:.1f}",
            f"{busy:.0f}",
            f"{peak:.0f}",
            f"{run.get('total_mb', 0):.0f}",
            _behaviour(outcome["blocked"]),
            _behaviour(outcome["killed"]),
        )
    console.print(table)


def _behaviour(result: dict[str, Any]) -> str:
    if result.get("hung"):
        return "hung (stopped by the timeout)"
    if "error" in result:
        return f"run ended: {result['error']}"
    done = (
        "all shards complete"
        if result.get("complete")
        else f"{len(result.get('failures', []))} shard(s) reported failed, the rest complete"
    )
    killed = f" ({result['killed'][0]})" if result.get("killed") else ""
    return done + killed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--shards", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--engines", nargs="*", default=[], help="also compare these engines (dask datatrove ray)")
    parser.add_argument("--compare-pages", type=int, default=4000, help="pages for the engine comparison")
    parser.add_argument("--skip-measure", action="store_true", help="only the engine comparison")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("warcs", nargs="?", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("out", nargs="?", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--system", help=argparse.SUPPRESS)
    parser.add_argument("--workers-n", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--block", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--kill-after", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child_main(args)
    console = Console(width=200)
    with tempfile.TemporaryDirectory(prefix="newslayers-bench-scale-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("NEWSLAYERS_CACHE", str(work / "cache"))
        if not args.skip_measure:
            write_warc_corpus(work / "warcs", args.pages, args.shards)
            results = measure(work, work / "warcs", args.pages, args.workers, console)
            print_measurements(results, args.pages, args.workers, console)
            print_projection(results, args.pages, console)
        if args.engines:
            shards = max(4, args.shards * args.compare_pages // max(1, args.pages))
            write_warc_corpus(work / "compare", args.compare_pages, shards)
            comparison = compare_engines(work, work / "compare", args.engines, console)
            print_comparison(comparison, args.compare_pages, console)
            console.print_json(json.dumps(comparison))
    return 0


if __name__ == "__main__":
    sys.exit(main())
