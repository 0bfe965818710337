"""One deterministic tokenizer that keeps character offsets, and spans <-> BIO tags.

Every room that needs tokens (the sklearn baseline, the ``tokens`` dataset config) uses
these two functions, so token boundaries and tags never drift between them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Numbers (with separators and decimals), a possessive 's on its own (so that "Ukraine's"
# gives the entity "Ukraine" a token boundary), words with inner hyphens and apostrophes,
# or any other single non-space character. Any whitespace (no-break spaces too) separates.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|['’]s\b|\w+(?:-\w+)*(?:['’](?!s\b)\w+)*|[^\w\s]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Split ``text`` (or only ``text[start:end]``) into tokens whose offsets index ``text`` exactly.

    A part gives the tokens of ``tokenize(text[start:end])`` shifted by ``start`` (the pattern
    never looks before a token or past ``end``), without copying the part or each token twice.
    """
    found = _TOKEN.finditer(text, start, len(text) if end is None else end)
    return [Token(m.group(), m.start(), m.end()) for m in found]


def spans_to_bio(tokens: Sequence[Token], spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """Tag each token B-/I-label if it overlaps a span, else O.

    A token belongs to the span it overlaps (spans are assumed not to overlap each other);
    the first such token of a span gets ``B-``.
    """
    tags = ["O"] * len(tokens)
    starts = [t.start for t in tokens]
    import bisect

    for start, end, label in sorted(spans):
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        first = True
        while i < len(tokens) and tokens[i].start < end:
            if tokens[i].end > start:
                tags[i] = f"{'B' if first else 'I'}-{label}"
                first = False
            i += 1
    return tags


def bio_to_spans(tokens: Sequence[Token], tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Decode BIO tags into (start, end, label) spans; a stray I- starts a new span."""
    spans: list[tuple[int, int, str]] = []
    current: list[int | str] | None = None
    for token, tag in zip(tokens, tags, strict=True):
        prefix, _, label = tag.partition("-")
        if prefix == "I" and current is not None and current[2] == label:
            current[1] = token.end
            continue
        if current is not None:
            spans.append((current[0], current[1], current[2]))  # type: ignore[arg-type]
            current = None
        if prefix in ("B", "I"):
            current = [token.start, token.end, label]
    if current is not None:
        spans.append((current[0], current[1], current[2]))  # type: ignore[arg-type]
    return spans
