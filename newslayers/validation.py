"""Checks of a :class:`Document` against the contract, driven by the layer registry.

The same checks run on a decoded JSONL line, on a built-in system's output, on a plug-in's
output and on a submission, so every output is held to one standard before it is scored.
Problems are ``(field, message)`` pairs; callers add the file and line (or system and id).
"""

from __future__ import annotations

import bisect
import itertools
import json
import operator
from collections.abc import Sequence
from typing import Any

from newslayers.layers import LayerSpec, layer_names, layer_specs
from newslayers.model import Document
from newslayers.schema import SPLITS

FieldProblem = tuple[str, str]
_START, _END = operator.attrgetter("start"), operator.attrgetter("end")


def _lone_surrogate(value: str) -> int:
    """Index of the first lone surrogate, or -1 (such text cannot be written as UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start
    return -1


def _check_span(span: Any, path: str, text_len: int | None, out: list[FieldProblem]) -> bool:
    start, end = span.start, span.end
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        out.append((path, f"start and end must be integers, got {start!r} and {end!r}"))
        return False
    if start < 0:
        out.append((f"{path}.start", f"{start} is negative"))
        return False
    if start >= end:
        out.append((path, f"start {start} must be less than end {end}"))
        return False
    if text_len is not None and end > text_len:
        out.append((f"{path}.end", f"{end} is past the end of text ({text_len} characters)"))
        return False
    return True


def _in_bounds(spans: list[Any], limit: float) -> bool:
    """0 <= start < end <= limit for every span, with C-level maps (the common, valid case)."""
    if not spans:
        return True
    starts, ends = list(map(_START, spans)), list(map(_END, spans))
    return all(map(operator.lt, starts, ends)) and min(starts) >= 0 and max(ends) <= limit


def _check_offsets(spec: LayerSpec, spans: list[Any], text_len: int | None, out: list[FieldProblem]) -> None:
    """Offsets only, for spans the schema decoder already typed (labels and types are checked)."""
    if not spans:
        return
    limit = text_len if text_len is not None else float("inf")
    if _in_bounds(spans, limit) and (
        not spec.links
        or all(_in_bounds([t for s in spans if (t := getattr(s, link)) is not None], limit) for link in spec.links)
    ):
        return
    for i, span in enumerate(spans):
        if not span.start < span.end <= limit:
            _check_span(span, f"{spec.name}[{i}]", text_len, out)
        for link in spec.links:
            target = getattr(span, link)
            if target is not None and not target.start < target.end <= limit:
                _check_span(target, f"{spec.name}[{i}].{link}", text_len, out)


def check_bounds(doc: Document, text_len: int) -> list[FieldProblem]:
    """Offsets past the end of the page a decoded prediction was made for.

    A prediction without text was already checked by :func:`check_document` when it was
    decoded, against no length; only the bound on ``end`` is left to check once its page is known.
    """
    out: list[FieldProblem] = []
    for spec in layer_specs():
        _check_offsets(spec, doc.layer(spec.name) or [], text_len, out)
    return out


def _check_layer(spec: LayerSpec, spans: Any, text_len: int | None, out: list[FieldProblem]) -> None:
    if not isinstance(spans, list):
        out.append((spec.name, f"must be a list, got {type(spans).__name__}"))
        return
    for i, span in enumerate(spans):
        path = f"{spec.name}[{i}]"
        if not isinstance(span, spec.span_type):
            out.append((path, f"must be a {spec.span_type.__name__}, got {type(span).__name__}"))
            continue
        _check_span(span, path, text_len, out)
        if spec.label_field and getattr(span, spec.label_field) not in spec.labels:
            out.append(
                (
                    f"{path}.{spec.label_field}",
                    f"{json.dumps(getattr(span, spec.label_field))} is not one of {' '.join(spec.labels)}",
                )
            )
        for name, allowed in spec.closed_fields:
            if getattr(span, name) not in allowed:
                out.append((f"{path}.{name}", f"{json.dumps(getattr(span, name))} is not one of {' '.join(allowed)}"))
        for link in spec.links:
            target = getattr(span, link)
            if target is not None:
                _check_span(target, f"{path}.{link}", text_len, out)


def check_document(
    doc: Document, gold: bool = False, text_len: int | None = None, decoded: bool = False
) -> list[FieldProblem]:
    """Every contract problem of one document; gold adds the gold-only checks.

    ``text_len`` bounds the offsets when the document carries no text of its own (a
    prediction is checked against the page it was made for). ``decoded`` says the spans
    come from the schema decoder, which has already checked their types and closed sets.
    """
    out: list[FieldProblem] = []
    if not isinstance(doc.id, str) or not doc.id.strip():
        out.append(("id", f"must be a non-empty string, got {doc.id!r}"))
    for name in ("text", "html", "url", "source"):
        value = getattr(doc, name)
        if value is not None and not isinstance(value, str):
            out.append((name, f"must be a string or null, got {type(value).__name__}"))
        elif isinstance(value, str) and not value.isascii() and (at := _lone_surrogate(value)) >= 0:
            out.append((name, f"has a lone surrogate at character {at} ({value[at]!r}): not valid Unicode"))
    if doc.split is not None and doc.split not in SPLITS:
        out.append(("split", f"{json.dumps(doc.split)} is not one of {' '.join(SPLITS)}"))
    if gold and doc.text is None:
        out.append(("text", "is missing (required in gold files)"))
    if isinstance(doc.text, str):
        text_len = len(doc.text)
    names = layer_names()
    unknown = [name for name in doc.layers if name not in names]
    out.extend((name, "is not a registered layer") for name in unknown)
    for spec in layer_specs():
        spans = doc.layer(spec.name)
        if spans is None:
            if gold:
                out.append((spec.name, "is missing (gold files carry every layer; use [] for none)"))
            continue
        if decoded:
            _check_offsets(spec, spans, text_len, out)
        else:
            _check_layer(spec, spans, text_len, out)
    if gold and not out:
        out.extend(gold_problems(doc))
    return out


def _overlaps(name: str, spans: Sequence[Any]) -> list[FieldProblem]:
    previous_end = -1
    for span in spans:  # the usual case, spans in order and apart, costs one pass
        if span.start < previous_end:
            break
        previous_end = span.end
    else:
        return []
    ordered = sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end))
    return [
        (
            f"{name}[{cur}]",
            f"[{spans[cur].start}, {spans[cur].end}) overlaps {name}[{prev}] [{spans[prev].start}, {spans[prev].end})",
        )
        for prev, cur in itertools.pairwise(ordered)
        if spans[cur].start < spans[prev].end
    ]


def gold_problems(doc: Document) -> list[FieldProblem]:
    """Checks that only make sense for gold: overlaps, and content spans inside non-content."""
    out: list[FieldProblem] = []
    specs = list(layer_specs())
    for spec in specs:
        if not spec.may_overlap:
            out.extend(_overlaps(spec.name, doc.layer(spec.name) or []))
    blocks = sorted((b.start, b.end) for s in specs if not s.marks_content for b in doc.layer(s.name) or [])
    if not blocks:
        return out
    starts = [b[0] for b in blocks]
    for spec in specs:
        if not spec.marks_content:
            continue
        for i, span in enumerate(doc.layer(spec.name) or []):
            k = bisect.bisect_right(starts, span.start) - 1
            if k >= 0 and blocks[k][0] <= span.start and span.end <= blocks[k][1]:
                out.append(
                    (
                        f"{spec.name}[{i}]",
                        f"[{span.start}, {span.end}) lies inside boilerplate [{blocks[k][0]}, {blocks[k][1]}); "
                        "content layers are annotated in article content only",
                    )
                )
    return out
