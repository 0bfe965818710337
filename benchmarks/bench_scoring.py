"""Scoring speed and memory as users meet it: the whole ``newslayers evaluate --json`` command
against nervaluate as a whole process, on the same JSONL files.

``python -m newslayers.benchmarks.bench_scoring [--documents 10000] [--spans 30] [--large 100000]``
writes a gold file (entities only, every other layer empty) and a predictions file to a
temporary folder, times both processes from start to exit (reading, checking, scoring and
printing included), reports peak resident memory, checks that every count and F1 is the
same in all four schemes, then times our command alone on ``--large`` documents.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from newslayers.layers import layer_names

LABELS = ["PERSON", "ORG", "GPE", "NORP", "LOC"]
SCHEMES = ("strict", "exact", "partial", "ent_type")

NERVALUATE_SCRIPT = """
import json, sys
from nervaluate import Evaluator
def spans(path, key):
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            out.append([{"label": e["label"], "start": e["start"], "end": e["end"] - 1} for e in doc.get(key) or []])
    return out
gold, pred = spans(sys.argv[1], "entities"), spans(sys.argv[2], "entities")
results = Evaluator(gold, pred, tags=sorted({e["label"] for d in gold for e in d}), loader="dict").evaluate()["overall"]
print(json.dumps({s: {k: getattr(results[s], k) for k in ("correct", "incorrect", "partial", "missed", "spurious", "f1")}
                  for s in ("strict", "exact", "partial", "ent_type")}))
"""


def write_files(folder: Path, documents: int, spans: int, seed: int = 11) -> tuple[Path, Path]:
    """Gold with ``spans`` entities per document and predictions that are mostly right."""
    rng = random.Random(seed)
    gold_path, pred_path = folder / f"gold-{documents}.jsonl", folder / f"pred-{documents}.jsonl"
    empty = {name: [] for name in layer_names() if name != "entities"}
    with gold_path.open("w", encoding="utf-8") as gold, pred_path.open("w", encoding="utf-8") as pred:
        for i in range(documents):
            starts = sorted(rng.sample(range(0, spans * 40, 8), spans))
            g = [(s, s + rng.randint(2, 7), rng.choice(LABELS)) for s in starts]
            p = []
            for s, e, label in g:
                roll = rng.random()
                if roll < 0.7:
                    p.append((s, e, label))
                elif roll < 0.8:
                    p.append((s, e, rng.choice(LABELS)))
                elif roll < 0.9:
                    p.append((s + 1, e, label))
            p += [(s, s + 3, rng.choice(LABELS)) for s in rng.sample(range(spans * 40, spans * 50), 3)]
            text = "x" * (spans * 50 + 10)
            gold.write(json.dumps({"id": f"d{i}", "text": text, "entities": _spans(g), **empty}) + "\n")
            pred.write(json.dumps({"id": f"d{i}", "entities": _spans(sorted(p))}) + "\n")
    return gold_path, pred_path


def _spans(items: list[tuple[int, int, str]]) -> list[dict[str, object]]:
    return [{"start": s, "end": e, "label": label} for s, e, label in items]


MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
sys.stderr.write(f"\\n{seconds} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.exit(done.returncode)
"""


def run(command: list[str]) -> tuple[str, float, float]:
    """Run a whole process: stdout, wall seconds, peak resident memory (MB) of that process alone.

    A small parent process starts it and reads its own children's peak RSS, so each
    command's memory is measured apart from the others.
    """
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{done.stderr[-2000:]}")
    seconds, peak_kb = done.stderr.strip().splitlines()[-1].split()
    return done.stdout, float(seconds), float(peak_kb) / 1024


def ours(gold: Path, pred: Path) -> list[str]:
    return [sys.executable, "-m", "newslayers", "evaluate", "--json", "--gold", str(gold), "--predictions", str(pred)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=30)
    parser.add_argument("--large", type=int, default=100_000, help="documents for the memory run (0 skips it)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the median is reported")
    args = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        gold, pred = write_files(Path(tmp), args.documents, args.spans)
        mine, theirs = [], []
        for _ in range(args.repeat):  # interleaved, so a busy moment on a shared machine hits both sides
            mine.append(run(ours(gold, pred)))
            theirs.append(run([sys.executable, "-c", NERVALUATE_SCRIPT, str(gold), str(pred)]))
        t_ours = sorted(r[1] for r in mine)[len(mine) // 2]
        t_theirs = sorted(r[1] for r in theirs)[len(theirs) // 2]
        ratios = sorted(b[1] / a[1] for a, b in zip(mine, theirs, strict=True))
        scores, reference = json.loads(mine[0][0])["entities"], json.loads(theirs[0][0])
        identical = all(
            all(scores[s][k] == reference[s][k] for k in ("correct", "incorrect", "partial", "missed", "spurious"))
            and abs(scores[s]["f1"] - reference[s]["f1"]) < 1e-12
            for s in SCHEMES
        )
        table = Table(
            title=f"whole commands on {args.documents:,} documents × {args.spans} entity spans (median of {args.repeat})"
        )
        for column in ("process", "seconds", "peak RSS (MB)", "strict F1"):
            table.add_column(column, justify="right")
        table.add_row(
            "newslayers evaluate --json",
            f"{t_ours:.2f}",
            f"{max(r[2] for r in mine):.0f}",
            f"{scores['strict']['f1']:.6f}",
        )
        table.add_row("nervaluate (read + evaluate)", f"{t_theirs:.2f}", f"{max(r[2] for r in theirs):.0f}",
                      f"{reference['strict']['f1']:.6f}")  # fmt: skip
        console.print(table)
        console.print(
            f"speed-up: {t_theirs / t_ours:.1f}× (medians; per interleaved pair {ratios[0]:.1f}×–{ratios[-1]:.1f}×); "
            f"identical counts and F1 in all four schemes: {identical}"
        )
        if args.large:
            big_gold, big_pred = write_files(Path(tmp), args.large, args.spans, seed=12)
            _, seconds, peak = run(ours(big_gold, big_pred))
            console.print(
                f"{args.large:,} documents: newslayers evaluate --json took {seconds:.1f}s, peak RSS {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
