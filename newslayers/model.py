"""The one document/span model that every room reads and writes.

Offsets are Python ``str`` indices (code points) into ``Document.text``, end exclusive.
A layer set to ``None`` means "not predicted" (predictions files may omit layers); an
empty list means "predicted nothing".

Span types are ``msgspec`` structs: the JSONL reader decodes and type-checks a line straight
into them in C, which is what keeps ``newslayers evaluate`` fast on large files. Documents
keep their layers in one dict keyed by the names of the layer registry
(:mod:`newslayers.layers`), the way spaCy keeps span groups on ``Doc.spans``; the four
built-in layers also have typed attributes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal, Protocol, runtime_checkable

import msgspec

from newslayers.schema import BOILERPLATE_KINDS, ENTITY_LABELS, QUALIFIERS, QUOTE_KINDS

Number = int | float
Offset = Annotated[int, msgspec.Meta(ge=0)]


@runtime_checkable
class SpanLike(Protocol):
    """What every span type shares: character offsets into the page text."""

    start: int
    end: int


class SpanBase(msgspec.Struct, frozen=True):
    """Base of the span types: their JSON form is the contract's, field for field."""

    def to_json(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)


class Span(SpanBase, frozen=True, order=True):
    """A bare character span, used for quote speakers and cues."""

    start: Offset
    end: Offset


class Entity(SpanBase, frozen=True, order=True):
    start: Offset
    end: Offset
    label: Literal[ENTITY_LABELS]  # type: ignore[valid-type]


class NumericClaim(SpanBase, frozen=True, omit_defaults=True):
    start: Offset
    end: Offset
    value: Number | None
    qualifier: Literal[QUALIFIERS]  # type: ignore[valid-type]
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=24, pattern="^[^A-Z]*$")] | None
    high: Number | None = None

    def __post_init__(self) -> None:
        # 24.0 and 24 are one value: integral floats become ints, whoever built the claim.
        for name in ("value", "high"):
            raw = getattr(self, name)
            if isinstance(raw, float):
                msgspec.structs.force_setattr(self, name, normalise_number(raw))


class Quote(SpanBase, frozen=True):
    start: Offset
    end: Offset
    kind: Literal[QUOTE_KINDS]  # type: ignore[valid-type]
    speaker: Span | None = None
    cue: Span | None = None


class Boilerplate(SpanBase, frozen=True, order=True):
    start: Offset
    end: Offset
    kind: Literal[BOILERPLATE_KINDS]  # type: ignore[valid-type]


PAGE_FIELDS: tuple[str, ...] = ("id", "text", "html", "url", "source", "split", "meta")


class Document:
    """A page as a scraper sees it, with its annotation layers (``layers[name]``)."""

    __slots__ = ("extra", "html", "id", "layers", "meta", "source", "split", "text", "url")
    BUILTIN_LAYERS: ClassVar[tuple[str, ...]] = ("entities", "numeric_claims", "quotes", "boilerplate")

    def __init__(
        self,
        id: str,
        text: str | None = None,
        html: str | None = None,
        url: str | None = None,
        source: str | None = None,
        split: str | None = None,
        meta: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        layers: dict[str, list[Any] | None] | None = None,
        **named_layers: list[Any] | None,
    ) -> None:
        self.id = id
        self.text = text
        self.html = html
        self.url = url
        self.source = source
        self.split = split
        self.meta = {} if meta is None else meta
        self.extra = {} if extra is None else extra
        self.layers = {} if layers is None else dict(layers)
        for name, value in named_layers.items():
            self.layers[name] = value

    # The four built-in layers, typed; any other registered layer is reached by name.
    entities = property(lambda self: self.layers.get("entities"), lambda self, v: self.set_layer("entities", v))
    numeric_claims = property(
        lambda self: self.layers.get("numeric_claims"), lambda self, v: self.set_layer("numeric_claims", v)
    )
    quotes = property(lambda self: self.layers.get("quotes"), lambda self, v: self.set_layer("quotes", v))
    boilerplate = property(
        lambda self: self.layers.get("boilerplate"), lambda self, v: self.set_layer("boilerplate", v)
    )

    def layer(self, name: str) -> list[Any] | None:
        return self.layers.get(name)

    def set_layer(self, name: str, spans: list[Any] | None) -> None:
        self.layers[name] = spans

    def language(self) -> str | None:
        """The ISO 639-1 code of the page's article (``meta.language``), when it is known."""
        return self.meta.get("language") or None

    def present_layers(self) -> Iterator[str]:
        return (name for name, spans in self.layers.items() if spans is not None)

    def page(self) -> Document:
        """Only what a system may see: id, text, html, url, source, meta — never a layer."""
        return Document(
            id=self.id, text=self.text, html=self.html, url=self.url, source=self.source, meta=dict(self.meta)
        )

    def copy(self, **changes: Any) -> Document:
        """A shallow copy with some fields or layers replaced (layers by name)."""
        fields = {name: getattr(self, name) for name in (*PAGE_FIELDS, "extra")}
        fields["meta"], fields["extra"] = dict(self.meta), dict(self.extra)
        layers = dict(self.layers)
        for key, value in changes.items():
            if key in fields:
                fields[key] = value
            else:
                layers[key] = value
        return Document(**fields, layers=layers)

    def sorted(self) -> Document:
        """The same document with every layer in canonical (offset) order."""
        return self.copy(**{name: None if spans is None else sort_spans(spans) for name, spans in self.layers.items()})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in (*PAGE_FIELDS, "extra")) and {
            k: v for k, v in self.layers.items() if v is not None
        } == {k: v for k, v in other.layers.items() if v is not None}

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.layers.items() if v is not None)
        return f"Document(id={self.id!r}, text={len(self.text or '')} chars, {counts})"


def _offsets(span: Any) -> tuple[int, int]:
    return (span.start, span.end)


def sort_spans(spans: list[Any]) -> list[Any]:
    """Offset order; spans with the same offsets are ordered by their other fields (canonical)."""
    keys = [(s.start, s.end) for s in spans]
    distinct = len(set(keys)) == len(keys)
    if distinct and keys == sorted(keys):  # the usual case: already in order
        return list(spans)
    ordered = sorted(spans, key=_offsets)
    if not distinct:
        ordered.sort(key=lambda s: (s.start, s.end, msgspec.json.encode(s)))
    return ordered


def normalise_number(value: Any) -> Number | None:
    """Integral floats become ints so that 24.0 and 24 serialise the same way."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
