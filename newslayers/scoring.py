"""Scores of predictions against gold, layer by layer from the registry, with bootstrap intervals.

Each registered layer is scored by the scorer of its ``scoring`` kind: ``spans`` (the four
SemEval-2013 schemes, overall and per label, identical to nervaluate), ``numeric`` and
``quotes`` (strict and partial spans plus attribute accuracies), ``characters``
(boilerplate: character P/R/F1 over non-space characters and content-word F1).

A run is scored as a stream: every document adds its counts to running totals (and to its
breakdown groups) and keeps only the few numbers of each layer's headline, so memory grows
by a handful of floats per document, and the bootstrap resamples those numbers with numpy.
The annotation room measures agreement with the same functions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from newslayers.fastmatch import count_batch
from newslayers.layers import LayerSpec, layer_names, layer_spec
from newslayers.matching import HALF_PARTIAL, SCHEMES, Counts, match_all_schemes, match_document, prf
from newslayers.model import Document, Span

BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20261129
OUTCOMES = ("correct", "incorrect", "partial", "missed", "spurious")
_WORD = re.compile(r"\w+", re.UNICODE)


def f1_score(precision: float, recall: float) -> float:
    """The one harmonic mean."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _labelled(spec: LayerSpec, spans: Sequence[Any]) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, spec.label_of(s)) for s in spans]


def _sorted(spans: Sequence[Any] | None) -> list[Any]:
    return sorted(spans or [], key=lambda s: (s.start, s.end))


@lru_cache(maxsize=64)
def layout(spec: LayerSpec) -> dict[str, int]:
    """Names of a layer's counts and their positions in its count vector (fixed per layer)."""
    if spec.scoring == "characters":
        names = ["tp", "fp", "fn", "tn", "w_common", "w_gold", "w_pred"]
    elif spec.scoring == "spans":
        prefixes = ["", *(f"label.{label}." for label in spec.labels)]
        names = [f"{p}{scheme}.{o}" for p in prefixes for scheme in SCHEMES for o in OUTCOMES]
    else:
        names = [f"{scheme}.{o}" for scheme in ("strict", "partial") for o in OUTCOMES]
        names += ["attr.matched", *(f"attr.{a}" for a in attributes(spec))]
    return {name: i for i, name in enumerate(names)}


def attributes(spec: LayerSpec) -> tuple[str, ...]:
    """The attributes whose accuracy is reported over matched spans."""
    if spec.scoring == "numeric":
        return ("value", "qualifier", "unit")
    return tuple(filter(None, (*spec.links, spec.label_field)))


def _put(vector: list[int], at: int, counts: Counts) -> None:
    vector[at : at + 5] = counts.as_tuple()


# ----------------------------------------------------------------------------- per document


def _count_spans(spec: LayerSpec, gold: Document, pred: Document) -> list[int]:
    index = layout(spec)
    vector = [0] * len(index)
    g = sorted(_labelled(spec, gold.layer(spec.name) or []))
    p = sorted(_labelled(spec, pred.layer(spec.name) or []))
    overall, per_label = match_all_schemes(g, p)
    for scheme, counts in overall.items():
        _put(vector, index[f"{scheme}.correct"], counts)
    for (label, scheme), counts in per_label.items():
        _put(vector, index[f"label.{label}.{scheme}.correct"], counts)
    return vector


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _surface(text: str, span: Span | None) -> str:
    return " ".join(_WORD.findall(text[span.start : span.end].lower())) if span else ""


def _same_link(text: str, gold: Span | None, pred: Span | None) -> bool:
    """A speaker or cue is right if it overlaps the gold one or says the same words."""
    if gold is None or pred is None:
        return gold is pred
    if pred.start < gold.end and gold.start < pred.end:
        return True
    return _surface(text, gold) == _surface(text, pred) != ""


def _attribute_hits(spec: LayerSpec, g: Any, p: Any, text: str) -> dict[str, bool]:
    if spec.scoring == "numeric":
        return {
            "value": _same_number(g.value, p.value) and _same_number(g.high, p.high),
            "qualifier": g.qualifier == p.qualifier,
            "unit": g.unit == p.unit,
        }
    hits = {link: _same_link(text, getattr(g, link), getattr(p, link)) for link in spec.links}
    if spec.label_field:
        hits[spec.label_field] = spec.label_of(g) == spec.label_of(p)
    return hits


def _count_attributed(spec: LayerSpec, gold: Document, pred: Document) -> list[int]:
    """Strict and partial span counts, and attribute accuracy over matched spans.

    Numeric claims compare attributes on strict matches (the same expression); quotes on
    partial matches (a quote found with slightly different edges still has a speaker).
    """
    index = layout(spec)
    out = [0] * len(index)
    g_spans, p_spans = _sorted(gold.layer(spec.name)), _sorted(pred.layer(spec.name))
    g, p = _labelled(spec, g_spans), _labelled(spec, p_spans)
    pairs_scheme = "strict" if spec.scoring == "numeric" else "partial"
    pairs: list[tuple[int, int, str]] = []
    for scheme in ("strict", "partial"):
        counts, found = match_document(g, p, scheme)
        _put(out, index[f"{scheme}.correct"], counts)
        if scheme == pairs_scheme:
            pairs = found
    text = gold.text or ""
    for pi, gi, outcome in pairs:
        if pairs_scheme == "strict" and outcome != "correct":
            continue
        out[index["attr.matched"]] += 1
        for name, hit in _attribute_hits(spec, g_spans[gi], p_spans[pi], text).items():
            out[index[f"attr.{name}"]] += hit
    return out


def _mask(length: int, spans: Sequence[Any]) -> np.ndarray:
    mask = np.zeros(length, dtype=bool)
    for s in spans:
        mask[s.start : s.end] = True
    return mask


def content_words(text: str, boilerplate: Sequence[Any]) -> Counter[str]:
    """Bag of words of the main content (text outside boilerplate)."""
    mask = _mask(len(text), boilerplate)
    return Counter(m.group().lower() for m in _WORD.finditer(text) if not mask[m.start()])


def _count_characters(spec: LayerSpec, gold: Document, pred: Document) -> list[int]:
    text = gold.text or ""
    visible = ~np.char.isspace(np.array(list(text), dtype="<U1")) if text else np.zeros(0, dtype=bool)
    g, p = _mask(len(text), gold.layer(spec.name) or []), _mask(len(text), pred.layer(spec.name) or [])
    gw, pw = content_words(text, gold.layer(spec.name) or []), content_words(text, pred.layer(spec.name) or [])
    return [
        int((g & p & visible).sum()),
        int((~g & p & visible).sum()),
        int((g & ~p & visible).sum()),
        int((~g & ~p & visible).sum()),
        sum((gw & pw).values()),
        sum(gw.values()),
        sum(pw.values()),
    ]


COUNTERS: dict[str, Callable[[LayerSpec, Document, Document], list[int]]] = {
    "spans": _count_spans,
    "numeric": _count_attributed,
    "quotes": _count_attributed,
    "characters": _count_characters,
}


def score_document(gold: Document, pred: Document, layers: Sequence[str]) -> dict[str, list[int]]:
    """Each layer's count vector for one document (positions: :func:`layout`)."""
    out = {}
    for name in layers:
        spec = layer_spec(name)
        out[name] = COUNTERS[spec.scoring](spec, gold, pred)
    return out


# ----------------------------------------------------------------------------- summaries


def _scheme_summary(get: Callable[[str], int], prefix: str, scheme: str) -> dict[str, Any]:
    counts = {o: get(f"{prefix}{scheme}.{o}") for o in OUTCOMES}
    return {**prf(*counts.values(), HALF_PARTIAL[scheme]), **counts}


def summarise(name: str, totals: Sequence[float] | np.ndarray) -> dict[str, Any]:
    """A layer's scores in the CONTRACT shape, from its summed count vector."""
    spec = layer_spec(name)
    index = layout(spec)

    def get(key: str) -> int:
        return int(totals[index[key]]) if len(totals) else 0

    if spec.scoring == "characters":
        tp, fp, fn = get("tp"), get("fp"), get("fn")
        precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
        wp, wr = ratio(get("w_common"), get("w_pred")), ratio(get("w_common"), get("w_gold"))
        return {
            "char": {"precision": precision, "recall": recall, "f1": f1_score(precision, recall)},
            "content_words": {"precision": wp, "recall": wr, "f1": f1_score(wp, wr)},
        }
    if spec.scoring == "spans":
        out: dict[str, Any] = {scheme: _scheme_summary(get, "", scheme) for scheme in SCHEMES}
        out["per_label"] = {
            label: {scheme: _scheme_summary(get, f"label.{label}.", scheme) for scheme in SCHEMES}
            for label in spec.labels
            if any(get(f"label.{label}.strict.{o}") for o in OUTCOMES)
        }
        return out
    out = {scheme: _scheme_summary(get, "", scheme) for scheme in ("strict", "partial")}
    for attribute in attributes(spec):
        out[f"{attribute}_accuracy"] = ratio(get(f"attr.{attribute}"), get("attr.matched"))
    out["matched"] = get("attr.matched")
    return out


def headline(scores: dict[str, Any], layer: str) -> float:
    scheme, metric = layer_spec(layer).headline
    return float(scores[layer][scheme][metric])


def headline_counts(name: str, counts: Sequence[int]) -> tuple[float, ...]:
    """The few numbers from which a layer's headline F1 is re-summed: (hits, actual, possible)."""
    spec = layer_spec(name)
    index = layout(spec)
    if spec.scoring == "characters":
        tp, fp, fn = (counts[index[k]] for k in ("tp", "fp", "fn"))
        return (tp, tp + fp, tp + fn)
    scheme = spec.headline[0]
    start = index[f"{scheme}.correct"]
    c, i, p, m, s = counts[start : start + 5]
    hits = c + 0.5 * p if HALF_PARTIAL[scheme] else c
    return (hits, c + i + p + s, c + i + p + m)


def _f1_from_sums(sums: np.ndarray) -> np.ndarray:
    hits, actual, possible = sums[..., 0], sums[..., 1], sums[..., 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(actual > 0, hits / np.maximum(actual, 1e-12), 0.0)
        recall = np.where(possible > 0, hits / np.maximum(possible, 1e-12), 0.0)
        return np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)


# ----------------------------------------------------------------------------- whole runs

GroupKey = Callable[[Document], str]
BREAKDOWNS: dict[str, GroupKey] = {
    "layout": lambda d: str(d.meta.get("layout") or d.source or "unknown"),
    "topic": lambda d: str(d.meta.get("topic") or "unknown"),
    "split": lambda d: str(d.split or "unknown"),
    "language": lambda d: d.language() or "unknown",
}


def count_documents(name: str, gold: Sequence[Document], pred: Sequence[Document]) -> np.ndarray:
    """One layer's count vectors for many documents (rows), the easy ones counted in bulk."""
    spec = layer_spec(name)
    if spec.scoring != "spans":
        return np.array(
            [COUNTERS[spec.scoring](spec, g, p) for g, p in zip(gold, pred, strict=True)], dtype=np.int64
        ).reshape(len(gold), -1)
    counts, simple = count_batch(
        [d.layer(name) for d in gold], [d.layer(name) for d in pred], spec.labels, spec.label_field
    )
    for row in np.flatnonzero(~simple):
        counts[row] = _count_spans(spec, gold[row], pred[row])
    return counts


def headline_matrix(name: str, counts: np.ndarray) -> np.ndarray:
    """(hits, actual, possible) per row of count vectors: what the bootstrap re-sums."""
    spec = layer_spec(name)
    index = layout(spec)
    if spec.scoring == "characters":
        tp, fp, fn = (counts[:, index[k]] for k in ("tp", "fp", "fn"))
        return np.stack([tp, tp + fp, tp + fn], axis=1).astype(np.float64)
    scheme = spec.headline[0]
    start = index[f"{scheme}.correct"]
    c, i, p, m, s = (counts[:, start + k].astype(np.float64) for k in range(5))
    hits = c + 0.5 * p if HALF_PARTIAL[scheme] else c
    return np.stack([hits, c + i + p + s, c + i + p + m], axis=1)


class RunScores:
    """Everything a run contributes: totals, breakdown totals and per-document headline numbers.

    Documents are added by their index in the gold, in any order and in batches, so the
    bootstrap sees the same rows whatever order predictions arrive in. With ``grow`` a layer
    first seen in a later prediction is back-filled as "predicted nothing" for the documents
    already added.
    """

    def __init__(self, layers: Sequence[str], size: int, with_breakdowns: bool = True, grow: bool = False) -> None:
        self.layers: list[str] = []
        self.size = size
        self.with_breakdowns = with_breakdowns
        self.grow = grow
        self.totals: dict[str, np.ndarray] = {}
        self.groups: dict[tuple[str, str], dict[str, np.ndarray]] = {}
        self.group_sizes: Counter[tuple[str, str]] = Counter()
        self.rows: dict[str, np.ndarray] = {}
        self.added: list[int] = []
        self.missing: list[str] = []  # gold ids that had no prediction (scored as empty)
        self._slots: dict[int, list[tuple[str, str]]] = {}
        for name in layers:
            self._start_layer(name, [])

    @property
    def documents(self) -> int:
        return len(self.added)

    def _record(self, name: str, indices: Sequence[int], counts: np.ndarray) -> None:
        self.totals[name] += counts.sum(axis=0)
        self.rows[name][np.asarray(indices, dtype=np.int64)] = headline_matrix(name, counts)
        if not self.with_breakdowns:
            return
        by_slot: dict[tuple[str, str], list[int]] = {}
        for row, index in enumerate(indices):
            for slot in self._slots[index]:
                by_slot.setdefault(slot, []).append(row)
        for slot, rows in by_slot.items():
            group = self.groups.setdefault(slot, {})
            summed = counts[rows].sum(axis=0)
            group[name] = group[name] + summed if name in group else summed

    def _start_layer(self, name: str, gold: Sequence[Document]) -> None:
        self.layers.append(name)
        order = {n: i for i, n in enumerate(layer_names())}
        self.layers.sort(key=lambda n: order.get(n, len(order)))
        self.totals[name] = np.zeros(len(layout(layer_spec(name))), dtype=np.int64)
        self.rows[name] = np.zeros((self.size, 3), dtype=np.float64)
        if self.added:
            golds = [gold[i] for i in self.added]
            self._record(name, self.added, count_documents(name, golds, [Document(id=g.id) for g in golds]))

    def add_batch(
        self,
        indices: Sequence[int],
        gold: Sequence[Document],
        pred: Sequence[Document | None],
        all_gold: Sequence[Document] = (),
    ) -> None:
        """Score gold documents (at ``indices`` in the gold) against their predictions."""
        if self.grow:
            known = set(layer_names())
            present = {n for p in pred if p is not None for n in p.present_layers()}
            for name in sorted(present & known - set(self.layers)):
                self._start_layer(name, all_gold)
        for index, doc in zip(indices, gold, strict=True):
            slots = [(group, key(doc)) for group, key in BREAKDOWNS.items()] if self.with_breakdowns else []
            self.group_sizes.update(slots)
            self._slots[index] = slots
        self.added.extend(indices)
        filled = [p if p is not None else Document(id=g.id) for g, p in zip(gold, pred, strict=True)]
        for name in self.layers:
            self._record(name, indices, count_documents(name, gold, filled))

    def add(self, index: int, gold: Document, pred: Document | None, all_gold: Sequence[Document] = ()) -> None:
        """Score one gold document against its prediction."""
        self.add_batch([index], [gold], [pred], all_gold)

    def matrix(self, name: str) -> np.ndarray:
        return self.rows[name][np.sort(np.asarray(self.added, dtype=np.int64))] if self.added else np.zeros((0, 3))


BATCH = 1024  # documents scored together: the bulk matcher's unit, and the memory bound of a stream


def score_run(
    gold: Sequence[Document], predictions: dict[str, Document], layers: Sequence[str], with_breakdowns: bool = True
) -> RunScores:
    """Score every gold document against its prediction (a missing one counts as empty)."""
    run = RunScores(layers, size=len(gold), with_breakdowns=with_breakdowns)
    for start in range(0, len(gold), BATCH):
        batch = gold[start : start + BATCH]
        run.add_batch(range(start, start + len(batch)), batch, [predictions.get(d.id) for d in batch])
    return run


def aggregate(run: RunScores) -> dict[str, Any]:
    """Micro-averaged scores over documents, in the CONTRACT shape, with 95% intervals."""
    result = {name: summarise(name, run.totals[name]) for name in run.layers}
    for name, interval in bootstrap_intervals(run).items():
        result[name]["ci95"] = interval
    return result


def breakdowns(run: RunScores) -> dict[str, dict[str, dict[str, float]]]:
    """Headline F1 per layout, topic, split and language."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (group, value), per_layer in sorted(run.groups.items()):
        scores = {name: summarise(name, per_layer.get(name, run.totals[name] * 0)) for name in run.layers}
        out.setdefault(group, {})[value] = {
            "documents": run.group_sizes[(group, value)],
            **{name: headline(scores, name) for name in run.layers},
        }
    return out


def _resample_counts(n: int, samples: int, seed: int) -> Iterable[np.ndarray]:
    """How often each document is drawn, per bootstrap sample: O(n) memory, seeded."""
    rng = np.random.default_rng(seed)
    for _ in range(samples):
        yield np.bincount(rng.integers(0, n, size=n), minlength=n)


def bootstrap_intervals(
    run: RunScores, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED
) -> dict[str, dict[str, float]]:
    """95% percentile intervals of each layer's headline F1, resampling documents."""
    if not run.documents:
        return {}
    matrices = {name: run.matrix(name) for name in run.layers}
    f1s: dict[str, list[float]] = {name: [] for name in run.layers}
    for weights in _resample_counts(run.documents, samples, seed):
        for name, matrix in matrices.items():
            f1s[name].append(float(_f1_from_sums(weights @ matrix)))
    out = {}
    for name, values in f1s.items():
        low, high = np.percentile(values, [2.5, 97.5])
        out[name] = {"low": float(low), "high": float(high)}
    return out


def paired_bootstrap(
    a: RunScores, b: RunScores, layers: Sequence[str], samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED
) -> dict[str, dict[str, float]]:
    """Paired bootstrap over the same documents: the difference A − B and its p-value."""
    out = {}
    for name in layers:
        ma, mb = a.matrix(name), b.matrix(name)
        fa, fb = float(_f1_from_sums(ma.sum(axis=0))), float(_f1_from_sums(mb.sum(axis=0)))
        delta = np.array(
            [
                _f1_from_sums(weights @ ma) - _f1_from_sums(weights @ mb)
                for weights in _resample_counts(a.documents, samples, seed)
            ]
        )
        p_value = min(1.0, 2 * min(float((delta <= 0).mean()), float((delta >= 0).mean())))
        low, high = np.percentile(delta, [2.5, 97.5])
        out[name] = {"a": fa, "b": fb, "delta": fa - fb, "low": float(low), "high": float(high), "p_value": p_value}
    return out
