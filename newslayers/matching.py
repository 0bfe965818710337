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
from dataclasses import dataclass

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


def match_document(
    gold: Sequence[Labelled], pred: Sequence[Labelled], scheme: str
) -> tuple[Counts, list[tuple[int, int, str]]]:
    """Counts for one document and one scheme, plus the (pred, gold, outcome) pairs.

    Both lists must be in the same order nervaluate would get them (here: sorted).
    """
    counts, pairs = _greedy(gold, pred, _candidates(gold, pred), scheme, per_label=False)
    return counts.get("", Counts()), pairs


def _candidates(gold: Sequence[Labelled], pred: Sequence[Labelled]) -> list[list[int]]:
    """For each prediction, the gold spans it overlaps, in gold order.

    nervaluate's test with min_overlap_percentage = 1.0 on inclusive ends (``end - 1``):
    overlapping at all, and the overlap at least 1% of the gold span. Only gold spans whose
    start lies in a window that can reach the prediction are looked at.
    """
    starts = [t[0] for t in gold]
    longest = max((t[1] - t[0] for t in gold), default=0)
    bisect_left = bisect.bisect_left
    out = []
    for p0, p1, _ in pred:
        found = []
        for ti in range(bisect_left(starts, p0 - longest), bisect_left(starts, p1)):
            t0, t1, _ = gold[ti]
            if p0 > t1 - 1:
                continue
            if (min(p1, t1) - max(p0, t0)) / (t1 - t0) * 100.0 >= 1.0:
                found.append(ti)
        out.append(found)
    return out


def _greedy(
    gold: Sequence[Labelled], pred: Sequence[Labelled], cands: list[list[int]], scheme: str, per_label: bool
) -> tuple[dict[str, Counts], list[tuple[int, int, str]]]:
    """One scheme's greedy matching (nervaluate's order); counts overall or per label, and pairs."""
    matched: set[int] = set()
    counts: dict[str, Counts] = {}
    pairs: list[tuple[int, int, str]] = []
    for pi, p in enumerate(pred):
        key = p[2] if per_label else ""
        c = counts.setdefault(key, Counts())
        fallback = best = -1
        best_distance = 0
        for ti in cands[pi]:
            if ti in matched:
                continue
            t = gold[ti]
            if per_label and t[2] != p[2]:
                continue
            same_bounds = p[0] == t[0] and p[1] == t[1]
            if scheme == "ent_type":
                if p[2] == t[2]:
                    distance = abs(p[0] - t[0]) + abs(p[1] - t[1])
                    if best < 0 or distance < best_distance:
                        best, best_distance = ti, distance
                elif fallback < 0:
                    fallback = ti
                continue
            if same_bounds and (scheme != "strict" or p[2] == t[2]):
                best = ti
                break
            if fallback < 0:
                fallback = ti
        if best >= 0:
            matched.add(best)
            c.correct += 1
            pairs.append((pi, best, "correct"))
        elif fallback >= 0:
            matched.add(fallback)
            outcome = "partial" if scheme == "partial" else "incorrect"
            setattr(c, outcome, getattr(c, outcome) + 1)
            pairs.append((pi, fallback, outcome))
        else:
            c.spurious += 1
    for ti, t in enumerate(gold):
        if ti not in matched:
            counts.setdefault(t[2] if per_label else "", Counts()).missed += 1
    return counts, pairs


def match_all_schemes(
    gold: Sequence[Labelled], pred: Sequence[Labelled]
) -> tuple[dict[str, Counts], dict[tuple[str, str], Counts]]:
    """All four schemes, overall and per label, from one candidate sweep.

    Equivalent to calling :func:`match_document` once per scheme on the whole lists and
    once per scheme and label on the filtered lists (what nervaluate does), but the
    overlap search is shared.
    """
    cands = _candidates(gold, pred)
    overall = {scheme: _greedy(gold, pred, cands, scheme, False)[0].get("", Counts()) for scheme in SCHEMES}
    labels: dict[tuple[str, str], Counts] = {}
    for scheme in SCHEMES:
        for label, c in _greedy(gold, pred, cands, scheme, True)[0].items():
            labels[(label, scheme)] = c
    return overall, labels
