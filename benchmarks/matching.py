"""Span matching under the four SemEval-2013 schemes, exactly as nervaluate counts them.

nervaluate compares every prediction with every gold span (O(n·m) per document, per scheme,
per label). Here gold spans are sorted and each prediction only looks at the gold spans
whose start lies in a window that can overlap it, in the same list order, so the greedy
choices (and therefore every count) are identical while the work is near linear.

Offsets here are the contract's (end exclusive). nervaluate's ends are inclusive, so the
identical numbers come from giving nervaluate ``end - 1``; the overlap test and the
minimum-overlap percentage below are written in those terms.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

SCHEMES = ("strict", "exact", "partial", "ent_type")
Labelled = tuple[int, int, str]  # start, end (exclusive), label


@dataclass(slots=True)
class Counts:
    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    def add(self, other: Counts) -> None:
        self.correct += other.correct
        self.incorrect += other.incorrect
        self.partial += other.partial
        self.missed += other.missed
        self.spurious += other.spurious

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        return (self.correct, self.incorrect, self.partial, self.missed, self.spurious)


def prf(
    correct: float, incorrect: float, partial: float, missed: float, spurious: float, half_partial: bool
) -> dict[str, float]:
    """Precision, recall and F1 from counts, as nervaluate computes them."""
    actual = correct + incorrect + partial + spurious
    possible = correct + incorrect + partial + missed
    hit = correct + 0.5 * partial if half_partial else correct
    precision = hit / actual if actual > 0 else 0.0
    recall = hit / possible if possible > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


HALF_PARTIAL = {"strict": False, "exact": False, "partial": True, "ent_type": True}


def _overlaps(p: Labelled, t: Labelled) -> bool:
    """nervaluate's overlap test with min_overlap_percentage = 1.0, on inclusive ends."""
    p_end, t_end = p[1] - 1, t[1] - 1
    if p[0] > t_end or p_end < t[0]:
        return False
    overlap = min(p_end, t_end) - max(p[0], t[0]) + 1
    return overlap / (t_end - t[0] + 1) * 100.0 >= 1.0


@dataclass(slots=True)
class _Gold:
    spans: list[Labelled]
    starts: list[int] = field(default_factory=list)
    longest: int = 0

    def __post_init__(self) -> None:
        self.starts = [s[0] for s in self.spans]
        self.longest = max((s[1] - s[0] for s in self.spans), default=0)

    def window(self, p: Labelled) -> range:
        """Indices of gold spans that can overlap p, in list order."""
        lo = bisect.bisect_left(self.starts, p[0] - self.longest)
        hi = bisect.bisect_left(self.starts, p[1])  # a gold start >= p.end cannot overlap
        return range(lo, hi)


def match_document(
    gold: Sequence[Labelled], pred: Sequence[Labelled], scheme: str
) -> tuple[Counts, list[tuple[int, int, str]]]:
    """Counts for one document and one scheme, plus the (pred, gold, outcome) pairs.

    Both lists must be in the same order nervaluate would get them (here: sorted).
    """
    g = _Gold(list(gold))
    matched: set[int] = set()
    counts = Counts()
    pairs: list[tuple[int, int, str]] = []
    for pi, p in enumerate(pred):
        outcome, chosen = _match_one(g, p, matched, scheme)
        if outcome == "spurious":
            counts.spurious += 1
            continue
        matched.add(chosen)
        pairs.append((pi, chosen, outcome))
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    counts.missed = len(gold) - len(matched)
    return counts, pairs


def _match_one(g: _Gold, p: Labelled, matched: set[int], scheme: str) -> tuple[str, int]:
    fallback = -1
    best, best_distance = -1, None
    for ti in g.window(p):
        if ti in matched:
            continue
        t = g.spans[ti]
        same_bounds = p[0] == t[0] and p[1] == t[1]
        if scheme == "strict":
            if same_bounds and p[2] == t[2]:
                return "correct", ti
            if fallback < 0 and _overlaps(p, t):
                fallback = ti
        elif scheme == "exact":
            if same_bounds:
                return "correct", ti
            if fallback < 0 and _overlaps(p, t):
                fallback = ti
        elif scheme == "partial":
            if _overlaps(p, t):
                if same_bounds:
                    return "correct", ti
                if fallback < 0:
                    fallback = ti
        elif _overlaps(p, t):  # ent_type
            if p[2] == t[2]:
                distance = abs(p[0] - t[0]) + abs(p[1] - t[1])
                if best_distance is None or distance < best_distance:
                    best, best_distance = ti, distance
            elif fallback < 0:
                fallback = ti
    if best >= 0:
        return "correct", best
    if fallback >= 0:
        return ("partial" if scheme == "partial" else "incorrect"), fallback
    return "spurious", -1
