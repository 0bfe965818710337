"""Span matching for many documents at once, with numpy, for the common easy case.

nervaluate's greedy matching only matters when a prediction could match several gold
spans or a gold span could be claimed by several predictions. When, in a document, the
gold spans do not overlap one another, every prediction overlaps at most one gold span and
no gold span is overlapped by two predictions, every scheme's outcome follows from each
prediction's one candidate alone, and a whole batch of such documents is counted with a
few array operations. Documents that are not that simple are returned for the exact
greedy path (:func:`newslayers.matching.match_all_schemes`); both give identical counts.
"""

from __future__ import annotations

import collections
import itertools
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

CORRECT, INCORRECT, PART, MISSED, SPURIOUS = range(5)  # outcome offsets inside one scheme's five counts
STRICT, EXACT, PARTIAL, TYPE = (0, 5, 10, 15)  # scheme offsets inside one label's twenty counts
WIDTH = 20
_GAP = np.int64(1) << 32  # documents are laid end to end this far apart
_START, _END = operator.attrgetter("start"), operator.attrgetter("end")


def _flatten(
    layers: Sequence[Sequence[Any] | None], label_field: str | None, labels: dict[str, int]
) -> tuple[np.ndarray, ...]:
    """Document index, start, end and label index of every span, in document then offset order.

    Read straight from the span structs with C-level getters (no per-span Python tuples);
    spans at equal offsets keep their input order, which never changes a simple document's counts.
    """
    sizes = [len(spans) if spans else 0 for spans in layers]
    flat = list(itertools.chain.from_iterable(spans for spans in layers if spans))
    total = len(flat)
    doc = np.repeat(np.arange(len(layers), dtype=np.int64), sizes)
    start = np.fromiter(map(_START, flat), dtype=np.int64, count=total)
    end = np.fromiter(map(_END, flat), dtype=np.int64, count=total)
    if label_field is None:
        label = np.zeros(total, dtype=np.int64)
    else:
        known = collections.defaultdict(lambda: -1, labels)
        label = np.fromiter(map(known.__getitem__, map(operator.attrgetter(label_field), flat)), np.int64, total)
    same_doc = doc[1:] == doc[:-1]
    later = (start[1:] > start[:-1]) | ((start[1:] == start[:-1]) & (end[1:] >= end[:-1]))
    if np.all(~same_doc | later):  # spans usually come in offset order already
        return doc, start, end, label
    order = np.lexsort((end, start, doc))
    return doc, start[order], end[order], label[order]


def count_batch(
    gold: Sequence[Sequence[Any] | None],
    pred: Sequence[Sequence[Any] | None],
    labels: Sequence[str],
    label_field: str | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Counts per document (rows: 20 overall, then 20 per label) and which rows are exact.

    ``gold`` and ``pred`` hold one layer's spans per document (None: no spans); each span's
    label is its ``label_field`` (None: every span has ``labels[0]``). Rows whose ``simple`` flag is
    False are left at zero: the caller counts those documents with the greedy matcher.
    """
    index = {label: i for i, label in enumerate(labels)}
    n = len(gold)
    out = np.zeros((n, WIDTH * (1 + len(labels))), dtype=np.int64)
    g_doc, g_start, g_end, g_label = _flatten(gold, label_field, index)
    p_doc, p_start, p_end, p_label = _flatten(pred, label_field, index)
    simple = np.ones(n, dtype=bool)
    simple[g_doc[g_label < 0]] = False
    simple[p_doc[p_label < 0]] = False
    # Gold spans that overlap the next gold span of the same document: not simple.
    same_doc = g_doc[1:] == g_doc[:-1]
    simple[g_doc[1:][same_doc & (g_start[1:] < g_end[:-1])]] = False
    g_from, g_to = g_doc * _GAP + g_start, g_doc * _GAP + g_end
    p_from, p_to = p_doc * _GAP + p_start, p_doc * _GAP + p_end
    lo = np.searchsorted(g_to, p_from, side="right")  # first gold ending after the prediction starts
    hi = np.searchsorted(g_from, p_to, side="left")  # first gold starting at or after it ends
    overlapping = hi - lo
    simple[p_doc[overlapping > 1]] = False
    has = overlapping == 1
    target = np.where(has, lo, 0)
    if len(g_start):
        t0, t1 = g_start[target], g_end[target]
        share = (np.minimum(p_end, t1) - np.maximum(p_start, t0)) / (t1 - t0) * 100.0
        has &= share >= 1.0  # nervaluate's minimum overlap of 1% of the gold span
    claimed = target[has]
    repeated = np.bincount(claimed, minlength=len(g_start)) > 1
    simple[g_doc[repeated]] = False
    keep_p = simple[p_doc]
    keep_g = simple[g_doc]
    tally = _Tally(out)
    _count_predictions(tally, p_doc, p_label, has, target, g_start, g_end, g_label, p_start, p_end, keep_p)
    _count_missed(tally, g_doc, g_label, claimed, has, target, p_label, keep_g)
    tally.total()
    out[~simple] = 0
    return out, simple


class _Tally:
    """(row, column) cells to add one to, summed with one bincount at the end (``np.add.at`` is slow)."""

    def __init__(self, out: np.ndarray) -> None:
        self.out, self.cells = out, []

    def add(self, rows: np.ndarray, cols: np.ndarray) -> None:
        self.cells.append(rows * self.out.shape[1] + cols)

    def total(self) -> None:
        if self.cells:
            flat = np.concatenate(self.cells)
            self.out += np.bincount(flat, minlength=self.out.size).reshape(self.out.shape)


def _count_predictions(
    out: _Tally,
    p_doc: np.ndarray,
    p_label: np.ndarray,
    has: np.ndarray,
    target: np.ndarray,
    g_start: np.ndarray,
    g_end: np.ndarray,
    g_label: np.ndarray,
    p_start: np.ndarray,
    p_end: np.ndarray,
    keep: np.ndarray,
) -> None:
    """Every prediction's outcome in the four schemes, overall and under its own label."""
    mine = WIDTH * (1 + p_label)
    lone = keep & ~has
    for base in (STRICT, EXACT, PARTIAL, TYPE):
        out.add(p_doc[lone], np.full(lone.sum(), base + SPURIOUS))
        out.add(p_doc[lone], mine[lone] + base + SPURIOUS)
    hit = keep & has
    if not hit.any():
        return
    t = target[hit]
    docs, own = p_doc[hit], mine[hit]
    bounds = (p_start[hit] == g_start[t]) & (p_end[hit] == g_end[t])
    same = p_label[hit] == g_label[t]
    out.add(docs, np.where(bounds & same, STRICT + CORRECT, STRICT + INCORRECT))
    out.add(docs, np.where(bounds, EXACT + CORRECT, EXACT + INCORRECT))
    out.add(docs, np.where(bounds, PARTIAL + CORRECT, PARTIAL + PART))
    out.add(docs, np.where(same, TYPE + CORRECT, TYPE + INCORRECT))
    # Under its own label a prediction only meets gold of that label.
    out.add(docs[same], own[same] + np.where(bounds[same], STRICT + CORRECT, STRICT + INCORRECT))
    out.add(docs[same], own[same] + np.where(bounds[same], EXACT + CORRECT, EXACT + INCORRECT))
    out.add(docs[same], own[same] + np.where(bounds[same], PARTIAL + CORRECT, PARTIAL + PART))
    out.add(docs[same], own[same] + TYPE + CORRECT)
    other = ~same
    for base in (STRICT, EXACT, PARTIAL, TYPE):
        out.add(docs[other], own[other] + base + SPURIOUS)


def _count_missed(
    out: _Tally,
    g_doc: np.ndarray,
    g_label: np.ndarray,
    claimed: np.ndarray,
    has: np.ndarray,
    target: np.ndarray,
    p_label: np.ndarray,
    keep: np.ndarray,
) -> None:
    """Gold spans no prediction reached: missed overall; and under their label, unless a
    prediction of the same label reached them."""
    reached = np.zeros(len(g_doc), dtype=bool)
    reached[claimed] = True
    same_label = np.zeros(len(g_doc), dtype=bool)
    if len(g_label):
        same_label[target[has & (p_label == g_label[target])]] = True
    lost = keep & ~reached
    lost_label = keep & ~same_label
    own = WIDTH * (1 + g_label)
    for base in (STRICT, EXACT, PARTIAL, TYPE):
        out.add(g_doc[lost], np.full(lost.sum(), base + MISSED))
        out.add(g_doc[lost_label], own[lost_label] + base + MISSED)
