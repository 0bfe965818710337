"""A real number parser for news text: finds quantity expressions and normalises them.

It reads digits with separators and decimals, number words (``eleven``, ``two dozen``,
``a dozen``, ``1.2 million``, ``three-year-old``), fractions, currencies and magnitudes
(``$4.2bn``, ``€300m``), percentages, ranges and the qualifiers news uses, and leaves out
dates, times, ordinals and numbers inside names (``G7``, ``Boeing 737``, ``Route 9``).
"""

from __future__ import annotations

import re
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
    "times": "times", "km/h": "kmh", "kph": "kmh", "mph": "mph", "C": "celsius", "c": "celsius", "°c": "celsius",
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
_CURRENCY_PREFIX = r"(?:US\$|A\$|C\$|NZ\$|R\$|J\$|HK\$|S\$|NT\$|\$|€|£|¥|₹|₦|₩|₱)"
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
CLAIM = re.compile(
    rf"""(?ix)
    (?<![\w.,/:-])
    (?P<qual>(?:{_qualifier_words})\s)?
    (?:
      (?P<between>between\s)(?P<low>{_NUMBER})\s(?:and)\s(?P<high>{_NUMBER})
     |(?P<low2>{_DIGIT_NUMBER})\s?(?:-|–|to)\s?(?P<high2>{_DIGIT_NUMBER})(?=\s?(?:%|per\scent|percent|{_unit_words}|{_currency_words})\b|\s?%|\s[a-z])
     |(?P<frac>{_fraction_words})(?=\sof\b)
     |(?P<num>{_NUMBER})
    )
    (?P<age>-(?:year|month|week|day|hour|minute)s?-old)?
    (?P<compound>-(?:{"|".join(_COMPOUND_UNITS)})(?![\w-]))?
    (?P<unit>\s?%|\s?(?:km/h|°C|C\b)|\s(?:{_unit_words})\b|\s(?:{_currency_words})\b)?
    (?![\w])
    """
)
_DATE_CONTEXT = re.compile(rf"(?i)\b(?:{MONTHS})\s*$|^\s*(?:{MONTHS})\b|\bin\s*$|\bsince\s*$|\bby\s*$|\bfrom\s*$")
_ORDINAL = re.compile(r"(?i)^\d+(?:st|nd|rd|th)\b")
_TIME_AFTER = re.compile(r"(?i)^(?::\d\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|BST|CET|hours\b))")


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
    match = re.match(rf"^({_DIGITS})\s?([a-zA-Z]+)?$", raw)
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
    if _ORDINAL.match(text[start:]) or _TIME_AFTER.match(after):
        return True
    if m.group("low2") and re.match(r"(?i)\s(?:win|defeat|victory|loss|draw|lead|scoreline)", after):
        return True  # a scoreline
    if re.fullmatch(r"(?:1[89]|20)\d\d", core) and not m.group("unit"):
        return True  # a year
    if re.fullmatch(r"\d{1,2}", core) and (_DATE_CONTEXT.search(before) or re.match(rf"^\s(?:{MONTHS})\b", after)):
        return True  # a day of the month
    if re.search(r"[A-Z][\w]*\s?$", before) and re.fullmatch(r"\d[\d.,]*", core) and not before.rstrip().endswith(","):
        return True  # inside a name: Route 9, Boeing 737, Model 3
    if core.lower() == "one" and not m.group("qual") and not m.group("unit"):
        return bool(re.match(r"(?i)\s(?:of|another|day|way|side|thing)\b|[.,!?”\"]", after)) or bool(
            re.search(r"(?i)\b(?:no|every|any|the)\s$", before)
        )
    return False


def find_claims(text: str) -> list[ParsedClaim]:
    """Every numeric claim in ``text`` with its normalised value, qualifier and unit."""
    claims: list[ParsedClaim] = []
    for m in CLAIM.finditer(text):
        if _is_excluded(text, m):
            continue
        qualifier = _qualifier(m.group("qual"))
        high = None
        if m.group("between") or m.group("low2"):
            value, currency = parse_number(m.group("low") or m.group("low2"))
            high, currency_high = parse_number(m.group("high") or m.group("high2"))
            currency = currency or currency_high
            qualifier = "range"
        elif m.group("frac"):
            value, currency = round(FRACTIONS[m.group("frac").lower()], 4), None
        else:
            value, currency = parse_number(m.group("num"))
        unit = _unit(m, currency) if not m.group("frac") else "ratio"
        start, end = m.start(), m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        claims.append(ParsedClaim(start, end, value, qualifier, unit, high))
    return claims
