"""Boilerplate on real pages: every boilerplate system scored on a public extraction benchmark.

``python -m newslayers.benchmarks.bench_realpages [--shared ../shared]`` ingests the real
pages in ``shared/realpages/html``, derives boilerplate gold by aligning each page's
published article body onto its text (everything outside the aligned body is boilerplate),
scores every registered boilerplate system with the harness, and prints the table plus
ingest speed. The derived gold is built at run time and never stored in the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import time
from multiprocessing import Pool
from pathlib import Path

from newslayers.baselines import SystemUnavailable, get_system, prepared_system, system_names
from newslayers.baselines.rules import RulesSystem
from newslayers.benchmarks.harness import evaluate
from newslayers.corpus import load_corpus
from newslayers.corpus.ingest import RawPage, Rejected, ingest, page_to_document
from rich.console import Console
from rich.table import Table

from newslayers.align import align_extracted, complement_lines
from newslayers.model import Boilerplate, Document
from newslayers.systems import run_system

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def realpages_gold(shared: Path, workers: int = 1) -> tuple[list[Document], float]:
    """Ingested real pages with boilerplate gold from their published bodies; ingest seconds."""
    folder = shared / "realpages"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    url_map = {f"{key}.html.gz": value.get("url") for key, value in truth.items()}
    paths = sorted((folder / "html").glob("*.html.gz"))
    start = time.perf_counter()
    docs = [d for d in ingest(paths, url_map, workers, progress=False) if not isinstance(d, Rejected)]
    seconds = time.perf_counter() - start
    gold = []
    for doc in docs:
        key = Path(doc.meta["origin"]).name.split(".")[0]
        body = truth[key].get("articleBody") or ""
        content = align_extracted(doc.text or "", body)
        doc.boilerplate = [Boilerplate(s, e, "other") for s, e in complement_lines(doc.text or "", content)]
        doc.entities, doc.numeric_claims, doc.quotes = [], [], []
        doc.split = "test"
        gold.append(doc)
    return gold, seconds


def boilerplate_systems() -> list[str]:
    names = []
    for name in system_names():
        try:
            if "boilerplate" in get_system(name).layers:
                names.append(name)
        except SystemUnavailable:
            continue
    return names


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--repeat", type=int, default=10, help="repeat the pages this many times for the speed test")
    args = parser.parse_args(argv)
    console = Console()
    if not (args.shared / "realpages" / "ground-truth.json").exists():
        console.print(f"no real pages at {args.shared / 'realpages'}; skipped")
        return
    gold, ingest_seconds = realpages_gold(args.shared)
    table = Table(title=f"boilerplate on {len(gold)} real news pages (published article bodies as gold)")
    for column in ("system", "char P", "char R", "char F1 (95% CI)", "content-word F1", "docs/s"):
        table.add_column(column, justify="right")
    for name in boilerplate_systems():
        system, _ = prepared_system(name, lambda: load_corpus("train"), load_corpus)
        run = run_system(system, gold)
        seconds = run.seconds
        scores = evaluate(gold, {p.id: p for p in run.predictions}, ["boilerplate"], with_breakdowns=False)[
            "boilerplate"
        ]
        char, ci = scores["char"], scores["ci95"]
        table.add_row(
            name,
            f"{100 * char['precision']:.1f}",
            f"{100 * char['recall']:.1f}",
            f"{100 * char['f1']:.1f} ({100 * ci['low']:.1f}–{100 * ci['high']:.1f})",
            f"{100 * scores['content_words']['f1']:.1f}",
            f"{len(gold) / seconds:.0f}",
        )
    console.print(table)
    console.print(f"ingest of the {len(gold)} pages for the table above: {ingest_seconds:.2f}s")
    console.print(ingest_speed(args.shared, args.repeat))


_RULES = RulesSystem()


def _ingest_and_rules(page: RawPage) -> int:
    doc = page_to_document(page)
    if isinstance(doc, Rejected):
        return 0
    _RULES.predict_one(doc)
    return 1


def ingest_speed(shared: Path, repeat: int) -> Table:
    """Pages per second for ingest alone and ingest + rules, on 1 and 2 worker processes."""
    raw = [
        RawPage(str(p), gzip.decompress(p.read_bytes()))
        for p in sorted((shared / "realpages" / "html").glob("*.html.gz"))
    ]
    pages = raw * repeat
    table = Table(title=f"ingest speed on {len(pages):,} real pages ({len(raw)} pages × {repeat}), no dedupe")
    for column in ("work", "workers", "pages/s", "pages/s per core", "seconds"):
        table.add_column(column, justify="right")
    for label, fn in (("ingest", page_to_document), ("ingest + rules", _ingest_and_rules)):
        for workers in (1, 2):
            start = time.perf_counter()
            if workers == 1:
                for page in pages:
                    fn(page)
            else:
                with Pool(workers) as pool:
                    for _ in pool.imap_unordered(fn, pages, chunksize=16):
                        pass
            seconds = time.perf_counter() - start
            rate = len(pages) / seconds
            table.add_row(label, str(workers), f"{rate:,.0f}", f"{rate / workers:,.0f}", f"{seconds:.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table.caption = f"peak memory (main process): {peak:.0f} MB"
    return table


if __name__ == "__main__":
    main()
