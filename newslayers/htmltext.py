"""HTML -> the text a scraper sees: visible text, block elements on their own lines.

The corpus renderer and ``newslayers ingest`` both use this one function, so a page
rendered for the corpus and a real page crawled by a user are turned into text the same
way. Scripts, styles, templates and hidden elements are dropped; entities are decoded;
runs of ASCII whitespace collapse to one space, while no-break spaces are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "canvas", "head", "meta", "link", "select"}
)
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "td", "tfoot", "th", "thead", "title", "tr", "ul", "option", "caption", "legend",
    }
)  # fmt: skip
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _hidden(element: lxml.etree._Element) -> bool:
    attrib = element.attrib
    return "hidden" in attrib or bool(_HIDDEN_STYLE.search(attrib.get("style", "")))


@dataclass(frozen=True, slots=True)
class TextBlock:
    """One line of the text and the block element it came from (for models that read the markup)."""

    text: str
    element: lxml.etree._Element


class _Lines:
    def __init__(self) -> None:
        self.blocks: list[TextBlock] = []
        self.buffer: list[str] = []
        self.owner: lxml.etree._Element | None = None

    def add(self, text: str | None, owner: lxml.etree._Element) -> None:
        if text:
            if not self.buffer:
                self.owner = owner
            self.buffer.append(text)

    def flush(self) -> None:
        if self.buffer:
            line = _ASCII_SPACE.sub(" ", "".join(self.buffer)).strip(" ")
            if line.strip() and self.owner is not None:
                self.blocks.append(TextBlock(line, self.owner))
            self.buffer = []


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
MAX_DEPTH = 2048  # libxml2's limit with huge_tree; deeper pages are refused, never cut silently


class TooDeepError(ValueError):
    """The page nests elements deeper than the parser can follow."""


def parse_html(html: str | bytes) -> lxml.etree._Element | None:
    """Parse a page; None for a page with no parsable content; TooDeepError when it is cut.

    ``huge_tree`` lifts libxml2's default depth limit of 255, which silently drops the rest
    of a deeply nested page; an XML prolog in a decoded string (XHTML) is removed because
    lxml refuses str input that declares an encoding.
    """
    if isinstance(html, str):
        html = _XML_DECLARATION.sub("", html, count=1)
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        raise TooDeepError(f"elements nested deeper than {MAX_DEPTH} levels; the page would be cut")
    return root


def html_to_text(html: str | bytes, newline: str = "\n") -> str:
    """Visible text of a page, one block element per line."""
    root = parse_html(html)
    if root is None:
        return ""
    return element_to_text(root, newline)


def element_to_text(root: lxml.etree._Element, newline: str = "\n") -> str:
    return newline.join(block.text for block in text_blocks(root))


def text_blocks(root: lxml.etree._Element) -> list[TextBlock]:
    """The lines of :func:`element_to_text`, each with the innermost block element that holds it.

    This is the one walk over the page: the text and the lines' elements always agree.
    """
    out = _Lines()
    title = root.find(".//head/title")
    if title is not None and title.text_content().strip():
        out.add(title.text_content(), title)
        out.flush()
    skipping: lxml.etree._Element | None = None
    blocks: list[lxml.etree._Element] = [root]
    for event, element in lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event in ("comment", "pi"):
            if skipping is None:
                out.add(element.tail, blocks[-1])
            continue
        if event == "start":
            if skipping is not None:
                continue
            if tag.lower() in SKIP_TAGS or _hidden(element):
                skipping = element
                continue
            if tag.lower() in BLOCK_TAGS:
                out.flush()
                blocks.append(element)
            out.add(element.text, blocks[-1])
            continue
        if skipping is element:
            skipping = None
        elif skipping is not None:
            continue
        elif tag.lower() in BLOCK_TAGS:
            out.flush()
            if len(blocks) > 1 and blocks[-1] is element:
                blocks.pop()
        if element is not root:
            out.add(element.tail, blocks[-1])
    out.flush()
    return out.blocks
