"""The ``rules`` system: no learning, all four layers.

Boilerplate is decided first, line by line; entities, numeric claims and quotes are then
looked for only in the lines judged to be content, as the guidelines annotate them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from newslayers.baselines import gazetteers as gz
from newslayers.baselines.numbers import find_claims

from newslayers.lines import Line, split_lines
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span, normalise_number

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
    claims = []
    for line in lines:
        for c in find_claims(line.text):
            claims.append(
                NumericClaim(
                    line.start + c.start,
                    line.start + c.end,
                    normalise_number(c.value),
                    c.qualifier,
                    c.unit,
                    normalise_number(c.high),
                )
            )
    return claims


# ----------------------------------------------------------------------------- quotes

CUES = (
    "said|says|say|told|tells|added|adds|warned|warns|insisted|insists|argued|argues|explained|explains|noted|notes|"
    "wrote|writes|stated|states|claimed|claims|announced|announces|confirmed|confirms|acknowledged|admitted|recalled|"
    "predicted|suggested|urged|stressed|replied|asked|asks|maintained|conceded|cautioned|declared|promised|vowed|"
    "estimated|estimates|believes|believed|reported|reports|pointed out|told reporters|added later|continued|joked|"
    "explained|agreed|disagreed|countered|complained|concluded|observed|remarked|predicts|credited|described|called"
)
_NAME = r"(?:[A-Z][\w’'.-]+(?:\s(?:de|da|van|von|bin|al|el|la|le)?\s?[A-Z][\w’'.-]+){0,3})"
_SPEAKER = rf"(?:{_NAME}|[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Tt]he\s[\w-]+(?:\s[\w-]+)?)"
_OPENERS, _CLOSERS = '“"', '”"'
_AFTER = re.compile(rf"[,:]?\s*(?P<a>(?P<who>{_SPEAKER})\s(?P<cue>{CUES})\b|(?P<cue2>{CUES})\s(?P<who2>{_SPEAKER}))")
_BEFORE = re.compile(rf"(?P<who>{_SPEAKER})\s(?P<cue>{CUES})(?:\s[\w-]+){{0,3}}?[:,]?\s*$")
_INDIRECT = re.compile(
    rf"(?P<who>{_SPEAKER}),?\s(?P<cue>{CUES})(?:\s(?:on\s\w+day|reporters|journalists|in\sa\s(?:written\s)?statement|in\san\sinterview|\w+ly|overnight))?,?\s(?:that\s)?"
    rf"(?P<clause>(?:[^“”\"]|[“\"][^”\"]*[”\"])+?)(?=\.(?:\s|$)|[.,]?[”\"]?$)"
)
_ACCORDING = re.compile(r"(?P<cue>[Aa]ccording to)\s(?P<who>(?:the\s)?[\w’'.-]+(?:\s[\w’'.-]+){0,4}?)[,.]")


_QUOTE_MARK = re.compile(f"[{re.escape(_OPENERS + _CLOSERS)}]")


def _direct_quotes(text: str, lines: Sequence[Line]) -> Iterator[tuple[int, int]]:
    """Quoted stretches, continuing across paragraphs that reopen without closing."""
    open_at: int | None = None
    for line in lines:
        for mark in _QUOTE_MARK.finditer(text, line.start, line.end):  # other characters change nothing
            i, ch = mark.start(), mark.group()
            if open_at is None and ch in _OPENERS and (ch != '"' or i == line.start or not text[i - 1].isalnum()):
                open_at = i
            elif (
                open_at is not None
                and ch in _CLOSERS
                and i > open_at
                and (ch != '"' or i + 1 >= line.end or not text[i + 1].isalnum())
            ):
                yield open_at, i + 1
                open_at = None
            elif open_at is not None and ch == "“" and i == line.start:
                pass  # a continued quote reopens at the start of the next paragraph
        nxt = text[line.end : line.end + 4].lstrip()
        if open_at is not None and not nxt.startswith(("“", '"')):
            open_at = None


def _trim_speaker(text: str, start: int, end: int) -> Span:
    """Titles stay outside a speaker; 'the ministry' keeps its article, a name does not."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while len(words) > 1 and words[0].group().rstrip(".") in _TITLES:
        words = words[1:]
    start = start + words[0].start() if words else start
    start, end = _trim_run(text, start, end)
    if text.startswith(("the ", "The "), start) and text[start + 4 : start + 5].isupper():
        start += 4  # "the Vilnius Institute": a name's article stays outside, as in entities
    return Span(start, end)


_NAME_AT_END = re.compile(rf"{_NAME}$")


def _speaker(text: str, who_start: int, who_end: int, cue_start: int, line_start: int) -> Span:
    """The cue's subject; past an appositive ('Ouma, who leads the unit, said') it is the name before it."""
    if "," in text[who_end:cue_start]:
        comma = text.rfind(", ", line_start, who_start)
        segment = text[comma + 2 : cue_start] if comma >= 0 else ""
        if segment[:1].islower() or segment.startswith(("The ", "A ", "An ")):
            head = _NAME_AT_END.search(text, line_start, comma)
            if head:
                return _trim_speaker(text, head.start(), head.end())
    return _trim_speaker(text, who_start, who_end)


def _reported(text: str, lines: Sequence[Line]) -> list[Quote]:
    """Indirect and mixed quotes: 'X said (that) CLAUSE' and 'CLAUSE, according to X'."""
    quotes: list[Quote] = []
    for line in lines:
        for m in _INDIRECT.finditer(text, line.start, line.end):
            c_start, c_end = m.start("clause"), m.end("clause")
            clause = text[c_start:c_end].rstrip(" ,")
            c_end = c_start + len(clause)
            if _words(clause) < 4 or clause.startswith(("“", '"')):
                continue
            kind = "mixed" if re.search(r"[“\"]", clause) else "indirect"
            cue_end = m.start("cue") + len(m.group("cue").split()[0])
            quotes.append(
                Quote(
                    c_start,
                    c_end,
                    kind,
                    _speaker(text, m.start("who"), m.end("who"), m.start("cue"), line.start),
                    Span(m.start("cue"), cue_end),
                )
            )
        for m in _ACCORDING.finditer(text, line.start, line.end):
            sentence_start = max(text.rfind(". ", line.start, m.start()) + 2, line.start)
            clause = text[sentence_start : m.start()].rstrip(" ,")
            if _words(clause) >= 4 and not clause.startswith(("“", '"')):
                quotes.append(Quote(sentence_start, sentence_start + len(clause), "indirect",
                                    _trim_speaker(text, m.start("who"), m.end("who")), Span(m.start("cue"), m.end("cue"))))  # fmt: skip
    return quotes


def predict_quotes(text: str, lines: Sequence[Line]) -> list[Quote]:
    """Reported speech first; then quotation marks not already inside a reported clause."""
    quotes = _reported(text, lines)
    taken = [(q.start, q.end) for q in quotes]
    last_speaker: tuple[Span | None, Span | None] = (None, None)
    for start, end in _direct_quotes(text, lines):
        if end - start < 12 or any(s <= start and end <= e for s, e in taken):
            continue  # a scare-quoted word, or the quoted part of a mixed quote
        speaker = cue = None
        after = _AFTER.match(text, end, min(len(text), end + 80))
        line_start = text.rfind("\n", 0, start) + 1
        before = _BEFORE.search(text, line_start, start)
        if after:
            w = "who" if after.group("who") else "who2"
            c = "cue" if after.group("cue") else "cue2"
            speaker, cue = _trim_speaker(text, after.start(w), after.end(w)), Span(after.start(c), after.end(c))
        elif before:
            speaker, cue = (
                _trim_speaker(text, before.start("who"), before.end("who")),
                Span(before.start("cue"), before.end("cue")),
            )
        elif last_speaker[0] is not None and start - last_speaker[0].end < 200:
            speaker, cue = last_speaker
        if cue is not None and " " in text[cue.start : cue.end]:
            cue = Span(cue.start, cue.start + text[cue.start : cue.end].index(" "))
        last_speaker = (speaker, cue)
        quotes = [q for q in quotes if not (start <= q.start and q.end <= end)]
        quotes.append(Quote(start, end, "direct", speaker, cue))
    return sorted(quotes, key=lambda q: (q.start, q.end))


# ----------------------------------------------------------------------------- system


class RulesSystem:
    """Hand-written rules for all four layers; nothing to train."""

    name = "rules"
    version = "0.1.0"
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
