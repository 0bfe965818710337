"""What a layer's spans hold, read from the span type in the layer registry.

The Hugging Face features, the row codecs and the corpus statistics are all generated from
these attributes, so a layer registered in :mod:`newslayers.layers` alone is built into
Parquet, read back and counted without being named anywhere else. The mapping follows the
msgspec type of each field: offsets, closed sets (the spec's label field and closed
fields), numbers, open strings, flags, and links (a bare span such as a quote's speaker).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import msgspec
from msgspec import inspect as mi

from newslayers.layers import LayerSpec

OFFSET, LABEL, NUMBER, STRING, FLAG, INTEGER, LINK = "offset", "label", "number", "string", "flag", "integer", "link"
OFFSET_NAMES = ("start", "end")


@dataclass(frozen=True, slots=True)
class Attribute:
    """One field of a layer's span type, as the dataset stores it."""

    name: str
    kind: str  # OFFSET, LABEL, NUMBER, STRING, FLAG, INTEGER or LINK
    names: tuple[str, ...] = ()  # the closed set of a LABEL, in ClassLabel order
    link_type: type[msgspec.Struct] | None = None  # the span type of a LINK

    @property
    def counted(self) -> bool:
        """Statistics count the values of labels and open strings (numbers are not tallied)."""
        return self.kind in (LABEL, STRING)


def _without_none(info: mi.Type) -> mi.Type:
    if isinstance(info, mi.UnionType):
        rest = tuple(t for t in info.types if not isinstance(t, mi.NoneType))
        return rest[0] if len(rest) == 1 else mi.UnionType(rest)
    return info


def _is_number(info: mi.Type) -> bool:
    if isinstance(info, mi.FloatType):
        return True
    return isinstance(info, mi.UnionType) and all(isinstance(t, mi.IntType | mi.FloatType) for t in info.types)


def _is_bare_span(info: mi.Type) -> bool:
    return isinstance(info, mi.StructType) and tuple(f.name for f in info.fields) == OFFSET_NAMES


def _attribute(spec: LayerSpec, field: mi.Field) -> Attribute:
    closed = {**dict(spec.closed_fields), **({spec.label_field: spec.labels} if spec.label_field else {})}
    info = _without_none(field.type)
    if field.name in closed:
        return Attribute(field.name, LABEL, tuple(closed[field.name]))
    if isinstance(info, mi.IntType):
        return Attribute(field.name, OFFSET if field.name in OFFSET_NAMES else INTEGER)
    if _is_number(info):
        return Attribute(field.name, NUMBER)
    if isinstance(info, mi.StrType):
        return Attribute(field.name, STRING)
    if isinstance(info, mi.LiteralType) and all(isinstance(v, str) for v in info.values):
        return Attribute(field.name, LABEL, tuple(info.values))
    if isinstance(info, mi.BoolType):
        return Attribute(field.name, FLAG)
    if _is_bare_span(info):
        return Attribute(field.name, LINK, link_type=info.cls)
    raise TypeError(f"layer {spec.name}: the dataset cannot store the field {field.name!r} of type {field.type}")


@lru_cache(maxsize=64)
def span_attributes(spec: LayerSpec) -> tuple[Attribute, ...]:
    """The fields of the layer's span type, in the type's order (offsets first)."""
    info: Any = mi.type_info(spec.span_type)
    return tuple(_attribute(spec, field) for field in info.fields)
