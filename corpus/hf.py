"""The Hugging Face dataset folder: Parquet per configuration and split, plus a dataset card.

``newslayers build`` writes a folder that loads with ``datasets.load_dataset(DIR, CONFIG)``
offline and uploads unchanged to the Hub (``newslayers publish``). Three configurations:

* ``documents`` (default): one row per page, the four layers as lists of structs;
* ``tokens``: one row per page, the project tokenizer's tokens and BIO tags per layer;
* ``lines``: one row per non-blank text line, labelled content or a boilerplate kind.

Documents are streamed in id order and written in fixed-size batches with pyarrow, so a
corpus of any size builds in bounded memory and two builds give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from datasets import ClassLabel, Features, List, Value

from newslayers import DATASET_NAME, DATASET_VERSION
from newslayers.errors import UserError
from newslayers.jsonl import ContractError, Problem, dumps_document, write_text_atomic
from newslayers.layers import layer_names
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span, normalise_number
from newslayers.schema import BOILERPLATE_KINDS, ENTITY_LABELS, QUALIFIERS, QUOTE_KINDS, TOPICS
from newslayers.schema import SYNTHETIC_SPLITS as SPLITS
from newslayers.tokens import Token, spans_to_bio, tokenize
from newslayers.validation import check_document

DEFAULT_OUT = Path("dist/newslayers")
BUILD_FILE = "newslayers_build.json"  # provenance: version, content hash, every file's size and sha256
FORMAT = 1  # bump when the folder layout or the features change, so build_if_stale rebuilds
BATCH_DOCUMENTS = 128  # pages per written batch: the memory bound of a build
REPO_URL = "https://github.com/newslayers/newslayers"
CONFIGS = ("documents", "tokens", "lines")

# Meta keys that the documents config stores as columns; anything else fails the round trip.
META_KEYS = ("synthetic", "topic", "register", "layout", "newline", "corpus_version")


def _bio_names(labels: Sequence[str]) -> list[str]:
    return ["O", *(f"{prefix}-{label}" for label in labels for prefix in "BI")]


NER_TAGS = _bio_names(ENTITY_LABELS)
CLAIM_TAGS = _bio_names(["CLAIM"])
QUOTE_TAGS = _bio_names(QUOTE_KINDS)
BOILERPLATE_TAGS = _bio_names(BOILERPLATE_KINDS)
LINE_KINDS = ("content", *BOILERPLATE_KINDS)

_OFFSET = Value("int32")
_SPAN = {"start": _OFFSET, "end": _OFFSET}

FEATURES: dict[str, Features] = {
    "documents": Features(
        {
            "id": Value("string"),
            "text": Value("string"),
            "html": Value("string"),
            "url": Value("string"),
            "source": Value("string"),
            "split": Value("string"),
            "topic": ClassLabel(names=list(TOPICS)),
            "register": Value("string"),
            "layout": Value("string"),
            "newline": Value("string"),
            "synthetic": Value("bool"),
            "corpus_version": Value("string"),
            "entities": List({**_SPAN, "label": ClassLabel(names=list(ENTITY_LABELS))}),
            "numeric_claims": List(
                {
                    **_SPAN,
                    "value": Value("float64"),
                    "high": Value("float64"),
                    "qualifier": ClassLabel(names=list(QUALIFIERS)),
                    "unit": Value("string"),
                }
            ),
            "quotes": List({**_SPAN, "kind": ClassLabel(names=list(QUOTE_KINDS)), "speaker": _SPAN, "cue": _SPAN}),
            "boilerplate": List({**_SPAN, "kind": ClassLabel(names=list(BOILERPLATE_KINDS))}),
        }
    ),
    "tokens": Features(
        {
            "id": Value("string"),
            "tokens": List(Value("string")),
            "token_starts": List(_OFFSET),
            "token_ends": List(_OFFSET),
            "ner_tags": List(ClassLabel(names=NER_TAGS)),
            "claim_tags": List(ClassLabel(names=CLAIM_TAGS)),
            "quote_tags": List(ClassLabel(names=QUOTE_TAGS)),
            "boilerplate_tags": List(ClassLabel(names=BOILERPLATE_TAGS)),
        }
    ),
    "lines": Features(
        {
            "id": Value("string"),
            "line": _OFFSET,
            "start": _OFFSET,
            "end": _OFFSET,
            "text": Value("string"),
            "is_boilerplate": Value("bool"),
            "kind": ClassLabel(names=list(LINE_KINDS)),
            "layout": Value("string"),
        }
    ),
}

_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "version": "2.6",
    "data_page_version": "1.0",
    "use_dictionary": True,
    "write_statistics": True,
}


def _index(names: Sequence[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(names)}


_IDS = {
    "topic": _index(TOPICS),
    "label": _index(ENTITY_LABELS),
    "qualifier": _index(QUALIFIERS),
    "quote": _index(QUOTE_KINDS),
    "boilerplate": _index(BOILERPLATE_KINDS),
    "ner": _index(NER_TAGS),
    "claim": _index(CLAIM_TAGS),
    "quote_tag": _index(QUOTE_TAGS),
    "boilerplate_tag": _index(BOILERPLATE_TAGS),
    "line": _index(LINE_KINDS),
}


def parquet_path(config: str, split: str) -> str:
    """Hub naming, so the viewer and ``load_dataset`` find every shard."""
    return f"{config}/{split}-00000-of-00001.parquet"


# ----------------------------------------------------------------------------- rows


def _class_id(kind: str, value: Any, doc: Document) -> int | None:
    if value is None and kind == "topic":
        return None
    try:
        return _IDS[kind][value]
    except KeyError:
        raise UserError(f"{doc.id}: {value!r} is not a known {kind} label") from None


def _span_json(span: Span | None) -> dict[str, int] | None:
    return None if span is None else {"start": span.start, "end": span.end}


def document_row(doc: Document) -> dict[str, Any]:
    """One ``documents`` row; closed sets become ClassLabel ids."""
    meta = doc.meta
    return {
        "id": doc.id,
        "text": doc.text,
        "html": doc.html,
        "url": doc.url,
        "source": doc.source,
        "split": doc.split,
        "topic": _class_id("topic", meta.get("topic"), doc),
        "register": meta.get("register"),
        "layout": meta.get("layout"),
        "newline": meta.get("newline"),
        "synthetic": meta.get("synthetic"),
        "corpus_version": meta.get("corpus_version"),
        "entities": [
            {"start": e.start, "end": e.end, "label": _class_id("label", e.label, doc)} for e in doc.entities or []
        ],
        "numeric_claims": [
            {
                "start": n.start,
                "end": n.end,
                "value": None if n.value is None else float(n.value),
                "high": None if n.high is None else float(n.high),
                "qualifier": _class_id("qualifier", n.qualifier, doc),
                "unit": n.unit,
            }
            for n in doc.numeric_claims or []
        ],
        "quotes": [
            {
                "start": q.start,
                "end": q.end,
                "kind": _class_id("quote", q.kind, doc),
                "speaker": _span_json(q.speaker),
                "cue": _span_json(q.cue),
            }
            for q in doc.quotes or []
        ],
        "boilerplate": [
            {"start": b.start, "end": b.end, "kind": _class_id("boilerplate", b.kind, doc)}
            for b in doc.boilerplate or []
        ],
    }


def _tag_ids(kind: str, tags: list[str]) -> list[int]:
    ids = _IDS[kind]
    return [ids[tag] for tag in tags]


def _layer_spans(doc: Document) -> dict[str, list[tuple[int, int, str]]]:
    return {
        "entities": [(e.start, e.end, e.label) for e in doc.entities or []],
        "numeric_claims": [(n.start, n.end, "CLAIM") for n in doc.numeric_claims or []],
        "quotes": [(q.start, q.end, q.kind) for q in doc.quotes or []],
        "boilerplate": [(b.start, b.end, b.kind) for b in doc.boilerplate or []],
    }


def unaligned_spans(doc: Document, tokens: Sequence[Token]) -> Counter[str]:
    """Spans per layer that start or end inside a token, which BIO tags can only widen."""
    starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
    return Counter(
        layer for layer, spans in _layer_spans(doc).items() for s, e, _ in spans if s not in starts or e not in ends
    )


def token_row(doc: Document, tokens: Sequence[Token] | None = None) -> dict[str, Any]:
    """One ``tokens`` row: the page's tokens and a BIO tag sequence per layer."""
    tokens = tokenize(doc.text or "") if tokens is None else tokens
    spans = _layer_spans(doc)

    def tags(kind: str, spans: Iterable[tuple[int, int, str]]) -> list[int]:
        return _tag_ids(kind, spans_to_bio(tokens, list(spans)))

    return {
        "id": doc.id,
        "tokens": [t.text for t in tokens],
        "token_starts": [t.start for t in tokens],
        "token_ends": [t.end for t in tokens],
        "ner_tags": tags("ner", spans["entities"]),
        "claim_tags": tags("claim", spans["numeric_claims"]),
        "quote_tags": tags("quote_tag", spans["quotes"]),
        "boilerplate_tags": tags("boilerplate_tag", spans["boilerplate"]),
    }


def text_lines(text: str) -> Iterator[tuple[int, int, int]]:
    """(index, start, end) of every line; ``end`` excludes the ``\\n`` or ``\\r\\n``."""
    start = 0
    for index, raw in enumerate(text.split("\n")):
        end = start + len(raw)
        yield index, start, end - 1 if raw.endswith("\r") else end
        start = end + 1


def _non_space(text: str) -> int:
    return len("".join(text.split()))


def line_kind(text: str, start: int, end: int, boilerplate: Sequence[Boilerplate]) -> str:
    """The boilerplate kind covering most of the line's non-space characters, else content."""
    total = _non_space(text[start:end])
    best, best_count = "content", 0
    for span in boilerplate:
        if span.start < end and span.end > start:
            count = _non_space(text[max(start, span.start) : min(end, span.end)])
            if count > best_count:
                best, best_count = span.kind, count
    return best if 2 * best_count > total else "content"


def line_rows(doc: Document) -> list[dict[str, Any]]:
    """One ``lines`` row per line with a non-space character (blank lines are left out)."""
    text = doc.text or ""
    spans = doc.boilerplate or []
    rows = []
    for index, start, end in text_lines(text):
        if not text[start:end].strip():
            continue
        kind = line_kind(text, start, end, [s for s in spans if s.start < end and s.end > start])
        rows.append(
            {
                "id": doc.id,
                "line": index,
                "start": start,
                "end": end,
                "text": text[start:end],
                "is_boilerplate": kind != "content",
                "kind": _IDS["line"][kind],
                "layout": doc.meta.get("layout"),
            }
        )
    return rows


# ----------------------------------------------------------------------------- round trip


def _name(names: Sequence[str], value: Any) -> Any:
    return names[value] if isinstance(value, int) else value


def _span(obj: dict[str, Any] | None) -> Span | None:
    if obj is None or obj.get("start") is None:
        return None
    return Span(obj["start"], obj["end"])


def document_from_row(row: dict[str, Any]) -> Document:
    """Invert :func:`document_row`; accepts ClassLabel ids or names."""
    meta = {key: row[key] for key in META_KEYS}
    meta["topic"] = None if row["topic"] is None else _name(TOPICS, row["topic"])
    return Document(
        id=row["id"],
        text=row["text"],
        html=row["html"],
        url=row["url"],
        source=row["source"],
        split=row["split"],
        entities=[Entity(e["start"], e["end"], _name(ENTITY_LABELS, e["label"])) for e in row["entities"]],
        numeric_claims=[
            NumericClaim(
                n["start"],
                n["end"],
                normalise_number(n["value"]),
                _name(QUALIFIERS, n["qualifier"]),
                n["unit"],
                normalise_number(n["high"]),
            )
            for n in row["numeric_claims"]
        ],
        quotes=[
            Quote(q["start"], q["end"], _name(QUOTE_KINDS, q["kind"]), _span(q["speaker"]), _span(q["cue"]))
            for q in row["quotes"]
        ],
        boilerplate=[
            Boilerplate(b["start"], b["end"], _name(BOILERPLATE_KINDS, b["kind"])) for b in row["boilerplate"]
        ],
        meta=meta,
    ).sorted()


def documents_from_rows(rows: Iterable[dict[str, Any]]) -> list[Document]:
    """``documents`` config rows (from ``load_dataset`` or pyarrow) back to contract documents."""
    return [document_from_row(row) for row in rows]


def _round_trip(doc: Document, row: dict[str, Any], line: str) -> None:
    if dumps_document(document_from_row(row)) != line:
        raise UserError(
            f"{doc.id}: the documents config cannot hold this document exactly "
            f"(extra fields or meta keys other than {', '.join(META_KEYS)}?); extend corpus/hf.py"
        )


# ----------------------------------------------------------------------------- statistics


def merge_stats(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Add the counts of two :func:`corpus_stats` results (lists are unions)."""
    out: dict[str, Any] = {}
    for key in sorted(set(total) | set(part)):
        a, b = total.get(key), part.get(key)
        if key == "agreement" or a is None or b is None:
            out[key] = a if a is not None else b
        elif isinstance(a, dict):
            out[key] = merge_stats(a, b)
        elif isinstance(a, list):
            out[key] = sorted(set(a) | set(b))
        else:
            out[key] = a + b
    return out


# ----------------------------------------------------------------------------- writing


@dataclass
class _Split:
    """Open Parquet writers of one split, with their row and byte counts."""

    writers: dict[str, pq.ParquetWriter]
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CONFIGS, 0))
    nbytes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CONFIGS, 0))


@dataclass
class _Build:
    """What the card and the provenance file need, gathered while rows stream past."""

    digest: Any = field(default_factory=hashlib.sha256)
    split_digests: dict[str, Any] = field(default_factory=lambda: {s: hashlib.sha256() for s in SPLITS})
    stats: dict[str, Any] = field(default_factory=dict)
    splits: dict[str, _Split] = field(default_factory=dict)
    unaligned: Counter[str] = field(default_factory=Counter)
    last_id: str | None = None


def _open_writers(folder: Path) -> dict[str, _Split]:
    out = {}
    for split in SPLITS:
        writers = {}
        for config in CONFIGS:
            path = folder / parquet_path(config, split)
            path.parent.mkdir(parents=True, exist_ok=True)
            writers[config] = pq.ParquetWriter(path, FEATURES[config].arrow_schema, **_PARQUET_OPTIONS)
        out[split] = _Split(writers)
    return out


def _write_batch(state: _Split, config: str, rows: list[dict[str, Any]]) -> None:
    table = pa.Table.from_pylist(rows, schema=FEATURES[config].arrow_schema)
    state.writers[config].write_table(table)
    state.rows[config] += table.num_rows
    state.nbytes[config] += table.nbytes


def _flush(build: _Build, split: str, batch: list[tuple[Document, dict[str, Any]]]) -> None:
    from newslayers.corpus import corpus_stats

    state = build.splits[split]
    docs = [doc for doc, _ in batch]
    _write_batch(state, "documents", [row for _, row in batch])
    token_rows = []
    for doc in docs:
        tokens = tokenize(doc.text or "")
        token_rows.append(token_row(doc, tokens))
        build.unaligned.update(unaligned_spans(doc, tokens))
    _write_batch(state, "tokens", token_rows)
    _write_batch(state, "lines", [r for doc in docs for r in line_rows(doc)])
    build.stats = merge_stats(build.stats, corpus_stats(docs))


def _accept(build: _Build, doc: Document) -> dict[str, Any]:
    """Check order and round trip, hash the canonical line (input order = id order = gold_hash)."""
    if doc.split not in SPLITS:
        raise UserError(f"{doc.id}: split {doc.split!r} is not one of {', '.join(SPLITS)}")
    if build.last_id is not None and doc.id <= build.last_id:
        raise UserError(f"documents must come in strictly ascending id order: {doc.id!r} after {build.last_id!r}")
    build.last_id = doc.id
    row = document_row(doc)
    line = dumps_document(doc)
    _round_trip(doc, row, line)
    build.digest.update(line.encode("utf-8") + b"\n")
    build.split_digests[doc.split].update(line.encode("utf-8") + b"\n")
    return row


def _write_data(folder: Path, documents: Iterable[Document]) -> _Build:
    """Stream documents into Parquet; at most BATCH_DOCUMENTS pages per split in memory."""
    build = _Build(splits=_open_writers(folder))
    pending: dict[str, list[tuple[Document, dict[str, Any]]]] = {split: [] for split in SPLITS}
    try:
        for doc in documents:
            row = _accept(build, doc)
            pending[doc.split].append((doc, row))
            if len(pending[doc.split]) >= BATCH_DOCUMENTS:
                _flush(build, doc.split, pending[doc.split])
                pending[doc.split] = []
        for split, batch in pending.items():
            if batch:
                _flush(build, split, batch)
    finally:
        for state in build.splits.values():
            for writer in state.writers.values():
                writer.close()
    return build


# ----------------------------------------------------------------------------- card


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def _dataset_info(config: str, build: _Build, folder: Path) -> dict[str, Any]:
    splits = [
        {"name": s, "num_bytes": build.splits[s].nbytes[config], "num_examples": build.splits[s].rows[config]}
        for s in SPLITS
    ]
    return {
        "config_name": config,
        "features": FEATURES[config]._to_yaml_list(),
        "splits": splits,
        "download_size": sum((folder / parquet_path(config, s)).stat().st_size for s in SPLITS),
        "dataset_size": sum(s["num_bytes"] for s in splits),
    }


def card_metadata(build: _Build, folder: Path) -> dict[str, Any]:
    """The YAML header: what the Hub shows and what ``load_dataset`` reads."""
    documents = sum(state.rows["documents"] for state in build.splits.values())
    configs = []
    for config in CONFIGS:
        entry: dict[str, Any] = {
            "config_name": config,
            "data_files": [{"split": s, "path": parquet_path(config, s)} for s in SPLITS],
        }
        if config == "documents":
            entry["default"] = True
        configs.append(entry)
    return {
        "pretty_name": "newslayers: scraped news pages annotated in four layers",
        "license": "cc-by-4.0",
        "language": ["en"],
        "multilinguality": ["monolingual"],
        "size_categories": [_size_category(documents)],
        "source_datasets": ["original"],
        "annotations_creators": ["expert-generated"],
        "language_creators": ["expert-generated"],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition"],
        "tags": ["news", "boilerplate-removal", "web-scraping", "quotation-attribution", "numeric-claims", "synthetic"],
        "configs": configs,
        "dataset_info": [_dataset_info(config, build, folder) for config in CONFIGS],
    }


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _agreement_section(agreement: dict[str, Any] | None) -> str:
    if not agreement:
        return "Agreement figures: **pending** (not yet measured for this version)."
    rows = []
    for layer in ("entities", "numeric_claims", "quotes"):
        entry = agreement.get(layer) or {}
        rows.append(
            [f"`{layer}`"]
            + [f"{entry[k]:.3f}" if isinstance(entry.get(k), int | float) else "–" for k in ("strict", "partial")]
            + [entry.get("spans_a", "–"), entry.get("spans_b", "–")]
        )
    header = ["layer", "strict F1", "partial F1", "spans A", "spans B"]
    text = f"Measured on {agreement.get('documents', '?')} documents before adjudication:\n\n" + _table(header, rows)
    accuracies = [
        f"{layer} {key.removesuffix('_accuracy')} {value:.3f}"
        for layer in ("numeric_claims", "quotes")
        for key, value in sorted((agreement.get(layer) or {}).items())
        if key.endswith("_accuracy") and isinstance(value, int | float)
    ]
    if accuracies:
        text += f"\n\nAttribute agreement on matched spans: {', '.join(accuracies)}."
    decisions = agreement.get("adjudication_decisions") or {}
    if decisions:
        listed = ", ".join(f"{k}: {v}" for k, v in decisions.items())
        text += f"\n\nAdjudication decisions, by outcome (the version kept): {listed}."
    return text


def _count(stats: dict[str, Any], split: str, *keys: str) -> Any:
    value: Any = stats.get(split, {})
    for key in keys:
        value = value.get(key, 0) if isinstance(value, dict) else 0
    return value


def _split_table(stats: dict[str, Any], build: _Build) -> str:
    order = [*SPLITS, "all"]
    rows = [
        ["documents (pages)", *(_count(stats, s, "documents") for s in order)],
        ["words (page)", *(f"{_count(stats, s, 'words'):,}" for s in order)],
        ["words (article content)", *(f"{_count(stats, s, 'content_words'):,}" for s in order)],
    ]
    for layer in ("entities", "numeric_claims", "quotes", "boilerplate"):
        rows.append([f"`{layer}` spans", *(f"{_count(stats, s, layer, 'spans'):,}" for s in order)])
    for config in ("tokens", "lines"):
        counts = [build.splits[s].rows[config] for s in SPLITS]
        rows.append([f"`{config}` rows", *(f"{c:,}" for c in counts), f"{sum(counts):,}"])
    return _table(["", *order], rows)


def _breakdown_table(stats: dict[str, Any], layer: str, key: str, names: Sequence[str]) -> str:
    order = [*SPLITS, "all"]
    rows = [[f"`{name}`", *(f"{_count(stats, s, layer, key, name):,}" for s in order)] for name in names]
    return _table([key, *order], rows)


def _layouts_text(stats: dict[str, Any]) -> str:
    test = set(_count(stats, "test", "layouts") or [])
    rest = set(_count(stats, "train", "layouts") or []) | set(_count(stats, "validation", "layouts") or [])
    every = sorted(test | rest)
    disjoint = "disjoint from" if not test & rest else "NOT disjoint from"
    return (
        f"{len(every)} page layouts in all. Test pages use {len(test)} layouts "
        f"({', '.join(f'`{x}`' for x in sorted(test))}), {disjoint} the {len(rest)} layouts of train and validation, "
        "so the test split measures generalisation to unseen site templates."
    )


CARD_EXAMPLE = """\
from datasets import load_dataset

# a local build (`newslayers build`), or the Hub repository id
pages = load_dataset("dist/newslayers", "documents", split="train")
label = pages.features["entities"].feature["label"]
page = pages[0]
for entity in page["entities"][:5]:
    print(page["text"][entity["start"] : entity["end"]], label.int2str(entity["label"]))

tokens = load_dataset("dist/newslayers", "tokens", split="validation")
ner_names = tokens.features["ner_tags"].feature.names
print(tokens[0]["tokens"][:8], [ner_names[t] for t in tokens[0]["ner_tags"][:8]])

lines = load_dataset("dist/newslayers", "lines", split="test")
print(sum(lines["is_boilerplate"]) / len(lines), "of test lines are boilerplate")

# back to the JSONL contract, with the newslayers package installed
from newslayers.corpus.hf import documents_from_rows
docs = documents_from_rows(pages)
"""


def _unaligned_text(build: _Build) -> str:
    totals = {layer: _count(build.stats, "all", layer, "spans") for layer in layer_names()}
    parts = [f"{build.unaligned[layer]:,} of {totals[layer]:,} `{layer}` spans" for layer in layer_names()]
    return "in this build " + ", ".join(parts) + " are not token-aligned"


def card_body(build: _Build) -> str:
    """The prose of the card; every figure comes from the build itself."""
    content_hash = build.digest.hexdigest()
    stats = build.stats
    labels = "`, `".join(ENTITY_LABELS)
    kinds = "`, `".join(BOILERPLATE_KINDS)
    topics = _count(stats, "all", "topics") or {}
    sections = [
        f"# newslayers {DATASET_VERSION}",
        "News pages as a scraper sees them — page title, navigation, the article, ads inserted mid-article, "
        "related links, reader comments, footer — annotated in four layers: **entities** (OntoNotes named types "
        f"`{labels}`), **numeric claims** (the quantity with its normalised value, qualifier and unit), "
        "**quotes** (direct, indirect and mixed, linked to speaker and cue) and **boilerplate** (everything "
        "that is not article content, with its kind). It is the data of the "
        f"[newslayers benchmark]({REPO_URL}).",
        f"- dataset version: **{DATASET_VERSION}**\n"
        f"- content hash: `{content_hash}`\n"
        + "".join(f"- content hash of `{s}`: `{build.split_digests[s].hexdigest()}`\n" for s in SPLITS)
        + "\nEach hash is the sha256 of the canonical gold JSONL in id order, the `dataset.sha256` that "
        "`newslayers evaluate` reports for the same documents.",
        "## Configurations",
        _table(
            ["config", "one row per", "columns"],
            [
                ["`documents` (default)", "page", ", ".join(f"`{c}`" for c in FEATURES["documents"])],
                ["`tokens`", "page", ", ".join(f"`{c}`" for c in FEATURES["tokens"])],
                ["`lines`", "non-blank text line", ", ".join(f"`{c}`" for c in FEATURES["lines"])],
            ],
        ),
        "- **documents**: offsets are Python string indices (Unicode code points) into `text`, end exclusive; "
        "`text` is never normalised (no-break spaces and CRLF line ends stay). Labels, qualifiers and kinds are "
        "`ClassLabel`s; a numeric claim's `value` and `high` are float64 (null when the quantity cannot be "
        "normalised; `high` only for ranges), `unit` a short lower-case string or null; a quote's `speaker` "
        "and `cue` are spans or null.\n"
        "- **tokens**: one row per *page*, not per sentence, because the boilerplate layer and many quotes "
        "cross sentence boundaries and every offset stays page-level. Tokens come from the package's own "
        "tokenizer (`newslayers.tokens.tokenize`), `token_starts`/`token_ends` are character offsets into "
        "the page `text` of the documents config. `ner_tags` (IOB2 over the entity labels), `claim_tags` "
        "(`B-CLAIM`/`I-CLAIM`), `quote_tags` (B/I per quote kind) and `boilerplate_tags` (B/I per kind) are "
        "`ClassLabel` sequences as in CoNLL-2003. Pages are long (hundreds to thousands of tokens): split them "
        "into windows for encoders with a 512-token limit. The tokenizer splits a possessive `’s` off its word. "
        "A tag marks every token a span overlaps, so a span that starts or ends inside a token (a hyphen "
        "compound such as `Kyiv-based`) widens to whole tokens: "
        f"{_unaligned_text(build)}. Use the documents config for exact offsets.\n"
        "- **lines**: the page `text` split at `\\n` (a line's `end` excludes `\\r\\n`); blank lines are left "
        "out, `line` keeps the index among all lines. `kind` is `content` or the boilerplate kind covering "
        f"most of the line's non-space characters (`{kinds}`).",
        "## How the pages were written and rendered",
        "Every article, comment and page is **original text written for this project**; nothing is copied "
        "from a real site (each document's `synthetic` is true). The people, organisations and most quoted "
        "figures are invented; real places appear as settings of fictional stories. "
        f"Articles span {len(topics)} topics ({', '.join(f'`{t}`' for t in topics)}) and several registers (wire copy, "
        "features, analysis, explainers, local news, live updates, rewritten press releases). "
        "Each article is rendered into a full page (HTML and "
        "the text a scraper extracts from it) by one of several site templates with its own chrome: cookie "
        "banners, menus, breadcrumbs, ads and related-link boxes inserted mid-article, paywall prompts, author "
        "boxes, reader comments, footers. Some pages use CRLF line ends and no-break spaces, as real sites do.",
        _layouts_text(stats),
        "## Annotation",
        "Content layers (entities, numeric claims, quotes) are annotated twice, independently: annotator A "
        "writes and annotates the article; annotator B annotates the same plain text from the guidelines alone. "
        "Agreement is measured before adjudication; then a reviewer decides every disagreement against the "
        "guidelines and records the rule that decided it. The gold is the adjudicated version. The boilerplate "
        "layer comes from the templates that render the page (every chrome block is known exactly) and follows "
        "the same guidelines. Both annotators were instances of one AI language model working from the same "
        "guidelines (annotation A was withheld from annotator B), so the agreement below is an upper bound on "
        "what two human annotators would reach: a consistency check, not a human ceiling. "
        f"Guidelines: [annotation/GUIDELINES.md]({REPO_URL}/blob/main/annotation/GUIDELINES.md).",
        _agreement_section(stats.get("agreement")),
        "## Statistics",
        "Generated from the data at build time.",
        _split_table(stats, build),
        "### Entity labels",
        _breakdown_table(stats, "entities", "labels", ENTITY_LABELS),
        "### Numeric-claim qualifiers",
        _breakdown_table(stats, "numeric_claims", "qualifiers", QUALIFIERS),
        "### Quote kinds",
        _breakdown_table(stats, "quotes", "kinds", QUOTE_KINDS),
        "### Boilerplate kinds",
        _breakdown_table(stats, "boilerplate", "kinds", BOILERPLATE_KINDS),
        "## Usage",
        f"```python\n{CARD_EXAMPLE}```",
        "## Known limitations",
        "- The content is original and fictional: names, events and most figures are invented, so the data "
        "says nothing about the world, and models may meet unusual entity names.\n"
        "- English only; written for the project, so style and topics are narrower than real news.\n"
        "- The pages come from a finite set of templates; real sites are messier (see the real-page "
        "boilerplate benchmark in the repository, whose pages are not redistributed here).\n"
        "- Small: a benchmark for evaluation and few-shot training, not a pre-training corpus.\n"
        "- The four test-only layouts do not use every boilerplate kind: the test split has no "
        "`cookie_banner`, `author_bio`, `paywall` or `comment_form` spans, so per-kind boilerplate scores "
        "on test cover twelve of the sixteen kinds.\n"
        "- Entities, claims and quotes are annotated in article content only: names and numbers inside "
        "comments, ads and related links are deliberately unannotated.",
        "## License",
        "Data: [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Code of the project: MIT.",
        "## Citation",
        "```bibtex\n@misc{newslayers2026,\n"
        "  title  = {newslayers: an annotated benchmark of scraped news pages in four layers},\n"
        "  author = {{newslayers developers}},\n  year   = {2026},\n"
        f"  note   = {{Version {DATASET_VERSION}. Original synthetic corpus; code MIT, data CC BY 4.0}}\n}}\n```",
    ]
    return "\n\n".join(sections) + "\n"


def render_card(build: _Build, folder: Path) -> str:
    header = yaml.safe_dump(card_metadata(build, folder), sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}---\n\n{card_body(build)}"


# ----------------------------------------------------------------------------- folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def folder_files(folder: Path) -> list[Path]:
    """Every file of a built folder, relative, in a fixed order (hidden files left out)."""
    return sorted(
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _inputs_hash() -> str:
    """Everything besides the gold that shapes the folder: agreement figures, version, format."""
    from newslayers.corpus import annotation_agreement

    key = json.dumps([FORMAT, DATASET_VERSION, annotation_agreement()], sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _write_provenance(folder: Path, build: _Build) -> None:
    files = {
        str(p): {"bytes": (folder / p).stat().st_size, "sha256": _sha256(folder / p)} for p in folder_files(folder)
    }
    record = {
        "dataset": DATASET_NAME,
        "dataset_version": DATASET_VERSION,
        "format": FORMAT,
        "content_hash": build.digest.hexdigest(),
        "split_hashes": {s: build.split_digests[s].hexdigest() for s in SPLITS},
        "inputs_hash": _inputs_hash(),
        "documents": sum(state.rows["documents"] for state in build.splits.values()),
        "files": files,
    }
    write_text_atomic(folder / BUILD_FILE, json.dumps(record, indent=2, sort_keys=True) + "\n")


def read_provenance(folder: Path) -> dict[str, Any] | None:
    path = Path(folder) / BUILD_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _check_replaceable(out_dir: Path) -> None:
    """Never delete a folder that is not ours (``--out .`` must not wipe a checkout)."""
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / BUILD_FILE).exists())):
        raise UserError(f"{out_dir} exists and is not a newslayers build (no {BUILD_FILE}); choose another --out")


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_dataset(out_dir: str | Path = DEFAULT_OUT, documents: Iterable[Document] | None = None) -> Path:
    """Write the dataset folder atomically; ``documents`` (id order) defaults to the embedded corpus."""
    from newslayers.corpus import load_corpus

    out_dir = Path(out_dir)
    _check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)
        build = _write_data(tmp, load_corpus() if documents is None else documents)
        write_text_atomic(tmp / "README.md", render_card(build, tmp))
        _write_provenance(tmp, build)
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def is_stale(out_dir: str | Path = DEFAULT_OUT) -> bool:
    """True when the folder is missing, damaged, or built from other gold or card inputs."""
    from newslayers.corpus import load_corpus

    from newslayers.jsonl import gold_hash

    out_dir = Path(out_dir)
    record = read_provenance(out_dir)
    if record is None or record.get("format") != FORMAT:
        return True
    if record.get("content_hash") != gold_hash(load_corpus()) or record.get("inputs_hash") != _inputs_hash():
        return True
    return any(
        not (out_dir / name).is_file() or (out_dir / name).stat().st_size != entry["bytes"]
        for name, entry in record.get("files", {}).items()
    )


def build_if_stale(out_dir: str | Path = DEFAULT_OUT) -> bool:
    """Rebuild only when the gold (content hash) or the card inputs changed; True if it rebuilt."""
    if not is_stale(out_dir):
        return False
    build_dataset(out_dir)
    return True


# ----------------------------------------------------------------------------- publishing


def _split_documents(folder: Path, split: str) -> Iterator[tuple[str, Document]]:
    path = folder / parquet_path("documents", split)
    if not path.exists():
        raise UserError(f"{path} is missing: run `newslayers build --out {folder}` first")
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_DOCUMENTS):
        for row in batch.to_pylist():
            yield split, document_from_row(row)


def read_built_documents(folder: Path) -> Iterator[tuple[str, Document]]:
    """(split, document) for every row of the built ``documents`` config, streamed in id order."""
    streams = [_split_documents(folder, split) for split in SPLITS]
    return heapq.merge(*streams, key=lambda item: item[1].id)


def folder_problems(folder: Path) -> list[Problem]:
    """Every reason not to publish a folder: gold contract problems, wrong split, stale hash."""
    from newslayers.corpus import load_corpus

    from newslayers.jsonl import gold_hash

    record = read_provenance(folder)
    if record is None:
        return [Problem(str(folder), 0, "(folder)", f"no {BUILD_FILE}: run `newslayers build --out {folder}`")]
    problems: list[Problem] = []
    digest = hashlib.sha256()
    name = str(folder / "documents")
    for number, (split, doc) in enumerate(read_built_documents(folder), start=1):
        items = check_document(doc, gold=True)
        problems += [Problem(name, number, f"{doc.id}: {f}", m) for f, m in items]
        if doc.split != split:
            problems.append(Problem(name, number, f"{doc.id}: split", f"{doc.split!r} stored in the {split} file"))
        digest.update(dumps_document(doc).encode("utf-8") + b"\n")
    if record.get("content_hash") != digest.hexdigest():
        problems.append(Problem(str(folder), 0, "content_hash", "the data files do not match the recorded hash"))
    elif record["content_hash"] != gold_hash(load_corpus()):
        problems.append(Problem(str(folder), 0, "content_hash", "built from another corpus: run `newslayers build`"))
    return problems


def _check_repo_id(repo_id: str) -> None:
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts) or any(c.isspace() for c in repo_id):
        raise UserError(f"--repo-id must look like ORG/NAME, got {repo_id!r}")


def _upload(folder: Path, repo_id: str, content_hash: str) -> str:
    from huggingface_hub import HfApi, get_token

    token = get_token()
    if not token:
        raise UserError("no Hugging Face token configured: set HF_TOKEN or run `hf auth login`, then publish again")
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
        commit = api.upload_folder(
            folder_path=folder,
            repo_id=repo_id,
            repo_type="dataset",
            allow_patterns=[str(p) for p in folder_files(folder)],
            commit_message=f"newslayers {DATASET_VERSION} ({content_hash[:12]})",
        )
    except Exception as err:  # network and Hub errors of every kind end in one message
        raise UserError(f"upload to {repo_id} failed: {err}") from None
    return str(getattr(commit, "commit_url", "") or f"https://huggingface.co/datasets/{repo_id}")


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    out = build_dataset(args.out)
    record = read_provenance(out) or {}
    for name, entry in sorted(record.get("files", {}).items()):
        print(f"{entry['bytes']:>12,}  {name}")
    total = sum(entry["bytes"] for entry in record.get("files", {}).values())
    print(
        f"built {out} ({record.get('documents')} documents, {total:,} bytes) in {time.perf_counter() - started:.1f}s;"
        f" content hash {record.get('content_hash')}"
    )
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    _check_repo_id(args.repo_id)
    folder = Path(args.dir)
    problems = folder_problems(folder)
    if problems:
        print(f"newslayers publish: refusing to publish {folder}: {len(problems)} problem(s)", file=sys.stderr)
        raise ContractError(problems)
    files = folder_files(folder)
    for name in files:
        print(f"{(folder / name).stat().st_size:>12,}  {name}")
    total = sum((folder / name).stat().st_size for name in files)
    target = f"https://huggingface.co/datasets/{args.repo_id}"
    if args.dry_run:
        print(f"dry run: would upload {len(files)} files ({total:,} bytes) to {target}")
        return 0
    content_hash = (read_provenance(folder) or {}).get("content_hash", "")
    url = _upload(folder, args.repo_id, content_hash)
    print(f"uploaded {len(files)} files ({total:,} bytes) to {target}: {url}")
    return 0
