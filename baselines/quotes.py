"""Quotes for the ``rules`` system: direct, indirect and mixed speech with speaker and cue.

The guidelines (§4, §4a, §7a) define a quote through its cue: a verb or phrase of
communication whose subject is the speaker. So the rules read sentence by sentence: find the
cues outside quotation marks, find each cue's subject, and take what the cue reports — the
quoted words right before or after it (``direct``), the clause after it or before
``, X said`` (``indirect``), or such a clause with quoted words inside (``mixed``, which
swallows the quoted part). Quoted words that no cue reaches continue the speaker of the quote
before them, as news style writes ``“…,” she said. “…”``. Verbs of belief and perception are
not cues, and a short unattributed quote is a scare-quoted term, not speech. A signature line
under a quote (``— Name``, ``[Name]``) or a headline ``Name: “…”`` gives a speaker without a cue.

Everything is compiled regular expressions over the page text, run only inside the lines the
boilerplate rules judged to be content.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from newslayers.baselines import gazetteers as gz

from newslayers.lines import Line
from newslayers.model import Quote, Span

# ----------------------------------------------------------------------------- lexicon

# Verbs of communication (guidelines §4, §7a), by lemma. Forms are spelled out where English
# is irregular; the rest are inflected by _inflect.
_IRREGULAR = {
    "say": "say says said saying",
    "tell": "tell tells told telling",
    "write": "write writes wrote writing",
    "admit": "admit admits admitted admitting",
    "quip": "quip quips quipped quipping",
    "testify": "testify testifies testified testifying",
    "deny": "deny denies denied denying",
    "reply": "reply replies replied replying",
    "find": "find finds found",
}
_LEMMAS = (
    "add note tweet announce confirm warn insist argue explain claim state declare describe call accuse "
    "reject acknowledge reveal joke ask respond recall pledge promise vow urge suggest hint demand report cite "
    "estimate predict concede caution stress emphasise emphasize assert allege contend complain "
    "conclude remark continue counter repeat recommend threaten boast lament mention disclose assure "
    "exclaim wonder propose remember introduce"
).split()
# Base forms that are mostly imperatives or other words ("then add the juice", "exchange notes").
_NOT_FORMS = {"add", "note", "mention", "remember", "continue", "introduce", "recommend", "respond", "state", "states",
              "stress", "cite", "post", "claim", "report", "demand", "promise", "joke", "counter", "hint", "pledge",
              "vow", "boast", "lament", "remark", "repeat", "propose", "find", "ask", "call"}  # fmt: skip
# Cues that introduce a clause without "that" ("Prakash said the government could …").
_BARE_CLAUSE = set(
    "say tell add warn insist argue claim admit acknowledge predict suggest announce note concede explain "
    "declare confirm report write tweet reveal recall stress complain reply estimate hint vow pledge "
    "promise agree assert allege contend caution counter emphasise emphasize joke quip boast lament remark "
    "conclude testify wonder threaten assure respond state".split()
)
# Cues whose object is what they report ("accused X of …", "urged an end to …", §4a).
_OBJECT_CUES = set("deny accuse demand urge reject describe call cite introduce remember".split()) | {
    "call on",
    "call for",
}
# Cues that only report with quoted words in their complement (a mixed quote, §4a "called X “Y”").
_MIXED_ONLY = set("reject describe call cite introduce remember demand urge".split()) | {"call for"}
# Cues that take a person as object before the reported clause ("told reporters that …").
_TELL_LIKE = set("tell warn assure remind inform ask urge".split())
# Cues that are only cues right after quoted words or before a colon ("Menear continued.").
_ATTRIBUTION_ONLY = set("continue ask respond".split())
# "find" is a cue only for a document (§7a: a person who finds is perceiving, not saying).
_DOCUMENT_SUBJECT = re.compile(
    r"(?i)\b(?:study|survey|report|review|analysis|trial|research|poll|audit|investigation|inquiry|data|"
    r"figures|paper|census|assessment|index|tally|count)\b"
)


def _inflect(lemma: str) -> list[str]:
    if lemma in _IRREGULAR:
        return _IRREGULAR[lemma].split()
    if lemma.endswith("e"):
        return [lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing"]
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return [lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"]
    plural = lemma + ("es" if lemma.endswith(("s", "sh", "ch", "x", "z")) else "s")
    return [lemma, plural, lemma + "ed", lemma + "ing"]


_FORM_LEMMA: dict[str, str] = {}
for _lemma in [*_IRREGULAR, *_LEMMAS, "agree", "remind", "inform"]:
    for _form in _inflect(_lemma):
        _FORM_LEMMA.setdefault(_form, _lemma)
# Phrasal cues are cues as a whole (§4a: "called for", "called on").
_PHRASAL = {("point", "out"), ("weigh", "in"), ("chime", "in"), ("call", "on"), ("call", "for")}
for _lemma, _particle in _PHRASAL:
    for _form in _inflect(_lemma):
        _FORM_LEMMA[f"{_form} {_particle}"] = f"{_lemma} {_particle}"
_FORM_LEMMA["according to"] = "according"
_FORM_LEMMA["stated"] = "state"
for _form in _NOT_FORMS:
    _FORM_LEMMA.pop(_form, None)


def _trie_pattern(words: list[str]) -> str:
    """One regular expression for many words, shared prefixes factored out (Python's re does not)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(trie)


_CUE = re.compile(r"(?<![\w’'-])(?:" + _trie_pattern([*_FORM_LEMMA, "According to"]) + r")(?![\w’'-])")
# Base and plural forms double as nouns ("the report", "a warning", "notes of cinnamon").
_NOUNISH = set(
    "the a an its his her their our my your this that these those some any no every each several many new latest "
    "recent earlier official first last final further such of with and or per whose own public written joint".split()
)
# Not a cue after a modal, a degree word or a relative pronoun ("can say", "most telling", "who
# joked"), nor a past participle after "be" (a passive: "have been accused", "it is alleged").
_NOT_AFTER = set(
    "can could might may should must shall would will most more less very so too as who which whom that not "
    "cannot".split()
)
_BE = {"be", "been", "being", "is", "are", "was", "were", "am", "get", "got", "gets"}
_NOUN_FORMS = {
    f
    for lemma in ("report", "claim", "call", "note", "state", "estimate", "warn", "promise", "demand", "joke",
                  "tweet", "post", "remark", "comment", "reply", "answer", "statement", "cite", "stress",
                  "hint", "vow", "pledge", "boast", "lament", "insist", "repeat", "recall", "counter", "find")
    for f in _inflect(lemma)[:2]
} | {"warning", "findings", "calling"}  # fmt: skip

# ----------------------------------------------------------------------------- words and names

_TITLES = set(gz.TITLES) | {
    "CEO", "Cmdr", "Sgt", "Gen", "Lt", "Col", "Capt", "Supt", "Insp", "Det", "Rabbi", "Imam", "Chef", "Host",
    "Founder", "Co-founder", "Chairperson", "Head", "Leader", "Commander", "Spokesman", "Ombudsman",
    "Premier", "Pastor", "Sheikh", "Emir", "Senior", "Assistant", "Acting", "Former", "Interim", "Sir",
}  # fmt: skip
_CONNECT = r"(?:de|da|del|dos|du|van|von|der|den|bin|al|el|la|le|ibn|di|y)"
_CAPWORD = r"(?:[A-ZÀ-ÖØ-Þ][\w’'.&*-]*|[A-Z]{2,}[\w.]*|\d+[A-Z][\w]*)"
_NAME_RUN = rf"{_CAPWORD}(?:\s(?:{_CONNECT}\s)?{_CAPWORD})*"
_NAME_AT_END = re.compile(rf"(?:^|(?<=\s))(?P<name>{_NAME_RUN})$")
_NAME_ONLY = re.compile(rf"(?:(?:[a-z][\w-]*|the)\s){{0,4}}{_NAME_RUN}")
_WORD = re.compile(r"[^\s]+")
_SUBJECT_START = re.compile(
    r"(?:(?:he|she|they|it|we|i|you|there|this|these|those|the|a|an|his|her|its|their|our|my|your|some|many|"
    r"most|more|no|all|every|each|both|any|another|one|two|three|four|five|about|nearly|only|almost|around|"
    r"roughly|at least|none|several|few|much|such|what|how|why|if|whether|when)\b|[A-ZÀ-ÖØ-Þ0-9$€£“\"‘])"
)
_NOT_SUBJECT_START = re.compile(
    r"(?:(?:On|In|At|During|After|Before|While|As|To|From|By|For|With|Of|Over|Via|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|Yesterday|Today|Tonight|Earlier|Later|Last|This\s(?:week|month|year|"
    r"morning|afternoon|evening))\b)"
)
_TIME = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|tonight|overnight|earlier|later|"
    r"previously|recently|repeatedly|again|also|publicly|privately|separately|then|now|once|(?:last|this|earlier|late)"
    r"\s(?:week|month|year|morning|afternoon|evening|night|weekend|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)|(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)(?:\s\d{1,2})?)"
)
_ADVERBIALS = re.compile(
    rf"(?:(?:\s(?:on\s|in\s)?{_TIME}(?:\s(?:morning|afternoon|evening|night))?)"
    r"|(?:\s(?:in|on|during|at)\s(?:a|an|the|his|her|its|their)\s(?:[\w-]+\s){0,3}?(?:statement|interview|release|"
    r"post|tweet|letter|report|email|speech|briefing|video|message|filing|note|conference|call|paper|hearing|"
    r"meeting|session|podcast|broadcast|sermon|address))|(?:\s\w+ly\b)|(?:,\s(?:however|meanwhile|too|though),?))*"
)
_TELL_OBJECT = re.compile(
    rf"\s(?:me|us|him|her|them|you|reporters|journalists|lawmakers|legislators|officials|investigators|"
    rf"supporters|residents|viewers|listeners|readers|fans|police|colleagues|parliament|the\s[\w-]+(?:\s[\w-]+)?|"
    rf"[a-z]+s(?=\s(?:that|on|in|at|last|this|earlier)\b)|"
    rf"{_NAME_RUN})(?=[\s,:])"
)
_NOT_CLAUSE_START = re.compile(
    r"(?:in|on|at(?!\sleast)|to|for|of|with|by|from|during|after|before|about|over|into|while|when|as|goodbye|hello|so|"
    r"yes|no|nothing|something|anything|thanks|sorry|(?!only\b|early\b|roughly\b|nearly\b)[a-z]+ly)\b"
)
_GERUND_CUES = {"admit", "confess", "deny", "report", "recall"}
_GERUND = re.compile(r"[a-z]{2,}ing\b")
_FAR_THAT = re.compile(r"\s(?:that)\s")
_OBJECT_TO = re.compile(r"(?:[\w’'.-]+\s){1,6}to\s[a-z]+")
_THAT = re.compile(r",?\s(?:that)\s")
_COLON_AT_END = re.compile(r"[^.!?“”\"\n]{0,100}:\s*$")
_OPEN_AFTER = re.compile(r"[,:]?\s*(?=[“\"‘])")
_FIRST_WORD_PREP = re.compile(
    r"\s(?:in|on|at|to|for|during|after|before|with|from|over|via|earlier|last|this|outside|inside|under|amid)\b"
)
# A reported clause has a finite verb early on; "announced an order of 50 jets" has none.
_FINITE = re.compile(
    r"(?<!that\s)(?<!which\s)(?<!who\s)\b(?:is|are|was|were|has|have|had|will|would|can|could|should|may|might|"
    r"must|did|does|do|shall|[a-z]{3,}ed|[a-z]+n[’']t)\b|\b(?i:it|he|she|that|there|what|who|here|they|we|you|i)"
    r"[’'](?:s|re|ll|d|ve)\b"
)
# After a cue that reports the clause before it, only adverbials may follow ("…, Cook said while
# visiting"); anything else means the cue reports what follows or is no cue at all.
_TRAIL_TAIL = re.compile(
    r"\s*(?:$|[,.;:!?—–(]|(?:in|on|at|during|while|before|after|as|when|of|about|from|via|through|with|"
    r"last|this|earlier|later|to\s(?:reporters|journalists|the\s\w+|[A-Z]\w*)|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|yesterday|today|tonight|overnight|\w+ly)\b"
    r"|(?:the\s)?(?:court|jury|reporters|journalists|lawmakers|analysts|investors|parliament|[A-Z][\w.]*)(?=\s*[.,;]|$))"
)
_NOT_SPEAKER_WORD = re.compile(
    r"(?i)^(?:is|are|was|were|has|have|had|will|would|can|could|should|be|been|being|do|does|did|not|"
    r"[a-z]+n[’']t|[a-z]+[’'](?:re|ll|ve|d))$"
)
_SENTENCE_WORDS = set(gz.SENTENCE_WORDS) - {"He", "She", "It", "They", "Officials", "Police", "Residents"}
_DETERMINERS = {"The", "A", "An", "Its", "His", "Her", "Their", "Our", "One", "Some", "Many", "Most", "Several",
                "This", "That", "These", "Those", "Both", "Each", "Every", "Another", "Two", "Three"}  # fmt: skip
_FIRST_PERSON = {"I", "we", "We", "you", "You", "our", "Our", "my", "My", "your", "Your", "us", "me"}
_NOT_FIRST = {"and", "or", "but", "to", "of", "at", "in", "on", "for", "with", "by", "most", "more", "very", "as", "so",
              "that", "which", "who", "being", "than", "then", "also", "not", "And", "But", "Or", "So", "Then", "only",
              "perhaps", "Perhaps", "just", "even", "it’s", "it's", "It’s", "It's", "before", "after", "while",
              "when", "because", "if", "since", "until", "where", "what"}  # fmt: skip
_DANGLING = {"the", "a", "an", "and", "or", "but", "to", "of", "at", "in", "on", "for", "with", "by", "most",
             "more", "very", "as", "so", "that", "which", "who", "being", "than", "then", "also", "not", "no",
             "And", "But", "Or", "So", "Then", "only", "perhaps", "Perhaps", "just", "even", "it’s", "it's"}  # fmt: skip
_TRAILING_AUX = re.compile(
    r"(?:\s(?:has|have|had|also|later|further|previously|instead|then|again|already|now|just|would|will|could|"
    r"did|does|do|is|was|were|are|even|once|reportedly|repeatedly|recently|first|since|still|often|never|always|"
    rf"(?:in|on)\s{_TIME}|[a-z]+ly)|,\s(?:however|meanwhile|too|though|in turn|for (?:his|her|their|its) part),?|,)+$"
)
_LEADING_FUNCTION = re.compile(
    r"(?:(?:But|And|So|Yet|Still|Also|Then|Now|Meanwhile|However|Instead|Indeed|Separately|Later|Earlier|"
    r"Previously|Last\s\w+|On\s\w+day|Today|Yesterday|To that|In turn),?\s+)+"
)
# A name after one of these belongs to a longer noun phrase ("a survey by the Tallow Institute").
_PREPOSITIONS = {"of", "in", "for", "at", "from", "to", "on", "and", "with", "by", "&"}
_LEADING_LOWER = re.compile(r"(?:(?:and|but|so|yet|or|then|with|without|for|by|from|among|including|plus)\s+)+")
_SUBORDINATOR = re.compile(
    r".*\b(?:after|before|when|while|as|because|since|if|although|though|once|until|where|what|who|which|"
    r"whom|whereas|than|whether|and then)\s+(?=\S)"
)
_ADVERBIAL_START = re.compile(
    r"^(?:In|On|At|After|Before|While|When|Although|Though|As|Since|For|To|With|By|During|Despite|Following|"
    r"Hours|Days|Last|This|Earlier|Later|If|Because|Once|Until|Under|Over|From|Among|Amid|Without|Like|Unlike|"
    r"Unless|Speaking|Asked|Addressing|Writing|Responding|According|Through|Throughout|Within|Upon|Across)\b"
)
_STRONG_APPOSITIVE = re.compile(r"^(?:(?:who|which|whose|a|an|aged|now|then|formerly|also)\b|\d{1,3}$)")
_WEAK_APPOSITIVE = re.compile(r"^(?:the\s[a-z]|[a-z]|[A-Z][\w.]*(?:\s[A-Z][\w.]*)*[’']s\s[a-z])")
_VERBISH = re.compile(
    r"^(?:is|was|are|were|has|have|had|will|would|can|could|did|does|do|may|might|must|shall|should|gave|made|"
    r"took|got|went|came|became|[a-z]+ed)$"
)
# A dateline, a live blog's time stamp or a short label before the first sentence of a paragraph.
_DATELINE = re.compile(
    r"(?:(?:[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’. -]{2,}(?:,\s[A-Z][\w.]*(?:\s[\w.]+){0,3})*(?:\s?\([^)]{0,60}\))?"
    r"|\d{1,2}[:.]\d\d)\s*[—–-]+\s*)?(?:[A-Z][\w ]{0,20}:\s+(?=[A-Z“\"]))?"
)
_ABBREVIATIONS = {
    "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Gen", "Lt", "Col", "Sgt", "Cmdr", "Gov", "Sen", "Rep", "Prof",
    "No", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Jun", "Jul", "Inc", "Corp",
    "Co", "Ltd", "vs", "Mt", "Ft", "Capt", "Supt", "Det", "Rev", "approx", "est", "Ave", "Blvd", "Hon", "Rt",
}  # fmt: skip
_BOUNDARY = re.compile(r"(?<=[.!?…])(?P<close>[”\"’')\]]*)\s+(?=[“\"‘(\[]?[A-Z0-9À-ÖØ-Þ])")
_LAST_TOKEN = re.compile(r"(\S+)[.!?…]$")
_OPENERS = '“"‘'
_QUOTE_MARK = re.compile(r"[“”\"‘’]")
_ENDS_SENTENCE = re.compile(r"[.,?!…—–-][”\"’]$")  # "“Not one.”" is speech, "“green corridor”" is not
_CLOSES_SPEECH = re.compile(r"[,?!…—–-][”\"’]$")
_CUT_CLAUSE = re.compile(r",\s(?:according to)\b|;\s")
_LEAD_IN_END = re.compile(r":\s|\s[—–]\s")
_TRAILING_PAREN = re.compile(r"\s\([^()]{0,40}\)[.\s]*$")
_JOINED_CUE = re.compile(r"(?:,\s(?:and\s|but\s)?|\s(?:and|but)\s)(?:(?:also|then|later|further|again)\s)?$")
_REPORTS_NEXT = re.compile(r"(?:\s(?:that)\b|[,:]?\s*[“\"])")
_CLOSED_PARTIAL = re.compile(r"[,][”\"](?!\s(?:and|but|or)\b)(?=\s\S)")
_QUOTED_NAME = re.compile(r"[^“”\"]*[“\"][^“”\"]{1,30}[”\"][^“”\"]*")  # the "Pose" actor
_COORDINATED = re.compile(r"(?:\band|\bbut|\bthen|\bbefore|\bafter|\band\s(?:also|then|later))$")
_BEFORE_NEXT_CUE = re.compile(r"(?:,\s(?:and\s|but\s)?|\s(?:and|but)\s)(?=[^,]*$)")
_SIGNATURE = re.compile(
    rf"[ \t\u00a0]*\r?\n\s*(?:[—–-]\s*(?P<dash>{_NAME_RUN}|[\w*.’'-]+(?:\s[\w*.’'-]+){{0,3}})|\[(?P<bracket>{_NAME_RUN})\])"
    r"[ \t\u00a0]*(?=\r?\n|$)"
)
_NOT_SIGNATURES = {"Image", "Photo", "Photograph", "Video", "Advertisement", "Ad", "Related", "Source", "Watch",
                   "Read", "Getty", "AP", "Reuters", "Editor", "Update", "Note", "Sponsored", "Listen"}  # fmt: skip
_HEADLINE_SPEAKER = re.compile(rf"(?P<name>{_NAME_RUN}):\s*(?=[“\"‘])")
_TITLE_CASE = re.compile(
    r"[“\"‘](?:(?:[A-Z0-9][\w’'.:,!?-]*|of|the|a|an|and|in|on|at|to|for|with|from|by|or)\s?)+[”\"’]"
)
_PROSE = re.compile(r".{60,}[.!?…]$")


@dataclass
class _Direct:
    """A quoted stretch and the attribution found for it so far."""

    start: int
    end: int
    speaker: Span | None = None
    cue: Span | None = None
    attributed: bool = False
    swallowed: bool = False


# ----------------------------------------------------------------------------- quotation marks


def _opens(text: str, i: int, ch: str, line_start: int) -> bool:
    if ch == "“":
        return True
    before = text[i - 1] if i > line_start else " "
    return not before.isalnum() and (ch == '"' or before in " \t([—–-\u00a0")


def _closes(text: str, i: int, ch: str, line_end: int) -> bool:
    if ch == "”":
        return True
    after = text[i + 1] if i + 1 < line_end else " "
    return not after.isalnum()


_CLOSER_OF = {"“": '”"', '"': '"”', "‘": "’"}


def direct_spans(text: str, lines: Sequence[Line]) -> list[_Direct]:
    """Quoted stretches, outer quotes only, continuing across paragraphs that reopen without closing.

    Curly and straight double quotes open a quote; a curly single quote opens one only outside
    double quotes (it is otherwise a nested quote or an apostrophe). A curly quote still open at
    the end of a paragraph that the next paragraph does not reopen ends with its paragraph.
    """
    out: list[_Direct] = []
    open_at: int | None = None
    opener = ""
    for n, line in enumerate(lines):
        for mark in _QUOTE_MARK.finditer(text, line.start, line.end):
            i, ch = mark.start(), mark.group()
            if open_at is None:
                if ch in _OPENERS and _opens(text, i, ch, line.start):
                    open_at, opener = i, ch
            elif ch in _CLOSER_OF[opener] and i > open_at and _closes(text, i, ch, line.end):
                out.append(_Direct(open_at, i + 1))  # pages mix curly and straight marks
                open_at = None
        if open_at is None:
            continue
        following = lines[n + 1] if n + 1 < len(lines) else None
        if following is not None and text.startswith(opener, following.start) and opener != "‘":
            continue  # the quote continues in the next paragraph
        if opener == "“" and len(text[open_at : line.end].split()) >= 4:
            out.append(_Direct(open_at, line.end))
        open_at = None
    return out


# ----------------------------------------------------------------------------- sentences


def _sentences(text: str, line: Line, inside: _Inside) -> list[tuple[int, int]]:
    """Sentence bounds in a paragraph; never inside quoted words, never after an abbreviation."""
    bounds, start = [], line.start
    for b in _BOUNDARY.finditer(text, line.start, line.end):
        cut = b.start()
        token = _LAST_TOKEN.search(text, max(start, cut - 30), cut)
        word = token.group(1) if token else ""
        word = word.split(".")[-1] if "." in word else word
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isupper()) or inside.strictly(b.start()):
            continue
        bounds.append((start, b.end("close")))
        start = b.end()
    bounds.append((start, line.end))
    return bounds


class _Inside:
    """Which offsets lie inside quoted words (bisect over the sorted quote spans)."""

    def __init__(self, quotes: list[_Direct]) -> None:
        self.quotes = quotes
        self.starts = [q.start for q in quotes]
        self.ends = [q.end for q in quotes]

    def at(self, pos: int) -> _Direct | None:
        k = bisect.bisect_right(self.starts, pos) - 1
        if k >= 0 and pos < self.quotes[k].end:
            return self.quotes[k]
        return None

    def strictly(self, pos: int) -> bool:
        q = self.at(pos)
        return q is not None and q.start < pos < q.end - 1

    def starting_at(self, pos: int) -> _Direct | None:
        k = bisect.bisect_left(self.starts, pos)
        return self.quotes[k] if k < len(self.quotes) and self.quotes[k].start == pos else None

    def ending_before(self, pos: int, floor: int) -> _Direct | None:
        k = bisect.bisect_right(self.starts, pos) - 1
        while k >= 0 and self.quotes[k].end > pos:
            k -= 1
        return self.quotes[k] if k >= 0 and self.quotes[k].end >= floor else None

    def ending_in(self, start: int, end: int) -> list[_Direct]:
        lo, hi = bisect.bisect_left(self.ends, start), bisect.bisect_right(self.ends, end)
        return self.quotes[lo:hi]

    def within(self, start: int, end: int) -> list[_Direct]:
        lo, hi = bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)
        return [q for q in self.quotes[lo:hi] if q.end <= end]


# ----------------------------------------------------------------------------- speakers


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,\u00a0\t—–-:;":
        start += 1
    while end > start and text[end - 1] in " ,\u00a0\t—–-:;":
        end -= 1
    return start, end


def _trim_name(text: str, start: int, end: int) -> Span:
    """Titles stay outside a speaker, and so does a named organisation's article (§4, §4a)."""
    start, end = _strip_span(text, start, end)
    words = list(_WORD.finditer(text, start, end))
    titled = [k for k, w in enumerate(words[:-1]) if w.group().rstrip(".,") in _TITLES]
    if titled and all(w.group()[:1].isupper() for w in words[titled[-1] + 1 :]):
        words = words[titled[-1] + 1 :]
    if len(words) > 1 and words[0].group() in ("the", "The") and all(w.group()[:1].isupper() for w in words[1:]):
        words = words[1:]
    if not words:
        return Span(start, end)
    start, end = words[0].start(), words[-1].end()
    surface = text[start:end]
    for suffix in ("’s", "'s", "’", ".", ","):
        if surface.endswith(suffix) and len(surface) > len(suffix) + 1 and not surface.endswith(("Jr.", "Sr.", "Inc.")):
            end -= len(suffix)
            surface = surface[: -len(suffix)]
    return Span(start, end)


def _noun_phrase(text: str, start: int, end: int) -> Span | None:
    """The subject inside one comma segment: past any subordinate lead-in, a name without its title."""
    start, end = _strip_span(text, start, end)
    dateline = _DATELINE.match(text, start, end)
    start = dateline.end() if dateline else start
    segment = text[start:end]
    lead = _LEADING_FUNCTION.match(segment) or _LEADING_LOWER.match(segment)
    if lead:
        start += lead.end()
        segment = segment[lead.end() :]
    sub = _SUBORDINATOR.match(segment)
    if sub and sub.end() < len(segment):
        start += sub.end()
        segment = segment[sub.end() :]
    if not segment.strip():
        return None
    name = _NAME_AT_END.search(segment)
    if name and name.start() > 0 and not _PREPOSITIONS.intersection(segment[: name.start()].lower().split()):
        return _trim_name(text, start + name.start(), end)  # "NASA planetary scientist [Lucas Paganini]"
    words = segment.split()
    if len(words) > 14:
        return None
    return _trim_name(text, start, end)


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma-separated stretches of [start, end), left to right."""
    out, s = [], start
    for m in re.finditer(r",\s", text[start:end]):
        out.append((s, start + m.start()))
        s = start + m.end()
    out.append((s, end))
    return out


def _is_name(segment: str) -> bool:
    segment = segment.strip()
    return bool(segment) and _NAME_ONLY.fullmatch(segment) is not None and not _ADVERBIAL_START.match(segment)


def _leading_subject(text: str, start: int, end: int) -> Span | None:
    """The subject at the head of a clause: a leading name, or a short noun phrase before its verb."""
    dateline = _DATELINE.match(text, start, end)
    start = dateline.end() if dateline else start
    for s, e in _segments(text, start, end):
        seg = text[s:e]
        lead = _LEADING_FUNCTION.match(seg)
        s += lead.end() if lead else 0
        seg = text[s:e]
        if not seg.strip() or _ADVERBIAL_START.match(seg):
            continue
        words = list(_WORD.finditer(text, s, e))
        named = bool(words) and words[0].group()[:1].isupper() and words[0].group() not in _DETERMINERS
        taken: list[re.Match[str]] = []
        for w in words[:7]:
            token = w.group()
            if taken and (_VERBISH.match(token) or token in _FORM_LEMMA or (named and token[:1].islower())):
                break  # "Boudreau gave …", "The victim's mother testified …"
            taken.append(w)
        if taken:
            return _trim_name(text, taken[0].start(), taken[-1].end())
        return None
    return None


def _subject_before(text: str, start: int, cue_start: int) -> tuple[Span | None, int]:
    """The cue's subject in text[start:cue_start], and where that subject's stretch begins.

    Walks back over appositives (``Ouma, a lawyer for the family, said``) to the name they
    describe; an adverbial lead-in (``In a statement, the ministry said``) is passed over.
    """
    stretch = text[start:cue_start].rstrip()
    aux = _TRAILING_AUX.search(stretch)
    end = start + (aux.start() if aux else len(stretch))
    segments = [(s, e) for s, e in _segments(text, start, end) if text[s:e].strip()][-6:]
    kinds = [_segment_kind(text[s:e].strip()) for s, e in segments]
    chosen = None
    for k in range(len(segments) - 1, -1, -1):
        if kinds[k] == "name":
            # "Andrew, the brother of Charles, told": a name inside an appositive is not the subject
            chosen = k - 2 if k >= 2 and kinds[k - 1] != "other" and kinds[k - 2] == "name" else k
            break
        if kinds[k] == "other":
            break
    if chosen is None:
        # "Selvaraj, an analyst at the Council on Energy, Environment and Water, told": an appositive
        # with commas of its own still follows the name it describes
        chosen = next(
            (k - 1 for k in range(len(segments) - 1, 0, -1) if kinds[k] == "strong" and kinds[k - 1] == "name"), None
        )
    if chosen is None:
        chosen = next((k for k in range(len(segments) - 1, -1, -1) if kinds[k] != "strong"), len(segments) - 1)
    if not segments:
        return None, start
    s, e = segments[chosen]
    return _noun_phrase(text, s, e), s


def _segment_kind(seg: str) -> str:
    """name, strong (surely an appositive), weak (perhaps one) or other (a clause or a subject)."""
    if _is_name(seg) and not _SUBORDINATOR.match(seg):
        return "name"
    if _STRONG_APPOSITIVE.match(seg):
        return "strong"
    return "weak" if _WEAK_APPOSITIVE.match(seg) else "other"


def _plausible(text: str, span: Span | None) -> bool:
    """A speaker is a short noun phrase: no verb in it, not the writer, not a dangling word."""
    if span is None or span.end <= span.start:
        return False
    words = text[span.start : span.end].split()
    if not words or len(words) > 12 or words[0] in _FIRST_PERSON or words[0] in _NOT_FIRST or words[-1] in _DANGLING:
        return False
    if (words[-1].endswith("ing") and words[-1].islower()) or (len(words) == 1 and words[0] in _SENTENCE_WORDS):
        return False
    return not any(_NOT_SPEAKER_WORD.match(w) or (w.islower() and w in _FORM_LEMMA) for w in words)


def _subject_after(text: str, start: int, end: int) -> Span | None:
    """The subject of an inverted cue (``said Lena Moss, a fisher``): up to the first comma."""
    comma = text.find(",", start, end)
    stop = comma if comma >= 0 else end
    words = text[start:stop].split()
    if not words or len(words) > 10 or _QUOTE_MARK.search(text, start, stop):
        return None
    if not (words[0][:1].isupper() or words[0] in ("the", "a", "an", "one", "his", "her", "their", "its")):
        return None
    speaker = _trim_name(text, start, stop)
    return speaker if _plausible(text, speaker) else None


# ----------------------------------------------------------------------------- cues


@dataclass
class _Cue:
    start: int
    end: int
    lemma: str
    speaker: Span | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def _cue_in_context(before: list[str], form: str) -> bool:
    """Whether the one or two words before a cue word leave it a verb of saying."""
    if not before:
        return True
    last = before[-1]
    if last in _NOT_AFTER or last.endswith(("n’t", "n't", "’ll", "'ll")) or before == ["to", "be"]:
        return False  # "can say", "most telling", "who joked", "won't say"
    if form.split()[0] in _NOUN_FORMS and (last in _NOUNISH or last.endswith(("’s", "'s"))):
        return False  # "the report", "a warning", "the company's claims"
    if form.endswith("ing"):
        return True
    return not (last in _BE or (last.endswith("ly") and len(before) > 1 and before[0] in _BE))  # a passive


def _cues(text: str, start: int, end: int, inside: _Inside) -> list[_Cue]:
    found = []
    for m in _CUE.finditer(text, start, end):
        form = m.group()
        if inside.at(m.start()) is not None:
            continue
        if not _cue_in_context(text[max(start, m.start() - 30) : m.start()].lower().split()[-2:], form):
            continue
        lemma = _FORM_LEMMA.get(form.lower() if form.startswith("A") else form, "")
        cue_end = m.end() if " " not in form or lemma == "according" else m.start() + len(form.split()[0])
        if " " in lemma:
            cue_end = m.end()
        found.append(_Cue(m.start(), cue_end, lemma))
    return found


# ----------------------------------------------------------------------------- the reader


class _Reader:
    """One page: direct quotes found first, then every cue sentence by sentence."""

    def __init__(self, text: str, lines: Sequence[Line]) -> None:
        self.text = text
        self.lines = lines
        self.direct = direct_spans(text, lines)
        self.inside = _Inside(self.direct)
        self.found: list[Quote] = []
        self.cues = [cue for line in lines for cue in _cues(text, line.start, line.end, self.inside)]
        self.cue_starts = [cue.start for cue in self.cues]

    def _cues(self, start: int, end: int) -> list[_Cue]:
        """The page's cues that start in [start, end)."""
        lo, hi = bisect.bisect_left(self.cue_starts, start), bisect.bisect_left(self.cue_starts, end)
        return [cue for cue in self.cues[lo:hi] if cue.end <= end]

    # --- complements ------------------------------------------------------------------

    def _complement_start(self, cue: _Cue, sent_end: int) -> tuple[int, str] | None:
        """Where what the cue reports begins, and how it begins.

        'quote' (quoted words open right after the cue), 'that', 'bare' (a clause without
        "that"), 'object' (what an object cue reports: "denied having …") or 'object-to'
        ("urged parents to …", "telling them to …": the object is part of the report).
        """
        text, pos = self.text, cue.end
        adv = _ADVERBIALS.match(text, pos, sent_end)
        pos = adv.end() if adv else pos
        if cue.lemma in _TELL_LIKE:
            obj = _TELL_OBJECT.match(text, pos, sent_end)
            if obj and text.startswith(" to ", obj.end()) and pos + 1 < sent_end:
                return pos + 1, "object-to"  # "telling them to …": the object is part of what is reported
            if obj:
                pos = obj.end()
                adv = _ADVERBIALS.match(text, pos, sent_end)
                pos = adv.end() if adv else pos
        opening = _OPEN_AFTER.match(text, pos, sent_end)
        if opening and self.inside.starting_at(opening.end()):
            return opening.end(), "quote"
        colon = _COLON_AT_END.match(text, pos, sent_end)
        if colon and sent_end < len(text):
            # "… told a packed hearing:" and the quote opens the next paragraph
            following = _OPEN_AFTER.match(text, sent_end)
            if following and self.inside.starting_at(following.end()):
                return following.end(), "quote"
        that = _THAT.match(text, pos, sent_end)
        if that:
            return that.end(), "that"
        if cue.lemma in _GERUND_CUES and text.startswith(" to ", pos):
            pos += 3
        if _FIRST_WORD_PREP.match(text, pos, sent_end) or cue.lemma in _TELL_LIKE:
            far = _FAR_THAT.search(text, pos, min(sent_end, pos + 120))
            if far and not _QUOTE_MARK.search(text, pos, far.start()) and "," not in text[pos : far.start()]:
                return far.end(), "that"
        if text.startswith(" ", pos) and pos + 1 < sent_end:
            nxt = pos + 1
            if cue.lemma in ("urge", "demand") and _OBJECT_TO.match(text, nxt, sent_end):
                return nxt, "object-to"
            if cue.lemma in _GERUND_CUES and _GERUND.match(text, nxt, sent_end):
                return nxt, "object"  # "denied having …", "reported hearing …"
            if cue.lemma in _OBJECT_CUES and cue.lemma != "deny":
                if text.startswith("as ", nxt) and cue.lemma in ("describe", "call"):
                    nxt += 3  # "what Bergeron described as the …"
                return nxt, "object"
            if cue.lemma in _BARE_CLAUSE and self._starts_clause(cue, nxt, sent_end):
                return nxt, "bare"
        return None

    def _starts_clause(self, cue: _Cue, pos: int, sent_end: int) -> bool:
        """Whether a clause without "that" starts at pos: a subject, and a finite verb soon after."""
        text = self.text
        if _NOT_SUBJECT_START.match(text, pos) or _NOT_CLAUSE_START.match(text, pos):
            return False
        finite = _FINITE.search(text, pos, min(sent_end, pos + 90))
        if cue.lemma in ("say", "tell"):
            return True
        return bool(finite) and bool(_SUBJECT_START.match(text, pos) or text[pos : pos + 1].islower())

    def _complement_end(self, start: int, sent_end: int) -> int:
        """The clause ends at the sentence end, or where a new cue or a new clause begins (§4a)."""
        text = self.text
        end = sent_end
        cut = _CUT_CLAUSE.search(text, start, end)
        if cut and not self.inside.at(cut.start()):
            end = cut.start()
        for cue in self._cues(start, end):
            if cue.lemma == "according":
                end = cue.start
                break
            joined = _JOINED_CUE.search(text, start, cue.start)
            if joined and joined.start() > start:
                end = joined.start()  # "… and warned that", "…, adding": a new report by the same speaker
                break
            if _REPORTS_NEXT.match(text, cue.end, end):
                lead = _BEFORE_NEXT_CUE.search(text, start, cue.start)
                if lead and lead.start() > start:
                    end = lead.start()  # "…, and residents said that": a new speaker's report
                    break
        credit = _TRAILING_PAREN.search(text, start, end)
        if credit and not self.inside.at(credit.start()):
            end = credit.start()
        closed = _CLOSED_PARTIAL.search(text, start, end)
        if closed and self.inside.at(closed.start()) is not None:
            end = closed.start() + 2  # the speech ends with its quoted words ("… an “end of an era,” as …")
        while end > start and text[end - 1] in " ,;:.\u00a0":
            end -= 1
        if end > start and text[end - 1] in '”"’' and text[end - 2 : end - 1] in (".", ","):
            return end  # the full stop inside the closing mark belongs to the quote
        return end

    def _add_reported(self, start: int, end: int, speaker: Span | None, cue: _Cue, mixed_only: bool) -> bool:
        """An indirect or mixed quote over [start, end); a complement that is one quote is direct."""
        text = self.text
        start, end = _strip_span(text, start, end)
        while end > start and text[end - 1] in ".,;:" and text[end - 2 : end - 1] not in '”"’':
            end -= 1
        if end - start < 3:
            return False
        quoted = self.inside.within(start, end)
        partial = self.inside.at(start)
        if partial is not None and partial.end >= end - 1:
            if not partial.attributed:
                partial.speaker, partial.cue, partial.attributed = speaker, cue.span, True
            return True
        if not quoted and (mixed_only or len(text[start:end].split()) < 3):
            return False
        for q in quoted:
            q.swallowed = True
        kind = "mixed" if quoted else "indirect"
        self.found.append(_quote(start, end, kind, speaker, cue.span))
        return True

    # --- attribution -------------------------------------------------------------------

    def _after_quote(self, cue: _Cue, sent: tuple[int, int], quote: _Direct) -> bool:
        """``“…,” X said`` or ``“…,” said X``: the cue attributes the quote just before it."""
        text = self.text
        between = text[quote.end : cue.start]
        if len(between.split()) > 30 or "\n" in between or "\r" in between:
            return False
        if _QUOTE_MARK.search(between) and not _QUOTED_NAME.fullmatch(between):
            return False
        if self._cues(quote.end, cue.start):
            return False
        if between.strip(" ,\u00a0") == "":
            after = text[cue.end : sent[1]]
            speaker = _subject_after(text, cue.end + len(after) - len(after.lstrip()), sent[1])
            if speaker is None:
                return False
        else:
            if not between.startswith(",") and not _CLOSES_SPEECH.search(text[quote.start : quote.end]):
                return False
            speaker, _ = _subject_before(text, quote.end, cue.start)
            if not _plausible(text, speaker):
                return False
            lead = text[quote.end : speaker.start]
            if re.search(r"\b(?:and|but|while|as|because|which|that)\b", lead):
                return False
        cue.speaker = speaker
        head = max(sent[0], text.rfind("\n", 0, quote.start) + 1)
        lead_in = text[head : quote.start]
        dateline = _DATELINE.match(lead_in)
        lead_in = lead_in[dateline.end() :] if dateline else lead_in
        if lead_in.strip(" \u00a0") and quote.start >= sent[0] and not _HEADLINE_SPEAKER.search(lead_in):
            start = head + (dateline.end() if dateline else 0)
            lead = _LEADING_FUNCTION.match(text, start, quote.start)
            return self._add_reported(lead.end() if lead else start, quote.end, speaker, cue, False)
        if not quote.attributed:
            quote.speaker, quote.cue, quote.attributed = speaker, cue.span, True
        return True

    def _forward(self, cue: _Cue, sent: tuple[int, int], previous: _Cue | None) -> bool:
        """``X said (that) CLAUSE`` / ``X said: “…”``: the cue reports what follows it."""
        text = self.text
        found = self._complement_start(cue, sent[1])
        if found is None:
            return False
        start, how = found
        if cue.lemma in _ATTRIBUTION_ONLY and how != "quote":
            return False
        if cue.speaker is None:
            cue.speaker = self._speaker_of(cue, sent, previous)
        if not self._acceptable(cue):
            return False
        quote = self.inside.starting_at(start) if how == "quote" else None
        if quote is not None:
            if not quote.attributed:
                quote.speaker, quote.cue, quote.attributed = cue.speaker, cue.span, True
            rest = text[quote.end : sent[1]].strip(" .,\u00a0")
            if not rest[:1].isalpha():
                return True  # "X said: “…”" — the quote is all the cue reports
        end = self._complement_end(start, sent[1])
        return self._add_reported(start, end, cue.speaker, cue, cue.lemma in _MIXED_ONLY and how != "object-to")

    def _acceptable(self, cue: _Cue) -> bool:
        """A cue with a plausible speaker; "find" only when a document finds (§7a)."""
        if not _plausible(self.text, cue.speaker):
            return False
        assert cue.speaker is not None
        return cue.lemma != "find" or bool(_DOCUMENT_SUBJECT.search(self.text, cue.speaker.start, cue.speaker.end))

    def _speaker_of(self, cue: _Cue, sent: tuple[int, int], previous: _Cue | None) -> Span | None:
        text = self.text
        stretch_start = sent[0]
        last_quote = self.inside.ending_before(cue.start, sent[0])
        if last_quote is not None:
            stretch_start = last_quote.end
        before = text[stretch_start : cue.start]
        trimmed = before.rstrip(" \u00a0")
        participle = cue.lemma and text[cue.start : cue.end].endswith("ing")
        coordinated = _COORDINATED.search(trimmed)
        if (participle and (trimmed.endswith(",") or not trimmed)) or coordinated:
            if previous is not None and previous.speaker is not None:
                return previous.speaker
            return _leading_subject(text, sent[0], cue.start)
        if trimmed.endswith(" to"):
            return _leading_subject(text, sent[0], cue.start)
        speaker, _ = _subject_before(text, stretch_start, cue.start)
        return speaker

    def _trailing(self, cue: _Cue, sent: tuple[int, int]) -> bool:
        """``CLAUSE, X said.`` / ``CLAUSE, said X.``: the cue reports the clause before it."""
        text = self.text
        if cue.lemma == "according":
            return self._according(cue, sent)
        if not _TRAIL_TAIL.match(text, cue.end, sent[1]):
            return False
        before = text[sent[0] : cue.start]
        if before.rstrip(" \u00a0").endswith(","):  # ", said X"
            speaker = _subject_after(text, cue.end + 1, sent[1])
            clause_end = sent[0] + len(before.rstrip(" \u00a0")) - 1
        else:
            speaker, subject_start = _subject_before(text, sent[0], cue.start)
            if speaker is None or subject_start <= sent[0]:
                return False
            clause_end = text.rfind(",", sent[0], subject_start)
            if clause_end < 0:
                return False
        cue.speaker = speaker
        if not self._acceptable(cue):
            return False
        start = self._clause_start(sent[0], clause_end)
        if len(text[start:clause_end].split()) < 3:
            return False
        return self._add_reported(start, clause_end, speaker, cue, False)

    def _clause_start(self, start: int, end: int) -> int:
        """Where a clause reported by a cue after it begins: past a dateline, a leading "But",
        and a lead-in that a colon or a dash closes ("… news on the film: X is in talks, according to …").
        """
        text = self.text
        dateline = _DATELINE.match(text, start, end)
        start = dateline.end() if dateline else start
        for lead_in in _LEAD_IN_END.finditer(text, start, end):
            if not self.inside.at(lead_in.start()) and len(text[lead_in.end() : end].split()) >= 4:
                start = lead_in.end()
        lead = _LEADING_FUNCTION.match(text, start, end)
        return lead.end() if lead else start

    def _according(self, cue: _Cue, sent: tuple[int, int]) -> bool:
        text = self.text
        comma = text.find(",", cue.end, sent[1])
        if text[sent[0] : cue.start].strip() == "" and comma > 0:  # According to X, CLAUSE.
            speaker = _trim_name(text, cue.end, comma)
            return self._add_reported(comma + 1, self._complement_end(comma + 1, sent[1]), speaker, cue, False)
        stop = comma if comma > 0 else sent[1]
        speaker = _trim_name(text, cue.end, stop)
        start = self._clause_start(sent[0], cue.start)
        if len(text[start : cue.start].split()) < 3:
            return False
        return self._add_reported(start, cue.start, speaker, cue, False)

    # --- the page ----------------------------------------------------------------------

    def read(self) -> list[Quote]:
        """Every quote of the page's content lines."""
        text = self.text
        for line in self.lines:
            if self._cues(line.start, line.end):  # most paragraphs report nothing
                for sent in _sentences(text, line, self.inside):
                    self._sentence(sent)
            self._signed_or_headed(line)
        _continue_attribution(text, self.direct)
        quotes = list(self.found)
        for q in self.direct:
            if q.swallowed:
                continue
            if not q.attributed and (
                len(text[q.start : q.end].split()) < 4 or _TITLE_CASE.fullmatch(text, q.start, q.end)
            ):
                continue  # a scare-quoted term or a title, not speech (§7a)
            quotes.append(_quote(q.start, q.end, "direct", q.speaker, q.cue))
        return _drop_nested(quotes)

    def _sentence(self, sent: tuple[int, int]) -> None:
        previous: _Cue | None = None
        for cue in self._cues(sent[0], sent[1]):
            quote = self._speech_before(cue.start, max(0, sent[0] - 3))
            done = (
                (quote is not None and cue.lemma != "according" and self._after_quote(cue, sent, quote))
                or self._forward(cue, sent, previous)
                or (cue.lemma not in _MIXED_ONLY and self._trailing(cue, sent))
            )
            if done:
                previous = cue

    def _speech_before(self, pos: int, floor: int) -> _Direct | None:
        """The quote an attribution at pos may close: past quoted names (the "Pose" actor)."""
        nearest = quote = self.inside.ending_before(pos, floor)
        for _ in range(3):
            if quote is None:
                break
            if _CLOSES_SPEECH.search(self.text, quote.start, quote.end) or self.text.startswith(",", quote.end):
                return quote
            quote = self.inside.ending_before(quote.start, floor)
        return nearest

    def _signed_or_headed(self, line: Line) -> None:
        """Quotes with a speaker and no cue (§7a): a signature line under them, or ``Name: “…”``.

        A paragraph of prose signed by a line ``— Name`` or ``[Name]`` (a review quoted in a
        round-up) is a quote even without quotation marks; like reported speech, it ends
        before its final full stop.
        """
        text = self.text
        signature = _SIGNATURE.match(text, line.end)
        group = ("dash" if signature.group("dash") else "bracket") if signature else ""
        name = None
        if signature and signature.group(group).split()[0] not in _NOT_SIGNATURES:
            name = _trim_name(text, signature.start(group), signature.end(group))
        for q in self.inside.ending_in(line.start, line.end):
            if q.attributed:
                continue
            head = _HEADLINE_SPEAKER.match(text, line.start, q.start + 1)
            if name is not None and q.end >= line.end - 1:
                q.speaker, q.attributed = name, True
            elif head:
                q.speaker, q.attributed = _trim_name(text, head.start("name"), head.end("name")), True
        if group == "bracket" and name is not None and not _QUOTE_MARK.match(text, line.start) and _is_prose(line.text):
            end = line.end - 1 if text[line.end - 1] == "." else line.end
            self.found.append(_quote(line.start, end, "direct", name, None))


def _continue_attribution(text: str, quotes: list[_Direct]) -> None:
    """A quote without attribution of its own continues the quote before it (§4), if close by."""
    last: _Direct | None = None
    for q in quotes:
        if q.swallowed:
            continue
        if q.attributed:
            last = q
            continue
        speech = len(text[q.start : q.end].split()) >= 4 or _ENDS_SENTENCE.search(text, q.start, q.end)
        if speech and last is not None and last.speaker is not None and q.start - last.end < 400:
            gap = text[last.end : q.start]
            breaks = gap.count("\n")
            starts_line = q.start == text.rfind("\n", 0, q.start) + 1
            if breaks == 0 or (starts_line and (breaks == 1 or (breaks == 2 and len(gap) < 80))):
                q.speaker, q.cue, q.attributed = last.speaker, last.cue, True
                last = q


def _quote(start: int, end: int, kind: str, speaker: Span | None, cue: Span | None) -> Quote:
    """A quote whose links are real spans (an empty speaker is no speaker)."""
    speaker = speaker if speaker is not None and speaker.end > speaker.start else None
    cue = cue if cue is not None and cue.end > cue.start else None
    return Quote(start, end, kind, speaker, cue)


def _drop_nested(quotes: list[Quote]) -> list[Quote]:
    """One quote per stretch of text: the outer one wins (§4 nested quotes)."""
    out: list[Quote] = []
    for q in sorted(quotes, key=lambda q: (q.start, -(q.end - q.start))):
        if out and q.start < out[-1].end:
            continue
        out.append(q)
    return out


def _is_prose(line: str) -> bool:
    return len(line.split()) >= 12 and _PROSE.match(line) is not None


def predict_quotes(text: str, lines: Sequence[Line]) -> list[Quote]:
    """Direct, indirect and mixed quotes in the content lines, with speaker and cue."""
    return _Reader(text, lines).read()
