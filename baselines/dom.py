"""The ``dom-boilerplate`` system: gradient boosting over the page's block elements.

Each line of the text comes from one block element of the HTML (the shared walk of
:func:`newslayers.htmltext.text_blocks`, so a line of the model is a line of ``text`` and
its spans line up with it). A block is described by what a template leaves on it, not by
one site's words: its tag and the tags above it, the generic words of its class, id, role
and itemprop (``nav``, ``comment``, ``share``…), link density, text density and punctuation,
its position on the page and next to the article's prose, its container and neighbours,
the rules' chrome phrases and, as one more vote, whether trafilatura keeps it. Two
scikit-learn histogram gradient-boosting models decide content or boilerplate, then the kind.
A page without HTML falls back to the rules' line model.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from newslayers.baselines.rules import chrome_kind, predict_boilerplate
from sklearn.ensemble import HistGradientBoostingClassifier

from newslayers.align import align_extracted
from newslayers.htmltext import BLOCK_TAGS, TextBlock, parse_html, text_blocks
from newslayers.lines import Line, line_kind
from newslayers.model import Boilerplate, Document
from newslayers.progress import ProgressBar
from newslayers.schema import BOILERPLATE_KINDS
from newslayers.systems import SystemUnavailable

SEED = 13
# Words web templates put in class, id, role and itemprop attributes (matched inside tokens).
KEYWORDS = (
    "nav", "menu", "header", "masthead", "footer", "foot", "sidebar", "aside", "widget", "comment", "reply",
    "share", "social", "follow", "related", "recommend", "more", "popular", "trending", "read", "promo", "ad",
    "advert", "sponsor", "banner", "cookie", "consent", "gdpr", "newsletter", "subscribe", "signup", "paywall",
    "byline", "author", "bio", "meta", "date", "time", "tag", "topic", "categor", "breadcrumb", "crumb",
    "caption", "figure", "photo", "image", "media", "video", "content", "article", "body", "story", "post",
    "entry", "main", "text", "para", "copy", "headline", "title", "heading", "standfirst", "summary", "lede",
    "dek", "intro", "teaser", "card", "list", "item", "link", "skip", "search", "login", "modal", "popup",
    "legal", "copyright", "hidden", "print", "toolbar", "btn", "button", "icon", "logo", "brand", "contentinfo",
    "complementary", "navigation", "articlebody", "quote", "live", "update",
)  # fmt: skip
OWN_TAGS = ("title", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "figcaption",
            "blockquote", "section", "article", "header", "footer", "nav", "aside", "form", "pre", "address",
            "caption", "option", "summary", "legend", "body", "main")  # fmt: skip
ANCESTOR_TAGS = ("nav", "header", "footer", "aside", "form", "article", "main", "figure", "ul", "ol", "li",
                 "table", "blockquote", "section", "a", "button", "label", "time", "h1", "h2", "h3", "dl")  # fmt: skip
CONTAINERS = frozenset({"div", "section", "article", "ul", "ol", "aside", "nav", "footer", "header", "main", "form",
                        "table", "body", "dl", "figure"})  # fmt: skip
CHROME_KINDS = tuple(k for k in BOILERPLATE_KINDS if k != "other")
_SENTENCE_END = re.compile(r"[.!?…”\"’')]\s*$")
_SPLIT = re.compile(r"[^a-z]+")
_KEYWORD_INDEX = {word: i for i, word in enumerate(KEYWORDS)}


@dataclass(frozen=True, slots=True)
class Block:
    """A line of ``text`` and the block element it came from."""

    start: int
    end: int
    text: str
    element: Any


def locate_blocks(text: str, blocks: Sequence[TextBlock]) -> list[Block]:
    """Each block's line found in ``text`` in order (the walk made ``text``, so all are found)."""
    out, cursor = [], 0
    for block in blocks:
        line = block.text.strip()
        at = text.find(line, cursor)
        if at < 0 or not line:
            continue
        out.append(Block(at, at + len(line), line, block.element))
        cursor = at + len(line)
    return out


def page_blocks(doc: Document) -> list[Block]:
    """The blocks of a page, or none when it has no parsable HTML."""
    if not doc.html or not doc.text:
        return []
    try:
        root = parse_html(doc.html)
    except ValueError:
        return []
    return locate_blocks(doc.text, text_blocks(root)) if root is not None else []


# ----------------------------------------------------------------------------- features


def _attr_words(element: Any) -> str:
    attrib = element.attrib
    return " ".join(attrib.get(a, "") for a in ("class", "id", "role", "itemprop")).lower()


def _keyword_flags(words: str) -> np.ndarray:
    flags = np.zeros(len(KEYWORDS), dtype=np.float32)
    if words:
        tokens = set(_SPLIT.split(words))
        for i, keyword in enumerate(KEYWORDS):
            if keyword in words and (keyword in tokens or len(keyword) > 3):
                flags[i] = 1.0
    return flags


class _PageFeatures:
    """Per-page caches: element attributes, link text and containers are shared by many lines."""

    def __init__(self, blocks: Sequence[Block], kept: Sequence[float]) -> None:
        self.blocks = blocks
        self.kept = kept
        self.attr_cache: dict[Any, np.ndarray] = {}
        self.link_cache: dict[Any, int] = {}
        self.share_cache: dict[int, float] = {}
        self.prose = np.array([_is_prose(b.text) for b in blocks], dtype=np.float32)
        self.prose_at = np.flatnonzero(self.prose)
        n = len(blocks)
        self.first_prose, self.last_prose = (self.prose_at[0], self.prose_at[-1]) if len(self.prose_at) else (0, n - 1)
        sizes = np.array([len(b.text) for b in blocks], dtype=np.float64)
        self.cumulative = np.cumsum(sizes) / max(sizes.sum(), 1)
        self.rules_kinds = _rules_kinds(blocks)
        self.container_of: list[Any] = [self._container(b.element) for b in blocks]
        self.container_lines: dict[Any, list[int]] = {}
        for i, container in enumerate(self.container_of):
            self.container_lines.setdefault(container, []).append(i)

    def keywords(self, element: Any) -> np.ndarray:
        if element not in self.attr_cache:
            self.attr_cache[element] = _keyword_flags(_attr_words(element))
        return self.attr_cache[element]

    def link_chars(self, element: Any) -> int:
        """Characters of link text directly in this block (not in nested blocks)."""
        if element not in self.link_cache:
            total = 0
            for a in element.iter("a"):
                owner = a.getparent()
                while owner is not None and owner is not element and not _is_block(owner):
                    owner = owner.getparent()
                if owner is element:
                    total += len(" ".join(a.text_content().split()))
            self.link_cache[element] = total
        return self.link_cache[element]

    def link_share(self, i: int) -> float:
        if i not in self.share_cache:
            block = self.blocks[i]
            self.share_cache[i] = min(self.link_chars(block.element) / max(len(block.text), 1), 1.0)
        return self.share_cache[i]

    @staticmethod
    def _container(element: Any) -> Any:
        parent = element.getparent()
        while parent is not None and not (isinstance(parent.tag, str) and parent.tag.lower() in CONTAINERS):
            parent = parent.getparent()
        return parent if parent is not None else element


def _is_block(element: Any) -> bool:
    return isinstance(element.tag, str) and element.tag.lower() in BLOCK_TAGS


def _is_prose(text: str) -> bool:
    return len(text.split()) >= 12 and bool(_SENTENCE_END.search(text))


def _text_features(text: str) -> list[float]:
    words = text.split()
    n = max(len(text), 1)
    return [
        math.log1p(len(text)),
        math.log1p(len(words)),
        float(bool(_SENTENCE_END.search(text))),
        float(_is_prose(text)),
        len(re.findall(r"[.!?](?:\s|$)", text)),
        text.count(",") / max(len(words), 1),
        sum(c.isdigit() for c in text) / n,
        sum(c.isupper() for c in text) / n,
        sum(w[:1].isupper() for w in words) / max(len(words), 1),
        float(text.startswith("By ")),
        float(bool(re.search(r"[“”\"]", text))),
        float(bool(re.search(r"[|·•›»]", text))),
        float("©" in text or "(c)" in text.lower()),
    ]


def _ancestors(element: Any) -> tuple[list[str], list[Any]]:
    tags, elements = [], []
    parent = element.getparent()
    while parent is not None:
        if isinstance(parent.tag, str):
            tags.append(parent.tag.lower())
            elements.append(parent)
        parent = parent.getparent()
    return tags, elements


# Feature groups in column order. The template groups name a site's markup (its tags, class
# words, where it puts things); a model trained on the synthetic templates alone cannot learn
# what they mean on the web, so it leaves them out (see ``DomBoilerplateSystem.fit``).
GROUPS = ("text", "links", "position", "own_tag", "ancestor_tags", "class_words", "ancestor_class_words",
          "container", "trafilatura", "prose", "rules", "chrome")  # fmt: skip
TEMPLATE_GROUPS = frozenset({"position", "own_tag", "ancestor_tags", "class_words", "ancestor_class_words"})
REAL_WEIGHT = 5.0  # a real page's lines weigh this many synthetic ones


def _block_groups(page: _PageFeatures, i: int, title: str) -> dict[str, list[float]]:
    blocks, kept, prose = page.blocks, page.kept, page.prose
    block, n = blocks[i], len(blocks)
    element = block.element
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    tags, ancestors = _ancestors(element)
    ancestor_words = np.zeros(len(KEYWORDS), dtype=np.float32)
    for a in ancestors[:8]:
        ancestor_words = np.maximum(ancestor_words, page.keywords(a))
    siblings = page.container_lines[page.container_of[i]]
    distance = float(np.min(np.abs(page.prose_at - i))) if len(page.prose_at) else float(n)
    rules_kind, chrome = page.rules_kinds[i], chrome_kind(block.text)
    return {
        "text": _text_features(block.text),
        "links": [page.link_share(i), float("a" in tags[:3])],
        "position": [i / n, float(page.cumulative[i]), float(i == 0), math.log1p(len(tags))],
        "own_tag": [float(tag == t) for t in OWN_TAGS],
        "ancestor_tags": [float(t in tags) for t in ANCESTOR_TAGS],
        "class_words": list(page.keywords(element)),
        "ancestor_class_words": list(ancestor_words),
        "container": [
            math.log1p(len(siblings)),
            float(np.mean(prose[siblings])),
            float(np.mean([kept[j] for j in siblings])),
            float(np.mean([page.link_share(j) for j in siblings])),
        ],
        "trafilatura": [kept[i], *(float(kept[j]) if 0 <= j < n else -1.0 for j in (i - 2, i - 1, i + 1, i + 2))],
        "prose": [
            float(i < page.first_prose),
            float(i > page.last_prose),
            math.log1p(distance),
            float(block.text.strip() == title or (len(block.text) > 15 and block.text in title)),
            *(float(prose[j]) if 0 <= j < n else -1.0 for j in (i - 2, i - 1, i + 1, i + 2)),
            float(np.mean(prose[max(0, i - 3) : i + 4])),
        ],
        "rules": [*(float(rules_kind == k) for k in CHROME_KINDS), float(rules_kind is not None)],
        "chrome": [float(chrome == k) for k in CHROME_KINDS],
    }


def block_features(blocks: Sequence[Block], kept: Sequence[float], title: str) -> tuple[np.ndarray, list[str]]:
    """One row of numbers per block, and the group of each column.

    ``kept`` is the share of each line that trafilatura keeps.
    """
    page = _PageFeatures(blocks, kept)
    rows, groups = [], []
    for i in range(len(blocks)):
        parts = _block_groups(page, i, title)
        rows.append([value for name in GROUPS for value in parts[name]])
        if not groups:
            groups = [name for name in GROUPS for _ in parts[name]]
    return np.asarray(rows, dtype=np.float32).reshape(len(blocks), len(groups)), groups


def _rules_kinds(blocks: Sequence[Block]) -> list[str | None]:
    """The rules' line decision for each block (their line model on the same lines)."""
    text = "\n".join(b.text for b in blocks)
    spans, _ = predict_boilerplate(text)
    by_start = {s.start: s.kind for s in spans}
    out, offset = [], 0
    for b in blocks:
        out.append(by_start.get(offset))
        offset += len(b.text) + 1
    return out


def _page_title(doc: Document, blocks: Sequence[Block]) -> str:
    for b in blocks:
        if isinstance(b.element.tag, str) and b.element.tag.lower() == "title":
            return b.text
    return ""


# ----------------------------------------------------------------------------- trafilatura as a feature


def _trafilatura() -> Any:
    try:
        return importlib.import_module("trafilatura")
    except ImportError as err:
        raise SystemUnavailable(
            f"needs trafilatura ({err}); install it with pip install 'newslayers[reference]'"
        ) from None


def kept_share(lib: Any, doc: Document, blocks: Sequence[Block]) -> list[float]:
    """The share of each block's characters that trafilatura's extraction covers."""
    extracted = lib.extract(doc.html, include_comments=False, include_tables=True, deduplicate=False) or ""
    covered = np.zeros(len(doc.text or "") + 1, dtype=np.int32)
    for start, end in align_extracted(doc.text or "", extracted):
        covered[start:end] = 1
    prefix = np.concatenate([[0], np.cumsum(covered)])
    return [float(prefix[b.end] - prefix[b.start]) / max(b.end - b.start, 1) for b in blocks]


# ----------------------------------------------------------------------------- system


class DomBoilerplateSystem:
    """Gradient boosting over block elements: content or boilerplate, then the kind."""

    name = "dom-boilerplate"
    version = "0.1.0"
    layers = ("boilerplate",)
    description = "gradient boosting over HTML blocks (tags, class/id words, link/text density, position, trafilatura)"

    def __init__(self) -> None:
        self._lib = _trafilatura()
        self.is_boiler = HistGradientBoostingClassifier(
            max_iter=250, learning_rate=0.08, max_leaf_nodes=31, l2_regularization=1.0, random_state=SEED,
            early_stopping=False,
        )  # fmt: skip
        self.kind = HistGradientBoostingClassifier(
            max_iter=120, learning_rate=0.1, max_leaf_nodes=15, random_state=SEED, early_stopping=False
        )
        self.groups: list[str] = []
        self.columns = np.zeros(0, dtype=bool)
        self.trained_on_real = False
        self.fitted = False

    def cache_salt(self) -> str:
        return str(getattr(self._lib, "__version__", ""))

    def page_matrix(self, doc: Document) -> tuple[list[Block], np.ndarray]:
        blocks = page_blocks(doc)
        if not blocks:
            return [], np.zeros((0, 0), dtype=np.float32)
        x, groups = block_features(blocks, kept_share(self._lib, doc, blocks), _page_title(doc, blocks))
        self.groups = groups
        return blocks, x

    def fit(self, documents: Sequence[Document]) -> DomBoilerplateSystem:
        """Learn from every page with HTML and gold boilerplate; real pages weigh more.

        Trained on the synthetic templates alone, the model leaves the template groups out;
        with real pages (``real_validation``) in the training data it reads them all.
        """
        rows, is_boiler, kinds, weights = [], [], [], []
        docs = [d for d in documents if d.html and d.text and d.boilerplate is not None]
        with ProgressBar("training dom-boilerplate: pages", total=len(docs)) as bar:
            for doc in docs:
                blocks, x = self.page_matrix(doc)
                real = str(doc.split or "").startswith("real")
                spans = [(b.start, b.end, b.kind) for b in doc.boilerplate or []]
                for block, row in zip(blocks, x, strict=True):
                    kind = line_kind(doc.text or "", Line(0, block.start, block.end, block.text, 0), spans)
                    rows.append(row)
                    is_boiler.append(kind is not None)
                    kinds.append(kind or "")
                    weights.append(REAL_WEIGHT if real else 1.0)
                bar.update(1)
        with_real = any(str(d.split or "").startswith("real") for d in docs)
        self.columns = np.array([with_real or g not in TEMPLATE_GROUPS for g in self.groups])
        x = np.asarray(rows, dtype=np.float32)[:, self.columns]
        y, w = np.asarray(is_boiler), np.asarray(weights)
        self.is_boiler.fit(x, y, sample_weight=w)
        self.kind.fit(x[y], np.asarray(kinds)[y], sample_weight=w[y])
        self.trained_on_real = with_real
        self.fitted = True
        return self

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        """All pages' blocks go through each model in one call (a call costs one walk per tree)."""
        if not self.fitted:
            raise RuntimeError("dom-boilerplate must be fitted on the train split first")
        pages = [self.page_matrix(d) for d in documents]
        rows = [x[:, self.columns] for blocks, x in pages if blocks]
        boiler = self.is_boiler.predict(np.vstack(rows)) if rows else np.zeros(0, dtype=bool)
        kinds = np.full(len(boiler), "other", dtype=object)
        if boiler.any():
            kinds[boiler] = self.kind.predict(np.vstack(rows)[boiler])
        out, at = [], 0
        for doc, (blocks, _) in zip(documents, pages, strict=True):
            if not blocks:
                out.append(Document(id=doc.id, boilerplate=predict_boilerplate(doc.text or "")[0]))
                continue
            decided = zip(blocks, boiler[at : at + len(blocks)], kinds[at : at + len(blocks)], strict=True)
            out.append(
                Document(id=doc.id, boilerplate=[Boilerplate(b.start, b.end, str(k)) for b, is_b, k in decided if is_b])
            )
            at += len(blocks)
        return out

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_lib"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lib = _trafilatura()
