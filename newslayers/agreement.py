"""Inter-annotator agreement, layer by layer from the registry.

Span F1 (strict and partial) comes from the benchmark's own matcher with annotator A as
"gold" and B as "predictions" (F1 is symmetric), so agreement and system scores are the
same numbers; attribute accuracies come from the same scorers. For a layer scored by
characters (boilerplate) Cohen's kappa (scikit-learn) is added over the non-whitespace
characters of all shared documents, once for boilerplate versus content and once by kind.

Lives in the core because the corpus (maintenance), the real-page track and the
annotation room all measure agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score

from newslayers.errors import UserError
from newslayers.layers import LayerSpec, layer_names, layer_spec
from newslayers.matching import match_document, prf
from newslayers.model import Document
from newslayers.scoring import score_document, summarise

BASE_ID_KEY = "annotation_of"  # Document.extra key: the id of the annotated document


def base_id(doc: Document) -> str:
    """The id of the annotated document (a per-annotator document carries it in extra)."""
    value = doc.extra.get(BASE_ID_KEY)
    return value if isinstance(value, str) and value else doc.id


def kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa of two label sequences; 1.0 when both are one and the same constant."""
    if not len(a):
        return None
    if np.array_equal(a, b) and len(np.unique(a)) == 1:
        return 1.0
    return float(cohen_kappa_score(a, b))


def _char_labels(spec: LayerSpec, text: str, spans: Sequence[Any]) -> np.ndarray:
    """Per character: 0 outside the layer, 1 + label index inside."""
    labels = np.zeros(len(text), dtype=np.int64)
    for span in spans:
        labels[span.start : span.end] = 1 + spec.labels.index(spec.label_of(span))
    return labels


def character_kappa(spec: LayerSpec, pairs: Sequence[tuple[Document, Document]]) -> dict[str, Any]:
    """Kappa over non-whitespace characters: binary (inside the layer or not) and by label.

    Without page text there are no characters to compare: kappa is None (n/a), not 1.
    """
    la, lb = [], []
    for a, b in pairs:
        text = a.text or b.text or ""
        visible = np.fromiter((not ch.isspace() for ch in text), dtype=bool, count=len(text))
        la.append(_char_labels(spec, text, a.layer(spec.name) or [])[visible])
        lb.append(_char_labels(spec, text, b.layer(spec.name) or [])[visible])
    all_a = np.concatenate(la) if la else np.zeros(0, dtype=np.int64)
    all_b = np.concatenate(lb) if lb else np.zeros(0, dtype=np.int64)
    return {
        "kappa": None if (k := kappa(all_a > 0, all_b > 0)) is None else round(k, 4),
        "kappa_kind": None if (k := kappa(all_a, all_b)) is None else round(k, 4),
        "characters": len(all_a),
    }


def pair_documents(docs_a: Sequence[Document], docs_b: Sequence[Document]) -> list[tuple[Document, Document]]:
    """Documents annotated by both, in id order; the same text required."""
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


def _rounded(section: dict[str, Any]) -> dict[str, float]:
    return {k: round(float(section[k]), 4) for k in ("precision", "recall", "f1")}


def _span_agreement(spec: LayerSpec, pairs: Sequence[tuple[Document, Document]]) -> dict[str, Any]:
    """Strict and partial span F1 of a layer, whatever its scoring kind."""
    totals = {scheme: [0, 0, 0, 0, 0] for scheme in ("strict", "partial")}
    for a, b in pairs:
        ga = sorted((s.start, s.end, spec.label_of(s)) for s in a.layer(spec.name) or [])
        gb = sorted((s.start, s.end, spec.label_of(s)) for s in b.layer(spec.name) or [])
        for scheme, total in totals.items():
            counts = match_document(ga, gb, scheme)[0].as_tuple()
            totals[scheme] = [x + y for x, y in zip(total, counts, strict=True)]
    return {scheme: _rounded(prf(*total, scheme == "partial")) for scheme, total in totals.items()}


def agreement(docs_a: Sequence[Document], docs_b: Sequence[Document]) -> dict[str, Any]:
    """Agreement of two annotations of the same documents (matched by id), per layer.

    Layers that either side did not annotate are left out. Floats are rounded to 4 places.
    """
    pairs = pair_documents(docs_a, docs_b)
    ids_b = {base_id(d) for d in docs_b}
    out: dict[str, Any] = {
        "documents": len(pairs),
        "only_a": sum(base_id(d) not in ids_b for d in docs_a),
        "only_b": len(ids_b) - len(pairs),
    }
    for name in layer_names():
        if not (any(a.layer(name) is not None for a, _ in pairs) and any(b.layer(name) is not None for _, b in pairs)):
            continue
        spec = layer_spec(name)
        entry = _span_agreement(spec, pairs)
        totals = np.sum([score_document(a, b, [name])[name] for a, b in pairs], axis=0) if pairs else []
        summary = summarise(name, totals)
        entry.update({k: round(float(v), 4) for k, v in summary.items() if k.endswith("_accuracy")})
        if spec.scoring == "characters":
            entry["char"] = _rounded(summary["char"])
            entry.update(character_kappa(spec, pairs))
        entry["spans_a"] = sum(len(a.layer(name) or []) for a, _ in pairs)
        entry["spans_b"] = sum(len(b.layer(name) or []) for _, b in pairs)
        out[name] = entry
    return out
