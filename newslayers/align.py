"""Align text that a tool extracted from a page back to character spans of ``text``.

HTML-based extractors (trafilatura, jusText) return strings, not offsets, and their
whitespace differs from the page text. Alignment ignores whitespace entirely: it matches
the non-space characters of each extracted segment, in order, against the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newslayers.lines import split_lines

_SEGMENT_SPLIT = re.compile(r"\n+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…”\"])\s+")
_MIN_PIECE = 12


class _Squeezed:
    """``text`` without whitespace, with a map back to original offsets."""

    def __init__(self, text: str):
        self.positions = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.chars = "".join(text[i] for i in self.positions)

    def span(self, j: int, length: int) -> tuple[int, int]:
        return self.positions[j], self.positions[j + length - 1] + 1


def _squeeze(piece: str) -> str:
    return "".join(piece.split())


def _find(squeezed: _Squeezed, piece: str, cursor: int) -> tuple[int, int] | None:
    """Find a squeezed piece, preferring the first match at or after the cursor."""
    j = squeezed.chars.find(piece, cursor)
    if j < 0:
        j = squeezed.chars.find(piece)
    return None if j < 0 else (j, j + len(piece))


def _align_piece(squeezed: _Squeezed, piece: str, cursor: int, out: list[tuple[int, int]]) -> int:
    key = _squeeze(piece)
    if not key:
        return cursor
    found = _find(squeezed, key, cursor)
    if found:
        out.append(squeezed.span(found[0], found[1] - found[0]))
        return found[1]
    if len(key) < 2 * _MIN_PIECE:
        return cursor
    parts = _SENTENCE_SPLIT.split(piece.strip())
    if len(parts) == 1:
        words = piece.split()
        half = len(words) // 2
        if half == 0:
            return cursor
        parts = [" ".join(words[:half]), " ".join(words[half:])]
    for part in parts:
        cursor = _align_piece(squeezed, part, cursor, out)
    return cursor


def merge_spans(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and merge those that overlap or are separated only by whitespace."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def align_extracted(text: str, extracted: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` covered by ``extracted``, merged and sorted.

    Each line of the extracted string is located in order; a line that is not found as a
    whole is split into sentences (then halves) so that one changed character loses only a
    small piece, never the paragraph.
    """
    squeezed = _Squeezed(text)
    out: list[tuple[int, int]] = []
    cursor = 0
    for segment in _SEGMENT_SPLIT.split(extracted):
        cursor = _align_piece(squeezed, segment, cursor, out)
    return merge_spans(text, out)


def complement_lines(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The non-whitespace stretches of each line of ``text`` that no span covers.

    Used to turn an extractor's main content into boilerplate spans, one per line piece.
    """
    covered = bytearray(len(text))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    result: list[tuple[int, int]] = []
    for line in split_lines(text):
        start = None
        for i in range(line.start, line.end + 1):
            free = i < line.end and not covered[i]
            if free and start is None:
                start = i
            elif not free and start is not None:
                piece = text[start:i]
                if piece.strip():
                    lead = len(piece) - len(piece.lstrip())
                    result.append((start + lead, start + len(piece.rstrip())))
                start = None
    return result
