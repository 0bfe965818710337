"""Speed and memory of the Hugging Face dataset build.

``python -m newslayers.benchmarks.bench_dataset [--scale 100] [--repeat 3]`` prints one table:
build time of the embedded corpus, size on disk per configuration, ``load_dataset`` time per
configuration (cold: empty cache; cached: the second load), and the build of a corpus scaled
up ``--scale`` times by repetition, streamed from a JSONL file in a temporary folder. The
scaled builds run in child processes so that their peak resident memory (``getrusage``) is
their own; a bounded build keeps the peak close to the 1× build's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from newslayers.corpus import load_corpus
from newslayers.corpus.hf import CONFIGS, build_dataset, folder_files
from rich.console import Console
from rich.table import Table

from newslayers.jsonl import document_to_json, read_documents
from newslayers.model import Document

MB = 1024 * 1024


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024


def write_scaled(docs: list[Document], scale: int, path: Path) -> int:
    """Write ``scale`` renamed copies of every document, in id order, one line at a time."""
    ids = sorted((f"{doc.id}-r{k:03d}", i) for i, doc in enumerate(docs) for k in range(scale))
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for new_id, index in ids:
            record = document_to_json(docs[index])
            record["id"] = new_id
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(ids)


def child_build(jsonl: Path, out: Path) -> dict[str, Any]:
    """Build from a JSONL stream in this process and measure it (the child side)."""
    import pyarrow as pa

    before = _peak_rss_mb()
    started = time.perf_counter()
    build_dataset(out, read_documents(jsonl, "gold"))
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": before,
        "arrow_peak_mb": pa.default_memory_pool().max_memory() / MB,
        "bytes": sum((out / p).stat().st_size for p in folder_files(out)),
    }


def run_child(jsonl: Path, out: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "newslayers.benchmarks.bench_dataset", "--child-build", str(jsonl), str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_builds(docs: list[Document], out: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        build_dataset(out, docs)
        times.append(time.perf_counter() - started)
    return times


def time_loads(folder: Path, cache_root: Path) -> dict[str, tuple[float, float]]:
    """(cold, cached) seconds of ``load_dataset(folder, config)`` with a fresh cache per config."""
    import datasets

    datasets.disable_progress_bars()
    out = {}
    for config in CONFIGS:
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            datasets.load_dataset(str(folder), config, cache_dir=str(cache_root / config))
            timings.append(time.perf_counter() - started)
        out[config] = (timings[0], timings[1])
    return out


def config_sizes(folder: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path in folder_files(folder):
        key = path.parts[0] if len(path.parts) > 1 else "card + provenance"
        sizes[key] = sizes.get(key, 0) + (folder / path).stat().st_size
    return sizes


def report(rows: list[tuple[str, str]]) -> None:
    table = Table(title="newslayers: Hugging Face dataset build")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child-build", nargs=2, type=Path, metavar=("JSONL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_build:
        print(json.dumps(child_build(*args.child_build)))
        return 0
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    docs = load_corpus()
    with tempfile.TemporaryDirectory(prefix="bench-dataset-") as tmp:
        root = Path(tmp)
        builds = time_builds(docs, root / "build", args.repeat)
        loads = time_loads(root / "build", root / "cache")
        sizes = config_sizes(root / "build")
        write_scaled(docs, 1, root / "x1.jsonl")
        one = run_child(root / "x1.jsonl", root / "out1")
        started = time.perf_counter()
        count = write_scaled(docs, args.scale, root / "scaled.jsonl")
        write_seconds = time.perf_counter() - started
        jsonl_mb = (root / "scaled.jsonl").stat().st_size / MB
        scaled = run_child(root / "scaled.jsonl", root / "scaled")
    rows = [
        ("documents", f"{len(docs):,}"),
        (f"build time (median of {args.repeat})", f"{statistics.median(builds):.2f} s"),
        *((f"size: {name}", f"{size / 1024:,.0f} KiB") for name, size in sorted(sizes.items())),
        ("size: total", f"{sum(sizes.values()) / 1024:,.0f} KiB"),
        *((f"load_dataset {c}: cold / cached", f"{cold:.2f} s / {warm:.2f} s") for c, (cold, warm) in loads.items()),
        ("1× from JSONL: build time", f"{one['seconds']:.2f} s"),
        (
            "1× from JSONL: peak RSS (peak before the build)",
            f"{one['peak_rss_mb']:.0f} MB ({one['rss_before_mb']:.0f} MB)",
        ),
        (
            f"{args.scale}× corpus: documents / JSONL size",
            f"{count:,} / {jsonl_mb:,.0f} MB (written in {write_seconds:.1f} s)",
        ),
        (f"{args.scale}× corpus: build time", f"{scaled['seconds']:.1f} s"),
        (f"{args.scale}× corpus: folder size", f"{scaled['bytes'] / MB:,.1f} MB"),
        (
            f"{args.scale}× corpus: peak RSS (peak before the build)",
            f"{scaled['peak_rss_mb']:.0f} MB ({scaled['rss_before_mb']:.0f} MB)",
        ),
        (
            f"{args.scale}× corpus: peak Arrow pool",
            f"{scaled['arrow_peak_mb']:.1f} MB (1×: {one['arrow_peak_mb']:.1f} MB)",
        ),
    ]
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
