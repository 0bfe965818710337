"""Scores of predictions against gold for the four layers, with bootstrap intervals.

Every headline number is computed from per-document counts, so that a bootstrap over
documents (seeded) only re-sums counts: intervals for the whole corpus cost milliseconds.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from newslayers.benchmarks.matching import HALF_PARTIAL, SCHEMES, Counts, match_all_schemes, match_document, prf

from newslayers.model import Document, Span
from newslayers.schema import ENTITY_LABELS, LAYERS

BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20261129
_WORD = re.compile(r"\w+", re.UNICODE)


# ----------------------------------------------------------------------------- per document


@dataclass(slots=True)
class DocScores:
    """Everything one document contributes; summed over documents for any subset."""

    entity: dict[str, Counts] = field(default_factory=dict)  # scheme -> counts
    entity_label: dict[tuple[str, str], Counts] = field(default_factory=dict)  # (label, scheme)
    numeric: dict[str, Counts] = field(default_factory=dict)
    numeric_attr: Counter[str] = field(default_factory=Counter)
    quote: dict[str, Counts] = field(default_factory=dict)
    quote_attr: Counter[str] = field(default_factory=Counter)
    boiler: Counter[str] = field(default_factory=Counter)


def _labelled(spans: Sequence[Any], attr: str | None) -> list[tuple[int, int, str]]:
    return sorted((s.start, s.end, getattr(s, attr) if attr else "SPAN") for s in spans)


def _score_entities(gold: Document, pred: Document, out: DocScores) -> None:
    g, p = _labelled(gold.entities or [], "label"), _labelled(pred.entities or [], "label")
    out.entity, out.entity_label = match_all_schemes(g, p)


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _score_numeric(gold: Document, pred: Document, out: DocScores) -> None:
    g_spans = sorted(gold.numeric_claims or [], key=lambda c: (c.start, c.end))
    p_spans = sorted(pred.numeric_claims or [], key=lambda c: (c.start, c.end))
    g, p = _labelled(g_spans, None), _labelled(p_spans, None)
    out.numeric["partial"] = match_document(g, p, "partial")[0]
    out.numeric["strict"], strict_pairs = match_document(g, p, "strict")
    for pi, gi, outcome in strict_pairs:
        if outcome != "correct":
            continue
        gc, pc = g_spans[gi], p_spans[pi]
        out.numeric_attr["matched"] += 1
        out.numeric_attr["value"] += _same_number(gc.value, pc.value) and _same_number(gc.high, pc.high)
        out.numeric_attr["qualifier"] += gc.qualifier == pc.qualifier
        out.numeric_attr["unit"] += gc.unit == pc.unit


def _surface(text: str, span: Span | None) -> str:
    return " ".join(_WORD.findall(text[span.start : span.end].lower())) if span else ""


def _same_link(text: str, gold: Span | None, pred: Span | None) -> bool:
    """A speaker or cue is right if it overlaps the gold one or says the same words."""
    if gold is None or pred is None:
        return gold is pred
    if pred.start < gold.end and gold.start < pred.end:
        return True
    return _surface(text, gold) == _surface(text, pred) != ""


def _score_quotes(gold: Document, pred: Document, out: DocScores) -> None:
    g_spans = sorted(gold.quotes or [], key=lambda q: (q.start, q.end))
    p_spans = sorted(pred.quotes or [], key=lambda q: (q.start, q.end))
    g, p = _labelled(g_spans, "kind"), _labelled(p_spans, "kind")
    for scheme in ("strict", "partial"):
        out.quote[scheme] = match_document(g, p, scheme)[0]
    text = gold.text or ""
    for pi, gi, _ in match_document(g, p, "partial")[1]:
        gq, pq = g_spans[gi], p_spans[pi]
        out.quote_attr["matched"] += 1
        out.quote_attr["speaker"] += _same_link(text, gq.speaker, pq.speaker)
        out.quote_attr["cue"] += _same_link(text, gq.cue, pq.cue)
        out.quote_attr["kind"] += gq.kind == pq.kind


def _mask(text: str, spans: Sequence[Any]) -> np.ndarray:
    mask = np.zeros(len(text), dtype=bool)
    for s in spans:
        mask[s.start : s.end] = True
    return mask


def content_words(text: str, boilerplate: Sequence[Any]) -> Counter[str]:
    """Bag of words of the main content (text outside boilerplate)."""
    mask = _mask(text, boilerplate)
    words: Counter[str] = Counter()
    for m in _WORD.finditer(text):
        if not mask[m.start()]:
            words[m.group().lower()] += 1
    return words


def _score_boilerplate(gold: Document, pred: Document, out: DocScores) -> None:
    text = gold.text or ""
    visible = np.array([not ch.isspace() for ch in text], dtype=bool)
    g, p = _mask(text, gold.boilerplate or []), _mask(text, pred.boilerplate or [])
    out.boiler["tp"] = int((g & p & visible).sum())
    out.boiler["fp"] = int((~g & p & visible).sum())
    out.boiler["fn"] = int((g & ~p & visible).sum())
    out.boiler["tn"] = int((~g & ~p & visible).sum())
    gw, pw = content_words(text, gold.boilerplate or []), content_words(text, pred.boilerplate or [])
    out.boiler["w_common"] = sum((gw & pw).values())
    out.boiler["w_gold"] = sum(gw.values())
    out.boiler["w_pred"] = sum(pw.values())


LAYER_SCORERS: dict[str, Callable[[Document, Document, DocScores], None]] = {
    "entities": _score_entities,
    "numeric_claims": _score_numeric,
    "quotes": _score_quotes,
    "boilerplate": _score_boilerplate,
}


def score_document(gold: Document, pred: Document, layers: Sequence[str]) -> DocScores:
    out = DocScores()
    for layer in layers:
        LAYER_SCORERS[layer](gold, pred, out)
    return out


# ----------------------------------------------------------------------------- aggregation


def _sum_counts(items: Sequence[dict[Any, Counts]], key: Any) -> Counts:
    total = Counts()
    for item in items:
        if key in item:
            total.add(item[key])
    return total


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def aggregate(docs: Sequence[DocScores], layers: Sequence[str]) -> dict[str, Any]:
    """Micro-averaged scores over documents, in the CONTRACT shape."""
    result: dict[str, Any] = {}
    if "entities" in layers:
        ent: dict[str, Any] = {}
        for scheme in SCHEMES:
            c = _sum_counts([d.entity for d in docs], scheme)
            ent[scheme] = {**prf(*c.as_tuple(), HALF_PARTIAL[scheme]), **_counts_dict(c)}
        labels = sorted({label for d in docs for label, _ in d.entity_label}, key=ENTITY_LABELS.index)
        ent["per_label"] = {
            label: {
                scheme: {
                    **prf(
                        *(c := _sum_counts([d.entity_label for d in docs], (label, scheme))).as_tuple(),
                        HALF_PARTIAL[scheme],
                    ),
                    **_counts_dict(c),
                }
                for scheme in SCHEMES
            }
            for label in labels
        }
        result["entities"] = ent
    if "numeric_claims" in layers:
        num: dict[str, Any] = {}
        for scheme in ("strict", "partial"):
            c = _sum_counts([d.numeric for d in docs], scheme)
            num[scheme] = {**prf(*c.as_tuple(), HALF_PARTIAL[scheme]), **_counts_dict(c)}
        attr = sum((d.numeric_attr for d in docs), Counter())
        for key in ("value", "qualifier", "unit"):
            num[f"{key}_accuracy"] = _ratio(attr[key], attr["matched"])
        num["matched"] = attr["matched"]
        result["numeric_claims"] = num
    if "quotes" in layers:
        quo: dict[str, Any] = {}
        for scheme in ("strict", "partial"):
            c = _sum_counts([d.quote for d in docs], scheme)
            quo[scheme] = {**prf(*c.as_tuple(), HALF_PARTIAL[scheme]), **_counts_dict(c)}
        attr = sum((d.quote_attr for d in docs), Counter())
        for key in ("speaker", "cue", "kind"):
            quo[f"{key}_accuracy"] = _ratio(attr[key], attr["matched"])
        quo["matched"] = attr["matched"]
        result["quotes"] = quo
    if "boilerplate" in layers:
        b = sum((d.boiler for d in docs), Counter())
        precision, recall = _ratio(b["tp"], b["tp"] + b["fp"]), _ratio(b["tp"], b["tp"] + b["fn"])
        wp, wr = _ratio(b["w_common"], b["w_pred"]), _ratio(b["w_common"], b["w_gold"])
        result["boilerplate"] = {
            "char": {"precision": precision, "recall": recall, "f1": _f1(precision, recall)},
            "content_words": {"precision": wp, "recall": wr, "f1": _f1(wp, wr)},
        }
    return result


def _counts_dict(c: Counts) -> dict[str, int]:
    return {
        "correct": c.correct,
        "incorrect": c.incorrect,
        "partial": c.partial,
        "missed": c.missed,
        "spurious": c.spurious,
    }


# ----------------------------------------------------------------------------- headline numbers

HEADLINES: dict[str, tuple[str, ...]] = {
    "entities": ("strict", "f1"),
    "numeric_claims": ("strict", "f1"),
    "quotes": ("strict", "f1"),
    "boilerplate": ("char", "f1"),
}


def headline(scores: dict[str, Any], layer: str) -> float:
    section, metric = HEADLINES[layer]
    return float(scores[layer][section][metric])


def _layer_vectors(docs: Sequence[DocScores], layer: str) -> np.ndarray:
    """Per-document numbers from which the layer's headline F1 can be re-summed."""
    if layer == "entities":
        rows = [d.entity.get("strict", Counts()).as_tuple() for d in docs]
    elif layer == "numeric_claims":
        rows = [d.numeric.get("strict", Counts()).as_tuple() for d in docs]
    elif layer == "quotes":
        rows = [d.quote.get("strict", Counts()).as_tuple() for d in docs]
    else:
        rows = [(d.boiler["tp"], d.boiler["fp"], d.boiler["fn"], 0, 0) for d in docs]
    return np.array(rows, dtype=np.float64).reshape(len(docs), 5)


def _f1_from_sums(sums: np.ndarray, layer: str) -> np.ndarray:
    if layer == "boilerplate":
        tp, fp, fn = sums[..., 0], sums[..., 1], sums[..., 2]
        actual, possible = tp + fp, tp + fn
    else:
        tp = sums[..., 0]
        actual = sums[..., 0] + sums[..., 1] + sums[..., 2] + sums[..., 4]
        possible = sums[..., 0] + sums[..., 1] + sums[..., 2] + sums[..., 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(actual > 0, tp / np.maximum(actual, 1), 0.0)
        r = np.where(possible > 0, tp / np.maximum(possible, 1), 0.0)
        return np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0.0)


def _resamples(n: int, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(samples, n))


def bootstrap_intervals(docs: Sequence[DocScores], layers: Sequence[str]) -> dict[str, dict[str, float]]:
    """95% percentile intervals of each layer's headline F1, resampling documents."""
    if not docs:
        return {}
    idx = _resamples(len(docs))
    out = {}
    for layer in layers:
        vectors = _layer_vectors(docs, layer)
        f1 = _f1_from_sums(vectors[idx].sum(axis=1), layer)
        low, high = np.percentile(f1, [2.5, 97.5])
        out[layer] = {"low": float(low), "high": float(high)}
    return out


def paired_bootstrap(
    a: Sequence[DocScores], b: Sequence[DocScores], layers: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Paired bootstrap over the same documents: the difference A − B and its p-value."""
    idx = _resamples(len(a))
    out = {}
    for layer in layers:
        va, vb = _layer_vectors(a, layer), _layer_vectors(b, layer)
        fa = _f1_from_sums(va.sum(axis=0), layer)
        fb = _f1_from_sums(vb.sum(axis=0), layer)
        delta = _f1_from_sums(va[idx].sum(axis=1), layer) - _f1_from_sums(vb[idx].sum(axis=1), layer)
        p_value = min(1.0, 2 * min(float((delta <= 0).mean()), float((delta >= 0).mean())))
        low, high = np.percentile(delta, [2.5, 97.5])
        out[layer] = {
            "a": float(fa),
            "b": float(fb),
            "delta": float(fa - fb),
            "low": float(low),
            "high": float(high),
            "p_value": p_value,
        }
    return out


# ----------------------------------------------------------------------------- whole runs


def predicted_layers(preds: Sequence[Document]) -> list[str]:
    """Layers present in at least one prediction (absent layers are not scored)."""
    return [layer for layer in LAYERS if any(p.layer(layer) is not None for p in preds)]


def empty_prediction(doc_id: str, layers: Sequence[str]) -> Document:
    return Document(id=doc_id, **{layer: [] for layer in layers})


def score_run(gold: Sequence[Document], preds: dict[str, Document], layers: Sequence[str]) -> list[DocScores]:
    """Per-document scores in gold order; a missing prediction counts as empty."""
    return [score_document(g, preds.get(g.id) or empty_prediction(g.id, layers), layers) for g in gold]


def breakdowns(
    gold: Sequence[Document], docs: Sequence[DocScores], layers: Sequence[str]
) -> dict[str, dict[str, dict[str, float]]]:
    """Headline F1 per layout, topic and split."""
    keys = {
        "layout": lambda d: d.meta.get("layout") or d.source or "unknown",
        "topic": lambda d: d.meta.get("topic") or "unknown",
        "split": lambda d: d.split or "unknown",
    }
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, key in keys.items():
        groups: dict[str, list[DocScores]] = defaultdict(list)
        for g, s in zip(gold, docs, strict=True):
            groups[str(key(g))].append(s)
        out[name] = {
            group: {"documents": len(items), **{layer: headline(aggregate(items, layers), layer) for layer in layers}}
            for group, items in sorted(groups.items())
        }
    return out
