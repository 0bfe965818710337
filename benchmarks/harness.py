"""The benchmark harness: check a submission against gold, score it, describe the run.

A predictions file is checked before scoring (unknown or duplicate ids, spans out of the
gold text, labels outside the closed sets, layers of the wrong type); a file with errors
is refused, never half-scored. Every result carries the gold's sha256.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newslayers.benchmarks.scoring import (
    aggregate,
    bootstrap_intervals,
    breakdowns,
    predicted_layers,
    score_run,
)

from newslayers import DATASET_NAME, DATASET_VERSION, __version__
from newslayers.jsonl import Problem, gold_hash, scan_file
from newslayers.model import Document
from newslayers.schema import LAYERS

LIBRARIES = (
    "datasets",
    "scikit-learn",
    "numpy",
    "pandas",
    "trafilatura",
    "justext",
    "quantulum3",
    "spacy",
    "nervaluate",
)


@dataclass(slots=True)
class Submission:
    predictions: dict[str, Document] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _range_problems(doc: Document, text_len: int) -> list[tuple[str, str]]:
    out = []
    for layer in LAYERS:
        for i, span in enumerate(doc.layer(layer) or []):
            links = [("", span)]
            if layer == "quotes":
                links += [(".speaker", span.speaker), (".cue", span.cue)]
            for suffix, s in links:
                if s is not None and s.end > text_len:
                    out.append(
                        (
                            f"{layer}[{i}]{suffix}.end",
                            f"{s.end} is past the end of the gold text ({text_len} characters)",
                        )
                    )
    return out


def check_submission(path: Path, gold: Sequence[Document]) -> Submission:
    """Read and check a predictions file against the gold documents it is scored on."""
    by_id = {g.id: g for g in gold}
    sub = Submission()
    name = str(path)
    for line, doc, problems in scan_file(path, "predictions"):
        sub.problems.extend(problems)
        if doc is None:
            continue
        target = by_id.get(doc.id)
        if target is None:
            sub.problems.append(
                Problem(name, line, "id", f"unknown document id {doc.id!r} (not in the gold being scored)")
            )
            continue
        if doc.text is not None and doc.text != target.text:
            sub.problems.append(
                Problem(name, line, "text", "differs from the gold text; offsets would point elsewhere")
            )
            continue
        found = _range_problems(doc, len(target.text or ""))
        sub.problems.extend(Problem(name, line, f, m) for f, m in found)
        if not found:
            sub.predictions[doc.id] = doc
    if not sub.problems:
        sub.missing = sorted(set(by_id) - set(sub.predictions))
    return sub


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            versions[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def dataset_record(gold: Sequence[Document]) -> dict[str, Any]:
    """Which gold a score is about: name, version, sha256 and size."""
    return {"name": DATASET_NAME, "version": DATASET_VERSION, "sha256": gold_hash(gold), "documents": len(gold)}


def evaluate(
    gold: Sequence[Document],
    predictions: dict[str, Document],
    layers: Sequence[str] | None = None,
    with_breakdowns: bool = True,
) -> dict[str, Any]:
    """Scores in the CONTRACT shape, each layer with its 95% bootstrap interval."""
    layers = list(layers) if layers is not None else predicted_layers(list(predictions.values()))
    per_doc = score_run(gold, predictions, layers)
    scores = aggregate(per_doc, layers)
    for layer, interval in bootstrap_intervals(per_doc, layers).items():
        scores[layer]["ci95"] = interval
    scores["dataset"] = dataset_record(gold)
    if with_breakdowns:
        scores["breakdowns"] = breakdowns(gold, per_doc, layers)
    return scores


def results_record(
    system: dict[str, str], split: str, scores: dict[str, Any], runtime: float, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A results file: what ran, on what data, with which libraries, and the scores."""
    return {
        "system": system,
        "newslayers_version": __version__,
        "dataset": scores.get("dataset", {}),
        "split": split,
        "scores": {k: v for k, v in scores.items() if k != "dataset"},
        "runtime_seconds": round(runtime, 3),
        "date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "libraries": library_versions(),
        **(extra or {}),
    }


# ----------------------------------------------------------------------------- running systems


def run_system(system: Any, documents: Sequence[Document]) -> tuple[list[Document], float]:
    """Predict and time it; predictions keep only the layers the system claims."""
    start = time.perf_counter()
    predictions = system.predict(list(documents))
    elapsed = time.perf_counter() - start
    cleaned = []
    for doc in predictions:
        layers = {layer: (doc.layer(layer) if layer in system.layers else None) for layer in LAYERS}
        cleaned.append(Document(id=doc.id, **layers))
    return cleaned, elapsed
