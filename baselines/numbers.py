"""A real number parser for news text: finds quantity expressions and normalises them.

It reads digits with separators and decimals, number words (``eleven``, ``two dozen``,
``a dozen``, ``1.2 million``, ``three-year-old``), fractions, currencies and magnitudes
(``$4.2bn``, ``€300m``), percentages, ranges and the qualifiers news uses, and leaves out
dates, times, ordinals and numbers inside names (``G7``, ``Boeing 737``, ``Route 9``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALE_WORDS = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
MAGNITUDE_SUFFIX = {
    "k": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "bn": 1_000_000_000,
    "b": 1_000_000_000,
    "tn": 1_000_000_000_000,
}
FRACTIONS = {"half": 0.5, "a half": 0.5, "one-third": 1 / 3, "two-thirds": 2 / 3, "one-quarter": 0.25, "three-quarters": 0.75,
             "a third": 1 / 3, "a quarter": 0.25, "one-fifth": 0.2, "two-fifths": 0.4}  # fmt: skip
CURRENCY_SYMBOLS = {
    "$": "usd",
    "US$": "usd",
    "A$": "aud",
    "C$": "cad",
    "NZ$": "nzd",
    "€": "eur",
    "£": "gbp",
    "¥": "jpy",
    "₹": "inr",
    "R$": "brl",
    "J$": "jmd",
    "HK$": "hkd",
    "S$": "sgd",
    "NT$": "twd",
    "₦": "ngn",
    "₩": "krw",
    "₱": "php",
    "F$": "fjd",
    "KSh": "kes",
}
ISO_CURRENCIES = """AED AUD BDT BGN BRL CAD CHF CLP CNY COP CZK DKK EGP ETB EUR GBP GHS HKD HUF IDR ILS INR ISK JMD JPY KES KRW
LKR MAD MXN MYR NGN NOK NPR NZD PEN PHP PKR PLN QAR RON RUB SAR SEK SGD THB TRY TWD TZS UAH UGX USD VND ZAR ZMW""".split()
CURRENCY_WORDS = {
    "dollars": "usd", "dollar": "usd", "euros": "eur", "euro": "eur", "pounds": "gbp", "pound": "gbp", "yen": "jpy",
    "rupees": "inr", "shillings": None, "francs": "chf", "kronor": "sek", "kroner": "nok", "zloty": "pln", "rand": "zar",
    "pesos": None, "naira": "ngn", "yuan": "cny", "won": "krw", "reais": "brl", "lira": "try", "hryvnias": "uah",
    "zlotys": "pln", "rupiah": "idr", "dong": "vnd", "leva": "bgn", "lev": "bgn", "dinars": None, "dirhams": None,
    "ringgit": "myr", "baht": "thb", "taka": "bdt", "cedis": "ghs", "birr": "etb", "krona": "isk", "kronur": "isk",
    "forint": "huf", "lei": "ron", "hryvnia": "uah", "rupee": "inr", "riyals": None, "soles": "pen",
}  # fmt: skip
UNIT_WORDS = {
    "per cent": "percent", "percent": "percent", "%": "percent", "percentage points": "percentage_point",
    "percentage point": "percentage_point", "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km",
    "miles": "mile", "mile": "mile", "metres": "m", "meters": "m", "metre": "m", "cm": "cm", "mm": "mm",
    "millimetres": "mm", "kg": "kg", "kilograms": "kg", "kilos": "kg", "tonnes": "tonne", "tons": "tonne",
    "tonne": "tonne", "litres": "litre", "liters": "litre", "years": "year", "year": "year", "months": "month",
    "month": "month", "weeks": "week", "week": "week", "days": "day", "day": "day", "hours": "hour", "hour": "hour",
    "minutes": "minute", "minute": "minute", "seconds": "second", "degrees": "celsius", "°C": "celsius", "mw": "mw",
    "megawatts": "mw", "gw": "gw", "gigawatts": "gw", "points": "point", "goals": "goal", "hectares": "hectare",
    "centimetres": "cm", "centimeters": "cm", "centimetre": "cm", "grams": "g", "gram": "g", "kilovolts": "kv",
    "square metres": "m2", "square meters": "m2", "square kilometres": "km2", "square kilometers": "km2",
    "square miles": "sq_mile", "lux": "lux",
    "times": "times", "inches": "inch", "inch": "inch", "degrees celsius": "celsius", "degrees fahrenheit": "fahrenheit",
    "km/h": "kmh", "kph": "kmh", "mph": "mph", "C": "celsius", "c": "celsius", "°c": "celsius",
}  # fmt: skip
QUALIFIER_WORDS = [
    ("more than", "more_than"), ("over", "more_than"), ("above", "more_than"), ("upwards of", "more_than"),
    ("in excess of", "more_than"), ("at least", "at_least"), ("no fewer than", "at_least"), ("a minimum of", "at_least"),
    ("at most", "at_most"), ("up to", "at_most"), ("no more than", "at_most"), ("a maximum of", "at_most"),
    ("less than", "less_than"), ("fewer than", "less_than"), ("under", "less_than"), ("below", "less_than"),
    ("nearly", "approximate"), ("almost", "approximate"), ("about", "approximate"), ("around", "approximate"),
    ("roughly", "approximate"), ("some", "approximate"), ("approximately", "approximate"), ("an estimated", "approximate"),
    ("close to", "approximate"), ("just over", "more_than"), ("just under", "less_than"), ("well over", "more_than"),
    ("within", "at_most"), ("as many as", "at_most"), ("as much as", "at_most"), ("as few as", "at_least"),
]  # fmt: skip
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"

_word_number = "|".join(sorted([*UNITS_WORDS, *TENS_WORDS], key=len, reverse=True))
_WORDNUM = rf"(?:a\sdozen|(?:{_word_number})\sdozen|dozens|(?:{_word_number})(?:[-\s](?:{_word_number}))?(?:\s(?:hundred|thousand|million|billion|trillion))*)"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:\s?(?:million|billion|trillion|thousand|bn|mn|m|k|tn|b)\b)"
_CURRENCY_PREFIX = r"(?:US\$|A\$|C\$|NZ\$|R\$|J\$|HK\$|S\$|NT\$|F\$|KSh\s?|\$|€|£|¥|₹|₦|₩|₱)"
_fraction_words = "|".join(sorted((re.escape(f) for f in FRACTIONS), key=len, reverse=True))
_qualifier_words = "|".join(sorted((re.escape(q) for q, _ in QUALIFIER_WORDS), key=len, reverse=True))
_unit_words = "|".join(sorted((re.escape(u) for u in UNIT_WORDS if u != "%"), key=len, reverse=True))
_currency_words = "|".join(sorted(CURRENCY_WORDS, key=len, reverse=True))

_ISO_PREFIX = rf"(?-i:(?:{'|'.join(ISO_CURRENCIES)})\s)"
_NUMBER = rf"(?:{_CURRENCY_PREFIX}\s?|{_ISO_PREFIX})?(?:{_DIGITS}|{_WORDNUM}){_SCALE}?"
_DIGIT_NUMBER = rf"(?:{_CURRENCY_PREFIX}\s?|{_ISO_PREFIX})?(?:{_DIGITS}){_SCALE}?"
_COMPOUND_UNITS = {"seat": "count", "member": "count", "page": "count", "storey": "count", "story": "count", "room": "count",
                   "bed": "count", "year": "year", "month": "month", "week": "week", "day": "day", "hour": "hour",
                   "minute": "minute", "km": "km", "kilometre": "km", "mile": "mile", "metre": "m", "point": "point"}  # fmt: skip
MULTIPLES = {"twice": (2, "count"), "doubled": (2, "times"), "tripled": (3, "times"), "quadrupled": (4, "times")}
_RANGE_WORD = rf"(?:{_word_number})(?:-(?:{_word_number}))?"
CLAIM = re.compile(
    rf"""(?ix)
    (?<![\w.,/:-])
    (?P<qual>(?:{_qualifier_words})\s)?
    (?:
      (?P<between>between\s)(?P<low>{_NUMBER})(?:\s?%|C\b)?\s(?:and)\s(?P<high>{_NUMBER})
     |(?P<low2>{_DIGIT_NUMBER})(?:\s?%)?\s?(?:-|–|to)\s?(?P<high2>{_DIGIT_NUMBER})(?=\s?(?:%|per\scent|percent|{_unit_words}|{_currency_words})\b|\s?%|\s[a-z])
     |(?P<low3>{_RANGE_WORD})\sto\s(?P<high3>{_RANGE_WORD})(?=\s(?:{_unit_words}|{_currency_words})\b)
     |(?P<ratio>(?P<part>{_RANGE_WORD}|\d{{1,3}})\sin\s(?P<whole>{_RANGE_WORD}|\d{{1,3}}(?:,\d{{3}})*))(?![\w,.-])
     |(?P<decades>(?:a|{_RANGE_WORD}|\d+)\sdecades?)\b
     |(?P<multiple>{"|".join(MULTIPLES)})\b
     |(?P<frac>{_fraction_words})(?=\sof\b)
     |(?P<num>{_NUMBER})
    )
    (?P<age>-(?:year|month|week|day|hour|minute)s?-old)?
    (?P<compound>-(?:{"|".join(_COMPOUND_UNITS)})(?![\w-]))?
    (?P<unit>\s?%|\s?(?:km/h|°C|C\b)|\s(?:{_unit_words})\b|\s(?:{_currency_words})\b)?
    (?![\w])
    """
)
# Every claim holds a digit or a number word, at most _REACH characters after the claim's start
# (a qualifier, "between", a currency): claims are looked for only just before such anchors.
_ANCHOR_WORDS = sorted(
    [*UNITS_WORDS, *TENS_WORDS, *MULTIPLES, "dozen", "half", "third", "quarter", "fifth", "decade"],
    key=len,
    reverse=True,
)
_ANCHOR_FIRST = "".join(sorted({w[0] for w in _ANCHOR_WORDS} | {w[0].upper() for w in _ANCHOR_WORDS}))
_ANCHOR = re.compile(rf"\d|(?=[{_ANCHOR_FIRST}])(?<![^\W\d_])(?i:{'|'.join(_ANCHOR_WORDS)})")
_REACH = max(len(q) for q, _ in QUALIFIER_WORDS) + 1 + len("between ") + len("NZ$ ") + len("a ") + 8
_NOT_BEFORE = frozenset("_.,/:-")  # with letters and digits: what CLAIM's look-behind refuses
_NUMBER_WITH_SCALE = re.compile(rf"^({_DIGITS})\s?([a-zA-Z]+)?$")
_SCORELINE = re.compile(r"(?i)\s(?:win|defeat|victory|loss|draw|lead|scoreline)")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_DAY = re.compile(r"\d{1,2}")
_MONTH_AFTER = re.compile(rf"\s(?:{MONTHS})\b")
_NAME_BEFORE = re.compile(r"[A-Z][\w]*\s?$")
_BARE_DIGITS = re.compile(r"\d[\d.,]*")
_ONE_AFTER = re.compile(r"(?i)\s(?:of|another|day|way|side|thing)\b|[.,!?”\"]")
_ONE_BEFORE = re.compile(r"(?i)\b(?:no|every|any|the)\s$")
_DATE_CONTEXT = re.compile(
    rf"(?i)\b(?:{MONTHS})\.?\s*$|\bno\.\s*$|#\s*$|^\s*(?:{MONTHS})\b|\bin\s*$|\bsince\s*$|\bby\s*$|\bfrom\s*$"
)
_ORDINAL = re.compile(r"(?i)^\d+(?:st|nd|rd|th)\b")
_TIME_AFTER = re.compile(
    r"(?i)(?::\d\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|BST|CET|hours\b)|\so['’]clock\b|\spast\s|\sat\snight\b"
    r"|\sin\sthe\s(?:morning|evening|afternoon)\b)"
)


@dataclass(frozen=True, slots=True)
class ParsedClaim:
    start: int
    end: int
    value: float | None
    qualifier: str
    unit: str | None
    high: float | None = None


def word_number(text: str) -> float | None:
    """'twenty-five' -> 25, 'two dozen' -> 24, 'three hundred thousand' -> 300000."""
    words = text.lower().replace("-", " ").split()
    if not words:
        return None
    if words == ["a", "dozen"]:
        return 12
    if words == ["dozens"]:
        return None
    total, current = 0.0, 0.0
    for word in words:
        if word in UNITS_WORDS:
            current += UNITS_WORDS[word]
        elif word in TENS_WORDS:
            current += TENS_WORDS[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in SCALE_WORDS:
            total += (current or 1) * SCALE_WORDS[word]
            current = 0
        else:
            return None
    return total + current


def parse_number(text: str) -> tuple[float | None, str | None]:
    """A number expression (maybe with currency and magnitude) -> (value, currency unit)."""
    raw = text.strip()
    unit = None
    for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
        if raw.startswith(symbol):
            unit, raw = CURRENCY_SYMBOLS[symbol], raw[len(symbol) :].strip()
            break
    if raw[:3] in ISO_CURRENCIES and raw[3:4] == " ":
        unit, raw = raw[:3].lower(), raw[4:]
    match = _NUMBER_WITH_SCALE.match(raw)
    if match:
        value = float(match.group(1).replace(",", ""))
        scale = (match.group(2) or "").lower()
        if scale in SCALE_WORDS:
            value *= SCALE_WORDS[scale]
        elif scale in MAGNITUDE_SUFFIX:
            value *= MAGNITUDE_SUFFIX[scale]
        elif scale:
            return None, unit
        return value, unit
    return word_number(raw), unit


def _qualifier(word: str | None) -> str:
    if not word:
        return "exact"
    key = " ".join(word.lower().split())
    return next(q for w, q in QUALIFIER_WORDS if w == key)


def _unit(m: re.Match[str], currency: str | None) -> str | None:
    if m.group("age"):
        return re.sub(r"s$", "", m.group("age").split("-")[1])
    if m.group("compound"):
        return _COMPOUND_UNITS[m.group("compound")[1:]]
    raw = (m.group("unit") or "").strip().lower()
    if raw in ("%",):
        return "percent"
    if raw in CURRENCY_WORDS:
        return CURRENCY_WORDS[raw] or raw
    if raw:
        return UNIT_WORDS.get(raw, raw)
    return currency or "count"


def _is_excluded(text: str, m: re.Match[str]) -> bool:
    start, end = m.start(), m.end()
    before, after = text[max(0, start - 12) : start], text[end : end + 8]
    core = m.group(0).strip()
    if _ORDINAL.match(text[start:]) or _TIME_AFTER.match(text, end):
        return True
    if m.group("low2") and _SCORELINE.match(after):
        return True  # a scoreline
    if m.group("multiple") and m.group("multiple").lower() != "twice" and not m.group("qual"):
        return True  # "prices doubled" tells a change; "more than doubled" states a quantity
    if (
        m.group("decades")
        and m.group("decades").lower().startswith("a ")
        and (m.group("qual") or "over").strip().lower() == "over"
    ):
        return True  # "over a decade" after a sum is a stretch of time; "more than a decade" a quantity
    if _YEAR.fullmatch(core) and not m.group("unit"):
        return True  # a year
    if _DAY.fullmatch(core) and (_DATE_CONTEXT.search(before) or _MONTH_AFTER.match(text, end)):
        return True  # a day of the month
    if _NAME_BEFORE.search(before) and _BARE_DIGITS.fullmatch(core) and not before.rstrip().endswith(","):
        return True  # inside a name: Route 9, Boeing 737, Model 3
    if core.lower() == "one" and not m.group("qual") and not m.group("unit"):
        return bool(_ONE_AFTER.match(after)) or bool(_ONE_BEFORE.search(before))
    return False


def claim_matches(text: str) -> Iterator[re.Match[str]]:
    """Exactly the matches of ``CLAIM.finditer(text)``, found by trying CLAIM only near anchors.

    finditer tries the long pattern at every character; a match must start within _REACH
    characters before its first anchor and where CLAIM's look-behind allows, so trying those
    positions (each once, left to right) finds the same leftmost matches in a fraction of the time.
    """
    pos = tried = 0
    for anchor in _ANCHOR.finditer(text):
        at = anchor.start()
        if at < pos:
            continue
        for start in range(max(pos, tried, at - _REACH), at + 1):
            if text[start].isspace() or (start and (text[start - 1].isalnum() or text[start - 1] in _NOT_BEFORE)):
                continue  # CLAIM starts with no space, and its look-behind refuses these
            m = CLAIM.match(text, start)
            if m:
                yield m
                pos = m.end()
                break
        tried = at + 1


def _values(m: re.Match[str]) -> tuple[float | None, str | None, float | None, str | None]:
    """(value, currency, high, fixed unit) of one match, by the alternative that matched."""
    if m.group("between") or m.group("low2") or m.group("low3"):
        value, currency = parse_number(m.group("low") or m.group("low2") or m.group("low3"))
        high, currency_high = parse_number(m.group("high") or m.group("high2") or m.group("high3"))
        return value, currency or currency_high, high, None
    if m.group("ratio"):
        part, whole = parse_number(m.group("part"))[0], parse_number(m.group("whole"))[0]
        return (round(part / whole, 4) if part is not None and whole else None), None, None, "ratio"
    if m.group("decades"):
        count = m.group("decades").split()[0]
        tens = 1.0 if count.lower() == "a" else parse_number(count)[0]
        return (tens * 10 if tens is not None else None), None, None, "year"
    if m.group("multiple"):
        value, unit = MULTIPLES[m.group("multiple").lower()]
        return float(value), None, None, unit
    if m.group("frac"):
        return round(FRACTIONS[m.group("frac").lower()], 4), None, None, "ratio"
    value, currency = parse_number(m.group("num"))
    return value, currency, None, None


def find_claims(text: str) -> list[ParsedClaim]:
    """Every numeric claim in ``text`` with its normalised value, qualifier and unit."""
    claims: list[ParsedClaim] = []
    for m in claim_matches(text):
        if _is_excluded(text, m):
            continue
        value, currency, high, fixed_unit = _values(m)
        is_range = bool(m.group("between") or m.group("low2") or m.group("low3"))
        qualifier = "range" if is_range else _qualifier(m.group("qual"))
        unit = fixed_unit or _unit(m, currency)
        start, end = m.start(), m.end()
        if _temporal_over(text, m, unit):
            start, qualifier = start + len(m.group("qual")), "exact"
        while end > start and text[end - 1].isspace():
            end -= 1
        claims.append(ParsedClaim(start, end, value, qualifier, unit, high))
    return claims


_TIME_UNITS = frozenset({"year", "month", "week", "day", "hour", "minute"})


def _temporal_over(text: str, m: re.Match[str], unit: str | None) -> bool:
    """'over five years' as a stretch of time ('rose 9% over five years') states five years, not more."""
    qual = (m.group("qual") or "").strip().lower()
    return (
        qual == "over" and unit in _TIME_UNITS and not text[max(0, m.start() - 4) : m.start()].lower().endswith("for ")
    )
