"""Documents <-> Label Studio tasks, predictions and annotation results.

Label Studio counts offsets in UTF-16 code units (JavaScript strings); the contract counts
code points. Every offset crosses through :class:`newslayers.offsets.OffsetMap` and nowhere
else. A region is never moved to make it fit: when its stored text disagrees with the page
at its offsets it is reported (task id, annotation id, region id) and left out.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newslayers.annotation import config as C

from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span, normalise_number
from newslayers.offsets import OffsetMap
from newslayers.schema import BOILERPLATE_KINDS, ENTITY_LABELS, QUALIFIERS, QUOTE_KINDS, SPLITS, UNIT_ALIASES

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class RegionProblem:
    """A region that could not be converted, located so that a person can find it."""

    task: Any
    annotation: Any
    region: str
    message: str

    def __str__(self) -> str:
        return f"task {self.task}, annotation {self.annotation}, region {self.region}: {self.message}"


# ----------------------------------------------------------------------------- document -> task


def task_data(doc: Document) -> dict[str, Any]:
    """The task's ``data``: everything needed to rebuild the document on pull."""
    if doc.text is None:
        raise ValueError(f"document {doc.id!r} has no text; Label Studio needs the page text")
    return {
        "id": doc.id,
        "text": doc.text,
        "html": doc.html,
        "url": doc.url,
        "source": doc.source,
        "split": doc.split,
        "meta": {k: doc.meta[k] for k in sorted(doc.meta)},
    }


def _labels_item(region_id: str, control: str, label: str, start: int, end: int, offsets: OffsetMap) -> dict:
    return {
        "id": region_id,
        "from_name": control,
        "to_name": C.TEXT,
        "type": "labels",
        "value": {
            "start": offsets.to_utf16(start),
            "end": offsets.to_utf16(end),
            "text": offsets.text[start:end],
            "labels": [label],
        },
    }


def _field_item(region_id: str, control: str, kind: str, key: str, value: Any, span: dict) -> dict:
    return {
        "id": region_id,
        "from_name": control,
        "to_name": C.TEXT,
        "type": kind,
        "value": {"start": span["start"], "end": span["end"], key: value},
    }


def format_number(value: float | None) -> str | None:
    """A value as the annotator would type it (no exponent for ordinary numbers)."""
    value = normalise_number(value)
    if value is None:
        return None
    return str(value) if isinstance(value, int) else repr(value)


def _numeric_items(region_id: str, claim: NumericClaim, offsets: OffsetMap) -> list[dict]:
    labels = _labels_item(region_id, C.NUMERIC, C.NUM_LABEL, claim.start, claim.end, offsets)
    span = labels["value"]
    items = [labels, _field_item(region_id, C.QUALIFIER, "choices", "choices", [claim.qualifier], span)]
    for control, raw in (
        (C.VALUE, format_number(claim.value)),
        (C.HIGH, format_number(claim.high)),
        (C.UNIT, claim.unit),
    ):
        if raw is not None:
            items.append(_field_item(region_id, control, "textarea", "text", [raw], span))
    return items


def _relation(from_id: str, to_id: str, label: str) -> dict:
    return {"from_id": from_id, "to_id": to_id, "type": "relation", "direction": "right", "labels": [label]}


def _quote_items(doc: Document, offsets: OffsetMap, prefix: str) -> list[dict]:
    """Quotes, their speaker and cue regions (one region per distinct span) and relations."""
    items: list[dict] = []
    relations: list[dict] = []
    roles: dict[tuple[str, Span], str] = {}
    for i, quote in enumerate(doc.quotes or []):
        quote_id = f"{prefix}q{i}"
        items.append(_labels_item(quote_id, C.QUOTES, quote.kind, quote.start, quote.end, offsets))
        for role, span, relation in (
            (C.SPEAKER, quote.speaker, C.RELATION_SPEAKER),
            (C.CUE, quote.cue, C.RELATION_CUE),
        ):
            if span is None:
                continue
            if (role, span) not in roles:
                roles[(role, span)] = f"{prefix}{role[0].lower()}{len(roles)}"
                items.append(_labels_item(roles[(role, span)], C.ROLES, role, span.start, span.end, offsets))
            relations.append(_relation(quote_id, roles[(role, span)], relation))
    return items + relations


def document_result(doc: Document, prefix: str = "") -> list[dict]:
    """The document's layers as a Label Studio ``result`` list (UTF-16 offsets)."""
    offsets = OffsetMap(doc.text or "")
    items: list[dict] = []
    for i, entity in enumerate(doc.entities or []):
        items.append(_labels_item(f"{prefix}e{i}", C.ENTITIES, entity.label, entity.start, entity.end, offsets))
    for i, claim in enumerate(doc.numeric_claims or []):
        items.extend(_numeric_items(f"{prefix}n{i}", claim, offsets))
    items.extend(_quote_items(doc, offsets, prefix))
    for i, block in enumerate(doc.boilerplate or []):
        items.append(_labels_item(f"{prefix}b{i}", C.BOILERPLATE, block.kind, block.start, block.end, offsets))
    return items


def prediction(pred: Document, text: str, model_version: str, score: float | None = None) -> dict[str, Any]:
    """A pre-annotation: the system's layers over the task's text, with its model version."""
    doc = Document(
        id=pred.id,
        text=text,
        entities=pred.entities,
        numeric_claims=pred.numeric_claims,
        quotes=pred.quotes,
        boilerplate=pred.boilerplate,
    )
    return {"model_version": model_version, "score": prediction_score(pred, score), "result": document_result(doc)}


def prediction_score(pred: Document, default: float | None) -> float:
    """The system's own confidence when its prediction carries one, else ``default`` or 1.0."""
    raw = pred.extra.get("score", default)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
        return float(raw)
    return 1.0


def task(doc: Document, pred: Document | None = None, model_version: str = "") -> dict[str, Any]:
    """A task to import: data plus, when a system predicted it, one prediction."""
    out: dict[str, Any] = {"data": task_data(doc)}
    if pred is not None:
        out["predictions"] = [prediction(pred, doc.text or "", model_version)]
    return out


# ----------------------------------------------------------------------------- result -> document


@dataclass(slots=True)
class _Region:
    """Every result item that shares one region id."""

    id: str
    start: int | None = None
    end: int | None = None
    text: str | None = None
    labels: dict[str, list[str]] = field(default_factory=dict)  # control -> labels
    fields: dict[str, Any] = field(default_factory=dict)  # per-region control -> value


def _group_regions(result: Iterable[dict]) -> tuple[dict[str, _Region], list[dict]]:
    regions: dict[str, _Region] = {}
    relations: list[dict] = []
    for item in result:
        if item.get("type") == "relation":
            relations.append(item)
            continue
        region_id = str(item.get("id", ""))
        region = regions.setdefault(region_id, _Region(region_id))
        value = item.get("value") or {}
        if region.start is None and "start" in value:
            region.start, region.end = value.get("start"), value.get("end")
        kind, control = item.get("type"), item.get("from_name", "")
        if kind == "labels":
            region.text = value.get("text", region.text)
            region.labels[control] = list(value.get("labels") or [])
        elif kind == "textarea":
            region.fields[control] = value.get("text")
        elif kind == "choices":
            region.fields[control] = value.get("choices")
    return regions, relations


class _Reader:
    """Turns one annotation's result into layers, collecting problems instead of guessing."""

    def __init__(self, text: str, task_id: Any, annotation_id: Any):
        self.text = text
        self.offsets = OffsetMap(text)
        self.where = (task_id, annotation_id)
        self.problems: list[RegionProblem] = []

    def problem(self, region: str, message: str) -> None:
        self.problems.append(RegionProblem(self.where[0], self.where[1], region, message))

    def span(self, region: _Region) -> Span | None:
        """Code-point span of a region, or None (reported) when it does not fit the page."""
        start, end = region.start, region.end
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
            self.problem(region.id, f"offsets must be integers, got start={start!r} end={end!r}")
            return None
        try:
            span = Span(self.offsets.to_codepoint(start), self.offsets.to_codepoint(end))
        except ValueError as err:
            self.problem(region.id, f"UTF-16 offsets [{start}, {end}): {err}")
            return None
        if span.start >= span.end:
            self.problem(region.id, f"empty or reversed span [{start}, {end}) (UTF-16)")
            return None
        if region.text is not None and not same_text(region.text, self.text[span.start : span.end]):
            self.problem(
                region.id,
                f"stored text {_short(region.text)} does not match the page at [{span.start}, {span.end}): "
                f"{_short(self.text[span.start : span.end])}; left out, not shifted",
            )
            return None
        return span

    def single_label(self, region: _Region, control: str, allowed: tuple[str, ...]) -> str | None:
        labels = region.labels.get(control) or []
        if len(labels) != 1:
            self.problem(region.id, f"{control} region needs exactly one label, has {labels}")
            return None
        if labels[0] not in allowed:
            self.problem(region.id, f"{control} label {labels[0]!r} is not one of {' '.join(allowed)}")
            return None
        return labels[0]


def same_text(stored: str, page: str) -> bool:
    """Exact, or equal but for whitespace: Label Studio may fold line breaks in stored text."""
    return stored == page or _SPACE.sub("", stored) == _SPACE.sub("", page)


def _short(text: str, limit: int = 60) -> str:
    return json.dumps(text if len(text) <= limit else text[:limit] + "…", ensure_ascii=False)


def _field_text(raw: Any) -> str | None:
    """A per-region TextArea value: the last non-empty line the annotator submitted."""
    values = raw if isinstance(raw, list) else [raw]
    texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return texts[-1] if texts else None


def parse_number(raw: str | None) -> float | None:
    """An annotator's number: ``24``, ``4,200,000,000``, ``0.6667``; empty or ``null`` -> None."""
    if raw is None or raw.lower() in ("", "null", "none", "-"):
        return None
    try:
        value = float(raw.replace(",", "").replace("_", "").replace("\u00a0", "").replace(" ", ""))
    except ValueError as err:
        raise ValueError(f"{raw!r} is not a number") from err
    if not math.isfinite(value):
        raise ValueError(f"{raw!r} is not a finite number")
    return normalise_number(value)


def normalise_unit(raw: str | None) -> str | None:
    if raw is None:
        return None
    unit = raw.strip().lower().replace(" ", "_")
    return UNIT_ALIASES.get(unit, unit) or None


def _numeric(reader: _Reader, region: _Region, span: Span) -> NumericClaim | None:
    raw_value = _field_text(region.fields.get(C.VALUE))
    raw_high = _field_text(region.fields.get(C.HIGH))
    if raw_value and ".." in raw_value and raw_high is None:
        raw_value, raw_high = raw_value.split("..", 1)
    try:
        value, high = parse_number(raw_value), parse_number(raw_high)
    except ValueError as err:
        reader.problem(region.id, f"numeric claim value: {err}")
        return None
    choices = region.fields.get(C.QUALIFIER) or ["exact"]
    qualifier = choices[0] if isinstance(choices, list) and len(choices) == 1 else None
    if qualifier not in QUALIFIERS:
        reader.problem(region.id, f"qualifier {choices!r} is not one of {' '.join(QUALIFIERS)}")
        return None
    unit = normalise_unit(_field_text(region.fields.get(C.UNIT)))
    return NumericClaim(span.start, span.end, value, qualifier, unit, high)


def _links(reader: _Reader, regions: dict[str, _Region], relations: list[dict]) -> dict[str, dict[str, str]]:
    """quote region id -> {"speaker": region id, "cue": region id}, whichever way drawn."""
    links: dict[str, dict[str, str]] = defaultdict(dict)
    for rel in relations:
        ends = [str(rel.get("from_id", "")), str(rel.get("to_id", ""))]
        name = f"relation {ends[0]}->{ends[1]}"
        if not all(e in regions for e in ends):
            reader.problem(name, "links a region that does not exist")
            continue
        quotes = [e for e in ends if C.QUOTES in regions[e].labels]
        if len(quotes) != 1:
            reader.problem(name, "a relation must link one quote to its speaker or cue")
            continue
        quote = quotes[0]
        other = ends[1] if ends[0] == quote else ends[0]
        role = _relation_role(rel, regions[other])
        if role is None:
            reader.problem(name, "cannot tell speaker from cue: label the relation or the linked region")
        elif role in links[quote] and links[quote][role] != other:
            reader.problem(name, f"quote {quote} has two {role}s")
        else:
            links[quote][role] = other
    return links


def _relation_role(rel: dict, other: _Region) -> str | None:
    labels = [label for label in rel.get("labels") or [] if label in (C.RELATION_SPEAKER, C.RELATION_CUE)]
    if len(labels) == 1:
        return labels[0]
    roles = other.labels.get(C.ROLES) or []
    if roles == [C.SPEAKER]:
        return C.RELATION_SPEAKER
    if roles == [C.CUE]:
        return C.RELATION_CUE
    return None


_KNOWN_CONTROLS = {C.ENTITIES, C.NUMERIC, C.QUOTES, C.ROLES, C.BOILERPLATE}


def _add_region(reader: _Reader, region: _Region, span: Span, layers: dict[str, list]) -> None:
    """Every layer a region belongs to (one region may carry labels of several controls)."""
    if C.ENTITIES in region.labels and (label := reader.single_label(region, C.ENTITIES, ENTITY_LABELS)):
        layers["entities"].append(Entity(span.start, span.end, label))
    if C.NUMERIC in region.labels and reader.single_label(region, C.NUMERIC, (C.NUM_LABEL,)):
        claim = _numeric(reader, region, span)
        if claim:
            layers["numeric_claims"].append(claim)
    if C.BOILERPLATE in region.labels and (kind := reader.single_label(region, C.BOILERPLATE, BOILERPLATE_KINDS)):
        layers["boilerplate"].append(Boilerplate(span.start, span.end, kind))
    if C.ROLES in region.labels:
        reader.single_label(region, C.ROLES, (C.SPEAKER, C.CUE))


def _quotes(reader: _Reader, quotes: list[_Region], spans: dict[str, Span], links: dict[str, dict[str, str]]) -> list:
    out = []
    for region in quotes:
        kind = reader.single_label(region, C.QUOTES, QUOTE_KINDS)
        if kind:
            link = links.get(region.id, {})
            speaker, cue = (spans.get(link.get(role, "")) for role in (C.RELATION_SPEAKER, C.RELATION_CUE))
            out.append(Quote(spans[region.id].start, spans[region.id].end, kind, speaker, cue))
    return out


def _layers(reader: _Reader, regions: dict[str, _Region], relations: list[dict]) -> dict[str, list]:
    layers: dict[str, list] = {"entities": [], "numeric_claims": [], "quotes": [], "boilerplate": []}
    spans: dict[str, Span] = {}
    for region in sorted(regions.values(), key=lambda r: r.id):
        unknown = sorted(set(region.labels) - _KNOWN_CONTROLS)
        if unknown or not region.labels:
            reader.problem(region.id, f"not a region of this config (controls {unknown or 'none'})")
        elif (span := reader.span(region)) is not None:
            spans[region.id] = span
            _add_region(reader, region, span, layers)
    quotes = [r for r in sorted(regions.values(), key=lambda r: r.id) if C.QUOTES in r.labels and r.id in spans]
    layers["quotes"] = _quotes(reader, quotes, spans, _links(reader, regions, relations))
    return layers


def document_from_result(
    data: dict[str, Any], result: list[dict], task_id: Any = None, annotation_id: Any = None
) -> tuple[Document, list[RegionProblem]]:
    """A contract document from a task's data and one annotation's (or prediction's) result."""
    text = data.get("text")
    if not isinstance(text, str):
        raise ValueError(f"task {task_id} has no text in its data")
    reader = _Reader(text, task_id, annotation_id)
    regions, relations = _group_regions(result or [])
    layers = _layers(reader, regions, relations)
    meta = data.get("meta")
    doc = Document(
        id=str(data.get("id") or f"ls-task-{task_id}"),
        text=text,
        html=data.get("html") if isinstance(data.get("html"), str) else None,
        url=data.get("url") if isinstance(data.get("url"), str) else None,
        source=data.get("source") if isinstance(data.get("source"), str) else None,
        split=data.get("split") if data.get("split") in SPLITS else None,
        meta=dict(meta) if isinstance(meta, dict) else {},
        **layers,
    )
    return _dedupe(doc.sorted()), reader.problems


def _dedupe(doc: Document) -> Document:
    """Drop exact duplicates (two identical regions count once, as in the guidelines)."""
    for name in ("entities", "numeric_claims", "quotes", "boilerplate"):
        items = doc.layer(name) or []
        seen: dict[str, Any] = {}
        for item in items:
            seen.setdefault(json.dumps(item.to_json(), sort_keys=True), item)
        setattr(doc, name, list(seen.values()))
    return doc
