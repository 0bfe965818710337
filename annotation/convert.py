"""Documents <-> Label Studio tasks, predictions and annotation results.

Offsets: Label Studio 1.23's text editor counts region offsets in code points, exactly as
the contract does (it measures a selection with ``[...text].length`` and counts each line
break element as one character, so a CRLF is two), so offsets cross unchanged. This was
found by driving the editor in a browser (``tests/test_browser.py``): older editors counted
UTF-16 code units, and a region whose stored text matches the page only when its offsets
are read as UTF-16 units is read that way, so annotations made in an older Label Studio
still pull. A region is never moved to make it fit: when its stored text disagrees with
the page under both readings it is reported (task id, annotation id, region id) and left out.

Every layer of the registry is converted: a layer with links (quotes) through relations to
its linked regions, every other attribute through the per-region fields of
:func:`newslayers.annotation.config.layer_controls`.
"""

from __future__ import annotations

import json
import math
import re
import typing
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from newslayers.annotation.config import TEXT, FieldControl, LayerControls, layer_controls

from newslayers.layers import layer_names
from newslayers.model import Document, Span, normalise_number
from newslayers.offsets import OffsetMap
from newslayers.schema import SPLITS, UNIT_ALIASES

_SPACE = re.compile(r"\s+")
_UNIT = "unit"  # the one free-text field with a canonical spelling (schema.UNIT_ALIASES)


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


def _labels_item(region_id: str, control: str, label: str, start: int, end: int, text: str) -> dict:
    return {
        "id": region_id,
        "from_name": control,
        "to_name": TEXT,
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def _field_item(region_id: str, control: FieldControl, raw: Any, span: Any) -> dict:
    kind, key = ("choices", "choices") if control.choices else ("textarea", "text")
    return {
        "id": region_id,
        "from_name": control.name,
        "to_name": TEXT,
        "type": kind,
        "value": {"start": span.start, "end": span.end, key: [raw]},
    }


def format_number(value: float | None) -> str | None:
    """A value as the annotator would type it (no exponent for ordinary numbers)."""
    value = normalise_number(value)
    if value is None:
        return None
    return str(value) if isinstance(value, int) else repr(value)


def _field_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def _relation(from_id: str, to_id: str, label: str) -> dict:
    return {"from_id": from_id, "to_id": to_id, "type": "relation", "direction": "right", "labels": [label]}


def _region_letters() -> dict[str, str]:
    """A short, distinct region-id prefix per layer: its first letter when free."""
    letters: dict[str, str] = {}
    for i, name in enumerate(layer_names()):
        letters[name] = name[0] if name[0] not in letters.values() else f"{name[0]}{i}-"
    return letters


def _layer_items(controls: LayerControls, spans: list[Any], text: str, prefix: str) -> list[dict]:
    """One layer's regions, their per-region fields, linked regions and relations."""
    spec, items, relations = controls.spec, [], []
    linked: dict[tuple[str, Span], str] = {}
    for i, span in enumerate(spans):
        region_id = f"{prefix}{i}"
        items.append(_labels_item(region_id, controls.layer, spec.label_of(span), span.start, span.end, text))
        for control in controls.fields:
            raw = _field_text(getattr(span, control.field))
            if raw is not None:
                items.append(_field_item(region_id, control, raw, span))
        for link in spec.links:
            target = getattr(span, link)
            if target is None or controls.roles is None:
                continue
            if (link, target) not in linked:
                linked[(link, target)] = f"{prefix}-{link}{len(linked)}"
                label = controls.role_label(link)
                items.append(_labels_item(linked[(link, target)], controls.roles.name, label, *_ends(target), text))
            relations.append(_relation(region_id, linked[(link, target)], link))
    return items + relations


def _ends(span: Any) -> tuple[int, int]:
    return span.start, span.end


def document_result(doc: Document, prefix: str = "") -> list[dict]:
    """The document's layers as a Label Studio ``result`` list (code-point offsets)."""
    letters = _region_letters()
    items: list[dict] = []
    for controls in layer_controls():
        spans = doc.layer(controls.layer) or []
        items.extend(_layer_items(controls, spans, doc.text or "", f"{prefix}{letters[controls.layer]}"))
    return items


def prediction(pred: Document, text: str, model_version: str, score: float | None = None) -> dict[str, Any]:
    """A pre-annotation: the system's layers over the task's text, with its model version."""
    doc = Document(id=pred.id, text=text, layers={name: pred.layer(name) for name in layer_names()})
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
        self.legacy = OffsetMap(text)  # UTF-16 units, as editors before Label Studio 1.23 counted
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
        if start >= end:
            self.problem(region.id, f"empty or reversed span [{start}, {end})")
            return None
        span = Span(start, end) if start >= 0 and end <= len(self.text) else None
        if region.text is None:
            if span is None:
                self.problem(region.id, f"offsets [{start}, {end}) are outside the text of length {len(self.text)}")
            return span
        candidates = [c for c in (span, self._legacy_span(start, end)) if c is not None]
        for match in (str.__eq__, same_text):  # an exact reading wins over one equal but for whitespace
            for candidate in candidates:
                if match(region.text, self.text[candidate.start : candidate.end]):
                    return candidate
        shown = span or Span(max(0, min(start, len(self.text))), max(0, min(end, len(self.text))))
        self.problem(
            region.id,
            f"stored text {_short(region.text)} does not match the page at [{start}, {end}): "
            f"{_short(self.text[shown.start : shown.end])}; left out, not shifted",
        )
        return None

    def _legacy_span(self, start: int, end: int) -> Span | None:
        try:
            return Span(self.legacy.to_codepoint(start), self.legacy.to_codepoint(end))
        except ValueError:
            return None

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


def _last_text(raw: Any) -> str | None:
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


def _is_number(annotation: Any) -> bool:
    """Whether a span attribute holds a number (``int | float | None`` and the like)."""
    return any(a in (int, float) for a in (typing.get_args(annotation) or (annotation,)))


def _field_values(reader: _Reader, controls: LayerControls, region: _Region) -> dict[str, Any] | None:
    """attribute -> value from the region's per-region fields; None (reported) when unreadable."""
    types_ = {f.name: f.type for f in msgspec.structs.fields(controls.spec.span_type)}
    raw = {c.field: region.fields.get(c.name) for c in controls.fields}
    texts = {c.field: _last_text(raw[c.field]) for c in controls.fields if not c.choices}
    if "high" in texts and texts.get("value") and ".." in texts["value"] and texts["high"] is None:
        texts["value"], texts["high"] = texts["value"].split("..", 1)  # "40..50": a range typed in one box
    values: dict[str, Any] = {}
    for control in controls.fields:
        if control.choices:
            chosen = raw[control.field] or [control.choices[0]]
            if not (isinstance(chosen, list) and len(chosen) == 1 and chosen[0] in control.choices):
                reader.problem(region.id, f"{control.field} {chosen!r} is not one of {' '.join(control.choices)}")
                return None
            values[control.field] = chosen[0]
        elif _is_number(types_[control.field]):
            try:
                values[control.field] = parse_number(texts[control.field])
            except ValueError as err:
                reader.problem(region.id, f"{controls.layer} {control.field}: {err}")
                return None
        else:
            text = texts[control.field]
            values[control.field] = normalise_unit(text) if control.field == _UNIT else text
    return values


def _span_object(reader: _Reader, controls: LayerControls, region: _Region, span: Span) -> Any | None:
    """The layer's span type built from a region (links are added later), or None (reported)."""
    spec = controls.spec
    label = reader.single_label(region, controls.layer, spec.labels)
    values = _field_values(reader, controls, region) if label else None
    if label is None or values is None:
        return None
    if spec.label_field:
        values[spec.label_field] = label
    try:
        return msgspec.convert({"start": span.start, "end": span.end, **values}, spec.span_type)
    except msgspec.ValidationError as err:
        reader.problem(region.id, f"{controls.layer}: {err}")
        return None


def _links(reader: _Reader, regions: dict[str, _Region], relations: list[dict]) -> dict[str, dict[str, dict[str, str]]]:
    """layer -> linking region id -> {link: linked region id}, whichever way a relation was drawn."""
    linking = [c for c in layer_controls() if c.spec.links]
    links: dict[str, dict[str, dict[str, str]]] = {c.layer: defaultdict(dict) for c in linking}
    for rel in relations:
        ends = [str(rel.get("from_id", "")), str(rel.get("to_id", ""))]
        name = f"relation {ends[0]}->{ends[1]}"
        if not all(e in regions for e in ends):
            reader.problem(name, "links a region that does not exist")
            continue
        owners = [c for c in linking if sum(c.layer in regions[e].labels for e in ends) == 1]
        if not owners:
            wanted = " or ".join(c.layer for c in linking) or "linking"
            reader.problem(name, f"a relation must link one {wanted} region to its linked span")
            continue
        controls = owners[0]
        head = next(e for e in ends if controls.layer in regions[e].labels)
        other = ends[1] if ends[0] == head else ends[0]
        link = _relation_link(controls, rel, regions[other])
        found = links[controls.layer][head]
        if link is None:
            reader.problem(
                name, f"cannot tell {' from '.join(controls.spec.links)}: label the relation or the linked region"
            )
        elif link in found and found[link] != other:
            reader.problem(name, f"{controls.layer} region {head} has two {link}s")
        else:
            found[link] = other
    return links


def _relation_link(controls: LayerControls, rel: dict, other: _Region) -> str | None:
    labels = [label for label in rel.get("labels") or [] if label in controls.spec.links]
    if len(labels) == 1:
        return labels[0]
    roles = other.labels.get(controls.roles.name) if controls.roles else None
    if roles and len(roles) == 1:
        return controls.link_of(roles[0])
    return None


def _control_names() -> set[str]:
    names = set()
    for controls in layer_controls():
        names.add(controls.layer)
        if controls.roles:
            names.add(controls.roles.name)
    return names


def _layers(reader: _Reader, regions: dict[str, _Region], relations: list[dict]) -> dict[str, list]:
    layers: dict[str, list] = {name: [] for name in layer_names()}
    spans: dict[str, Span] = {}
    known = _control_names()
    for region in sorted(regions.values(), key=lambda r: r.id):
        unknown = sorted(set(region.labels) - known)
        if unknown or not region.labels:
            reader.problem(region.id, f"not a region of this config (controls {unknown or 'none'})")
        elif (span := reader.span(region)) is not None:
            spans[region.id] = span
    linked = _links(reader, regions, relations)
    for controls in layer_controls():
        if controls.roles:
            for region_id in sorted(spans):
                if controls.roles.name in regions[region_id].labels:
                    reader.single_label(regions[region_id], controls.roles.name, controls.roles.values)
        for region_id in sorted(spans):
            if controls.layer not in regions[region_id].labels:
                continue
            item = _span_object(reader, controls, regions[region_id], spans[region_id])
            if item is not None and controls.layer in linked:
                found = linked[controls.layer].get(region_id, {})
                targets = {link: spans.get(other) for link, other in found.items()}
                item = msgspec.structs.replace(item, **targets)
            if item is not None:
                layers[controls.layer].append(item)
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
        layers=layers,
    )
    return _dedupe(doc.sorted()), reader.problems


def _dedupe(doc: Document) -> Document:
    """Drop exact duplicates (two identical regions count once, as in the guidelines)."""
    for name in layer_names():
        seen: dict[str, Any] = {}
        for item in doc.layer(name) or []:
            seen.setdefault(json.dumps(item.to_json(), sort_keys=True), item)
        doc.set_layer(name, list(seen.values()))
    return doc
