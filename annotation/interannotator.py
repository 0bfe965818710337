"""Inter-annotator agreement: span F1 per layer and Cohen's kappa over boilerplate characters.

Span F1 comes from :mod:`newslayers.benchmarks.scoring` (annotator A as "gold", B as
"predictions"; F1 is symmetric), so agreement and system scores are the same numbers.
Kappa is computed over the non-whitespace characters of all shared documents, once for
boilerplate versus content and once over the boilerplate kinds.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
from newslayers.annotation.adjudication import ANNOTATOR_KEY, base_id

from newslayers.errors import UserError
from newslayers.model import Document, Quote
from newslayers.schema import BOILERPLATE_KINDS, LAYERS

_SPAN_LAYERS = ("entities", "numeric_claims", "quotes")
_ACCURACIES = {
    "numeric_claims": ("value_accuracy", "qualifier_accuracy", "unit_accuracy"),
    "quotes": ("speaker_accuracy", "cue_accuracy", "kind_accuracy"),
}


def cohen_kappa(confusion: np.ndarray) -> float:
    """Cohen's kappa from a square confusion matrix; 1.0 when both raters are constant and agree."""
    total = confusion.sum()
    if total == 0:
        return 1.0
    observed = np.trace(confusion) / total
    expected = float((confusion.sum(axis=1) * confusion.sum(axis=0)).sum()) / total**2
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return float((observed - expected) / (1.0 - expected))


def _char_labels(text: str, blocks: Sequence[Any]) -> np.ndarray:
    """Per character: 0 for content, 1 + kind index for boilerplate."""
    labels = np.zeros(len(text), dtype=np.int64)
    for block in blocks:
        labels[block.start : block.end] = 1 + BOILERPLATE_KINDS.index(block.kind)
    return labels


def boilerplate_kappa(pairs: Sequence[tuple[Document, Document]]) -> dict[str, float | int | None]:
    """Kappa over non-whitespace characters: binary (boilerplate or not) and by kind.

    Without page text there are no characters to compare: kappa is None (n/a), not 1.
    """
    size = len(BOILERPLATE_KINDS) + 1
    by_kind = np.zeros((size, size), dtype=np.int64)
    for a, b in pairs:
        text = a.text or b.text or ""
        visible = np.fromiter((not ch.isspace() for ch in text), dtype=bool, count=len(text))
        la, lb = _char_labels(text, a.boilerplate or [])[visible], _char_labels(text, b.boilerplate or [])[visible]
        by_kind += np.bincount(la * size + lb, minlength=size * size).reshape(size, size)
    if not by_kind.sum():
        return {"kappa": None, "kappa_kind": None, "characters": 0}
    binary = np.array(
        [[by_kind[0, 0], by_kind[0, 1:].sum()], [by_kind[1:, 0].sum(), by_kind[1:, 1:].sum()]], dtype=np.int64
    )
    return {
        "kappa": round(cohen_kappa(binary), 4),
        "kappa_kind": round(cohen_kappa(by_kind), 4),
        "characters": int(by_kind.sum()),
    }


def _as_spans(doc: Document) -> Document:
    """Boilerplate blocks as quote-shaped spans typed by kind, so the span matcher scores them."""
    return Document(id=doc.id, text=doc.text, quotes=[Quote(b.start, b.end, b.kind) for b in doc.boilerplate or []])


def _prf(section: dict[str, Any]) -> dict[str, float]:
    return {k: round(float(section[k]), 4) for k in ("precision", "recall", "f1")}


def _pair_documents(docs_a: Sequence[Document], docs_b: Sequence[Document]) -> list[tuple[Document, Document]]:
    by_id = {base_id(d): d for d in docs_b}
    pairs = []
    for a in sorted(docs_a, key=base_id):
        b = by_id.get(base_id(a))
        if b is None:
            continue
        if a.text is not None and b.text is not None and a.text != b.text:
            raise UserError(f"document {base_id(a)}: the two annotations are of different texts")
        pairs.append((a, b))
    return pairs


def agreement(docs_a: Sequence[Document], docs_b: Sequence[Document]) -> dict[str, Any]:
    """Agreement of two annotations of the same documents (matched by id), per layer.

    Layers that either side did not annotate are left out. Floats are rounded to 4 places.
    """
    from newslayers.benchmarks.scoring import aggregate, score_run

    pairs = _pair_documents(docs_a, docs_b)
    ids_b = {base_id(d) for d in docs_b}
    out: dict[str, Any] = {
        "documents": len(pairs),
        "only_a": sum(base_id(d) not in ids_b for d in docs_a),
        "only_b": len(ids_b) - len(pairs),
    }
    layers = [
        layer
        for layer in LAYERS
        if any(a.layer(layer) is not None for a, _ in pairs) and any(b.layer(layer) is not None for _, b in pairs)
    ]
    gold = [_with_id(a, i) for i, (a, _) in enumerate(pairs)]
    preds = {str(i): _with_id(b, i) for i, (_, b) in enumerate(pairs)}
    span_layers = [layer for layer in layers if layer in _SPAN_LAYERS]
    scores = aggregate(score_run(gold, preds, layers), layers) if layers else {}
    for layer in span_layers:
        entry: dict[str, Any] = {scheme: _prf(scores[layer][scheme]) for scheme in ("strict", "partial")}
        entry.update({k: round(float(scores[layer][k]), 4) for k in _ACCURACIES.get(layer, ())})
        entry.update(_span_counts(pairs, layer))
        out[layer] = entry
    if "boilerplate" in layers:
        boiler = aggregate(
            score_run([_as_spans(g) for g in gold], {k: _as_spans(p) for k, p in preds.items()}, ["quotes"]),
            ["quotes"],
        )["quotes"]
        out["boilerplate"] = {
            "strict": _prf(boiler["strict"]),
            "partial": _prf(boiler["partial"]),
            "char": _prf(scores["boilerplate"]["char"]),
            **boilerplate_kappa(pairs),
            **_span_counts(pairs, "boilerplate"),
        }
    return out


def _with_id(doc: Document, index: int) -> Document:
    """The same document under a neutral id, so per-annotator ids pair up."""
    return Document(id=str(index), text=doc.text, **{layer: doc.layer(layer) for layer in LAYERS})


def _span_counts(pairs: Sequence[tuple[Document, Document]], layer: str) -> dict[str, int]:
    return {
        "spans_a": sum(len(a.layer(layer) or []) for a, _ in pairs),
        "spans_b": sum(len(b.layer(layer) or []) for _, b in pairs),
    }


def annotator_sets(sources: Sequence[tuple[str, Sequence[Document]]]) -> dict[str, list[Document]]:
    """annotator -> their documents: one per file, or per ``annotator`` field when present."""
    sets: dict[str, list[Document]] = {}
    for name, docs in sources:
        per_annotator = [d for d in docs if isinstance(d.extra.get(ANNOTATOR_KEY), str)]
        if not per_annotator:
            key = name if name not in sets else f"{name} ({len(sets) + 1})"
            sets[key] = list(docs)
        for doc in per_annotator:
            sets.setdefault(doc.extra[ANNOTATOR_KEY], []).append(doc)
    return sets


def annotator_counts(docs: Sequence[Document]) -> dict[str, int]:
    counts = {"documents": len({base_id(d) for d in docs})}
    counts.update({layer: sum(len(d.layer(layer) or []) for d in docs) for layer in LAYERS})
    return counts


def agreement_report(sources: Sequence[tuple[str, Sequence[Document]]]) -> dict[str, Any]:
    """Pairwise agreement between every two annotators, and each annotator's counts."""
    sets = annotator_sets(sources)
    if len(sets) < 2:
        raise UserError(
            f"agreement needs two annotators; found {len(sets)} ({', '.join(sets) or 'none'}). "
            "Give two files, or a pull --per-annotator file with two annotators"
        )
    return {
        "annotators": {name: annotator_counts(docs) for name, docs in sorted(sets.items())},
        "pairs": [{"a": a, "b": b, **agreement(sets[a], sets[b])} for a, b in itertools.combinations(sorted(sets), 2)],
    }
