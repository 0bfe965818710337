"""The embedded gold corpus: original articles rendered into pages of sixteen layouts.

``corpus/articles/*.md`` hold the adjudicated gold in inline markup (one file per
document, reviewable in a diff); ``first/`` and ``second/`` keep the two independent
annotations so that agreement can be recomputed. :func:`load_corpus` renders every
article into its page and returns contract documents.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from newslayers.corpus.layouts import render_page
from newslayers.corpus.markup import Article, load_article
from newslayers.corpus.realpages import load_real, real_pages_available

from newslayers import DATASET_VERSION
from newslayers.errors import UserError
from newslayers.layers import layer_names
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span
from newslayers.schema import REAL_SPLITS, SPLITS

__all__ = ["corpus_stats", "load_corpus", "real_pages_available"]

HERE = Path(__file__).parent
ARTICLES_DIR = HERE / "articles"
FIRST_DIR = HERE / "first"
SECOND_DIR = HERE / "second"

_NBSP_SPOTS = re.compile(
    r"(?<=\d) (?=(?:%|per cent|percent|km|kg|m\b|million|billion|tonnes|people|years))|(?<=—) |(?<=\bMr\.) |(?<=\bDr\.) "
)


def article_paths(folder: Path = ARTICLES_DIR) -> list[Path]:
    return sorted(folder.glob("*.md"))


def add_no_break_spaces(content: str) -> str:
    """Swap some spaces for U+00A0 as many sites do; length-preserving, so offsets hold."""
    return _NBSP_SPOTS.sub("\u00a0", content)


def _page_offset(article: Article, starts: dict[int, int], offset: int, is_end: bool) -> int:
    for index, block in enumerate(article.blocks):
        inside = block.start < offset <= block.end if is_end else block.start <= offset < block.end
        if inside:
            return starts[index] + offset - block.start
    raise ValueError(f"{article.id}: offset {offset} is not inside any content block")


def article_to_document(article: Article) -> Document:
    """Render an article into its page and move every annotation into page offsets."""
    meta = article.meta
    if meta.get("nbsp") == "yes":
        article.content = add_no_break_spaces(article.content)
    newline = "\r\n" if meta.get("newline") == "crlf" else "\n"
    page = render_page(article, meta["layout"], newline)

    def span(start: int, end: int) -> tuple[int, int]:
        return (
            _page_offset(article, page.content_starts, start, False),
            _page_offset(article, page.content_starts, end, True),
        )

    def link(s: Span | None) -> Span | None:
        return Span(*span(s.start, s.end)) if s else None

    doc = Document(
        id=article.id,
        text=page.text,
        html=page.html,
        url=page.url,
        source=page.source,
        split=meta["split"],
        entities=[Entity(*span(e.start, e.end), e.label) for e in article.entities],
        numeric_claims=[
            NumericClaim(*span(n.start, n.end), n.value, n.qualifier, n.unit, n.high) for n in article.numeric_claims
        ],
        quotes=[Quote(*span(q.start, q.end), q.kind, link(q.speaker), link(q.cue)) for q in article.quotes],
        boilerplate=[Boilerplate(*b) for b in page.boilerplate],
        meta={
            "synthetic": True,
            "topic": meta.get("topic"),
            "register": meta.get("register"),
            "layout": meta["layout"],
            "newline": meta.get("newline", "lf"),
            "corpus_version": DATASET_VERSION,
        },
    )
    return doc.sorted()


@cache
def _all_documents() -> tuple[Document, ...]:
    return tuple(article_to_document(load_article(path)) for path in article_paths())


def load_corpus(split: str | None = None) -> list[Document]:
    """Gold documents of one split in id order; None: every synthetic document.

    The real splits come from the materialised real pages (``newslayers real materialize``);
    asking for one that is not materialised is a UserError saying how to get it.
    """
    if split is not None and split not in SPLITS:
        raise UserError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    if split in REAL_SPLITS:
        return load_real(split)
    return [doc for doc in _all_documents() if split is None or doc.split == split]


# ----------------------------------------------------------------------------- statistics


AGREEMENT_PATH = HERE / "agreement.json"


def annotation_agreement() -> dict[str, Any] | None:
    """Agreement of the two independent annotations before adjudication (maintain agreement)."""
    import json

    return json.loads(AGREEMENT_PATH.read_text(encoding="utf-8")) if AGREEMENT_PATH.exists() else None


def corpus_stats(docs: list[Document]) -> dict[str, Any]:
    """Counts per split: documents, words, spans per layer and per label/kind/qualifier."""
    stats: dict[str, Any] = {}
    agreement = annotation_agreement()
    if agreement is not None:
        stats["agreement"] = agreement
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        groups[doc.split or "none"].append(doc)
        groups["all"].append(doc)
    for name, group in sorted(groups.items()):
        entry: dict[str, Any] = {
            "documents": len(group),
            "words": sum(len((d.text or "").split()) for d in group),
            "content_words": sum(_content_words(d) for d in group),
            "layouts": sorted({d.meta.get("layout", "") for d in group}),
            "topics": dict(sorted(Counter(d.meta.get("topic") for d in group).items())),
        }
        for layer in layer_names():
            spans = [s for d in group for s in d.layer(layer) or []]
            entry[layer] = {"spans": len(spans), **_breakdown(layer, spans)}
        stats[name] = entry
    return stats


def _content_words(doc: Document) -> int:
    text = doc.text or ""
    covered = sum(len(text[b.start : b.end].split()) for b in doc.boilerplate or [])
    return len(text.split()) - covered


def _breakdown(layer: str, spans: list[Any]) -> dict[str, Any]:
    if layer == "entities":
        return {"labels": dict(sorted(Counter(s.label for s in spans).items()))}
    if layer == "numeric_claims":
        return {
            "qualifiers": dict(sorted(Counter(s.qualifier for s in spans).items())),
            "units": dict(sorted(Counter(str(s.unit) for s in spans).items())),
        }
    if layer == "quotes":
        return {
            "kinds": dict(sorted(Counter(s.kind for s in spans).items())),
            "with_speaker": sum(s.speaker is not None for s in spans),
            "with_cue": sum(s.cue is not None for s in spans),
        }
    return {"kinds": dict(sorted(Counter(s.kind for s in spans).items()))}


def render_stats_table(stats: dict[str, Any]) -> None:
    """Print the corpus statistics as tables."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    order = [s for s in (*SPLITS, "all") if s in stats]
    agreement = stats.get("agreement")
    if agreement:
        table = Table(
            title=f"agreement of two independent annotations before adjudication ({agreement['documents']} documents)"
        )
        for column in ("layer", "strict F1", "partial F1", "spans A", "spans B"):
            table.add_column(column, justify="right")
        for layer in ("entities", "numeric_claims", "quotes"):
            a = agreement[layer]
            table.add_row(layer, f"{a['strict']:.3f}", f"{a['partial']:.3f}", str(a["spans_a"]), str(a["spans_b"]))
        console.print(table)
    table = Table(title=f"newslayers {DATASET_VERSION}: corpus")
    table.add_column("")
    for split in order:
        table.add_column(split, justify="right")
    rows = [("documents", "documents"), ("words (page)", "words"), ("words (content)", "content_words")]
    for label, key in rows:
        table.add_row(label, *(f"{stats[s][key]:,}" for s in order))
    for layer in layer_names():
        table.add_row(layer, *(f"{stats[s][layer]['spans']:,}" for s in order))
    console.print(table)
    for layer, key in (("entities", "labels"), ("numeric_claims", "qualifiers"), ("numeric_claims", "units"),
                       ("quotes", "kinds"), ("boilerplate", "kinds")):  # fmt: skip
        detail = Table(title=f"{layer}: {key}")
        detail.add_column(key)
        for split in order:
            detail.add_column(split, justify="right")
        names = sorted({n for s in order for n in stats[s][layer][key]})
        for name in names:
            detail.add_row(name, *(str(stats[s][layer][key].get(name, 0)) for s in order))
        console.print(detail)
