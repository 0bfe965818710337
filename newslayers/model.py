"""The one document/span model that every room reads and writes.

Offsets are Python ``str`` indices (code points) into ``Document.text``, end exclusive.
A layer set to ``None`` means "not predicted" (predictions files may omit layers); an
empty list means "predicted nothing".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

Number = int | float


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A bare character span, used for quote speakers and cues."""

    start: int
    end: int

    def to_json(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True, order=True)
class Entity:
    start: int
    end: int
    label: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label}


@dataclass(frozen=True, slots=True)
class NumericClaim:
    start: int
    end: int
    value: Number | None
    qualifier: str
    unit: str | None
    high: Number | None = None
    extra: tuple[tuple[str, Any], ...] = ()

    def sort_key(self) -> tuple[int, int]:
        return (self.start, self.end)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "value": normalise_number(self.value),
            "qualifier": self.qualifier,
            "unit": self.unit,
        }
        if self.high is not None:
            out["high"] = normalise_number(self.high)
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class Quote:
    start: int
    end: int
    kind: str
    speaker: Span | None = None
    cue: Span | None = None

    def sort_key(self) -> tuple[int, int]:
        return (self.start, self.end)

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "speaker": self.speaker.to_json() if self.speaker else None,
            "cue": self.cue.to_json() if self.cue else None,
        }


@dataclass(frozen=True, slots=True, order=True)
class Boilerplate:
    start: int
    end: int
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "kind": self.kind}


@dataclass(slots=True)
class Document:
    """A page as a scraper sees it, with up to four annotation layers."""

    id: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    source: str | None = None
    split: str | None = None
    entities: list[Entity] | None = None
    numeric_claims: list[NumericClaim] | None = None
    quotes: list[Quote] | None = None
    boilerplate: list[Boilerplate] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def sorted(self) -> Document:
        """The same document with every layer in canonical (offset) order."""
        return replace(
            self,
            entities=None if self.entities is None else sorted(self.entities),
            numeric_claims=None
            if self.numeric_claims is None
            else sorted(self.numeric_claims, key=NumericClaim.sort_key),
            quotes=None if self.quotes is None else sorted(self.quotes, key=Quote.sort_key),
            boilerplate=None if self.boilerplate is None else sorted(self.boilerplate),
            meta=dict(self.meta),
            extra=dict(self.extra),
        )

    def layer(self, name: str) -> list[Any] | None:
        return getattr(self, name)


def normalise_number(value: Any) -> Number | None:
    """Integral floats become ints so that 24.0 and 24 serialise the same way."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
