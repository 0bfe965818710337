"""Merging several annotations of one document by the guidelines' rule (GUIDELINES.md §6).

Per layer, the spans of all annotators are grouped into clusters of overlapping spans; in
each cluster every annotator has a *version* (the exact items they drew there, possibly
none). Identical versions agree. Otherwise, with three or more annotations, a version held
by a strict majority wins; anything else (two annotations, or no majority) goes to the
reviewer. Every cluster where the versions differ is a conflict, listed for a person.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newslayers.agreement import BASE_ID_KEY, base_id
from newslayers.errors import UserError
from newslayers.layers import layer_names
from newslayers.model import Document

ANNOTATOR_KEY = "annotator"  # Document.extra key of a per-annotator document


@dataclass(frozen=True, slots=True)
class Version:
    """One annotation of a document: who made it, and what they annotated."""

    annotator: str
    document: Document


@dataclass(frozen=True, slots=True)
class Conflict:
    doc_id: str
    layer: str
    start: int
    end: int
    text: str
    decision: str  # "majority" or "reviewer"
    reviewer: str
    versions: tuple[tuple[str, tuple[str, ...]], ...]  # (annotator, item keys)
    chosen: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.doc_id,
            "layer": self.layer,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "decision": self.decision,
            "reviewer": self.reviewer,
            "versions": [{"annotator": who, "items": [json.loads(k) for k in keys]} for who, keys in self.versions],
            "chosen": [json.loads(k) for k in self.chosen],
            "rule": None,
        }


def item_key(item: Any) -> str:
    """Identity of a span with all its attributes (same span, label, kind, value, links)."""
    return json.dumps(item.to_json(), sort_keys=True, ensure_ascii=False)


def clusters(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping spans: the regions where annotators are compared."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _snippet(text: str, start: int, end: int, limit: int = 200) -> str:
    piece = text[start:end]
    return piece if len(piece) <= limit else piece[:limit] + "…"


def _decide(keys: list[tuple[str, ...]], reviewer: int) -> tuple[tuple[str, ...], str]:
    """The winning version of one cluster and the rule that chose it."""
    if len(set(keys)) == 1:
        return keys[0], "agreed"
    if len(keys) >= 3:
        best, votes = Counter(keys).most_common(1)[0]
        if votes * 2 > len(keys):
            return best, "majority"
    return keys[reviewer], "reviewer"


def merge_layer(versions: Sequence[Version], reviewer: int, layer: str) -> tuple[list[Any], list[Conflict]]:
    """The merged items of one layer and its conflicts."""
    per_annotator = [list(v.document.layer(layer) or []) for v in versions]
    by_key = {item_key(i): i for items in per_annotator for i in items}
    text = versions[reviewer].document.text or ""
    merged: list[Any] = []
    conflicts: list[Conflict] = []
    for start, end in clusters([(i.start, i.end) for items in per_annotator for i in items]):
        keys = [
            tuple(sorted(item_key(i) for i in items if start <= i.start and i.end <= end)) for items in per_annotator
        ]
        chosen, rule = _decide(keys, reviewer)
        merged.extend(by_key[k] for k in chosen)
        if rule != "agreed":
            conflicts.append(
                Conflict(
                    versions[reviewer].document.id,
                    layer,
                    start,
                    end,
                    _snippet(text, start, end),
                    rule,
                    versions[reviewer].annotator,
                    tuple((v.annotator, k) for v, k in zip(versions, keys, strict=True)),
                    chosen,
                )
            )
    return merged, conflicts


def merge_versions(versions: Sequence[Version], reviewer: int = 0) -> tuple[Document, list[Conflict]]:
    """One adjudicated document from several annotations of it (same text required)."""
    if not versions:
        raise ValueError("nothing to merge")
    base = versions[reviewer].document
    for v in versions:
        if v.document.text != base.text:
            raise UserError(
                f"document {base.id}: {v.annotator}'s text differs from {versions[reviewer].annotator}'s; "
                "annotations of different texts cannot be merged"
            )
    layers: dict[str, list[Any] | None] = {}
    conflicts: list[Conflict] = []
    for layer in layer_names():
        if all(v.document.layer(layer) is None for v in versions):
            layers[layer] = None
            continue
        layers[layer], found = merge_layer(versions, reviewer, layer)
        conflicts.extend(found)
    extra = {k: v for k, v in base.extra.items() if k not in (ANNOTATOR_KEY, BASE_ID_KEY)}
    doc = base.copy(id=base_id(base), extra=extra, **layers)
    return doc.sorted(), conflicts


def group_versions(sources: Sequence[tuple[str, Sequence[Document]]]) -> dict[str, list[Version]]:
    """document id -> versions, from (name, documents) sources in the given order.

    A source whose documents carry an ``annotator`` field (a ``pull --per-annotator``
    file) contributes one version per annotator, and its merged documents are ignored;
    otherwise the whole source is one annotator named after it.
    """
    grouped: dict[str, list[Version]] = {}
    for name, docs in sources:
        per_annotator = [d for d in docs if isinstance(d.extra.get(ANNOTATOR_KEY), str)]
        for doc in per_annotator or docs:
            who = str(doc.extra.get(ANNOTATOR_KEY, name)) if per_annotator else name
            grouped.setdefault(base_id(doc), []).append(Version(who, doc))
    return grouped


def reviewer_index(versions: Sequence[Version], reviewer: str | None, default: int = 0) -> int:
    """Index of the reviewer's version: by name (or index), else ``default``; UserError if unknown."""
    if reviewer is None:
        return default
    for i, v in enumerate(versions):
        if v.annotator == reviewer:
            return i
    if reviewer.isdigit() and int(reviewer) < len(versions):
        return int(reviewer)
    names = ", ".join(v.annotator for v in versions)
    raise UserError(f"reviewer {reviewer!r} is none of the annotators of {base_id(versions[0].document)} ({names})")


def adjudicate(grouped: dict[str, list[Version]], reviewer: str | None = None) -> tuple[list[Document], list[Conflict]]:
    """Merge every document; documents in id order, conflicts in document/layer/offset order."""
    docs: list[Document] = []
    conflicts: list[Conflict] = []
    for doc_id in sorted(grouped):
        versions = grouped[doc_id]
        doc, found = merge_versions(versions, reviewer_index(versions, reviewer))
        docs.append(doc)
        conflicts.extend(found)
    return docs, conflicts
