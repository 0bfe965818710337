"""Baselines side by side: scores per layer on validation and test, speed and memory.

``python -m newslayers.benchmarks.bench_baselines`` prints three tables:

1. per layer and split, the headline F1 of every system (with 95% intervals);
2. documents per second on one core over the whole corpus, and peak memory (each system
   runs in its own process so the peak is its own; training time is reported apart);
3. boilerplate on the real pages of ``../shared/realpages`` when present (see
   ``newslayers.benchmarks.bench_realpages``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

from newslayers.baselines import SystemUnavailable, prepared_system, system_names
from newslayers.benchmarks.harness import evaluate
from newslayers.corpus import load_corpus
from rich.console import Console
from rich.table import Table

from newslayers.layers import layer_names
from newslayers.scoring import headline
from newslayers.systems import run_system

console = Console()


def measure_one(name: str) -> dict[str, Any]:
    """Run one system on the whole corpus in this process: speed, memory, scores."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    start = time.perf_counter()
    try:
        system, how = prepared_system(name, lambda: load_corpus("train"))
    except SystemUnavailable as err:
        return {"system": name, "unavailable": str(err)}
    prepare = time.perf_counter() - start
    corpus = load_corpus()
    run = run_system(system, corpus)
    seconds = run.seconds
    by_id = {p.id: p for p in run.predictions}
    layers = [layer for layer in layer_names() if layer in system.layers]
    scores = {}
    for split in ("validation", "test"):
        gold = [d for d in corpus if d.split == split]
        result = evaluate(gold, {d.id: by_id[d.id] for d in gold}, layers, with_breakdowns=False)
        scores[split] = {
            layer: [headline(result, layer), result[layer]["ci95"]["low"], result[layer]["ci95"]["high"]]
            for layer in layers
        }
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "system": name,
        "prepared": how,
        "prepare_seconds": prepare,
        "documents": len(corpus),
        "docs_per_second": len(corpus) / seconds if seconds else None,
        "peak_mb": peak_kb / 1024,
        "scores": scores,
    }


def _run_isolated(name: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "newslayers.benchmarks.bench_baselines", "--one", name]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        return {
            "system": name,
            "unavailable": f"failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}",
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_tables(results: list[dict[str, Any]]) -> None:
    ran = [r for r in results if "scores" in r]
    for split in ("validation", "test"):
        table = Table(title=f"headline F1 (%) on the {split} split, 95% CI")
        table.add_column("system")
        for layer in layer_names():
            table.add_column(layer.replace("_", " "), justify="right")
        for r in ran:
            cells = []
            for layer in layer_names():
                value = r["scores"][split].get(layer)
                cells.append(f"{100 * value[0]:.1f} ({100 * value[1]:.1f}–{100 * value[2]:.1f})" if value else "–")
            table.add_row(r["system"], *cells)
        console.print(table)
    speed = Table(title="speed on the whole corpus, one core (OMP/BLAS threads = 1)")
    for column in ("system", "docs/s", "peak memory (MB)", "training / loading"):
        speed.add_column(column, justify="right")
    for r in ran:
        speed.add_row(
            r["system"],
            f"{r['docs_per_second']:.0f}",
            f"{r['peak_mb']:.0f}",
            f"{r['prepared']} ({r['prepare_seconds']:.1f}s)",
        )
    console.print(speed)
    for r in results:
        if "unavailable" in r:
            console.print(f"{r['system']}: {r['unavailable']}", markup=False, style="yellow")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--systems", nargs="*")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return
    results = [_run_isolated(name) for name in (args.systems or system_names())]
    print_tables(results)
    try:
        from newslayers.benchmarks.bench_realpages import main as realpages_main
    except ImportError:
        return
    realpages_main([])


if __name__ == "__main__":
    main()
