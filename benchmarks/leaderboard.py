"""``newslayers leaderboard``: run every system on every track, score, write the leaderboard.

Tracks: ``real_test`` (the headline, when the real pages are materialised) and the synthetic
``test``. Every system runs through :func:`newslayers.systems.run_system` (the page only,
every output checked); a system whose output breaks the contract is listed and not ranked.
Submissions in ``benchmarks/submissions/NAME.jsonl`` are checked like ``evaluate`` does.

Writes ``leaderboard.md``, ``.csv``, a sortable ``.html``, one PNG per track, results JSON
per system and track, and predictions. Everything but ``results/timings.json`` is a function
of the code and the data: two runs write identical bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from newslayers.baselines import BUILTIN, plugin_problems, prepared_system, system_names
from newslayers.benchmarks.harness import dataset_record, evaluate, results_record, run_log_entry, score_file, scores_of
from newslayers.corpus import load_corpus, real_pages_available
from newslayers.corpus.hf import build_if_stale
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newslayers.errors import UserError
from newslayers.jsonl import ContractError, write_documents, write_text_atomic
from newslayers.layers import layer_names
from newslayers.model import Document
from newslayers.scoring import headline
from newslayers.systems import check_name, run_system

matplotlib.use("Agg")
import matplotlib.pyplot as plt

console = Console(stderr=True)
BASELINES = ("rules", "sklearn", "spacy-ner", "dom-boilerplate", "pipeline")
HOW_TO_GET_REAL = (
    "real-page track not materialised: run `newslayers real materialize --pages ../shared/realpages` "
    "(or `newslayers real fetch --out DIR` first) to add the headline real_test table"
)


@dataclass(slots=True)
class Row:
    track: str
    system: str
    kind: str
    version: str
    f1: dict[str, float] = field(default_factory=dict)
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def mean(self) -> float:
        return sum(self.f1.values()) / len(layer_names())


def _kind(name: str) -> str:
    if name in BASELINES:
        return "baseline"
    return "reference" if name in BUILTIN else "plug-in"


def _row(track: str, name: str, kind: str, version: str, scores: dict[str, Any], layers: Sequence[str]) -> Row:
    row = Row(track, name, kind, version)
    for layer in layers:
        row.f1[layer] = headline(scores, layer)
        ci = scores[layer].get("ci95", {})
        row.ci[layer] = (ci.get("low", 0.0), ci.get("high", 0.0))
    return row


@dataclass(slots=True)
class Outcome:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    timings: list[dict[str, Any]] = field(default_factory=list)


def _run_system(name: str, tracks: dict[str, list[Document]], out_dir: Path, outcome: Outcome) -> None:
    try:
        system, _ = prepared_system(name, lambda: load_corpus("train"), load_corpus)
    except UserError as err:
        outcome.notes.append(f"skipped {name}: {err}")
        return
    except Exception as err:
        outcome.notes.append(f"skipped {name}: {type(err).__name__}: {err}")
        return
    layers = [layer for layer in layer_names() if layer in system.layers]
    for track, gold in tracks.items():
        run = run_system(system, gold)
        outcome.failures += [str(f) for f in run.failures]
        outcome.timings.append(run_log_entry(name, track, run.seconds, len(gold)))
        if run.invalid:
            outcome.notes.append(f"not ranked on {track}: {name} returned output that breaks the contract")
            outcome.failures += [str(f) for f in run.invalid]
            continue
        write_documents(out_dir / "predictions" / track / f"{name}.jsonl", run.predictions, allow_empty=True)
        scores = evaluate(gold, {p.id: p for p in run.predictions}, layers)
        record = results_record({"name": name, "version": system.version, "description": system.description},
                                track, scores, {"failed_documents": sorted(f.doc_id for f in run.failures)})  # fmt: skip
        write_text_atomic(out_dir / "results" / track / f"{name}.json", json.dumps(record, indent=2) + "\n")
        outcome.rows.append(_row(track, name, _kind(name), system.version, scores, layers))


def _submissions(folder: Path, tracks: dict[str, list[Document]], out_dir: Path, outcome: Outcome) -> None:
    taken = set(system_names())
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        name = path.stem
        problem = check_name(name, "submission") or (
            f"submission {name!r} has the name of a registered system" if name in taken else None
        )
        if problem:
            outcome.notes.append(f"refused {path.name}: {problem}")
            continue
        scored = 0
        for track, gold in tracks.items():
            try:
                run = score_file(path, gold)
            except ContractError as err:
                if all("unknown document id" in p.message for p in err.problems):
                    continue  # a submission for another track
                outcome.notes.append(f"refused {path.name} on {track}: {err.problems[0]} (run newslayers validate)")
                scored += 1
                continue
            scored += 1
            scores = scores_of(run, gold, with_breakdowns=True)
            record = results_record({"name": name, "version": "submitted"}, track, scores)
            write_text_atomic(
                out_dir / "results" / track / f"submission-{name}.json", json.dumps(record, indent=2) + "\n"
            )
            outcome.rows.append(_row(track, name, "submission", "submitted", scores, run.layers))
        if not scored:
            outcome.notes.append(f"refused {path.name}: its ids belong to none of {', '.join(tracks)}")


def cmd_leaderboard(args: argparse.Namespace) -> int:
    return run_leaderboard(split=args.split, out_dir=args.out, submissions=args.submissions, only=args.systems)


def tracks_to_run(split: str | None) -> tuple[dict[str, list[Document]], list[str]]:
    """The splits to score: real_test first when it exists, then the synthetic test."""
    if split:
        return {split: load_corpus(split)}, []
    tracks: dict[str, list[Document]] = {}
    notes = []
    if real_pages_available():
        tracks["real_test"] = load_corpus("real_test")
    else:
        notes.append(HOW_TO_GET_REAL)
    tracks["test"] = load_corpus("test")
    return tracks, notes


def run_leaderboard(
    split: str | None = None,
    out_dir: Path = Path("benchmarks"),
    submissions: Path | None = None,
    only: Sequence[str] | None = None,
) -> int:
    """Run, score and write everything; 0, or 1 when any system failed on a document."""
    build_if_stale()
    tracks, notes = tracks_to_run(split)
    names = list(only) if only else system_names()
    unknown = sorted(set(names) - set(system_names()))
    if unknown:
        raise UserError(f"unknown system {', '.join(unknown)}; known: {', '.join(system_names())}")
    outcome = Outcome(notes=notes + plugin_problems())
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console) as progress:  # fmt: skip
        task = progress.add_task("systems", total=len(names))
        for name in names:
            progress.update(task, description=f"running {name}")
            _run_system(name, tracks, out_dir, outcome)
            progress.advance(task)
    _submissions(submissions or out_dir / "submissions", tracks, out_dir, outcome)
    rows = sorted(outcome.rows, key=lambda r: (list(tracks).index(r.track), -round(r.mean, 12), r.system))
    datasets = {track: dataset_record(gold) for track, gold in tracks.items()}
    write_artefacts(rows, out_dir, datasets, outcome.notes)
    write_text_atomic(out_dir / "results" / "timings.json", json.dumps(outcome.timings, indent=2) + "\n")
    for note in outcome.notes:
        console.print(escape(note), style="yellow")
    print_tables(rows, datasets, outcome.timings)
    for failure in outcome.failures:
        console.print(escape(failure), style="red")
    console.print(f"leaderboard written to {out_dir}/leaderboard.(md|csv|html) and leaderboard-TRACK.png")
    return 1 if outcome.failures else 0


# ----------------------------------------------------------------------------- tables (pandas)


def _cell(row: Row, layer: str) -> str:
    if layer not in row.f1:
        return "–"
    low, high = row.ci[layer]
    return f"{100 * row.f1[layer]:.1f} ({100 * low:.1f}–{100 * high:.1f})"


def frame(rows: Sequence[Row], with_intervals: bool = True) -> pd.DataFrame:
    """One row per system and track: headline F1 per layer (a string with its interval)."""
    records = []
    for r in rows:
        record: dict[str, Any] = {"track": r.track, "system": r.system, "kind": r.kind}
        for layer in layer_names():
            record[layer.replace("_", " ")] = (
                _cell(r, layer) if with_intervals else (f"{100 * r.f1[layer]:.1f}" if layer in r.f1 else "–")
            )
        records.append(record)
    return pd.DataFrame.from_records(
        records, columns=["track", "system", "kind", *(n.replace("_", " ") for n in layer_names())]
    )


def numbers_frame(rows: Sequence[Row]) -> pd.DataFrame:
    """The CSV: one number per cell."""
    records = []
    for r in rows:
        record: dict[str, Any] = {"track": r.track, "system": r.system, "kind": r.kind, "version": r.version}
        for layer in layer_names():
            has = layer in r.f1
            record[f"{layer}_f1"] = round(r.f1[layer], 4) if has else None
            record[f"{layer}_ci_low"] = round(r.ci[layer][0], 4) if has else None
            record[f"{layer}_ci_high"] = round(r.ci[layer][1], 4) if has else None
        records.append(record)
    return pd.DataFrame.from_records(records)


def markdown(rows: Sequence[Row], datasets: dict[str, dict[str, Any]], notes: Sequence[str]) -> str:
    lines = ["# newslayers leaderboard", ""]
    for track, dataset in datasets.items():
        title = "Headline: real news pages" if track == "real_test" else "Synthetic test (unseen layouts)"
        if track not in ("real_test", "test"):
            title = f"Split {track}"
        lines += [
            f"## {title} ({track})",
            "",
            f"{dataset['documents']} documents, dataset {dataset['name']} {dataset['version']}, gold sha256 "
            f"`{dataset['sha256'][:16]}…`.",
            "",
            frame([r for r in rows if r.track == track]).drop(columns=["track"]).to_markdown(index=False),
            "",
            f"![F1 per layer per system, {track}](leaderboard-{track}.png)",
            "",
        ]
    lines += [
        "Headline F1 in percent per layer (strict span F1 for entities, numeric claims and quotes; character F1",
        "for boilerplate) with 95% bootstrap intervals over documents. Rows are ordered by the mean over all",
        "layers, a layer a system does not predict counting as 0. Generated by `newslayers leaderboard`; do not",
        "edit by hand. Speeds are in `results/timings.json` (they differ from run to run).",
    ]
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    return "\n".join(lines) + "\n"


_SORT_SCRIPT = """
document.querySelectorAll('th').forEach(th => th.addEventListener('click', () => {
  const col = th.cellIndex, body = th.closest('table').tBodies[0], rows = Array.from(body.rows);
  const asc = th.dataset.asc !== 'true';
  const key = r => { const n = parseFloat(r.cells[col].textContent); return isNaN(n) ? r.cells[col].textContent : n; };
  rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (asc ? 1 : -1));
  th.dataset.asc = asc; rows.forEach(r => body.appendChild(r));
}));
"""


def html_page(rows: Sequence[Row], datasets: dict[str, dict[str, Any]]) -> str:
    parts = []
    for track, dataset in datasets.items():
        table = frame([r for r in rows if r.track == track]).drop(columns=["track"]).to_html(index=False, border=0)
        parts.append(
            f"<h2>{track}</h2><p>{dataset['documents']} documents, gold sha256 <code>{dataset['sha256'][:16]}…</code>. "
            "Click a column to sort.</p>"
            f"{table}<p><img src='leaderboard-{track}.png' alt='F1 per layer, {track}' width='820'></p>"
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>newslayers leaderboard</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "th,td{padding:.35em .8em;border-bottom:1px solid #ddd;text-align:right}th{cursor:pointer;background:#f4f4f4}"
        "td:first-child,td:nth-child(2){text-align:left}</style></head><body><h1>newslayers leaderboard</h1>"
        "<p>Headline F1 in percent with 95% bootstrap intervals over documents; rows by the mean over all layers.</p>"
        f"{''.join(parts)}<script>{_SORT_SCRIPT}</script></body></html>\n"
    )


def plot(rows: Sequence[Row], track: str, path: Path) -> None:
    names = layer_names()
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
    width = 0.8 / max(len(rows), 1)
    for i, r in enumerate(rows):
        xs = [j + (i - (len(rows) - 1) / 2) * width for j, layer in enumerate(names) if layer in r.f1]
        ys = [r.f1[layer] for layer in names if layer in r.f1]
        lows = [max(r.f1[layer] - r.ci[layer][0], 0) for layer in names if layer in r.f1]
        highs = [max(r.ci[layer][1] - r.f1[layer], 0) for layer in names if layer in r.f1]
        ax.bar(xs, ys, width, yerr=[lows, highs], capsize=3, label=r.system)
    ax.set_xticks(range(len(names)), [layer.replace("_", " ") for layer in names])
    ax.set_ylabel("F1 (95% bootstrap CI)")
    ax.set_ylim(0, 1)
    ax.set_title(f"newslayers {track}: headline F1 per layer")
    ax.legend(ncol=3, fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    write_text_atomic(path, buffer.getvalue())


def write_artefacts(
    rows: Sequence[Row], out_dir: Path, datasets: dict[str, dict[str, Any]], notes: Sequence[str]
) -> None:
    write_text_atomic(out_dir / "leaderboard.md", markdown(rows, datasets, notes))
    write_text_atomic(out_dir / "leaderboard.csv", numbers_frame(rows).to_csv(index=False, lineterminator="\n"))
    write_text_atomic(out_dir / "leaderboard.html", html_page(rows, datasets))
    for track in datasets:
        plot([r for r in rows if r.track == track], track, out_dir / f"leaderboard-{track}.png")


def print_tables(rows: Sequence[Row], datasets: dict[str, dict[str, Any]], timings: Sequence[dict[str, Any]]) -> None:
    speed = {(t["system"], t["split"]): t["docs_per_second"] for t in timings}
    out = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 200)  # a log keeps whole tables
    for track in datasets:
        data = frame([r for r in rows if r.track == track], with_intervals=False).drop(columns=["track"])
        table = Table(title=f"newslayers leaderboard, {track}: headline F1 % (intervals in leaderboard.md)")
        for column in [*data.columns, "docs/s"]:
            table.add_column(str(column), justify="left" if column in ("system", "kind") else "right", no_wrap=True)
        for record in data.itertuples(index=False):
            rate = speed.get((record[0], track))
            table.add_row(*map(str, record), f"{rate:,.0f}" if rate else "–")
        out.print(table)
