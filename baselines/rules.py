"""The ``rules`` system: no learning, all four layers.

Boilerplate is decided first, line by line; entities, numeric claims and quotes are then
looked for only in the lines judged to be content, as the guidelines annotate them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from newslayers.baselines import gazetteers as gz
from newslayers.baselines.numbers import ParsedClaim, find_claims, name_numbers, quantity_line
from newslayers.baselines.quotes import predict_quotes

from newslayers.lines import Line, split_lines
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, normalise_number

# ----------------------------------------------------------------------------- boilerplate

CHROME_PATTERNS: list[tuple[str, str]] = [
    (
        "comment_form",
        r"leave a (reply|comment)|will not be published|required fields|post comment|^(name|email|website|comment) ?\*|^submit$|notify me of",
    ),
    ("cookie_banner", r"cookie|consent|our partners|accept all|privacy (settings|preferences)|manage preferences"),
    (
        "paywall",
        r"free articles?|subscribers? only|already a subscriber|subscribe (now|for|today)|unlock|per (week|month) for|paywall|premium",
    ),
    ("newsletter_signup", r"newsletter|in your inbox|sign up|signing up|daily briefing|subscribe to our"),
    (
        "advertisement",
        r"^advertisement$|^ad$|sponsored|promoted|^ad\b|shop now|% off|limited offer|book now|free trial",
    ),
    (
        "comments",
        r"^\d+ comments?$|^comments?( \(\d+\))?$|join the (conversation|discussion)|no comments yet|^reply\b|\b\d+ (minutes?|hours?|days?) ago$|\d{1,2}:\d\d ?[ap]m$|points? · \d+ repl",
    ),
    (
        "footer",
        r"©|\(c\) \d{4}|all rights reserved|terms (of|&)|privacy policy|registered in|back to top|contact us|careers",
    ),
    ("social_share", r"^share\b|facebook|whatsapp|copy link|follow us|\bshares?$|linkedin|telegram"),
    (
        "related_links",
        r"^read more|^related|most read|trending|you may also like|more from|recommended|^more stories|^see also|^also read",
    ),
    (
        "metadata",
        r"^published|^updated|min(ute)? read|^tags?:|filed under|^posted|\b(gmt|utc|bst|cet)\b|last modified|^source:|^via\b",
    ),
    ("breadcrumb", r"^home ?[›»>/]|[›»] "),
    ("navigation", r"skip to|^menu$|☰|log ?in|^search$|scroll to top|sign in|^home\b"),
    ("sidebar", r"[▲▼]|°[cf]\b|^poll|editor'?s picks|lottery|euromillions|most shared|^weather"),
    (
        "author_bio",
        r"\bcovers\b.*\bfor\b|is a (senior )?(reporter|correspondent|writer|editor)|follow (her|him|them) on",
    ),
]
# One pattern per kind, tried in list order on lower case: the first kind whose phrases occur
# wins, and most chrome is found by the first few patterns without scanning for the rest.
_CHROME = [(kind, re.compile(pattern)) for kind, pattern in CHROME_PATTERNS]
_SENTENCE_END = re.compile(r"[.!?…”\"’')]\s*$")


def chrome_kind(line: str) -> str | None:
    """The boilerplate kind whose phrases a line contains.

    Chrome announces itself early, so only the first 96 characters of a long line are
    scanned; chrome repeats across pages, so answers are cached.
    """
    return _chrome_kind(line[:96].lower())


@lru_cache(maxsize=65536)
def _chrome_kind(line: str) -> str | None:
    return next((kind for kind, pattern in _CHROME if pattern.search(line)), None)


def _words(text: str) -> int:
    return len(text.split())


def _is_prose(text: str) -> bool:
    return _words(text) >= 12 and bool(_SENTENCE_END.search(text))


def _title_core(first_line: str) -> str:
    return re.split(r"\s[|–\-·]\s(?!.*\s[|–\-·]\s)", first_line)[0].strip()


def boilerplate_lines(lines: Sequence[Line]) -> dict[int, str]:
    """Line index -> boilerplate kind; lines not in the map are content."""
    if not lines:
        return {}
    kinds: dict[int, str] = {}
    title = _title_core(lines[0].text) if len(lines) > 1 else ""
    headline = next((ln.index for ln in lines[1:] if title and ln.text == title), None)
    if headline is not None:
        kinds[0] = "page_title"
    prose = [ln.index for ln in lines if _is_prose(ln.text) and not chrome_kind(ln.text)]
    first = headline if headline is not None else (prose[0] if prose else 0)
    last = prose[-1] if prose else first
    in_comments = False
    for ln in lines:
        if ln.index in kinds:
            continue
        kind = chrome_kind(ln.text)
        if ln.index < first or ln.index > last:
            if kind == "comments":
                in_comments = True
            if in_comments and kind is None:
                kind = "comments"
            kinds[ln.index] = kind or ("navigation" if ln.index < first else "related_links")
        elif kind and not _is_prose(ln.text) and not ln.text.startswith("By "):
            kinds[ln.index] = kind
        elif ln.index != first and not _is_prose(ln.text) and _looks_like_teaser(ln.text, lines, ln.index):
            kinds[ln.index] = "related_links"
    return kinds


def _looks_like_teaser(text: str, lines: Sequence[Line], index: int) -> bool:
    """A short unpunctuated line amid the article that is neither byline nor caption-like."""
    if text.startswith("By ") or _words(text) < 3:
        return _words(text) < 3 and index > 2
    neighbours = [lines[i].text for i in (index - 1, index + 1) if 0 <= i < len(lines)]
    return not _SENTENCE_END.search(text) and index > 3 and all(not _is_prose(n) for n in neighbours)


def predict_boilerplate(text: str) -> tuple[list[Boilerplate], list[Line]]:
    lines = split_lines(text)
    kinds = boilerplate_lines(lines)
    spans = [Boilerplate(ln.start, ln.end, kinds[ln.index]) for ln in lines if ln.index in kinds]
    content = [ln for ln in lines if ln.index not in kinds]
    return spans, content


# ----------------------------------------------------------------------------- entities

_GPE = set(gz.COUNTRIES) | set(gz.CITIES) | set(gz.MULTIWORD_GPE)
_GPE_UPPER = {g.upper(): g for g in _GPE}
_NORP = set(gz.NATIONALITIES) | {n + "s" for n in gz.NATIONALITIES if not n.endswith(("sh", "ch", "ese", "s"))}
_LOC = set(gz.LOCATIONS) | set(gz.MULTIWORD_LOC)
_ORG = set(gz.ORGANISATIONS)
_TITLES = set(gz.TITLES)
_CAP = r"(?:[A-ZÀ-ÖØ-Þ][\w’'\.&-]*|[A-Z]{2,}\d*)"
_RUN = re.compile(rf"{_CAP}(?:\s(?:(?:of|de|da|del|van|von|der|la|le|bin|al|el|dos|di|du|for|the|and|on)\s)?{_CAP})*")


def _trim_run(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a trailing possessive or full stop from a capitalised run."""
    surface = text[start:end]
    for suffix in ("’s", "'s", "’", "."):
        if (
            surface.endswith(suffix)
            and len(surface) > len(suffix) + 1
            and not re.search(r"\b(?:Jr|Sr|St|Co|Inc|Ltd|Corp)\.$", surface)
        ):
            surface = surface[: -len(suffix)]
    return start, start + len(surface)


_TITLE_OR_OPENER = _TITLES | set(gz.SENTENCE_WORDS)
_WORD_RUN = re.compile(r"\S+")


def _strip_titles(text: str, start: int, end: int) -> tuple[int, int]:
    first = _WORD_RUN.match(text, start, end)
    if first is None or first.group().rstrip(".") not in _TITLE_OR_OPENER:
        return start, end  # the common case: no title to strip
    words = list(_WORD_RUN.finditer(text, start, end))
    while len(words) > 1 and words[0].group().rstrip(".") in _TITLE_OR_OPENER:
        words = words[1:]
    return words[0].start(), end


_NOT_NAMES = {"US", "USA", "UK", "EU", "UN", "GDP", "VAT", "CEO", "MW", "GW", "KWH", "TV", "AM", "PM", "GMT", "UTC", "ID",
              "PDF", "AI", "COVID", "GOAL", "LIVE", "NOTE", "UPDATE", "A&E", "ICU", "EUR", "USD", "GBP", "NOK", "SEK", "DKK",
              "CAD", "AUD", "JPY", "CHF", "PLN", "INR", "CNY", "BREAKING", "FULL", "OK"}  # fmt: skip
_GPE_ACRONYMS = {"US": "GPE", "USA": "GPE", "UK": "GPE", "EU": "ORG", "UN": "ORG"}


def _label(surface: str, known: dict[str, str]) -> str | None:
    if surface in _NOT_NAMES:
        return _GPE_ACRONYMS.get(surface)
    words = surface.split()
    last, first = words[-1], words[0]
    if surface in known:
        return known[surface]
    if surface in _GPE or surface in _GPE_UPPER:
        return "GPE"
    if surface in _LOC:
        return "LOC"
    if surface in _NORP or (len(words) == 1 and surface.rstrip("s") in _NORP):
        return "NORP"
    if surface in _ORG:
        return "ORG"
    if first in ("Hurricane", "Storm", "Cyclone", "Typhoon", "Operation") or last in gz.EVENT_WORDS:
        return "EVENT"
    if last in gz.LAW_WORDS and len(words) > 1:
        return "LAW"
    if last in gz.LOC_WORDS or first in ("Lake", "Mount", "River", "Gulf", "Cape"):
        return "LOC"
    if last in gz.FAC_WORDS and len(words) > 1:
        return "FAC"
    if last in gz.ORG_WORDS or first in ("Ministry", "Department", "University", "Bank", "Office", "Bureau"):
        return "ORG"
    if re.search(r"\d", surface) and len(words) <= 3:
        return "PRODUCT" if not surface.isupper() else "ORG"
    if surface.isupper() and 2 <= len(surface) <= 6:
        return "ORG"
    if 2 <= len(words) <= 4 and all(w[0].isupper() for w in words):
        return "PERSON"
    return None


def _after_the(text: str, start: int) -> bool:
    return text[max(0, start - 4) : start].lower() == "the "


def find_entities(text: str, lines: Sequence[Line]) -> list[Entity]:
    """Capitalised runs in content lines, labelled by gazetteers, suffixes and context."""
    known: dict[str, str] = {}
    found: list[Entity] = []
    for line in lines:
        for m in _RUN.finditer(text, line.start, line.end):
            start, end = _trim_run(text, m.start(), m.end())
            start, end = _strip_titles(text, start, end)
            surface = text[start:end]
            if not surface or surface in gz.SENTENCE_WORDS or surface in _TITLES:
                continue
            label = _label(surface, known)
            if label == "PERSON" and _after_the(text, start) and surface not in known:
                label = "ORG"  # "the Nile Stars": people do not take the article
            if label is None and len(surface.split()) == 1:
                label = _single_word_label(text, start, surface, known)
            if label is None:
                continue
            if label == "PERSON":
                for part in surface.split()[1:]:
                    known.setdefault(part, "PERSON")
            known.setdefault(surface, label)
            found.append(Entity(start, end, label))
    return _drop_overlaps(found)


def _single_word_label(text: str, start: int, surface: str, known: dict[str, str]) -> str | None:
    before = text[max(0, start - 25) : start]
    if re.search(r"(?:^|[\s—])$", before) and re.search(r"[.!?“\"]\s*$|^\s*$|\n\s*$", before):
        return None  # sentence-initial capital: not evidence of a name
    previous = re.findall(r"[\w’'.]+", before)
    if previous and previous[-1].rstrip(".") in _TITLES:
        return "PERSON"
    if previous and previous[-1] in ("in", "near", "from", "outside", "across", "around", "to"):
        return "GPE"  # "in Kitchener": an unknown place name after a place preposition
    return None


def _drop_overlaps(spans: list[Entity]) -> list[Entity]:
    out: list[Entity] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if out and span.start < out[-1].end:
            continue
        out.append(span)
    return out


# ----------------------------------------------------------------------------- numeric claims


def predict_numeric(text: str, lines: Sequence[Line]) -> list[NumericClaim]:
    """Claims in the content lines, and in the quantity lines inside the article that the line
    classifier left out (ingredient lists, table cells: claims by §7a, but short and unpunctuated).
    A bare number the page also uses as a name ('Boeing 737') is left out everywhere."""
    claims = [(line.start, c) for line, found in _numeric_lines(text, lines) for c in found]
    if any(_BARE_LONG.fullmatch(text, line_start + c.start, line_start + c.end) for line_start, c in claims):
        names = name_numbers(text)
        claims = [(at, c) for at, c in claims if text[at + c.start : at + c.end] not in names]
    return [
        NumericClaim(at + c.start, at + c.end, normalise_number(c.value), c.qualifier, c.unit, normalise_number(c.high))
        for at, c in claims
    ]


_BARE_LONG = re.compile(r"\d{3,5}")  # the only numbers name_numbers can return


def _numeric_lines(text: str, lines: Sequence[Line]) -> Iterator[tuple[Line, list[ParsedClaim]]]:
    """The content lines with their claims and, in page order among them, the quantity lines
    between two content lines."""
    ordered = sorted(lines, key=lambda ln: ln.start)
    for i, line in enumerate(ordered):
        yield line, find_claims(line.text)
        after = ordered[i + 1] if i + 1 < len(ordered) else None
        if after is not None and after.start - line.end > 2 and _DIGIT.search(text, line.end, after.start):
            yield from _quantity_lines(text, line.end, after.start)


_DIGIT = re.compile(r"[\d½¼¾⅓⅔⅛]")  # a quantity line holds a digit or a fraction


def _quantity_lines(text: str, start: int, end: int) -> Iterator[tuple[Line, list[ParsedClaim]]]:
    """Lines of text[start:end] (left out as boilerplate) that are ingredient or measurement lists,
    or table cells next to other cells (two lines away at most)."""
    gap = [Line(ln.index, start + ln.start, start + ln.end, ln.text, ln.number) for ln in split_lines(text[start:end])]
    found = [find_claims(ln.text) if _DIGIT.search(ln.text) else [] for ln in gap]
    kinds = [quantity_line(ln.text, claims) for ln, claims in zip(gap, found, strict=True)]
    for i, (line, claims, kind) in enumerate(zip(gap, found, kinds, strict=True)):
        near = kinds[max(0, i - 2) : i] + kinds[i + 1 : i + 3]
        if kind == "list" or (kind == "cell" and "cell" in near):
            yield line, claims


# ----------------------------------------------------------------------------- system


class RulesSystem:
    """Hand-written rules for all four layers; nothing to train."""

    name = "rules"
    version = "0.2.0"
    layers = ("entities", "numeric_claims", "quotes", "boilerplate")
    description = "capitalisation, gazetteers, a number parser, quotation patterns and line features"

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        return [self.predict_one(doc) for doc in documents]

    def predict_one(self, doc: Document) -> Document:
        text = doc.text or ""
        boilerplate, content = predict_boilerplate(text)
        return Document(
            id=doc.id,
            entities=find_entities(text, content),
            numeric_claims=predict_numeric(text, content),
            quotes=predict_quotes(text, content),
            boilerplate=boilerplate,
        ).sorted()
