"""Crawl-scale runs: Dask on a local cluster (loopback) gives the single-process output, resumes, reports failures.

The WARC shards are written here from the embedded corpus pages: one page repeated inside a
shard, one repeated across shards, and a shard with no HTML page at all, as in a crawl.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from conftest import run_cli
from newslayers.benchmarks.harness import score_file, scores_of
from newslayers.benchmarks.sharded import score_shards
from newslayers.corpus import load_corpus
from newslayers.corpus.scale import (
    MANIFEST,
    STATE_DIR,
    output_name,
    read_shards,
    run_shards,
    shard_paths,
    task_runner,
)

from newslayers.engines import Engine
from newslayers.errors import UserError
from newslayers.jsonl import ContractError, dumps_document, load_documents
from newslayers.model import Document

LocalCluster = pytest.importorskip("distributed").LocalCluster


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Caches and the data folder in tmp, for the command line and for the cluster it starts."""
    values = {name: str(tmp_path / name.lower()) for name in ("HF_HOME", "NEWSLAYERS_CACHE", "NEWSLAYERS_DATA")}
    return {**os.environ, **values, "DASK_SCHEDULER_ADDRESS": ""}


def _warc(path: Path, pages: list[tuple[str, str]]) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, html in pages:
            kind = "text/plain" if url.endswith(".txt") else "text/html; charset=utf-8"
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            payload = io.BytesIO(html.encode("utf-8"))
            writer.write_record(writer.create_warc_record(url, "response", payload=payload, http_headers=headers))
    return path


@pytest.fixture
def crawl(tmp_path: Path) -> Path:
    """Four WARC.gz shards of embedded pages in one folder: 28 pages, two of them repeats."""
    docs = load_corpus()
    page = [(f"https://news.example/{d.id}", d.html or "") for d in docs[:26]]
    folder = tmp_path / "crawl"
    folder.mkdir()
    _warc(folder / "a-000.warc.gz", [*page[0:9], page[3]])
    _warc(folder / "a-001.warc.gz", [*page[9:18], page[5]])
    _warc(folder / "a-002.warc.gz", [("https://news.example/robots.txt", "User-agent: *")])
    _warc(folder / "a-003.warc.gz", page[18:26])
    return folder


def _shard_lines(folder: Path) -> list[str]:
    return [line for path in shard_paths(folder) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


def test_dask_local_cluster_gives_the_single_process_output(crawl: Path, tmp_path: Path, env: dict[str, str]) -> None:
    single, shards = tmp_path / "single.jsonl", tmp_path / "shards"
    one = run_cli("ingest", str(crawl), "--out", str(single), "--workers", "1", "--system", "rules", env=env)
    assert one.returncode == 0, one.stderr[-2000:]
    many = run_cli(
        "ingest", str(crawl), "--engine", "dask", "--workers", "2", "--out", str(shards), "--system", "rules", env=env
    )
    assert many.returncode == 0, many.stderr[-3000:]
    expected = single.read_text(encoding="utf-8").splitlines()
    assert len(expected) == 26  # 28 pages, one repeated within a shard and one across shards: each kept once
    assert _shard_lines(shards) == expected  # document for document, byte for byte
    assert all("entities" in json.loads(line) for line in expected)  # pre-annotated by rules
    manifest = json.loads((shards / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["failed"] == []
    assert manifest["totals"] == {
        "shards": 4,
        "complete": 4,
        "failed": 0,
        "pages": 28,
        "documents": 26,
        "rejected": 0,
        "duplicates": 2,
    }
    assert [s["output"] for s in manifest["shards"]] == [output_name(i, f"a-00{i}.warc.gz") for i in range(4)]
    assert gzip.decompress((shards / manifest["shards"][2]["output"]).read_bytes()) == b""  # robots.txt only
    rejected = (shards / STATE_DIR / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["duplicate"] for line in rejected] == [True, True]
    assert json.loads(rejected[1])["origin"] == f"{crawl}/a-001.warc.gz#10"
    again = run_cli("ingest", str(crawl), "--engine", "dask", "--out", str(shards), "--system", "rules", env=env)
    assert again.returncode == 0 and "4 from an earlier run" in again.stdout


def test_failed_shard_is_retried_reported_never_half_written_and_resumed(
    crawl: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    out = tmp_path / "shards"
    first = run_cli("ingest", str(crawl), "--engine", "serial", "--out", str(out), env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    complete = {p.name: p.read_bytes() for p in shard_paths(out)}
    victim = out / output_name(1, "a-001.warc.gz")
    victim.unlink()  # as if the run had stopped before this shard was done
    (out / STATE_DIR / f"{victim.name}.json").unlink()
    victim.mkdir()  # and now its output cannot be written: every attempt fails
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.jsonl.gz") if p.is_file()}
    with LocalCluster(
        n_workers=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address  # a running cluster, reached by its address as on Slurm
        failed = run_cli("ingest", str(crawl), "--scheduler", address, "--retries", "1", "--out", str(out), env=env)
    assert failed.returncode == 1
    assert f"{crawl}/a-001.warc.gz: shard failed after 2 attempt(s)" in failed.stderr
    assert "3 of 4 shard(s) complete (3 from an earlier run)" in failed.stdout
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert not manifest["complete"] and [f["input"] for f in manifest["failed"]] == [f"{crawl}/a-001.warc.gz"]
    assert victim.is_dir() and not any(victim.iterdir())  # nothing half-written in its place
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.jsonl.gz") if p.is_file()} == stamps  # not redone
    with pytest.raises(UserError, match="not complete"):
        shard_paths(out)
    victim.rmdir()
    resumed = run_cli("ingest", str(crawl), "--engine", "serial", "--out", str(out), env=env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "4 of 4 shard(s) complete (3 from an earlier run)" in resumed.stdout
    assert {p.name: p.read_bytes() for p in shard_paths(out)} == complete


def test_an_output_folder_is_never_mixed_up(crawl: Path, tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "shards"
    assert run_cli("ingest", str(crawl), "--engine", "serial", "--out", str(out), env=env).returncode == 0
    other = run_cli("ingest", str(crawl / "a-000.warc.gz"), "--engine", "serial", "--out", str(out), env=env)
    assert other.returncode == 1 and "holds a run of other inputs" in other.stderr
    crowded = tmp_path / "crowded"
    crowded.mkdir()
    (crowded / "notes.txt").write_text("mine", encoding="utf-8")
    refused = run_cli("ingest", str(crawl), "--engine", "serial", "--out", str(crowded), env=env)
    assert refused.returncode == 1 and "other files in it" in refused.stderr
    inside = run_cli("ingest", str(crawl), "--engine", "serial", "--out", str(crawl / "out"), env=env)
    assert inside.returncode == 1 and "inside one of the inputs" in inside.stderr
    html = tmp_path / "page.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    none = run_cli("ingest", str(html), "--engine", "serial", "--out", str(tmp_path / "o"), env=env)
    assert none.returncode == 1 and "reads WARC shards" in none.stderr


def _split_into_shards(docs: list[Document], folder: Path) -> Path:
    folder.mkdir()
    thirds = [docs[: len(docs) // 3], docs[len(docs) // 3 : 2 * len(docs) // 3], docs[2 * len(docs) // 3 :]]
    for i, part in enumerate(thirds):
        data = "".join(dumps_document(d) + "\n" for d in part).encode()
        (folder / f"part-{i}.jsonl.gz").write_bytes(gzip.compress(data))
    (folder / "part-3.jsonl.gz").write_bytes(gzip.compress(b""))  # a crawl shard without a page
    return folder


def test_sharded_baseline_and_evaluate_equal_the_single_file(tmp_path: Path, env: dict[str, str]) -> None:
    gold = load_corpus("test")
    pages = [d.page() for d in gold]
    single_in = tmp_path / "pages.jsonl"
    single_in.write_text("".join(dumps_document(d) + "\n" for d in pages), encoding="utf-8")
    shards = _split_into_shards(pages, tmp_path / "pages")
    one = run_cli("baseline", "rules", "--input", str(single_in), "--out", str(tmp_path / "p.jsonl"), env=env)
    assert one.returncode == 0, one.stderr[-2000:]
    many = run_cli(
        "baseline",
        "rules",
        "--input",
        f"{shards}/*.jsonl.gz",
        "--engine",
        "serial",
        "--out",
        str(tmp_path / "p"),
        env=env,
    )
    assert many.returncode == 0, many.stderr[-2000:]
    assert _shard_lines(tmp_path / "p") == (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()
    scored = [run_cli("evaluate", "--predictions", str(tmp_path / p), "--json", env=env) for p in ("p.jsonl", "p")]
    assert scored[0].returncode == 0 and scored[0].stdout == scored[1].stdout  # every figure and interval


def test_shard_scores_add_up_to_the_streamed_file(tmp_path: Path) -> None:
    """Layers that only some shards predict, documents no shard predicts, breakdowns: all exactly equal."""
    gold = load_corpus("test")
    predictions = []
    for i, doc in enumerate(gold[:-3]):  # the last three are never predicted
        pred = Document(id=doc.id, entities=doc.entities[::2], boilerplate=doc.boilerplate[1:])
        if i >= 12:  # numeric claims first appear in the second shard
            pred.set_layer("numeric_claims", doc.numeric_claims[:3])
        predictions.append(pred)
    single = tmp_path / "p.jsonl"
    single.write_text("".join(dumps_document(p) + "\n" for p in predictions), encoding="utf-8")
    shards = _split_into_shards(predictions, tmp_path / "shards")
    streamed = scores_of(score_file(single, gold, with_breakdowns=True), gold)
    sharded = scores_of(score_shards(shard_paths(shards), gold, with_breakdowns=True), gold)
    assert json.dumps(sharded, sort_keys=True) == json.dumps(streamed, sort_keys=True)
    assert [d.id for d in read_shards(shards)] == [p.id for p in predictions]
    (shards / "part-4.jsonl").write_text(dumps_document(predictions[0]) + "\n", encoding="utf-8")
    with pytest.raises(ContractError, match="duplicate id"):
        score_shards(shard_paths(shards), gold)


def test_serial_engine_runs_shards_in_this_process(crawl: Path, tmp_path: Path) -> None:
    """The in-process engine (no cluster): same shards, and the manifest lists them in input order."""
    sources = sorted(str(p) for p in crawl.glob("*.warc.gz"))
    run = run_shards("ingest", sources, tmp_path / "out", Engine("serial"))
    assert run.complete and run.skipped == 0 and [s.input for s in run.shards if s] == sources
    assert len(load_documents(shard_paths(tmp_path / "out")[0])) == 9
    results = dict(task_runner(None)(lambda item, shared: item * shared, [1, 2, 3], shared=10))
    assert results == {0: 10, 1: 20, 2: 30}
