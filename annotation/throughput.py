"""Annotator throughput and agreement so far, from a Label Studio project's export.

Per annotator: tasks done (a submitted annotation), skipped (their latest annotation of the
task was cancelled), pending (the project's other tasks) and the median time spent on a
task (Label Studio's ``lead_time``). Agreement is the core's measure
(:func:`newslayers.agreement.agreement`) for every two annotators over the tasks both
submitted, so it can be watched while the work goes on rather than after a pull.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newslayers.annotation.convert import document_from_result
from newslayers.annotation.studio import annotator_name

from newslayers.agreement import agreement
from newslayers.layers import layer_spec
from newslayers.model import Document


@dataclass(slots=True)
class _Annotator:
    done: dict[Any, Document] = field(default_factory=dict)  # task id -> latest submitted annotation
    skipped: set[Any] = field(default_factory=set)
    seconds: list[float] = field(default_factory=list)


def _latest_first(task: dict) -> list[dict]:
    """The task's annotations, newest first (an annotator's latest decision counts)."""
    return sorted(task.get("annotations") or [], key=lambda a: (str(a.get("updated_at") or ""), a.get("id", 0)))[::-1]


def _collect(tasks: Sequence[dict], users: dict[int, str]) -> tuple[dict[str, _Annotator], int]:
    people: dict[str, _Annotator] = defaultdict(_Annotator)
    problems = 0
    for task in tasks:
        seen: set[str] = set()
        for ann in _latest_first(task):
            who = annotator_name(ann.get("completed_by"), users)
            if who in seen:
                continue
            seen.add(who)
            person = people[who]
            if isinstance(ann.get("lead_time"), (int, float)):
                person.seconds.append(float(ann["lead_time"]))
            if ann.get("was_cancelled"):
                person.skipped.add(task.get("id"))
                continue
            doc, found = document_from_result(task.get("data") or {}, ann.get("result") or [], task.get("id"))
            problems += len(found)
            person.done[task.get("id")] = doc
    return dict(people), problems


def _headline(entry: dict[str, Any], layer: str) -> float | None:
    scheme, metric = layer_spec(layer).headline
    value = (entry.get(scheme) or {}).get(metric)
    return float(value) if isinstance(value, (int, float)) else None


def _pairs(people: dict[str, _Annotator]) -> list[dict[str, Any]]:
    """Agreement of every two annotators over the tasks both submitted."""
    pairs = []
    for a, b in itertools.combinations(sorted(people), 2):
        shared = sorted(set(people[a].done) & set(people[b].done), key=str)
        if not shared:
            continue
        report = agreement([people[a].done[t] for t in shared], [people[b].done[t] for t in shared])
        layers = {k: v for k, v in report.items() if isinstance(v, dict)}
        headline = {layer: _headline(entry, layer) for layer, entry in layers.items()}
        kappa = {layer: entry["kappa"] for layer, entry in layers.items() if "kappa" in entry}
        pairs.append({"a": a, "b": b, "tasks": len(shared), "headline": headline, "kappa": kappa, "layers": layers})
    return pairs


def progress_report(tasks: Sequence[dict], total_tasks: int, users: dict[int, str]) -> dict[str, Any]:
    """Throughput per annotator and agreement so far (exported ``tasks`` as Label Studio gives them)."""
    people, problems = _collect(tasks, users)
    annotators = []
    for name in sorted(people):
        person = people[name]
        done, skipped = len(person.done), len(person.skipped)
        annotators.append(
            {
                "annotator": name,
                "done": done,
                "skipped": skipped,
                "pending": max(total_tasks - done - skipped, 0),
                "median_seconds": round(statistics.median(person.seconds), 1) if person.seconds else None,
            }
        )
    per_task = defaultdict(int)
    for person in people.values():
        for task_id in person.done:
            per_task[task_id] += 1
    return {
        "tasks": total_tasks,
        "annotated_tasks": len(per_task),
        "tasks_with_two_annotators": sum(n >= 2 for n in per_task.values()),
        "regions_not_converted": problems,
        "annotators": annotators,
        "agreement": _pairs(people),
    }
