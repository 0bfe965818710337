"""Statistics of the corpus (both tracks) as dicts and pandas tables, for `stats` and the card."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from newslayers.corpus import HERE
from newslayers.corpus.hf_fields import LINK, Attribute, span_attributes

from newslayers import DATASET_VERSION
from newslayers.layers import LayerSpec, layer_names, layer_specs
from newslayers.model import Document
from newslayers.schema import SPLITS

# ----------------------------------------------------------------------------- statistics


AGREEMENT_PATH = HERE / "agreement.json"
REAL_AGREEMENT_PATH = HERE / "real" / "agreement.json"


def _measured(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def annotation_agreement() -> dict[str, Any] | None:
    """Agreement of the two independent annotations before adjudication (maintain agreement)."""
    return _measured(AGREEMENT_PATH)


def real_agreement() -> dict[str, Any] | None:
    """Agreement of the two annotations of the real pages before adjudication, if measured."""
    return _measured(REAL_AGREEMENT_PATH)


def corpus_stats(docs: list[Document]) -> dict[str, Any]:
    """Counts per split: documents, words, spans per layer and per value of each label or string.

    The per-layer counts come from the registry's span types: ``labels``/``kinds``/``qualifiers``/
    ``units`` (one counter per label or string attribute, named after it) and ``with_speaker``/
    ``with_cue`` (one count per link), so a registered layer is counted without naming it here.
    """
    stats: dict[str, Any] = {}
    real = [d.meta.get("synthetic") is False for d in docs]
    for key, read, counted in (
        ("agreement", annotation_agreement, not all(real)),
        ("real_agreement", real_agreement, any(real)),
    ):
        if counted and (agreement := read()) is not None:
            stats[key] = agreement  # each track's own, and only for the tracks counted
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        groups[doc.split or "none"].append(doc)
        groups["all"].append(doc)
    for name, group in sorted(groups.items()):
        entry: dict[str, Any] = {
            "documents": len(group),
            "words": sum(len((d.text or "").split()) for d in group),
            "content_words": sum(_content_words(d) for d in group),
            "layouts": sorted({d.meta["layout"] for d in group if d.meta.get("layout")}),
            "topics": dict(sorted(Counter(d.meta["topic"] for d in group if d.meta.get("topic")).items())),
            "languages": dict(sorted(Counter(d.language() or "unknown" for d in group).items())),
        }
        for spec in layer_specs():
            spans = [s for d in group for s in d.layer(spec.name) or []]
            entry[spec.name] = {"spans": len(spans), **_breakdown(spec, spans)}
        stats[name] = entry
    return stats


def _content_words(doc: Document) -> int:
    """Words of the page outside every span of the layers that mark non-content."""
    text = doc.text or ""
    chrome = [s for spec in layer_specs() if not spec.marks_content for s in doc.layer(spec.name) or []]
    return len(text.split()) - sum(len(text[s.start : s.end].split()) for s in chrome)


def _breakdown(spec: LayerSpec, spans: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attribute in span_attributes(spec):
        if attribute.counted:
            values = Counter(str(getattr(s, attribute.name)) for s in spans)
            out[f"{attribute.name}s"] = dict(sorted(values.items()))
        elif attribute.kind == LINK:
            out[f"with_{attribute.name}"] = sum(getattr(s, attribute.name) is not None for s in spans)
    return out


def merge_stats(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Add the counts of two :func:`corpus_stats` results (lists are unions), for streamed builds."""
    out: dict[str, Any] = {}
    for key in sorted(set(total) | set(part)):
        a, b = total.get(key), part.get(key)
        if key in ("agreement", "real_agreement") or a is None or b is None:
            out[key] = a if a is not None else b
        elif isinstance(a, dict):
            out[key] = merge_stats(a, b)
        elif isinstance(a, list):
            out[key] = sorted(set(a) | set(b))
        else:
            out[key] = a + b
    return out


# ----------------------------------------------------------------------------- tables


def stats_columns(stats: dict[str, Any]) -> list[str]:
    """The splits present in ``stats``, in split order, then ``all``."""
    return [s for s in (*SPLITS, "none", "all") if s in stats]


def _count(stats: dict[str, Any], split: str, *keys: str) -> int:
    value: Any = stats.get(split, {})
    for key in keys:
        value = value.get(key, 0) if isinstance(value, dict) else 0
    return value if isinstance(value, int) else 0


def corpus_table(stats: dict[str, Any], columns: list[str] | None = None) -> pd.DataFrame:
    """Documents, words and spans per layer (rows) for each split (columns)."""
    columns = stats_columns(stats) if columns is None else columns
    rows = {
        "documents (pages)": ("documents",),
        "words (page)": ("words",),
        "words (article content)": ("content_words",),
        **{f"{name} spans": (name, "spans") for name in layer_names()},
    }
    data = {label: [_count(stats, s, *keys) for s in columns] for label, keys in rows.items()}
    return pd.DataFrame.from_dict(data, orient="index", columns=columns)


def breakdown_table(
    stats: dict[str, Any], layer: str, key: str, names: Sequence[str] | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """Spans of one layer per value of one attribute (rows) for each split (columns).

    ``names`` fixes the rows (a closed set, zeros included); by default, every value seen.
    """
    return _counts_table(stats, (layer, key), key, names, columns)


def languages_table(stats: dict[str, Any]) -> pd.DataFrame:
    """Pages per language (rows) for each split (columns)."""
    return _counts_table(stats, ("languages",), "language")


def _counts_table(
    stats: dict[str, Any],
    keys: tuple[str, ...],
    index: str,
    names: Sequence[str] | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    columns = stats_columns(stats) if columns is None else columns
    if names is None:
        names = sorted({n for s in columns for n in _nested(stats.get(s, {}), keys)})
    data = {name: [_count(stats, s, *keys, name) for s in columns] for name in names}
    frame = pd.DataFrame.from_dict(data, orient="index", columns=columns)
    frame.index.name = index
    return frame


def _nested(value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    for key in keys:
        value = value.get(key, {}) if isinstance(value, dict) else {}
    return value if isinstance(value, dict) else {}


def breakdowns() -> Iterator[tuple[LayerSpec, Attribute, str]]:
    """(layer, attribute, stats key) of every counted attribute of every registered layer."""
    for spec in layer_specs():
        for attribute in span_attributes(spec):
            if attribute.counted:
                yield spec, attribute, f"{attribute.name}s"


def agreement_table(agreement: dict[str, Any]) -> pd.DataFrame:
    """Strict and partial F1 and span counts of annotations A and B, per annotated layer.

    A figure may be a number or a precision/recall/F1 record (the real-page file); F1 is shown.
    """
    layers = [name for name in layer_names() if isinstance(agreement.get(name), dict)]
    columns = {"strict F1": "strict", "partial F1": "partial", "spans A": "spans_a", "spans B": "spans_b"}

    def cell(value: Any) -> Any:
        return value.get("f1") if isinstance(value, dict) else value

    data = {title: [cell(agreement[name].get(key)) for name in layers] for title, key in columns.items()}
    return pd.DataFrame(data, index=pd.Index(layers, name="layer"))


def render_stats_table(stats: dict[str, Any]) -> None:
    """Print the corpus statistics as plain-text tables."""
    tables: list[tuple[str, pd.DataFrame]] = []
    for key, track in (("agreement", "synthetic"), ("real_agreement", "real")):
        if agreement := stats.get(key):
            title = (
                f"agreement of two independent annotations before adjudication, {track} pages "
                f"({agreement['documents']} documents)"
            )
            tables.append((title, agreement_table(agreement)))
    tables.append((f"newslayers {DATASET_VERSION}: corpus", corpus_table(stats)))
    tables.append(("pages per language (ISO 639-1)", languages_table(stats)))
    tables += [(f"{spec.name}: {key}", breakdown_table(stats, spec.name, key)) for spec, _, key in breakdowns()]
    for title, frame in tables:
        print(f"\n{title}\n{table_text(frame, 'simple')}")


def table_text(frame: pd.DataFrame, tablefmt: str = "pipe") -> str:
    """A frame as text (Markdown by default): counts with thousands separators, F1 to 3 places.

    Cells go through as objects, so a column of counts stays integral beside a float column.
    """
    return frame.astype(object).to_markdown(tablefmt=tablefmt, intfmt=",", floatfmt=".3f", missingval="–")
