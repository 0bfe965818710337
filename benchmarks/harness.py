"""The benchmark harness: check predictions against gold, score them, describe the run.

Depends on the core only. Systems run through :func:`newslayers.systems.run_system` (the
page only, every output checked); submitted files pass the same contract checks as
``newslayers validate`` and are streamed, so a file of any size is scored in flat memory.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newslayers import DATASET_NAME, DATASET_VERSION, __version__
from newslayers.jsonl import ContractError, Problem, gold_hash, no_layer_problem, scan_file
from newslayers.model import Document
from newslayers.scoring import (
    BATCH,
    RunScores,
    aggregate,
    breakdowns,
    score_run,
)
from newslayers.validation import check_bounds

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
# ----------------------------------------------------------------------------- checking submissions


def _gold_problem(doc: Document, target: Document | None, name: str, line: int) -> list[Problem]:
    if target is None:
        return [Problem(name, line, "id", f"unknown document id {doc.id!r} (not in the gold being scored)")]
    if doc.text is not None and doc.text != target.text:
        return [Problem(name, line, "text", "differs from the gold text; offsets would point elsewhere")]
    if doc.text is not None:  # decoded with its text, so already checked against it
        return []
    return [Problem(name, line, f, m) for f, m in check_bounds(doc, len(target.text or ""))]


def score_file(
    path: Path, gold: Sequence[Document], warn: Callable[[str], None] | None = None, with_breakdowns: bool = False
) -> RunScores:
    """Stream a predictions file: check each line against the gold and score it as it comes.

    Predictions are never all held in memory; a layer first seen late in the file is
    back-filled as "predicted nothing" for the documents before it. Any problem in the file
    raises ContractError with every problem found: a bad file gets no scores.
    """
    index = {g.id: i for i, g in enumerate(gold)}
    run = RunScores([], size=len(gold), with_breakdowns=with_breakdowns, grow=True)
    problems: list[Problem] = []
    seen: set[str] = set()
    name = str(path)
    batch: list[tuple[int, Document]] = []

    def flush() -> None:
        if batch and not problems:
            run.add_batch([i for i, _ in batch], [gold[i] for i, _ in batch], [d for _, d in batch], gold)
        batch.clear()

    for line, doc, found in scan_file(path, "predictions", warn):
        problems.extend(found)
        if doc is None:
            continue
        position = index.get(doc.id)
        found = _gold_problem(doc, gold[position] if position is not None else None, name, line)
        problems.extend(found)
        if not found:
            seen.add(doc.id)
            batch.append((position, doc))
            if len(batch) >= BATCH:
                flush()
    flush()
    if not problems and not run.layers:
        problems.append(no_layer_problem(name))
    if problems:
        raise ContractError(problems)
    run.missing = [g.id for g in gold if g.id not in seen]
    for start in range(0, len(run.missing), BATCH):
        ids = run.missing[start : start + BATCH]
        run.add_batch([index[i] for i in ids], [gold[index[i]] for i in ids], [None] * len(ids), gold)
    return run


def scores_of(run: RunScores, gold: Sequence[Document], with_breakdowns: bool = True) -> dict[str, Any]:
    """The CONTRACT scores of a scored run, with the dataset record (and breakdowns)."""
    scores = aggregate(run)
    scores["dataset"] = dataset_record(gold)
    if with_breakdowns:
        scores["breakdowns"] = breakdowns(run)
    return scores


def evaluate(
    gold: Sequence[Document],
    predictions: dict[str, Document],
    layers: Sequence[str],
    with_breakdowns: bool = True,
) -> dict[str, Any]:
    """Scores of in-memory predictions (already checked) in the CONTRACT shape, with intervals."""
    return scores_of(score_run(gold, predictions, layers, with_breakdowns), gold, with_breakdowns)


# ----------------------------------------------------------------------------- describing runs


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


def results_record(
    system: dict[str, str], split: str, scores: dict[str, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A results file: what ran, on what data, with which libraries, and the scores.

    Nothing here changes from run to run (timings and dates go to a separate run log), so
    two runs of the same systems on the same data write identical results files.
    """
    return {
        "system": system,
        "newslayers_version": __version__,
        "dataset": scores.get("dataset", {}),
        "split": split,
        "scores": {k: v for k, v in scores.items() if k != "dataset"},
        "libraries": library_versions(),
        **(extra or {}),
    }


def run_log_entry(name: str, split: str, seconds: float, documents: int) -> dict[str, Any]:
    """Timings and the date of one run: kept apart from the results so those stay reproducible."""
    return {
        "system": name,
        "split": split,
        "seconds": round(seconds, 3),
        "docs_per_second": round(documents / seconds, 1) if seconds > 0 else None,
        "date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
    }
