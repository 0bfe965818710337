"""The three Hugging Face configurations: their features and their row codecs, from the registry.

* ``documents`` (default): one row per page, every registered layer as a list of structs;
* ``tokens``: one row per page, the project tokenizer's tokens and one BIO column per layer
  (``LayerSpec.tag_column`` over ``LayerSpec.bio_tags()``);
* ``lines``: one row per non-blank line (:func:`newslayers.lines.split_lines`), labelled
  content or the kind of the non-content span covering most of it
  (:func:`newslayers.lines.line_kind`).

Nothing here names a layer: the struct of a layer's spans comes from its span type
(:mod:`newslayers.corpus.hf_fields`), so a layer registered in :mod:`newslayers.layers`
alone is built, loaded and read back. Features and codecs are compiled once per state of
the registry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from datasets import ClassLabel, Features, List, Value
from newslayers.corpus.hf_fields import FLAG, INTEGER, LABEL, LINK, NUMBER, OFFSET, STRING, Attribute, span_attributes

from newslayers.errors import UserError
from newslayers.layers import LayerSpec, layer_specs
from newslayers.lines import line_kind, split_lines
from newslayers.model import Document, normalise_number
from newslayers.schema import TOPICS
from newslayers.tokens import Token, spans_to_bio, tokenize

CONFIGS = ("documents", "tokens", "lines")
PAGE_COLUMNS = ("id", "text", "html", "url", "source", "split")
CONTENT = "content"  # the line kind of a line that no non-content span covers for the most part

_OFFSET = Value("int32")
_STRING = Value("string")

# The meta keys the documents config keeps as columns. A row's null columns are left out of
# the document's meta, so synthetic pages (topic, layout, …) and real pages (page) both
# round-trip; a document with another meta key, or a null meta value, fails the build's
# round-trip check rather than losing it.
META_COLUMNS: dict[str, Any] = {
    "topic": ClassLabel(names=list(TOPICS)),
    "register": _STRING,
    "layout": _STRING,
    "newline": _STRING,
    "synthetic": Value("bool"),
    "language": _STRING,  # ISO 639-1 of the article's text
    "corpus_version": _STRING,
    "page": _STRING,  # the real-page track: the benchmark's page id
}

_SCALAR_FEATURES = {
    OFFSET: _OFFSET,
    INTEGER: Value("int64"),
    NUMBER: Value("float64"),  # int | float in the span type: one column type for both
    STRING: _STRING,
    FLAG: Value("bool"),
}


def parquet_path(config: str, split: str) -> str:
    """Hub naming, so the viewer and ``load_dataset`` find every shard."""
    return f"{config}/{split}-00000-of-00001.parquet"


# ----------------------------------------------------------------------------- features


def _attribute_feature(attribute: Attribute) -> Any:
    if attribute.kind == LABEL:
        return ClassLabel(names=list(attribute.names))
    if attribute.kind == LINK:
        return {"start": _OFFSET, "end": _OFFSET}
    return _SCALAR_FEATURES[attribute.kind]


def layer_feature(spec: LayerSpec) -> List:
    """A layer in the documents config: a list of structs, one field per span attribute."""
    return List({a.name: _attribute_feature(a) for a in span_attributes(spec)})


def line_kinds(specs: Sequence[LayerSpec]) -> tuple[str, ...]:
    """``content`` and the labels of every layer that marks non-content, without repeats."""
    labels = [label for spec in specs if not spec.marks_content for label in spec.labels]
    return (CONTENT, *dict.fromkeys(labels))


@lru_cache(maxsize=8)
def _features(specs: tuple[LayerSpec, ...]) -> dict[str, Features]:
    documents: dict[str, Any] = {name: _STRING for name in PAGE_COLUMNS}
    documents |= META_COLUMNS
    documents |= {spec.name: layer_feature(spec) for spec in specs}
    tokens: dict[str, Any] = {
        "id": _STRING,
        "tokens": List(_STRING),
        "token_starts": List(_OFFSET),
        "token_ends": List(_OFFSET),
    }
    tokens |= {spec.tag_column: List(ClassLabel(names=spec.bio_tags())) for spec in specs}
    lines = {"id": _STRING, "line": _OFFSET, "start": _OFFSET, "end": _OFFSET, "text": _STRING}
    lines |= {"is_boilerplate": Value("bool"), "kind": ClassLabel(names=list(line_kinds(specs))), "layout": _STRING}
    return {"documents": Features(documents), "tokens": Features(tokens), "lines": Features(lines)}


def features(config: str) -> Features:
    """The declared features of one configuration, for the registry as it is now."""
    return _features(tuple(layer_specs()))[config]


# ----------------------------------------------------------------------------- span codecs


def _label_codec(layer: str, attribute: Attribute) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    ids = {name: i for i, name in enumerate(attribute.names)}

    def encode(value: Any) -> int:
        try:
            return ids[value]
        except KeyError:
            raise UserError(f"{layer}.{attribute.name}: {value!r} is not one of {', '.join(attribute.names)}") from None

    def decode(value: Any) -> Any:
        return attribute.names[value] if isinstance(value, int) else value

    return encode, decode


def _link_codec(attribute: Attribute) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    link_type = attribute.link_type
    assert link_type is not None

    def encode(span: Any) -> dict[str, int] | None:
        return None if span is None else {"start": span.start, "end": span.end}

    def decode(obj: Any) -> Any:
        return None if obj is None or obj.get("start") is None else link_type(obj["start"], obj["end"])

    return encode, decode


def _same(value: Any) -> Any:
    return value


def _to_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _codec(layer: str, attribute: Attribute) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    if attribute.kind == LABEL:
        return _label_codec(layer, attribute)
    if attribute.kind == LINK:
        return _link_codec(attribute)
    if attribute.kind == NUMBER:
        return _to_float, normalise_number  # float64 in Parquet; 24.0 comes back as 24
    return _same, _same


@dataclass(frozen=True, slots=True)
class _LayerCodec:
    """A layer's spans <-> lists of row structs."""

    spec: LayerSpec
    fields: tuple[tuple[str, Callable[[Any], Any], Callable[[Any], Any]], ...]

    def encode(self, spans: Iterable[Any]) -> list[dict[str, Any]]:
        return [{name: enc(getattr(span, name)) for name, enc, _ in self.fields} for span in spans]

    def decode(self, objs: Iterable[dict[str, Any]]) -> list[Any]:
        span_type = self.spec.span_type
        return [span_type(**{name: dec(obj.get(name)) for name, _, dec in self.fields}) for obj in objs]


@lru_cache(maxsize=8)
def _codecs(specs: tuple[LayerSpec, ...]) -> tuple[_LayerCodec, ...]:
    return tuple(
        _LayerCodec(spec, tuple((a.name, *_codec(spec.name, a)) for a in span_attributes(spec))) for spec in specs
    )


_TOPIC_IDS = {name: i for i, name in enumerate(TOPICS)}


def _topic_id(doc: Document) -> int | None:
    topic = doc.meta.get("topic")
    if topic is None:
        return None
    if topic not in _TOPIC_IDS:
        raise UserError(f"{doc.id}: meta.topic {topic!r} is not one of {', '.join(TOPICS)}")
    return _TOPIC_IDS[topic]


# ----------------------------------------------------------------------------- rows


def document_row(doc: Document) -> dict[str, Any]:
    """One ``documents`` row; closed sets become ClassLabel ids, an absent layer a null list."""
    row: dict[str, Any] = {name: getattr(doc, name) for name in PAGE_COLUMNS}
    row |= {key: doc.meta.get(key) for key in META_COLUMNS}
    row["topic"] = _topic_id(doc)
    for codec in _codecs(tuple(layer_specs())):
        spans = doc.layer(codec.spec.name)
        try:
            row[codec.spec.name] = None if spans is None else codec.encode(spans)
        except UserError as err:
            raise UserError(f"{doc.id}: {err}") from None
    return row


def document_from_row(row: dict[str, Any]) -> Document:
    """Invert :func:`document_row`; accepts ClassLabel ids or names."""
    meta = {key: row.get(key) for key in META_COLUMNS if row.get(key) is not None}
    if isinstance(meta.get("topic"), int):
        meta["topic"] = TOPICS[meta["topic"]]
    layers = {}
    for codec in _codecs(tuple(layer_specs())):
        objs = row.get(codec.spec.name)
        layers[codec.spec.name] = None if objs is None else codec.decode(objs)
    page = {name: row.get(name) for name in PAGE_COLUMNS}
    return Document(**page, meta=meta, layers=layers).sorted()


def documents_from_rows(rows: Iterable[dict[str, Any]]) -> list[Document]:
    """``documents`` config rows (from ``load_dataset`` or pyarrow) back to contract documents."""
    return [document_from_row(row) for row in rows]


def _labelled(spec: LayerSpec, doc: Document) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, spec.label_of(s)) for s in doc.layer(spec.name) or []]


def unaligned_spans(doc: Document, tokens: Sequence[Token]) -> Counter[str]:
    """Spans per layer that start or end inside a token, which BIO tags can only widen."""
    starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
    return Counter(
        spec.name for spec in layer_specs() for s, e, _ in _labelled(spec, doc) if s not in starts or e not in ends
    )


@lru_cache(maxsize=8)
def _tag_ids(specs: tuple[LayerSpec, ...]) -> dict[str, dict[str, int]]:
    return {spec.name: {tag: i for i, tag in enumerate(spec.bio_tags())} for spec in specs}


def token_row(doc: Document, tokens: Sequence[Token] | None = None) -> dict[str, Any]:
    """One ``tokens`` row: the page's tokens and a BIO tag sequence per layer."""
    tokens = tokenize(doc.text or "") if tokens is None else tokens
    specs = tuple(layer_specs())
    ids = _tag_ids(specs)
    row: dict[str, Any] = {
        "id": doc.id,
        "tokens": [t.text for t in tokens],
        "token_starts": [t.start for t in tokens],
        "token_ends": [t.end for t in tokens],
    }
    for spec in specs:
        tags = spans_to_bio(tokens, _labelled(spec, doc))
        row[spec.tag_column] = [ids[spec.name][tag] for tag in tags]
    return row


def line_rows(doc: Document) -> list[dict[str, Any]]:
    """One ``lines`` row per non-blank line, trimmed; ``line`` is its index among all lines."""
    text = doc.text or ""
    specs = tuple(layer_specs())
    kind_ids = {kind: i for i, kind in enumerate(line_kinds(specs))}
    chrome = [span for spec in specs if not spec.marks_content for span in _labelled(spec, doc)]
    rows = []
    for line in split_lines(text):
        kind = line_kind(text, line, chrome) or CONTENT
        rows.append(
            {
                "id": doc.id,
                "line": line.number,
                "start": line.start,
                "end": line.end,
                "text": line.text,
                "is_boilerplate": kind != CONTENT,
                "kind": kind_ids[kind],
                "layout": doc.meta.get("layout"),
            }
        )
    return rows
