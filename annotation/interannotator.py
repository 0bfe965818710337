"""Agreement between annotators of a Label Studio project or of annotation files.

The measure itself is the core's (:func:`newslayers.agreement.agreement`); this module
finds the annotators in the inputs and reports every pair.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from newslayers.adjudication import ANNOTATOR_KEY
from newslayers.agreement import agreement, base_id
from newslayers.errors import UserError
from newslayers.layers import layer_names
from newslayers.model import Document


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
    counts.update({layer: sum(len(d.layer(layer) or []) for d in docs) for layer in layer_names()})
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
