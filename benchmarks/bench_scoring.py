"""Scoring speed against nervaluate: 10,000 documents with 30 entity spans each.

``python -m newslayers.benchmarks.bench_scoring [--documents N]`` prints both timings,
the ratio, peak memory, and checks that every count is identical.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc

from rich.console import Console
from rich.table import Table

from newslayers.model import Document, Entity
from newslayers.scoring import aggregate, score_run

LABELS = ["PERSON", "ORG", "GPE", "NORP", "LOC"]


def synthetic(documents: int, spans: int, seed: int = 11) -> tuple[list[list[Entity]], list[list[Entity]]]:
    """Gold with ``spans`` entities per document and predictions that are mostly right."""
    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(documents):
        starts = sorted(rng.sample(range(0, spans * 40, 8), spans))
        g = [Entity(s, s + rng.randint(2, 7), rng.choice(LABELS)) for s in starts]
        p = []
        for e in g:
            roll = rng.random()
            if roll < 0.7:
                p.append(e)
            elif roll < 0.8:
                p.append(Entity(e.start, e.end, rng.choice(LABELS)))
            elif roll < 0.9:
                p.append(Entity(e.start + 1, e.end, e.label))
        p += [Entity(s, s + 3, rng.choice(LABELS)) for s in rng.sample(range(spans * 40, spans * 50), 3)]
        gold.append(g)
        pred.append(sorted(p))
    return gold, pred


def run_ours(gold: list[list[Entity]], pred: list[list[Entity]]) -> dict:
    docs = [Document(id=str(i), text="", entities=g) for i, g in enumerate(gold)]
    preds = {str(i): Document(id=str(i), entities=p) for i, p in enumerate(pred)}
    return aggregate(score_run(docs, preds, ["entities"]))["entities"]


def run_nervaluate(gold: list[list[Entity]], pred: list[list[Entity]]) -> dict:
    from nervaluate import Evaluator

    def convert(docs: list[list[Entity]]) -> list[list[dict]]:
        return [[{"label": e.label, "start": e.start, "end": e.end - 1} for e in doc] for doc in docs]

    return Evaluator(convert(gold), convert(pred), tags=LABELS, loader="dict").evaluate()


def timed(fn, *args):  # type: ignore[no-untyped-def]
    """Time a run without tracing (tracing slows Python code), then trace a second run."""
    start = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=30)
    args = parser.parse_args()
    gold, pred = synthetic(args.documents, args.spans)
    ours, t_ours, m_ours = timed(run_ours, gold, pred)
    theirs, t_theirs, m_theirs = timed(run_nervaluate, gold, pred)
    identical = all(
        (ours[s]["correct"], ours[s]["incorrect"], ours[s]["partial"], ours[s]["missed"], ours[s]["spurious"])
        == (theirs["overall"][s].correct, theirs["overall"][s].incorrect, theirs["overall"][s].partial,
            theirs["overall"][s].missed, theirs["overall"][s].spurious)
        and abs(ours[s]["f1"] - theirs["overall"][s].f1) < 1e-12
        for s in ("strict", "exact", "partial", "ent_type")
    )  # fmt: skip
    table = Table(
        title=f"entity scoring, {args.documents:,} documents × {args.spans} spans (all 4 schemes + per label)"
    )
    for column in ("scorer", "seconds", "peak memory (MB, tracemalloc)", "strict F1"):
        table.add_column(column, justify="right")
    table.add_row("newslayers", f"{t_ours:.2f}", f"{m_ours / 1e6:.0f}", f"{ours['strict']['f1']:.6f}")
    table.add_row("nervaluate", f"{t_theirs:.2f}", f"{m_theirs / 1e6:.0f}", f"{theirs['overall']['strict'].f1:.6f}")
    console = Console()
    console.print(table)
    console.print(f"speed-up: {t_theirs / t_ours:.1f}×; identical counts and F1 in all four schemes: {identical}")


if __name__ == "__main__":
    main()
