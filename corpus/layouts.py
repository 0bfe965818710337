"""Render an article into a full news page of one of sixteen site layouts.

A page is a list of blocks, each either article content (a block of the parsed article)
or chrome with its boilerplate kind. From the blocks come, together and exactly:
the page ``html``, the ``text`` a scraper extracts from it (one block per line, checked
against :func:`newslayers.htmltext.html_to_text` in the tests), the boilerplate gold, and
the shift of each content annotation into page offsets. Chrome strings come from the
hand-written pool in ``chrome/pool.json``; which strings a page gets is drawn from a
random generator seeded by the document id, so rendering is deterministic.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from newslayers.corpus.markup import Article

CHROME_PATH = Path(__file__).parent / "chrome" / "pool.json"

# Layouts whose pages appear only in the test split, so the test measures unseen sites.
TEST_LAYOUTS = ("liveblog", "forum", "radio", "trade")
TRAIN_LAYOUTS = (
    "wordpress",
    "wire",
    "broadsheet",
    "localtv",
    "aggregator",
    "amp",
    "pressportal",
    "newsletter",
    "paywall",
    "student",
    "community",
    "broadcaster",
)
LAYOUTS = TRAIN_LAYOUTS + TEST_LAYOUTS


@dataclass(frozen=True, slots=True)
class PageBlock:
    text: str
    kind: str | None  # boilerplate kind, or None for article content
    tag: str = "div"
    css: str = ""
    content_index: int | None = None  # index into Article.blocks for content
    links: tuple[str, ...] = ()  # a menu: items rendered as inline links on one line


@dataclass(slots=True)
class Section:
    """A container element (nav, header, aside, …) holding blocks."""

    tag: str
    css: str
    blocks: list[PageBlock] = field(default_factory=list)


@dataclass(slots=True)
class Page:
    html: str
    text: str
    boilerplate: list[tuple[int, int, str]]
    content_starts: dict[int, int]  # article block index -> page offset
    url: str
    source: str


@cache
def chrome_pool() -> dict[str, Any]:
    return json.loads(CHROME_PATH.read_text(encoding="utf-8"))


def seeded_random(*parts: str) -> random.Random:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


# Chrome texts whose kind the guidelines fix (§1 table, v0.2), whatever pool section or
# page position they are drawn for: an audit found the same text with different kinds
# ("Back to top" as a footer line, forum furniture as metadata, the subscribers-only
# comments notice as a comment header). The pool stays as written (so every page draws
# the same strings as before); these lines get their fixed kind when they become blocks.
# Matched as prefixes, case-sensitive ("Back to top ↑" is navigation; "Originally posted
# 5 years ago" is the article's metadata, not forum furniture).
FIXED_KINDS: tuple[tuple[str, str], ...] = (
    ("Back to top", "navigation"),
    ("Scroll to Top", "navigation"),
    ("Originally Posted by", "comments"),
    ("Sort by", "comments"),
    ("Quote from", "comments"),
    ("Reply · Quote · Report", "comments"),
    ("This post has been removed", "comments"),
    ("Comments are open to subscribers only", "paywall"),
)


def fixed_kind(text: str, kind: str) -> str:
    """The kind of a chrome line: the guidelines' fixed kind for the texts they name, else ``kind``."""
    return next((fixed for prefix, fixed in FIXED_KINDS if text.startswith(prefix)), kind)


def _clean(text: str) -> str:
    """Chrome text as one line: ASCII whitespace collapsed (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", str(text)).strip(" ")


class _Chrome:
    """Draws chrome strings for one page without repeating a string."""

    def __init__(self, rng: random.Random, site: dict[str, str]):
        self.rng, self.site, self.pool = rng, site, chrome_pool()

    def pick(self, key: str, k: int = 1) -> list[Any]:
        items = self.pool.get(key) or []
        return self.rng.sample(items, min(k, len(items))) if items else []

    def one(self, key: str, default: Any = "") -> Any:
        picked = self.pick(key)
        return picked[0] if picked else default

    def lines(self, key: str, kind: str, k: int = 1, tag: str = "p") -> list[PageBlock]:
        out: list[PageBlock] = []
        for item in self.pick(key, k):
            for line in item if isinstance(item, list) else [item]:
                if _clean(line):
                    out.append(PageBlock(_clean(line), fixed_kind(_clean(line), kind), tag))
        return out

    def menu(self, key: str, kind: str) -> list[PageBlock]:
        item = self.one(key, [])
        links = tuple(_clean(x) for x in item if _clean(x))
        return [PageBlock(" ".join(links), kind, "div", "menu", links=links)] if links else []

    def comments(self, k: int) -> list[PageBlock]:
        out = self.lines("comment_headers", "comments", 1, "h3")
        for comment in self.pick("comments", k):
            out.append(PageBlock(_clean(f"{comment['author']} · {comment['when']}"), "comments", "p"))
            out.append(PageBlock(_clean(comment["text"]), "comments", "p"))
        return out

    def related(self, k: int, header: bool = True) -> list[PageBlock]:
        out = self.lines("related_headers", "related_links", 1, "h3") if header else []
        out += [PageBlock(_clean(h), "related_links", "li") for h in self.pick("related_headlines", k)]
        return out

    def bio(self, author: str) -> list[PageBlock]:
        template = self.one("author_bios")
        return [PageBlock(_clean(template.replace("{author}", author)), "author_bio", "p")] if template else []


# ----------------------------------------------------------------------------- layouts

Recipe = Callable[[_Chrome, Article, list[PageBlock]], list[Section]]


def _content_blocks(article: Article) -> list[PageBlock]:
    tags = {"headline": "h1", "standfirst": "h2", "byline": "p", "caption": "figcaption", "paragraph": "p"}
    return [
        PageBlock(article.content[b.start : b.end], None, tags[b.role], b.role, content_index=i)
        for i, b in enumerate(article.blocks)
    ]


def _safe_gaps(article: Article, content: list[PageBlock]) -> list[int]:
    """Positions between paragraphs where chrome can go without cutting a quote in two."""
    gaps = []
    for pos in range(1, len(content)):
        prev, nxt = article.blocks[content[pos - 1].content_index], article.blocks[content[pos].content_index]
        if prev.role != "paragraph" or nxt.role != "paragraph":
            continue
        if any(q.start < prev.end and q.end > nxt.start for q in article.quotes):
            continue
        gaps.append(pos)
    return gaps


def _insert_mid(
    chrome: _Chrome, article: Article, content: list[PageBlock], boxes: list[list[PageBlock]]
) -> list[PageBlock]:
    gaps = _safe_gaps(article, content)
    chosen = sorted(chrome.rng.sample(gaps, min(len(boxes), len(gaps))))
    out: list[PageBlock] = []
    box_iter = iter(boxes)
    for pos, block in enumerate(content):
        if pos in chosen:
            out.extend(next(box_iter))
        out.append(block)
    return out


def _byline_name(article: Article) -> str:
    for block in article.blocks:
        if block.role == "byline":
            name = article.content[block.start : block.end]
            return name[3:].split(",")[0].strip() if name.startswith("By ") else name
    return "Staff reporter"


def _ad(chrome: _Chrome) -> list[PageBlock]:
    return [PageBlock("Advertisement", "advertisement", "div", "ad-label"), *chrome.lines("ads", "advertisement", 1)]


def wordpress(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section(
            "header", "site-header", [PageBlock(c.site["name"], "navigation", "p"), *c.menu("navigation", "navigation")]
        ),
        Section("article", "post", body + c.lines("metadata", "metadata", 1)),
        Section(
            "section", "comments-area", c.comments(c.rng.randint(0, 4)) + c.lines("comment_forms", "comment_form", 1)
        ),
        Section(
            "footer",
            "site-footer",
            c.lines("footers", "footer", 1) + [PageBlock("Scroll to Top", "navigation", "p", "to-top")],
        ),
    ]


def wire(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("nav", "topbar", c.menu("navigation", "navigation")),
        Section("div", "meta", c.lines("metadata", "metadata", 1)),
        Section("article", "story", body),
        Section("aside", "more", c.related(4)),
        Section("footer", "legal", c.lines("footers", "footer", 1)),
    ]


def broadsheet(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    body = _insert_mid(c, a, body, [_ad(c), c.related(2), _ad(c)])
    return [
        Section("div", "consent", c.lines("cookie_banners", "cookie_banner", 1)),
        Section("nav", "masthead", c.menu("navigation", "navigation") + c.menu("breadcrumbs", "breadcrumb")),
        Section("article", "main", body[:1] + c.lines("metadata", "metadata", 1) + body[1:]),
        Section("div", "share", c.menu("social_share", "social_share")),
        Section("aside", "rail", c.lines("sidebar", "sidebar", 3) + c.related(5)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def liveblog(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    body = _insert_mid(c, a, body, [c.lines("live_chrome", "metadata", 1), _ad(c)])
    return [
        Section("nav", "nav", c.menu("navigation", "navigation")),
        Section("div", "live-header", c.lines("live_chrome", "metadata", 2)),
        Section("main", "live", body),
        Section("aside", "key-events", c.lines("sidebar", "sidebar", 2)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def localtv(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("div", "alert", c.lines("tv_radio", "sidebar", 1)),
        Section("nav", "nav", c.menu("navigation", "navigation")),
        Section("article", "story", body[:2] + c.lines("tv_radio", "advertisement", 1) + body[2:]),
        Section("aside", "weather", c.lines("sidebar", "sidebar", 2) + c.lines("tv_radio", "sidebar", 1)),
        Section("div", "related", c.related(3)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def aggregator(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("nav", "nav", c.menu("navigation", "navigation")),
        Section("div", "source", c.lines("aggregator", "metadata", 2)),
        Section("article", "story", body),
        Section("div", "more", c.lines("aggregator", "related_links", 1) + c.related(6, header=False)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def amp(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("div", "amp-bar", c.lines("amp", "navigation", 2)),
        Section("article", "amp-story", _insert_mid(c, a, body, [_ad(c)])),
        Section("div", "amp-footer", c.lines("amp", "navigation", 1) + c.lines("footers", "footer", 1)),
    ]


def pressportal(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("nav", "portal-nav", c.menu("navigation", "navigation")),
        Section("div", "release-meta", c.lines("metadata", "metadata", 1)),
        Section("article", "release", body + [PageBlock("###", "other", "p")]),
        Section("div", "boilerplate", c.lines("press_portal", "other", 3)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def newsletter(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("div", "preheader", c.lines("newsletters", "newsletter_signup", 1)),
        Section("article", "issue", body),
        Section("div", "cta", c.lines("newsletters", "newsletter_signup", 1) + c.menu("social_share", "social_share")),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def forum(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("nav", "forum-nav", c.menu("navigation", "navigation") + c.menu("breadcrumbs", "breadcrumb")),
        Section("div", "post-head", c.lines("forum", "metadata", 2)),
        Section("div", "post-body", body),
        Section("div", "replies", c.lines("forum", "comments", 2) + c.comments(c.rng.randint(2, 5))),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def paywall(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("div", "consent", c.lines("cookie_banners", "cookie_banner", 1)),
        Section("nav", "nav", c.menu("navigation", "navigation")),
        Section("div", "meter", c.lines("paywall", "paywall", 1)),
        Section("article", "story", _insert_mid(c, a, body, [c.lines("paywall", "paywall", 1)])),
        Section("aside", "bio", c.bio(_byline_name(a))),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def radio(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("div", "player", c.lines("tv_radio", "other", 2)),
        Section("nav", "nav", c.menu("navigation", "navigation")),
        Section("article", "story", body),
        Section("div", "share", c.menu("social_share", "social_share")),
        Section("aside", "more", c.related(3) + c.lines("sidebar", "sidebar", 1)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def student(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("nav", "nav", c.menu("navigation", "navigation")),
        Section("article", "story", body),
        Section("aside", "bio", c.bio(_byline_name(a))),
        Section("section", "comments", c.comments(c.rng.randint(1, 3)) + c.lines("comment_forms", "comment_form", 1)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def trade(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("nav", "nav", c.menu("navigation", "navigation") + c.menu("breadcrumbs", "breadcrumb")),
        Section("article", "story", _insert_mid(c, a, body, [c.lines("newsletters", "newsletter_signup", 1), _ad(c)])),
        Section("aside", "rail", c.lines("sidebar", "sidebar", 2) + c.related(4)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def community(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    return [
        Section("header", "site", [PageBlock(c.site["name"], "navigation", "p"), *c.menu("navigation", "navigation")]),
        Section("div", "crumbs", c.menu("breadcrumbs", "breadcrumb")),
        Section("article", "story", body + c.lines("metadata", "metadata", 1)),
        Section("section", "comments", c.comments(c.rng.randint(0, 3))),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


def broadcaster(c: _Chrome, a: Article, body: list[PageBlock]) -> list[Section]:
    body = _insert_mid(c, a, body, [c.related(1, header=False), c.related(1, header=False)])
    return [
        Section("div", "consent", c.lines("cookie_banners", "cookie_banner", 1)),
        Section("nav", "nav", c.menu("navigation", "navigation")),
        Section("article", "story", body[:1] + c.lines("metadata", "metadata", 1) + body[1:]),
        Section("div", "share", c.menu("social_share", "social_share")),
        Section("aside", "most-read", c.related(5)),
        Section("footer", "footer", c.lines("footers", "footer", 1)),
    ]


RECIPES: dict[str, Recipe] = {
    "wordpress": wordpress,
    "wire": wire,
    "broadsheet": broadsheet,
    "liveblog": liveblog,
    "localtv": localtv,
    "aggregator": aggregator,
    "amp": amp,
    "pressportal": pressportal,
    "newsletter": newsletter,
    "forum": forum,
    "paywall": paywall,
    "radio": radio,
    "student": student,
    "trade": trade,
    "community": community,
    "broadcaster": broadcaster,
}


# ----------------------------------------------------------------------------- rendering


def site_for(layout: str) -> dict[str, str]:
    sites = chrome_pool()["sites"]
    for site in sites:
        if site.get("kind") == layout:
            return site
    index = LAYOUTS.index(layout) % len(sites)
    return sites[index]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _escape(text: str) -> str:
    return htmllib.escape(text, quote=False).replace("\u00a0", "&nbsp;")


def _block_html(block: PageBlock) -> str:
    body = _escape(block.text)
    if block.links:
        body = " ".join(f'<a href="#">{_escape(item)}</a>' for item in block.links)
    if block.tag == "figcaption":
        return (
            f'<figure><img src="/img/photo-{block.content_index}.jpg" alt=""><figcaption>{body}</figcaption></figure>'
        )
    attr = f' class="{block.css}"' if block.css else ""
    return f"<{block.tag}{attr}>{body}</{block.tag}>"


def render_page(article: Article, layout: str, newline: str = "\n") -> Page:
    """Render ``article`` as a page of ``layout``; text and html agree line for line."""
    site = site_for(layout)
    chrome = _Chrome(seeded_random(article.id, layout), site)
    sections = RECIPES[layout](chrome, article, _content_blocks(article))
    title = f"{article.headline} {chrome.rng.choice(['|', '–', '-', '·'])} {site['name']}"
    blocks = [PageBlock(_clean(title), "page_title", "title")] + [b for s in sections for b in s.blocks]
    lines, boilerplate, content_starts, pos = [], [], {}, 0
    for block in blocks:
        if lines:
            pos += len(newline)
        if block.kind is None:
            content_starts[block.content_index] = pos
        else:
            boilerplate.append((pos, pos + len(block.text), block.kind))
        lines.append(block.text)
        pos += len(block.text)
    body_html = "\n".join(
        f'<{s.tag} class="{s.css}">' + "".join(_block_html(b) for b in s.blocks) + f"</{s.tag}>" for s in sections
    )
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{htmllib.escape(_clean(title), quote=False)}</title>"
        f'<link rel="stylesheet" href="/static/{layout}.css"><script>window.dataLayer=[];</script>'
        f'</head>\n<body class="layout-{layout}">\n{body_html}\n</body></html>\n'
    )
    url = f"https://{site['domain']}/{article.meta.get('topic', 'news').replace('_', '-')}/{_slug(article.headline)}"
    return Page(html, newline.join(lines), boilerplate, content_starts, url, f"{layout}:{site['domain']}")
