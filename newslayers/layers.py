"""The layer registry: one :class:`LayerSpec` per annotation layer, read by every room.

Validation, the JSONL codec, the scorer, the Hugging Face build, the Label Studio config
and the leaderboard iterate this registry instead of naming layers, the way MTEB keeps its
tasks in a registry: a layer registered here (a test registers a toy fifth one) is read,
validated, scored, built and annotated without touching any other module.

A spec says *what* a layer is (its span type, closed label set, how it is scored and which
number is its headline); each room maps the ``scoring`` kind to its own implementation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, SpanBase
from newslayers.schema import BOILERPLATE_KINDS, ENTITY_LABELS, QUALIFIERS, QUOTE_KINDS

SCORING_KINDS = ("spans", "numeric", "quotes", "characters")


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """Everything the rooms need to know about one layer."""

    name: str
    span_type: type[SpanBase]
    description: str
    label_field: str | None  # the span attribute holding its closed-set label; None: one label
    labels: tuple[str, ...]  # the closed set (or the one label when label_field is None)
    scoring: str  # one of SCORING_KINDS: how the benchmark room scores it
    headline: tuple[str, str]  # (scheme, metric) of the headline number, e.g. ("strict", "f1")
    tag_column: str  # name of its BIO column in the Hugging Face ``tokens`` config
    marks_content: bool = True  # False: the layer marks what is *not* article content
    may_overlap: bool = True  # gold spans of this layer may overlap one another
    links: tuple[str, ...] = ()  # span-valued attributes (a quote's speaker and cue)
    closed_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()  # other attributes with a closed set

    def label_of(self, span: Any) -> str:
        return getattr(span, self.label_field) if self.label_field else self.labels[0]

    def bio_tags(self) -> list[str]:
        return ["O", *(f"{prefix}-{label}" for label in self.labels for prefix in ("B", "I"))]


_REGISTRY: dict[str, LayerSpec] = {}
_SNAPSHOT: tuple[LayerSpec, ...] = ()  # the registry as one immutable tuple, replaced on every change
_NAMES: tuple[str, ...] = ()


def _changed() -> None:
    global _SNAPSHOT, _NAMES
    _SNAPSHOT, _NAMES = tuple(_REGISTRY.values()), tuple(_REGISTRY)


def register_layer(spec: LayerSpec) -> None:
    """Add a layer (or replace one of the same name); every room sees it from now on."""
    if spec.scoring not in SCORING_KINDS:
        raise ValueError(f"layer {spec.name}: scoring {spec.scoring!r} is not one of {SCORING_KINDS}")
    _REGISTRY[spec.name] = spec
    _changed()


def unregister_layer(name: str) -> None:
    _REGISTRY.pop(name, None)
    _changed()


def layer_names() -> tuple[str, ...]:
    return _NAMES


def layer_specs() -> Iterator[LayerSpec]:
    return iter(_SNAPSHOT)


def registry_snapshot() -> tuple[LayerSpec, ...]:
    """The registered layers as one tuple; a new object after every change, so callers can
    cache what they derive from it by identity (the JSONL decoders do)."""
    return _SNAPSHOT


def layer_spec(name: str) -> LayerSpec:
    return _REGISTRY[name]


def content_layers() -> tuple[str, ...]:
    """Layers annotated in article content only (everything but boilerplate)."""
    return tuple(spec.name for spec in _REGISTRY.values() if spec.marks_content)


def predicted_layers(documents: Any) -> list[str]:
    """Registered layers present in at least one document (absent layers are not scored)."""
    docs = list(documents)
    return [name for name in _REGISTRY if any(d.layer(name) is not None for d in docs)]


def empty_layers(doc_id: str, layers: Any) -> Document:
    return Document(id=doc_id, layers={name: [] for name in layers})


register_layer(
    LayerSpec(
        name="entities",
        span_type=Entity,
        description="OntoNotes 5 named entities",
        label_field="label",
        labels=ENTITY_LABELS,
        scoring="spans",
        headline=("strict", "f1"),
        tag_column="ner_tags",
        may_overlap=False,
    )
)
register_layer(
    LayerSpec(
        name="numeric_claims",
        span_type=NumericClaim,
        description="quantity expressions with normalised value, qualifier and unit",
        label_field=None,
        labels=("NUM",),
        scoring="numeric",
        headline=("strict", "f1"),
        tag_column="claim_tags",
        closed_fields=(("qualifier", QUALIFIERS),),
    )
)
register_layer(
    LayerSpec(
        name="quotes",
        span_type=Quote,
        description="direct, indirect and mixed quotes with speaker and cue",
        label_field="kind",
        labels=QUOTE_KINDS,
        scoring="quotes",
        headline=("strict", "f1"),
        tag_column="quote_tags",
        links=("speaker", "cue"),
    )
)
register_layer(
    LayerSpec(
        name="boilerplate",
        span_type=Boilerplate,
        description="everything that is not article content, with its kind",
        label_field="kind",
        labels=BOILERPLATE_KINDS,
        scoring="characters",
        headline=("char", "f1"),
        tag_column="boilerplate_tags",
        marks_content=False,
        may_overlap=False,
    )
)
