"""The embedded gold corpus: original articles rendered into pages of sixteen layouts.

``corpus/articles/*.md`` hold the adjudicated gold in inline markup (one file per
document, reviewable in a diff); ``first/`` and ``second/`` keep the two independent
annotations so that agreement can be recomputed. :func:`load_corpus` renders every
article into its page and returns contract documents.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from newslayers.corpus.layouts import render_page
from newslayers.corpus.markup import Article, load_article
from newslayers.corpus.realpages import load_real, real_pages_available

from newslayers import DATASET_VERSION
from newslayers.errors import UserError
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span
from newslayers.schema import REAL_SPLITS, SPLITS

__all__ = ["load_corpus", "real_pages_available"]

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
            "language": "en",  # every article of ours is written in English
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
