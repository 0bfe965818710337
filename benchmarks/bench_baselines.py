"""Baselines side by side: scores, speed, memory, what they get wrong on real pages, and the targets.

``python -m newslayers.benchmarks.bench_baselines [--systems NAME...] [--real-gold FILE.jsonl]`` prints:

1. per layer and split, the headline F1 of every system with 95% intervals: ``validation``
   and ``test``, and the real pages (``real_test``) when they are materialised or given
   with ``--real-gold`` (a gold JSONL of real pages with their ``split``; only its
   ``real_test`` pages are scored, since learned systems may train on ``real_validation``),
   also apart for its English pages and its pages in other languages (``meta.language``);
2. documents per second over the whole synthetic corpus on one core: CPU seconds, the median
   of three passes (what the targets are about; other work on the machine does not count
   against it), and wall seconds of the first pass, peak memory, and how long training or
   loading took. Each system runs in its own process with one BLAS/OpenMP thread, so speed
   and peak memory are its own;
3. per layer, what each system gets wrong on the real pages, as counts by error type;
4. the issue's targets, each marked met or not met;
5. boilerplate on all 88 real pages with the published article bodies as gold
   (``newslayers.benchmarks.bench_realpages``), when ``../shared/realpages`` is there.

``spacy-ner`` is also run as shipped (``spacy-ner:as-shipped``, the small English NER on the
same content lines, no fine-tuning), so both figures are in the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newslayers.baselines import SystemUnavailable, prepared_system, system_names
from newslayers.benchmarks.bench_realpages import main as realpages_main
from newslayers.benchmarks.harness import evaluate
from newslayers.corpus import load_corpus, real_pages_available
from rich.console import Console
from rich.table import Table

from newslayers.errors import UserError
from newslayers.jsonl import load_documents
from newslayers.layers import layer_names, layer_spec
from newslayers.model import Document
from newslayers.scoring import headline
from newslayers.systems import run_system

console = Console(width=None if sys.stdout.isatty() else 240)  # a log keeps the wide tables whole
AS_SHIPPED = "spacy-ner:as-shipped"
SPLITS = ("validation", "test")
REAL = "real_test"
BY_LANGUAGE = {f"{REAL} English pages": True, f"{REAL} other languages": False}  # pages of unknown language: neither
TARGETS = {"rules": 300.0, "sklearn": 100.0}  # docs/s on one core (CPU time), whole synthetic corpus


# ----------------------------------------------------------------------------- error analysis


def _overlaps(a: Any, b: Any) -> bool:
    return a.start < b.end and b.start < a.end


def _in_boilerplate(span: Any, boilerplate: Sequence[Any]) -> bool:
    return any(_overlaps(span, b) for b in boilerplate)


def span_errors(gold: Document, pred: Document, layer: str) -> Counter[str]:
    """Each gold and predicted span of a content layer by what happened to it."""
    spec, out = layer_spec(layer), Counter()
    golds, preds = list(gold.layer(layer) or []), list(pred.layer(layer) or [])
    exact = {(g.start, g.end): g for g in golds}
    for p in preds:
        g = exact.get((p.start, p.end))
        if g is not None:
            out["right span" if spec.label_of(g) == spec.label_of(p) else "wrong label"] += 1
            out.update(_attribute_errors(layer, g, p))
        elif any(_overlaps(p, g) for g in golds):
            out["wrong boundary"] += 1
        else:
            out["spurious in boilerplate" if _in_boilerplate(p, gold.boilerplate or []) else "spurious in content"] += 1
    out["missed"] += sum(not any(_overlaps(g, p) for p in preds) for g in golds)
    return out


def _attribute_errors(layer: str, g: Any, p: Any) -> Counter[str]:
    fields = {"numeric_claims": ("value", "qualifier", "unit"), "quotes": ("kind", "speaker", "cue")}.get(layer, ())
    return Counter(f"wrong {f}" for f in fields if getattr(g, f) != getattr(p, f))


def boilerplate_errors(gold: Document, pred: Document) -> Counter[str]:
    """Non-space characters marked wrongly: content called boilerplate, and boilerplate missed by gold kind."""
    text, out = gold.text or "", Counter()
    marked = bytearray(len(text))
    for b in pred.boilerplate or []:
        marked[b.start : b.end] = b"\x01" * (b.end - b.start)
    kind_at = [""] * len(text)
    for b in gold.boilerplate or []:
        kind_at[b.start : b.end] = [b.kind] * (b.end - b.start)
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        if marked[i] and not kind_at[i]:
            out["content chars called boilerplate"] += 1
        elif not marked[i] and kind_at[i]:
            out[f"missed {kind_at[i]} chars"] += 1
    return out


def error_counts(gold: Sequence[Document], by_id: dict[str, Document], layers: Sequence[str]) -> dict[str, dict]:
    out: dict[str, Counter[str]] = {layer: Counter() for layer in layers}
    for doc in gold:
        pred = by_id.get(doc.id, Document(id=doc.id))
        for layer in layers:
            errors = boilerplate_errors(doc, pred) if layer == "boilerplate" else span_errors(doc, pred, layer)
            out[layer].update(errors)
    return {layer: dict(sorted(counts.items())) for layer, counts in out.items()}


# ----------------------------------------------------------------------------- one system, in its own process


def _prepare(name: str) -> tuple[Any, str]:
    if name == AS_SHIPPED:
        from newslayers.baselines.spacy_ner import SpacyNerSystem  # spaCy is an optional extra

        return SpacyNerSystem(fine_tune=False), "no training"
    return prepared_system(name, lambda: load_corpus("train"), load_corpus)


def _scores(system: Any, gold: Sequence[Document], by_id: dict[str, Document]) -> dict[str, Any]:
    layers = [layer for layer in layer_names() if layer in system.layers]
    result = evaluate(gold, {d.id: by_id[d.id] for d in gold if d.id in by_id}, layers, with_breakdowns=False)
    out: dict[str, Any] = {}
    for layer in layers:
        ci = result[layer]["ci95"]
        out[layer] = {"f1": headline(result, layer), "low": ci["low"], "high": ci["high"]}
        for extra in ("speaker_accuracy", "value_accuracy"):
            if extra in result[layer]:
                out[layer][extra] = result[layer][extra]
    return out


def _timed_passes(system: Any, corpus: Sequence[Document], passes: int = 3) -> tuple[Any, float]:
    """The first run, and the median CPU seconds of ``passes`` runs (the first one pays for cold caches)."""
    runs, seconds = [], []
    for _ in range(passes):
        cpu = time.process_time()
        runs.append(run_system(system, corpus))
        seconds.append(time.process_time() - cpu)
    return runs[0], sorted(seconds)[len(seconds) // 2]


def real_gold(path: Path | None) -> list[Document]:
    """The real pages scored here: real_test, from the materialised track or a given gold file."""
    if path is not None:
        return [d for d in load_documents(path, "gold") if d.split == REAL]
    return load_corpus(REAL) if real_pages_available() else []


def measure_one(name: str, real_path: Path | None) -> dict[str, Any]:
    """Run one system on the whole corpus in this process: speed, memory, scores, real-page errors."""
    start = time.perf_counter()
    try:
        system, how = _prepare(name)
    except (SystemUnavailable, UserError) as err:
        return {"system": name, "unavailable": str(err)}
    prepare = time.perf_counter() - start
    corpus = load_corpus()
    run, cpu = _timed_passes(system, corpus)
    by_id = {p.id: p for p in run.predictions}
    scores = {split: _scores(system, [d for d in corpus if d.split == split], by_id) for split in SPLITS}
    errors = {}
    real = real_gold(real_path)
    if real:
        real_run = run_system(system, real)
        real_by_id = {p.id: p for p in real_run.predictions}
        scores[REAL] = _scores(system, real, real_by_id)
        for part, english in BY_LANGUAGE.items():
            pages = [d for d in real if d.language() is not None and (d.language() == "en") == english]
            if pages:
                scores[part] = _scores(system, pages, real_by_id)
        errors = error_counts(real, real_by_id, list(scores[REAL]))
    return {
        "system": name,
        "prepared": how,
        "prepare_seconds": prepare,
        "documents": len(corpus),
        "docs_per_cpu_second": len(corpus) / cpu if cpu else None,
        "docs_per_second": len(corpus) / run.seconds if run.seconds else None,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "failures": len(run.failures) + len(run.invalid),
        "scores": scores,
        "real_errors": errors,
    }


def _run_isolated(name: str, real_path: Path | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "newslayers.benchmarks.bench_baselines", "--one", name]
    if real_path is not None:
        command += ["--real-gold", str(real_path)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        return {"system": name, "unavailable": f"failed with exit code {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- tables


def _cell(value: dict[str, float] | None) -> str:
    if not value:
        return "–"
    return f"{100 * value['f1']:.1f} ({100 * value['low']:.1f}–{100 * value['high']:.1f})"


def score_tables(ran: Sequence[dict[str, Any]]) -> None:
    for split in (*SPLITS, REAL, *BY_LANGUAGE):
        rows = [r for r in ran if split in r["scores"]]
        if not rows:
            continue
        table = Table(title=f"headline F1 (%) on {split}, 95% CI (quotes: speaker accuracy)")
        table.add_column("system")
        for layer in layer_names():
            table.add_column(layer.replace("_", " "), justify="right")
        for r in rows:
            cells = [_cell(r["scores"][split].get(layer)) for layer in layer_names()]
            quotes = r["scores"][split].get("quotes")
            if quotes and "speaker_accuracy" in quotes:
                cells[list(layer_names()).index("quotes")] += f" spk {quotes['speaker_accuracy']:.2f}"
            table.add_row(r["system"], *cells)
        console.print(table)


def speed_table(ran: Sequence[dict[str, Any]]) -> None:
    speed = Table(title="speed over the whole synthetic corpus, one core (OMP/BLAS threads = 1)")
    for column in ("system", "docs/s (CPU)", "docs/s (wall)", "peak memory (MB)", "training / loading"):
        speed.add_column(column, justify="right")
    for r in ran:
        speed.add_row(
            r["system"],
            f"{r['docs_per_cpu_second']:.0f}",
            f"{r['docs_per_second']:.0f}",
            f"{r['peak_mb']:.0f}",
            f"{r['prepared']} ({r['prepare_seconds']:.1f}s)",
        )
    console.print(speed)


def error_tables(ran: Sequence[dict[str, Any]]) -> None:
    for layer in layer_names():
        rows = [(r["system"], r["real_errors"][layer]) for r in ran if layer in r.get("real_errors", {})]
        if not rows:
            continue
        kinds = sorted({k for _, counts in rows for k in counts})
        unit = "non-space characters" if layer == "boilerplate" else "spans"
        table = Table(title=f"{layer} on the real pages ({REAL}): {unit} by what went wrong")
        table.add_column("system")
        for kind in kinds:
            table.add_column(kind, justify="right")
        for name, counts in rows:
            table.add_row(name, *(f"{counts.get(k, 0):,}" for k in kinds))
        console.print(table)


# ----------------------------------------------------------------------------- targets


def _best(ran: Sequence[dict[str, Any]], split: str, layer: str) -> tuple[str, dict[str, float]] | None:
    rows = [(r["system"], r["scores"][split][layer]) for r in ran if layer in r["scores"].get(split, {})]
    return max(rows, key=lambda row: row[1]["f1"]) if rows else None


def target_lines(ran: Sequence[dict[str, Any]]) -> list[str]:
    by_name = {r["system"]: r for r in ran}
    split = REAL if any(REAL in r["scores"] for r in ran) else "test"
    lines = []
    for name, need in TARGETS.items():
        if name in by_name:
            got = by_name[name]["docs_per_cpu_second"]
            lines.append(f"{name} speed {got:.0f} docs/s (CPU) >= {need:.0f}: {'met' if got >= need else 'NOT met'}")
    best, spacy = (
        _best(ran, split, "entities"),
        by_name.get("spacy", {}).get("scores", {}).get(split, {}).get("entities"),
    )
    if best and spacy:
        ok = best[1]["f1"] >= spacy["f1"] + 0.10
        lines.append(f"entities on {split}: best {best[0]} {100 * best[1]['f1']:.1f} vs spaCy en_core_web_sm "
                     f"{100 * spacy['f1']:.1f} + 10: {'met' if ok else 'NOT met'}")  # fmt: skip
    for layer, need in (("numeric_claims", 0.88), ("quotes", 0.75)):
        if best := _best(ran, split, layer):
            ok = best[1]["f1"] >= need
            line = f"{layer} on {split}: best {best[0]} {100 * best[1]['f1']:.1f} >= {100 * need:.0f}"
            if layer == "quotes":
                speaker = best[1].get("speaker_accuracy", 0.0)
                ok = ok and speaker >= 0.85
                line += f" with speaker accuracy {speaker:.2f} >= 0.85"
            lines.append(f"{line}: {'met' if ok else 'NOT met'}")
            for part in BY_LANGUAGE if split == REAL else ():
                if best := _best(ran, part, layer):
                    lines.append(f"  (not a target) {layer} on {part}: best {best[0]} {100 * best[1]['f1']:.1f}")
    dom, traf = (
        by_name.get(n, {}).get("scores", {}).get(split, {}).get("boilerplate")
        for n in ("dom-boilerplate", "trafilatura")
    )
    if dom and traf:
        ok = dom["f1"] >= traf["f1"]
        lines.append(f"boilerplate on {split}: dom-boilerplate {100 * dom['f1']:.1f} vs trafilatura "
                     f"{100 * traf['f1']:.1f}: {'met' if ok else 'NOT met'}")  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--systems", nargs="*", help="systems to run (default: every registered one)")
    parser.add_argument("--real-gold", type=Path, help="gold JSONL of real pages (its real_test pages are scored)")
    parser.add_argument("--skip-realpages", action="store_true", help="leave out the 88-page published-body table")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.real_gold)))
        return
    names = args.systems or [*system_names(), AS_SHIPPED]
    results = [_run_isolated(name, args.real_gold) for name in names]
    ran = [r for r in results if "scores" in r]
    score_tables(ran)
    speed_table(ran)
    error_tables(ran)
    for line in target_lines(ran):
        console.print(f"target: {line}", markup=False)
    for r in results:
        if "unavailable" in r:
            console.print(f"{r['system']}: {r['unavailable']}", markup=False, style="yellow")
    if not args.skip_realpages:
        realpages_main([])


if __name__ == "__main__":
    main()
