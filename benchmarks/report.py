"""Tables people would rather read than JSON: per-layer scores and comparisons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def print_scores(scores: dict[str, Any], layers: Sequence[str], title: str) -> None:
    table = Table(title=title)
    for column in ("layer", "measure", "P", "R", "F1", "95% CI (F1)"):
        table.add_column(column, justify="left" if column in ("layer", "measure") else "right")
    for layer in layers:
        entry = scores[layer]
        ci = entry.get("ci95")
        ci_text = f"{_pct(ci['low'])}–{_pct(ci['high'])}" if ci else ""
        measures = ("strict", "exact", "partial", "ent_type") if layer == "entities" else ("strict", "partial")
        if layer == "boilerplate":
            measures = ("char", "content_words")
        for i, measure in enumerate(measures):
            m = entry[measure]
            table.add_row(
                layer if i == 0 else "",
                measure,
                _pct(m["precision"]),
                _pct(m["recall"]),
                _pct(m["f1"]),
                ci_text if i == 0 else "",
            )
        for key, value in entry.items():
            if key.endswith("_accuracy"):
                table.add_row("", key, "", "", _pct(value), "")
    console.print(table)
    if "entities" in layers:
        per_label = Table(title="entities per label (strict)")
        for column in ("label", "P", "R", "F1", "gold"):
            per_label.add_column(column, justify="right")
        for label, m in scores["entities"]["per_label"].items():
            s = m["strict"]
            gold = s["correct"] + s["incorrect"] + s["partial"] + s["missed"]
            per_label.add_row(label, _pct(s["precision"]), _pct(s["recall"]), _pct(s["f1"]), str(gold))
        console.print(per_label)


def print_comparison(result: dict[str, dict[str, float]], name_a: str, name_b: str) -> None:
    table = Table(title=f"paired bootstrap: {name_a} (A) vs {name_b} (B), headline F1")
    for column in ("layer", "A", "B", "A − B", "95% CI", "p"):
        table.add_column(column, justify="right")
    for layer, r in result.items():
        table.add_row(
            layer,
            _pct(r["a"]),
            _pct(r["b"]),
            f"{100 * r['delta']:+.1f}",
            f"{100 * r['low']:+.1f}…{100 * r['high']:+.1f}",
            f"{r['p_value']:.3f}" if r["p_value"] > 0 else "< 0.001",
        )
    console.print(table)
