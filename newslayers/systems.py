"""Running a system safely: the system protocol, the page-only call, checks on what comes back.

Every path that calls ``predict`` (the leaderboard, ``baseline``, ``ingest --system``,
``annotate push --system``) goes through :func:`run_system`: the system sees the page
(id, text, html, url, source, meta) and never a gold layer; its output passes the same
contract checks as ``newslayers validate``; one document that raises costs that document
and is reported as ``SYSTEM: DOC_ID: error``, never the run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from newslayers.layers import layer_names
from newslayers.model import Document
from newslayers.validation import check_document


class SystemUnavailable(RuntimeError):
    """The system needs a library that is not installed (the message says which)."""


@runtime_checkable
class System(Protocol):
    name: str
    version: str
    layers: tuple[str, ...]
    description: str

    def predict(self, documents: Sequence[Document]) -> list[Document]: ...


NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")


def check_name(name: str, what: str) -> str | None:
    """Why a system or submission name is unusable (path characters, dot-dot), or None."""
    if not NAME_PATTERN.match(name) or ".." in name:
        return f"{what} name {name!r} may use letters, digits and _ . + - only (it becomes a file name)"
    return None


# ----------------------------------------------------------------------------- running systems


@dataclass(slots=True)
class Failure:
    """One document a system could not predict, or predicted against the contract."""

    system: str
    doc_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.system}: {self.doc_id}: {self.message}"


@dataclass(slots=True)
class SystemRun:
    """A system's valid predictions, what failed per document, and whether the output was valid."""

    predictions: list[Document]
    failures: list[Failure] = field(default_factory=list)
    invalid: list[Failure] = field(default_factory=list)  # contract violations: the run is not ranked
    seconds: float = 0.0


def _predict_isolated(system: Any, pages: list[Document], failures: list[Failure]) -> list[Document]:
    """Batch prediction; if the batch raises, document by document so one page costs one page."""
    try:
        return list(system.predict(pages))
    except Exception:
        pass
    out = []
    for page in pages:
        try:
            out.extend(system.predict([page]))
        except Exception as err:
            failures.append(Failure(system.name, page.id, f"{type(err).__name__}: {err}"[:300]))
    return out


def check_output(system_name: str, layers: Iterable[str], pages: Sequence[Document], output: Any) -> SystemRun:
    """Hold a system's output to the contract against the pages it was given."""
    by_id = {p.id: p for p in pages}
    run = SystemRun([])
    seen: set[str] = set()
    declared = [name for name in layer_names() if name in set(layers)]
    for item in output:
        if not isinstance(item, Document):
            run.invalid.append(Failure(system_name, "?", f"returned a {type(item).__name__}, not a Document"))
            continue
        page = by_id.get(item.id)
        if page is None or item.id in seen:
            why = "a document it was not given" if page is None else "a second prediction for this document"
            run.invalid.append(Failure(system_name, str(item.id), f"returned {why}"))
            continue
        seen.add(item.id)
        if item.text is not None and item.text != page.text:
            run.invalid.append(
                Failure(system_name, item.id, "text: differs from the page; offsets would point elsewhere")
            )
            continue
        prediction = Document(id=item.id, layers={name: item.layer(name) for name in declared})
        problems = check_document(prediction, text_len=len(page.text or ""))
        if problems:
            run.invalid.extend(Failure(system_name, item.id, f"{f}: {m}") for f, m in problems[:5])
            continue
        run.predictions.append(prediction.sorted())
    return run


def run_system(system: Any, documents: Sequence[Document]) -> SystemRun:
    """Predict on the pages only (no gold layer reaches the system), isolate failures, check it all."""
    pages = [d.page() for d in documents]
    failures: list[Failure] = []
    start = time.perf_counter()
    output = _predict_isolated(system, pages, failures)
    elapsed = time.perf_counter() - start
    run = check_output(system.name, system.layers, pages, output)
    predicted = {p.id for p in run.predictions} | {f.doc_id for f in run.invalid}
    failed = {f.doc_id for f in failures}
    run.failures = failures + [
        Failure(system.name, p.id, "no prediction returned") for p in pages if p.id not in predicted | failed
    ]
    run.seconds = elapsed
    return run
