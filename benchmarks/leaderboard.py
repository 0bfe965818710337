"""``newslayers leaderboard``: run every system, score, and write the leaderboard artefacts.

Writes ``leaderboard.md``, ``leaderboard.csv``, a static sortable ``leaderboard.html``, a
PNG plot of F1 per layer per system with 95% intervals, and one results JSON per system.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newslayers.baselines import SystemUnavailable, get_system, system_names
from newslayers.baselines.registry import BUILTIN, fit_cached
from newslayers.benchmarks.harness import check_submission, dataset_record, evaluate, results_record, run_system
from newslayers.benchmarks.scoring import headline, predicted_layers
from newslayers.corpus import load_corpus
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newslayers.errors import UserError
from newslayers.jsonl import write_documents, write_text_atomic
from newslayers.model import Document
from newslayers.schema import LAYERS

console = Console(stderr=True)


@dataclass(slots=True)
class Row:
    system: str
    kind: str
    version: str
    layers: list[str]
    f1: dict[str, float] = field(default_factory=dict)
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    docs_per_second: float | None = None
    note: str = ""


def _kind(name: str) -> str:
    if name in ("rules", "sklearn"):
        return "baseline"
    return "reference" if name in BUILTIN else "plug-in"


def _row_from_scores(name: str, kind: str, version: str, scores: dict[str, Any], layers: Sequence[str]) -> Row:
    row = Row(name, kind, version, list(layers))
    for layer in layers:
        row.f1[layer] = headline(scores, layer)
        ci = scores[layer].get("ci95", {})
        row.ci[layer] = (ci.get("low", 0.0), ci.get("high", 0.0))
    return row


def _run_one(name: str, gold: list[Document], train: list[Document], out_dir: Path, split: str) -> Row | str:
    try:
        system = get_system(name)
    except SystemUnavailable as err:
        return f"skipped {name}: {err}"
    start = time.perf_counter()
    try:
        if hasattr(system, "fit"):
            system, _ = fit_cached(system, train)
        predictions, predict_seconds = run_system(system, gold)
    except Exception as err:  # a broken system must not take the leaderboard down
        return f"failed {name}: {type(err).__name__}: {err}"
    write_documents(out_dir / "predictions" / f"{name}.jsonl", predictions)
    layers = [layer for layer in LAYERS if layer in system.layers]
    scores = evaluate(gold, {p.id: p for p in predictions}, layers)
    record = results_record({"name": name, "version": system.version, "description": system.description}, split, scores,
                            time.perf_counter() - start, {"predict_seconds": round(predict_seconds, 3)})  # fmt: skip
    write_text_atomic(out_dir / "results" / f"{name}.json", json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    row = _row_from_scores(name, _kind(name), system.version, scores, layers)
    row.docs_per_second = len(gold) / predict_seconds if predict_seconds > 0 else None
    return row


def _submission_rows(folder: Path, gold: list[Document], out_dir: Path, split: str) -> list[Row]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        submission = check_submission(path, gold)
        if submission.problems:
            console.print(
                f"[red]submission {path.name} refused[/red] ({len(submission.problems)} problems; run newslayers validate)"
            )
            for problem in submission.problems[:5]:
                console.print(f"  {problem}")
            continue
        layers = predicted_layers(list(submission.predictions.values()))
        scores = evaluate(gold, submission.predictions, layers)
        record = results_record({"name": path.stem, "version": "submitted"}, split, scores, 0.0)
        write_text_atomic(out_dir / "results" / f"submission-{path.stem}.json", json.dumps(record, indent=2) + "\n")
        rows.append(_row_from_scores(path.stem, "submission", "submitted", scores, layers))
    return rows


def run_leaderboard(
    split: str = "test",
    out_dir: Path = Path("benchmarks"),
    submissions: Path | None = None,
    only: Sequence[str] | None = None,
) -> list[Row]:
    """Run, score and write everything; returns the rows."""
    started = time.perf_counter()
    _build_dataset_if_stale()
    gold, train = load_corpus(split), load_corpus("train")
    names = list(only) if only else system_names()
    unknown = sorted(set(names) - set(system_names()))
    if unknown:
        raise UserError(f"unknown system {', '.join(unknown)}; known: {', '.join(system_names())}")
    rows: list[Row] = []
    notes: list[str] = []
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console) as progress:  # fmt: skip
        task = progress.add_task("systems", total=len(names))
        for name in names:
            progress.update(task, description=f"running {name}")
            outcome = _run_one(name, gold, train, out_dir, split)
            if isinstance(outcome, str):
                notes.append(outcome)
                progress.console.print(escape(outcome), style="yellow")
            else:
                rows.append(outcome)
            progress.advance(task)
    rows += _submission_rows(submissions or out_dir / "submissions", gold, out_dir, split)
    rows.sort(key=lambda r: (-sum(r.f1.values()) / 4, r.system))
    dataset = dataset_record(gold)
    write_artefacts(rows, out_dir, split, dataset, notes)
    print_table(rows, split)
    console.print(
        f"leaderboard written to {out_dir}/leaderboard.(md|csv|html|png) in {time.perf_counter() - started:.1f}s"
    )
    return rows


def _build_dataset_if_stale() -> None:
    try:
        from newslayers.corpus.hf import build_if_stale
    except ImportError:
        return
    build_if_stale()


# ----------------------------------------------------------------------------- artefacts


def _cell(row: Row, layer: str) -> str:
    if layer not in row.f1:
        return "–"
    low, high = row.ci[layer]
    return f"{100 * row.f1[layer]:.1f} ({100 * low:.1f}–{100 * high:.1f})"


def _speed(row: Row) -> str:
    return f"{row.docs_per_second:,.0f}" if row.docs_per_second else "–"


def markdown(rows: Sequence[Row], split: str, dataset: dict[str, Any], notes: Sequence[str]) -> str:
    lines = [
        f"# newslayers leaderboard ({split} split)",
        "",
        f"Dataset {dataset['name']} {dataset['version']}, {dataset['documents']} documents, gold sha256 `{dataset['sha256'][:16]}…`.",
        "Headline F1 per layer (strict span F1 for entities, numeric claims and quotes; character F1 for boilerplate),",
        "with 95% bootstrap intervals over documents. Rows are ordered by the mean of the four layers, a layer a",
        "system does not predict counting as 0. Generated by `newslayers leaderboard`; do not edit by hand.",
        "",
        "| system | kind | entities | numeric claims | quotes | boilerplate | docs/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.system} | {r.kind} | " + " | ".join(_cell(r, layer) for layer in LAYERS) + f" | {_speed(r)} |"
        )
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    lines += ["", "![F1 per layer per system](leaderboard.png)", ""]
    return "\n".join(lines)


def csv_text(rows: Sequence[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["system", "kind", "version"]
    for layer in LAYERS:
        header += [f"{layer}_f1", f"{layer}_ci_low", f"{layer}_ci_high"]
    writer.writerow([*header, "docs_per_second"])
    for r in rows:
        values: list[Any] = [r.system, r.kind, r.version]
        for layer in LAYERS:
            values += (
                [f"{r.f1[layer]:.4f}", f"{r.ci[layer][0]:.4f}", f"{r.ci[layer][1]:.4f}"]
                if layer in r.f1
                else ["", "", ""]
            )
        writer.writerow([*values, f"{r.docs_per_second:.1f}" if r.docs_per_second else ""])
    return buffer.getvalue()


_SORT_SCRIPT = """
document.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const rows = Array.from(body.rows);
  const asc = th.dataset.asc !== 'true';
  const key = r => { const v = r.cells[col].dataset.v ?? r.cells[col].textContent; const n = parseFloat(v); return isNaN(n) ? v : n; };
  rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (asc ? 1 : -1));
  th.dataset.asc = asc; rows.forEach(r => body.appendChild(r));
}));
"""


def html_page(rows: Sequence[Row], split: str, dataset: dict[str, Any]) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ["system", "kind", "entities F1", "numeric claims F1", "quotes F1", "boilerplate F1", "docs/s"]
    )
    body = []
    for r in rows:
        cells = [f"<td>{html.escape(r.system)}</td>", f"<td>{r.kind}</td>"]
        for layer in LAYERS:
            value = f"{r.f1[layer]:.4f}" if layer in r.f1 else "-1"
            cells.append(f'<td data-v="{value}">{html.escape(_cell(r, layer))}</td>')
        cells.append(f'<td data-v="{r.docs_per_second or -1:.1f}">{_speed(r)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>newslayers leaderboard</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "th,td{padding:.35em .8em;border-bottom:1px solid #ddd;text-align:right}th{cursor:pointer;background:#f4f4f4}"
        "td:first-child,td:nth-child(2){text-align:left}</style></head><body>"
        f"<h1>newslayers leaderboard</h1><p>{split} split, {dataset['documents']} documents, gold sha256 "
        f"<code>{dataset['sha256'][:16]}…</code>. Click a column to sort. F1 in percent with 95% bootstrap intervals over documents; rows are ordered by the mean of the four layers, a layer a system does not predict counting as 0.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "<p><img src='leaderboard.png' alt='F1 per layer per system' width='820'></p>"
        f"<script>{_SORT_SCRIPT}</script></body></html>\n"
    )


def plot(rows: Sequence[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
    width = 0.8 / max(len(rows), 1)
    for i, r in enumerate(rows):
        xs, ys, lows, highs = [], [], [], []
        for j, layer in enumerate(LAYERS):
            if layer in r.f1:
                xs.append(j + (i - (len(rows) - 1) / 2) * width)
                ys.append(r.f1[layer])
                lows.append(max(r.f1[layer] - r.ci[layer][0], 0))
                highs.append(max(r.ci[layer][1] - r.f1[layer], 0))
        ax.bar(xs, ys, width, yerr=[lows, highs], capsize=3, label=r.system)
    ax.set_xticks(range(len(LAYERS)), [layer.replace("_", " ") for layer in LAYERS])
    ax.set_ylabel("F1 (95% bootstrap CI)")
    ax.set_ylim(0, 1)
    ax.set_title("newslayers: headline F1 per layer")
    ax.legend(ncol=3, fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    write_text_atomic(path, buffer.getvalue())


def write_artefacts(
    rows: Sequence[Row], out_dir: Path, split: str, dataset: dict[str, Any], notes: Sequence[str]
) -> None:
    write_text_atomic(out_dir / "leaderboard.md", markdown(rows, split, dataset, notes))
    write_text_atomic(out_dir / "leaderboard.csv", csv_text(rows))
    write_text_atomic(out_dir / "leaderboard.html", html_page(rows, split, dataset))
    plot(rows, out_dir / "leaderboard.png")


def _short_cell(row: Row, layer: str) -> str:
    if layer not in row.f1:
        return "–"
    return f"{100 * row.f1[layer]:.1f}"


def print_table(rows: Sequence[Row], split: str) -> None:
    table = Table(title=f"newslayers leaderboard, {split} split: F1 % (intervals in leaderboard.md)")
    for column in ("system", "kind", "entities", "numeric", "quotes", "boilerplate", "docs/s"):
        table.add_column(column, justify="left" if column in ("system", "kind") else "right", no_wrap=True)
    for r in rows:
        table.add_row(r.system, r.kind, *(_short_cell(r, layer) for layer in LAYERS), _speed(r))
    Console(file=sys.stdout).print(table)
