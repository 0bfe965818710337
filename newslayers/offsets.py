"""UTF-16 code units <-> Python code points.

JavaScript strings count UTF-16 code units: a character outside the Basic Multilingual
Plane (emoji, some CJK) counts two, while the contract counts code points. Label Studio
1.23.2's editor stores text regions in code points (the browser test showed it), but older
editors stored UTF-16 units; the annotation room reads a region in whichever unit makes its
stored text match. These are the only two conversion functions in the project.
"""

from __future__ import annotations

import bisect


def _astral_positions(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]


class OffsetMap:
    """Converts many offsets of one text in O(log n) each."""

    def __init__(self, text: str):
        self.text = text
        self._astral = _astral_positions(text)
        # UTF-16 index at which each astral character starts.
        self._astral_utf16 = [pos + k for k, pos in enumerate(self._astral)]

    def to_utf16(self, offset: int) -> int:
        """Code-point offset -> UTF-16 code-unit offset."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside text of length {len(self.text)}")
        return offset + bisect.bisect_left(self._astral, offset)

    def to_codepoint(self, offset: int) -> int:
        """UTF-16 code-unit offset -> code-point offset; refuses the middle of a pair."""
        before = bisect.bisect_left(self._astral_utf16, offset)
        if before and self._astral_utf16[before - 1] + 1 == offset:
            raise ValueError(f"UTF-16 offset {offset} falls inside a surrogate pair")
        result = offset - before
        if not 0 <= result <= len(self.text):
            raise ValueError(f"UTF-16 offset {offset} outside text of length {self.utf16_length}")
        return result

    @property
    def utf16_length(self) -> int:
        return len(self.text) + len(self._astral)
