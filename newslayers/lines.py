"""Lines of a page text: the one line splitter and the one "which kind covers most of it" rule.

Boilerplate comes in lines: the rules and sklearn systems classify lines, the reference
extractors' kept text is turned into boilerplate line by line, and the Hugging Face
``lines`` config labels every line. They all split and label here, so that a line (and
the kind of a line) means the same thing in every room.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# A line ends at CRLF, LF or a lone CR: page text is never normalised, so all three occur.
_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Line:
    """A non-blank line, trimmed: ``text == page[start:end]`` with no space at either end."""

    index: int  # position among the non-blank lines of the page
    start: int
    end: int
    text: str
    number: int  # position among all lines of the page, blank ones included


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` with their offsets, trimmed of surrounding whitespace."""
    bounds, start = [], 0
    for found in _BREAK.finditer(text):
        bounds.append((start, found.start()))
        start = found.end()
    bounds.append((start, len(text)))
    lines: list[Line] = []
    for number, (start, stop) in enumerate(bounds):
        raw = text[start:stop]
        stripped = raw.strip()
        if stripped:
            first = start + len(raw) - len(raw.lstrip())
            lines.append(Line(len(lines), first, first + len(stripped), stripped, number))
    return lines


def _non_space(text: str) -> int:
    return len("".join(text.split()))


def line_kind(text: str, line: Line, spans: Iterable[tuple[int, int, str]]) -> str | None:
    """The label of the span covering most of the line's non-space characters, if it covers
    more than half of them; None otherwise (the line is content).

    Whitespace does not count, so indentation and no-break spaces never tip a line.
    """
    total = _non_space(line.text)
    best, best_count = None, 0
    for start, end, label in spans:
        if start < line.end and end > line.start:
            count = _non_space(text[max(line.start, start) : min(line.end, end)])
            if count > best_count:
                best, best_count = label, count
    return best if 2 * best_count > total else None
