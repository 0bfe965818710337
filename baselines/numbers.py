"""A real number parser for news text: finds quantity expressions and normalises them.

It reads digits with separators and decimals, number words (``eleven``, ``two dozen``,
``a dozen``, ``1.2 million``, ``three-year-old``), fractions (``1 1/2``, ``½``, ``two-thirds``),
currencies and magnitudes (``$4.2bn``, ``€300m``, ``50 lakh``), percentages, ranges, vague
amounts (``hundreds``), the units news, recipes, sport and product reviews use (``2 Tbsp.``,
``512GB``, ``235 yards``, ``16-inch``) and the qualifiers news uses. It leaves out dates, times,
phone numbers, ordinals, relative dates (``two years ago``), scorelines and records, and numbers
inside names (``G7``, ``Boeing 737``, ``Route 9``, ``the Coastal Eight``), as the guidelines (§3, §4a, §7a) say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

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
    "lakh": 100_000,
    "million": 1_000_000,
    "crore": 10_000_000,
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
             "a third": 1 / 3, "a quarter": 0.25, "one-fifth": 0.2, "two-fifths": 0.4, "a fifth": 0.2, "a tenth": 0.1,
             "one-eighth": 0.125, "one-tenth": 0.1, "one-half": 0.5}  # fmt: skip
VULGAR_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3, "⅕": 0.2, "⅛": 0.125, "⅜": 0.375,
                    "⅝": 0.625, "⅞": 0.875}  # fmt: skip
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
    "rupees": "inr", "shillings": "kes", "francs": "chf", "kronor": "sek", "kroner": "nok", "zloty": "pln", "rand": "zar",
    "pesos": "mxn", "naira": "ngn", "yuan": "cny", "won": "krw", "reais": "brl", "lira": "try", "hryvnias": "uah",
    "zlotys": "pln", "rupiah": "idr", "dong": "vnd", "leva": "bgn", "lev": "bgn", "dinars": "jod", "dirhams": "aed",
    "ringgit": "myr", "baht": "thb", "taka": "bdt", "cedis": "ghs", "birr": "etb", "krona": "isk", "kronur": "isk",
    "forint": "huf", "lei": "ron", "hryvnia": "uah", "rupee": "inr", "riyals": "sar", "soles": "pen",
}  # fmt: skip
# Unit words written after the number with a space (matched case-insensitively), each with its
# one name (§3: singular, lower case; §7a: recipe and product units, aliases mapped).
UNIT_WORDS = {
    "per cent": "percent", "percent": "percent", "%": "percent", "percentage points": "percentage_point",
    "percentage point": "percentage_point", "basis points": "basis_point", "km": "km", "kilometres": "km",
    "kilometers": "km", "kilometre": "km", "kilometer": "km", "miles": "mile", "mile": "mile", "metres": "m",
    "meters": "m", "metre": "m", "meter": "m", "cm": "cm", "mm": "mm", "millimetres": "mm", "millimeters": "mm",
    "millimetre": "mm", "millimeter": "mm", "microns": "micron", "micron": "micron", "kg": "kg", "kilograms": "kg",
    "kilogram": "kg", "kilos": "kg", "tonnes": "tonne", "tons": "tonne", "tonne": "tonne", "ton": "tonne",
    "metric tons": "tonne", "metric tonnes": "tonne", "litres": "litre", "liters": "litre", "litre": "litre",
    "liter": "litre", "millilitres": "ml", "milliliters": "ml", "ml": "ml", "gallons": "gallon", "gallon": "gallon",
    "barrels": "barrel", "years": "year", "year": "year", "months": "month", "month": "month", "weeks": "week",
    "week": "week", "days": "day", "day": "day", "hours": "hour", "hour": "hour", "hrs": "hour", "hrs.": "hour",
    "minutes": "minute", "minute": "minute", "mins": "minute", "mins.": "minute", "seconds": "second",
    "seasons": "season", "innings": "inning", "celsius": "celsius", "fahrenheit": "fahrenheit",
    "gigawatt hours": "gwh", "megawatt hours": "mwh", "kilowatt hours": "kwh", "denars": "mkd",
    "secs": "second", "centuries": "century", "degrees": "celsius", "°C": "celsius", "mw": "mw",
    "megawatts": "mw", "gw": "gw", "gigawatts": "gw", "kilowatts": "kw", "kw": "kw", "kwh": "kwh", "gwh": "gwh",
    "kilowatt-hours": "kwh", "watts": "w", "volts": "v", "hectares": "hectare", "acres": "acre",
    "centimetres": "cm", "centimeters": "cm", "centimetre": "cm", "centimeter": "cm", "grams": "g", "gram": "g",
    "milligrams": "mg", "mg": "mg", "kilovolts": "kv", "square metres": "m2", "square meters": "m2",
    "square kilometres": "km2", "square kilometers": "km2", "square miles": "sq_mile", "square feet": "square_foot",
    "lux": "lux", "times": "times", "inches": "inch", "inch": "inch", "feet": "foot", "foot": "foot", "ft": "foot",
    "ft.": "foot", "yards": "yard", "yard": "yard", "yds": "yard", "yds.": "yard", "degrees celsius": "celsius",
    "degrees fahrenheit": "fahrenheit", "°F": "fahrenheit", "km/h": "kmh", "kph": "kmh", "mph": "mph",
    "miles per hour": "mph", "kilometres per hour": "kmh", "kilometers per hour": "kmh", "C": "celsius",
    "c": "celsius", "°c": "celsius", "°f": "fahrenheit", "cups": "cup", "cup": "cup", "teaspoons": "teaspoon",
    "teaspoon": "teaspoon", "tsp": "teaspoon", "tsp.": "teaspoon", "tablespoons": "tablespoon",
    "tablespoon": "tablespoon", "tbsp": "tablespoon", "tbsp.": "tablespoon", "tbs.": "tablespoon",
    "ounces": "ounce", "ounce": "ounce", "oz": "ounce", "oz.": "ounce", "fl oz": "fluid_ounce",
    "fl. oz.": "fluid_ounce", "lb": "pound", "lbs": "pound", "lb.": "pound", "lbs.": "pound", "scoops": "scoop",
    "scoop": "scoop", "cloves": "clove", "gigabytes": "gigabyte", "gigabyte": "gigabyte", "gb": "gigabyte",
    "terabytes": "terabyte", "terabyte": "terabyte", "tb": "terabyte", "megabytes": "megabyte", "mb": "megabyte",
    "ghz": "ghz", "mhz": "mhz", "mah": "mah", "fps": "fps", "frames per second": "fps", "ppi": "ppi", "dba": "dba",
    "db": "db", "decibels": "db", "mbps": "mbps", "gbps": "gbps", "kbps": "kbps", "megapixels": "megapixel",
    "micrograms per cubic metre": "ug_m3", "micrograms per cubic meter": "ug_m3",
    "gigabits per second": "gigabit_per_second", "megabits per second": "megabit_per_second",
    "megabytes per second": "megabyte_per_second", "gigabytes per second": "gigabyte_per_second",
}  # fmt: skip
# Units written straight after the digits (``512GB``, ``96W``): matched case-sensitively so that
# ``5G`` (a network) or ``4K`` (a resolution) are not grams or thousands of something.
ATTACHED_UNITS = {
    "GB": "gigabyte", "TB": "terabyte", "MB": "megabyte", "KB": "kilobyte", "GHz": "ghz", "MHz": "mhz", "kWh": "kwh",
    "MWh": "mwh", "GWh": "gwh", "Wh": "wh", "kW": "kw", "MW": "mw", "GW": "gw", "W": "w", "mAh": "mah", "fps": "fps",
    "FPS": "fps", "ppi": "ppi", "dBA": "dba", "dBa": "dba", "dB": "db", "mm": "mm", "cm": "cm", "km": "km", "kg": "kg",
    "mg": "mg", "g": "g", "ml": "ml", "mL": "ml", "oz": "ounce", "lb": "pound", "lbs": "pound", "mph": "mph",
    "kph": "kmh", "km/h": "kmh", "ft": "foot", "°C": "celsius", "°F": "fahrenheit", "C": "celsius", "F": "fahrenheit",
    "Mbps": "mbps", "Gbps": "gbps", "kbps": "kbps", "kps": "kbps", "MP": "megapixel", "mi": "mile",
}  # fmt: skip
# Score nouns stay outside the span (§4a, `scored [31] points`) but give the claim its unit.
SCORE_NOUNS = {"points": "point", "point": "point", "goals": "goal", "goal": "goal", "touchdowns": "touchdown",
               "runs": "run", "wickets": "wicket", "tries": "try"}  # fmt: skip
# The units of `N-<noun>` compounds (`16-inch`, `two-goal`); any other noun is counted (`11-game`).
COMPOUND_UNITS = {
    "year": "year", "month": "month", "week": "week", "day": "day", "hour": "hour", "minute": "minute",
    "second": "second", "km": "km", "kilometre": "km", "kilometer": "km", "mile": "mile", "metre": "m", "meter": "m",
    "centimetre": "cm", "centimeter": "cm", "millimetre": "mm", "millimeter": "mm", "inch": "inch", "inches": "inch",
    "foot": "foot", "yard": "yard", "ounce": "ounce", "pound": "pound", "gallon": "gallon", "litre": "litre",
    "liter": "litre", "degree": "degree", "goal": "goal", "point": "point", "percent": "percent", "kg": "kg",
    "kilogram": "kg", "gram": "g", "tonne": "tonne", "ton": "tonne", "acre": "acre", "hectare": "hectare",
    "watt": "w", "megapixel": "megapixel", "decade": "year", "century": "century", "fold": "times",
}  # fmt: skip
# Words after `N-` that make an adjective or a phrase, not a quantity of something.
_NOT_COMPOUND = (
    "old|based|like|ready|style|esque|ish|odd|plus|wide|on|off|to|and|or|in|of|up|down|out|way|sided|stop|"
    "liner|man|woman|shot|star|dimensional|for|all|nil|love|zero|one|two|three|four|five|six|seven|eight|nine|ten|"
    "first|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|thirds|quarters|fifths|tenths"
)
QUALIFIER_WORDS = [
    ("more than", "more_than"), ("over", "more_than"), ("above", "more_than"), ("upwards of", "more_than"),
    ("upward of", "more_than"), ("in excess of", "more_than"), ("larger than", "more_than"),
    ("bigger than", "more_than"), ("greater than", "more_than"), ("higher than", "more_than"),
    ("at least", "at_least"), ("no fewer than", "at_least"), ("no less than", "at_least"),
    ("a minimum of", "at_least"), ("min.", "at_least"), ("as low as", "at_least"), ("as little as", "at_least"),
    ("at most", "at_most"), ("up to", "at_most"), ("no more than", "at_most"), ("not more than", "at_most"),
    ("a maximum of", "at_most"), ("max.", "at_most"), ("as high as", "at_most"),
    ("less than", "less_than"), ("fewer than", "less_than"), ("under", "less_than"), ("below", "less_than"),
    ("smaller than", "less_than"), ("lower than", "less_than"), ("shorter than", "less_than"),
    ("older than", "more_than"), ("younger than", "less_than"), ("well under", "less_than"),
    ("well below", "less_than"), ("well above", "more_than"), ("just above", "more_than"), ("just below", "less_than"),
    ("nearly", "approximate"), ("almost", "approximate"), ("about", "approximate"), ("around", "approximate"),
    ("roughly", "approximate"), ("some", "approximate"), ("approximately", "approximate"),
    ("approx.", "approximate"), ("an estimated", "approximate"), ("close to", "approximate"),
    ("closer to", "approximate"), ("just over", "more_than"), ("just under", "less_than"), ("well over", "more_than"),
    ("within", "at_most"), ("as many as", "at_most"), ("as much as", "at_most"), ("as few as", "at_least"),
]  # fmt: skip
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
MULTIPLES = {"twice": (2, "count"), "thrice": (3, "count"), "once": (1, "count"), "doubled": (2, "times"),
             "tripled": (3, "times"), "quadrupled": (4, "times"), "double": (2, "times"), "triple": (3, "times")}  # fmt: skip
VAGUE_WORDS = "dozens|hundreds|thousands|millions|billions|trillions"
# `a minute`, `an hour`: a claim with value 1 when a qualifier or a tail says so (§4a).
A_UNITS = {"minute": "minute", "hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year",
           "mile": "mile", "kilometre": "km", "kilometer": "km", "cup": "cup", "inch": "inch", "foot": "foot",
           "couple": "count"}  # fmt: skip


def _alternation(words: Iterable[str]) -> str:
    """A regex for any of the words, written as a trie (one branch per next character).

    The regex engine tries alternatives one by one; with two hundred unit words after every number
    that is most of the parser's time. Branching on each character tries a handful instead, and an
    optional longer ending is tried first, so the longest word still wins, as in a longest-first list.
    """
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie(tree)


def _trie(node: dict[str, dict]) -> str:
    branches = [re.escape(char) + _trie(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


_ones = _alternation(w for w, v in UNITS_WORDS.items() if 1 <= v <= 9)
_units_all = _alternation(UNITS_WORDS)
_tens = _alternation(TENS_WORDS)
_SIMPLE_WORD = rf"(?:(?:{_tens})(?:[-\s](?:{_ones}))?|(?:{_units_all}))"
_WORDNUM = rf"(?:a\s(?:dozen|hundred|thousand|million|billion)(?!\s(?:and|of)\b)|{_SIMPLE_WORD}\sdozen|{_SIMPLE_WORD}(?:\s(?:{_alternation(SCALE_WORDS)}))*)"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_VULGAR = rf"(?:\d+\s?)?[{''.join(VULGAR_FRACTIONS)}]"
_SLASH_FRACTION = r"(?:\d+\s)?[1-9]/(?:16|2|3|4|8)(?![\d/])"
_SCALE = r"(?:(?:\s?(?:million|billion|trillion|thousand|lakh|crore|bn|mn|tn)|(?<=\d)(?:m|k|b))\b)"
_CURRENCY_PREFIX = r"(?:US\$|A\$|C\$|NZ\$|R\$|J\$|HK\$|S\$|NT\$|F\$|KSh(?:\s|(?=\d))|\$|€|£|¥|₹|₦|₩|₱)"
_fraction_words = _alternation(FRACTIONS)
_qualifier_words = _alternation(q for q, _ in QUALIFIER_WORDS)
_unit_words = _alternation(u for u in UNIT_WORDS if u != "%" and not u.endswith("."))
_ABBREVIATIONS = r"(?:fl\.?\s?oz|tsp|tbsp|tbs|oz|lbs?|ft|yds?|hrs|mins|secs)\.?"
_attached_units = _alternation(ATTACHED_UNITS)
_currency_words = _alternation(CURRENCY_WORDS)
_a_units = _alternation(A_UNITS)
_ISO_PREFIX = rf"(?-i:(?:{_alternation(ISO_CURRENCIES)})\s)"
_NUMBER = rf"(?:{_CURRENCY_PREFIX}\s?|{_ISO_PREFIX})?(?:{_VULGAR}|{_SLASH_FRACTION}|{_DIGITS}|{_WORDNUM}){_SCALE}?"
_DIGIT_NUMBER = rf"(?:{_CURRENCY_PREFIX}\s?|{_ISO_PREFIX})?(?:{_DIGITS}){_SCALE}?"
_RANGE_WORD = rf"(?:{_SIMPLE_WORD})"
_UNIT_AFTER = rf"(?:\s?%|\s?(?:km/h|°C|°F|C\b)|(?-i:{_attached_units})\b|\s{_ABBREVIATIONS}(?![\w])|\s(?:{_unit_words})\b|\s(?:{_currency_words})\b|(?<=\d)\s?[€£₩¥₹])"
CLAIM = re.compile(
    rf"""(?ix)
    (?<![\w.,/:$£€¥₹₩-])
    (?P<qual>(?:{_qualifier_words})\s)?
    (?:
      (?P<between>between\s|(?:(?<=anywhere\s)|(?<=ranging\s))from\s)(?P<low>{_NUMBER})(?:\s?%|C\b)?\s(?:and|to)\s(?P<high>{_NUMBER})
     |(?P<low2>{_DIGIT_NUMBER})(?:\s?%)?\s?(?P<sep2>-|–|(?P<to2>to))\s?(?P<high2>{_DIGIT_NUMBER})(?:(?=\s?(?:%|per\scent|percent|{_unit_words}|{_currency_words})\b|\s?%|(?-i:{_attached_units})\b|\s[a-z])|(?(to2)(?=[.,;:!?)]|$)|(?!)))
     |(?P<low3>{_RANGE_WORD})(?P<sep3>\sto\s|\sor\s|-)(?P<high3>{_RANGE_WORD})(?=\s(?:{_unit_words}|{_currency_words})\b)
     |(?P<ratio>(?P<part>{_RANGE_WORD}|\d{{1,3}})(?:\sin\s|-in-|\sout\sof\s)(?P<whole>{_RANGE_WORD}|\d{{1,3}}(?:,\d{{3}})*))(?![\w,.-])
     |(?P<decades>(?:a|{_RANGE_WORD}|\d+)\s(?:decades?|centur(?:y|ies)))\b
     |(?P<fold>(?:{_ones}|ten)fold)\b
     |(?P<multiple>{_alternation(MULTIPLES)})\b
     |(?P<halfunit>(?:a\s)?half\san?)(?=\s(?:{_a_units})\b)
     |(?P<vague>(?:(?:tens\sof\s)?(?:{VAGUE_WORDS})|(?:a\sfew|several)\s(?:hundred|thousand|million|billion))(?:\sof\s(?:thousands|millions))?)(?P<vunit>\sof\s(?:{_unit_words}|{_currency_words}))?\b
     |(?P<frac>{_fraction_words})(?=\s(?:of|the|a|an|their|its|his|her|our|your|my|all|these|those|that|this)\b)
     |(?P<qfrac>(?<=\s)(?:{_fraction_words}))(?=[\s,.;:!?”"’)]|$)
     |(?P<aunit>an?)(?=\s(?:{_a_units})\b)
     |(?P<num>{_NUMBER})
    )
    (?P<andhalf>\sand\sa\shalf)?
    (?P<age>-(?:year|month|week|day|hour|minute)s?-olds?)?
    (?P<rate>-an?-(?:year|month|week|day|hour))?
    (?P<compound>-(?!(?:{_NOT_COMPOUND})\b)[a-z]{{2,}}(?![\w-]))?
    (?P<unit>{_UNIT_AFTER}|(?<=an)\s(?:{_a_units})|(?<=a)\s(?:{_a_units}))?
    (?(unit)(?P<per>\sper\s(?:second|hour|minute|day|week|month|year))?)
    (?P<andhalf2>\sand\sa\shalf)?
    (?![\w])
    """
)
# Every claim holds a digit, a number word or one of these anchors, at most _REACH characters after
# the claim's start (a qualifier, "between", a currency): claims are looked for only just before them.
_ANCHOR_WORDS = sorted(
    [
        *UNITS_WORDS,
        *TENS_WORDS,
        *MULTIPLES,
        "dozen",
        "half",
        "third",
        "quarter",
        "fifth",
        "tenth",
        "eighth",
        "decade",
        "centur",
    ]
    + ["hundred", "thousand", "million", "billion", "trillion", "tens"],
    key=len,
    reverse=True,
)
_ANCHOR_FIRST = "".join(sorted({w[0] for w in _ANCHOR_WORDS} | {w[0].upper() for w in _ANCHOR_WORDS} | {"a", "A"}))
_ANCHOR = re.compile(
    rf"[\d{''.join(VULGAR_FRACTIONS)}]+|(?=[{_ANCHOR_FIRST}])(?<![^\W\d_])"
    rf"(?i:{_alternation(_ANCHOR_WORDS)}|an?\s(?:{_a_units}))"
)
_REACH = max(len(q) for q, _ in QUALIFIER_WORDS) + 1 + len("between ") + len("NZ$ ") + len("an ") + 8
# Where a claim can start before its anchor: CLAIM's look-behind allows it and a word that leads a
# number begins there (a qualifier, "between", "a", a currency); a claim starting with a number word
# or a digit starts at an anchor. No lead is longer than _FIRST_WORD characters.
_LEAD = re.compile(
    rf"(?<![\w.,/:$£€¥₹₩-])(?={_ISO_PREFIX}|(?i:{_CURRENCY_PREFIX}|{_qualifier_words}|between|from|several|an?\b))"
)
_FIRST_WORD = 16
_NUMBER_WITH_SCALE = re.compile(rf"^({_DIGITS})\s?([a-zA-Z]+)?$")
_FRACTION_TEXT = re.compile(rf"^(?:(\d+)\s?)?(?:([1-9])/(\d+)|([{''.join(VULGAR_FRACTIONS)}]))$")
_SCORELINE = re.compile(r"(?i)\s(?:win|defeat|victory|loss|draw|lead|scoreline|overtime|at\shalf)")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_DAY = re.compile(r"\d{1,2}")
_MONTH_AFTER = re.compile(rf"(?i)\s(?:{MONTHS})\b")
# A name right before a number makes it part of the name (Route 9, Boeing 737, eBike 400); the words
# that open a sentence or a phrase do not ("The 180 pages", "In 12 cases").
_SENTENCE_OPENERS = (
    "The|A|An|In|On|At|By|For|Of|To|From|With|And|But|Or|Only|About|Some|All|Nearly|Almost|Over|Under|Just|Around|"
    "After|Before|Since|Than|Another|Every|Each|Both|Its|Their|His|Her|Our|Your|My|Up|Top|Exactly|Last|First|Next|"
    "Total|Now|Then|Even|When|While|Within|If|As|Is|Was|Are|Were|Has|Had|Have|We|They|He|She|It|I|You|Roughly|"
    "Approximately|Score|Scores"
)
_NAME_BEFORE = re.compile(rf"\b[a-z]+[A-Z]\w*\s?$|\b(?!(?:{_SENTENCE_OPENERS})\s?$)[A-Z][\w]*\s?$")
_BARE_DIGITS = re.compile(r"\d[\d.,]*")
_MODEL = re.compile(r"\d{3,}(?-i:[A-Z]{1,2})|[1-9](?-i:K)")  # 9000M, 8K: a chip or a resolution, not millions
_ONE_AFTER = re.compile(r"(?i)\s(?:of|another|day|way|side|thing|or\sanother|by\sone|at\sa\stime)\b|[.,!?”\"]")
_ONE_BEFORE = re.compile(r"(?i)\b(?:no|every|any|the|number|this|that|each|which|a|the\sonly|not)\s$")
_DATE_CONTEXT = re.compile(rf"(?i)\b(?:{MONTHS})\.?\s*$|\bno\.\s*$|#\s*$|^\s*(?:{MONTHS})\b")
_DATE_PREPOSITION = re.compile(r"(?i)\b(?:in|since|by|from|until|till)\s*$")
_MONTH_SOON = re.compile(rf"[^.;]{{0,20}}\b(?:{MONTHS})\b")
_ORDINAL = re.compile(r"(?i)\d+(?:st|nd|rd|th)\b")
_TIME_AFTER = re.compile(
    r"(?i)(?::\d\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|BST|CET|ET\b|PT\b|hours\b)|\so['’]clock\b|\spast\s|\sat\snight\b"
    r"|\sin\sthe\s(?:morning|evening|afternoon)\b)"
)
_FRAGMENT_AFTER = re.compile(r"[-–/.:]\d|[-–/][^\W\d_]")  # a piece of a date, a record, a model or version number
_RELATIVE_AFTER = re.compile(
    r"(?i)(?:\sof\s(?:minutes|hours|days|weeks|months|years|decades))?"
    r"(?:\s(?:ago|earlier|later|previously|prior|from\snow)\b|\son\b[,.]|\s(?P<soft>before|after|back)\b)"
)
_PERIOD_BEFORE = re.compile(r"(?i)\b(?:the|for|in|within|first|last|past|next)\s$")
_FRACTION_VERB = re.compile(r"(?i)\b(?:by|to)\s$")
# Words after which a number names a step or a place in a list ("day two", "page 3") or is the base of a rate.
_STEP_WORDS = frozenset(
    "day week stage round game phase part chapter season level episode act series leg heat lap hole gate room "
    "platform page line row section article clause item number no. grade class category division tier per".split()
)
_SUM_OVER_A_DECADE = re.compile(r"\d(?:bn|m|k|\smillion|\sbillion)?\s(?i:over\sa\sdecade)$")
_CLOCK_BEFORE = re.compile(r"(?i)\b(?:at|by|before|until|till|past)\s$")
_CLOCK_AFTER = re.compile(r"[.,;!?]|\s(?:every|on|this|that|tonight|sharp|in\sthe|o['’]clock)\b")
_OF_AFTER = re.compile(r"\sof\b")
_HALF_BEFORE = re.compile(r"(?i)\b(?:first|second|other|latter|final|opening|back|front)\s$")
_ONCE_AFTER = re.compile(
    r"(?i)\s(?:the|a|an|it|its|they|he|she|you|we|i|this|that|these|those|again|upon|more|in\sa\swhile|per|every|and\sfor)\b"
    r"|\s[a-z]+ed\b"
)
_ONCE_END = re.compile(r"[.!?]|\s(?:in|before|since|during|so\sfar|this|last|all|for)\b")
_ONCE_BEFORE = re.compile(r"(?i)\b(?:just|only|exactly|than|least|most|[a-z]+ed|been|happened|scored|won|lost|hit)\s$")
_MULTIPLE_AFTER = re.compile(
    r"(?i)[\"”’']?\s(?:more|less|fewer|higher|lower|larger|smaller|bigger|greater|faster|slower|longer|shorter|as|the|what|"
    r"that|than|over|cheaper|costlier|heavier|stronger|worse|better|richer|taller|wider|deeper|its|their|his|her)\b"
)
# Ages (§3: unit `year`): "Costa, 35, scored", "aged 34", "she was 15.", "people over 65."
_AGE_BEFORE = re.compile(
    r"(?i)(?:\b(?:aged?|age\sof|both|turned|turns|at\sthe\sage\sof)\s|[A-Za-z’'”\")]\s?,\s(?:now\s)?"
    r"|\b(?:he|she|i|they|we|you|who)\s(?:is|was|are|were|am)\s|\b(?:he|she)['’]s\s|\bI['’]m\s|^At\s)$"
)
_AGE_AFTER = re.compile(r"\s?(?:[,;:.!?)”\"’]|\s(?:and|or|when|in|for|on|at)\s|$)")
_AGED_BEFORE = re.compile(r"(?i)\baged\s$")
_AGED_GROUP_BEFORE = re.compile(
    r"(?i)\b(?:people|those|children|residents|voters|patients|visitors|adults|victims|women|men|workers|anyone|"
    r"everyone|ones|kids|users|drivers|is|was|are|were|them|all)\s$"
)
_AGE_QUALIFIERS = frozenset({"over", "under", "older than", "younger than", "above", "below"})
_SCORE_HINT = re.compile(r"cor|rating|grade|index")
_ARTICLE_END = re.compile(r"(?:^|\s)[Aa]n?\s$")
_SCORE_BEFORE = re.compile(r"\b(?:[Ss]cor(?:e|es|ed|ing)|rating|grade|index)\b(?:\s+\S+){0,3}\s$")
_JERSEY = re.compile(r"[A-Z][\w’'.-]*\s\($")
_SCORE_NOUN_AFTER = re.compile(rf"\s({_alternation(SCORE_NOUNS)})\b")
_TAIL = re.compile(
    r"(?i)\s(?:or\s(?P<approx>so)|or\s(?P<least>more|longer|above|over)|or\s(?P<most>less|fewer|under)"
    r"|and\s(?P<least2>older|above|over|up|upwards)\b(?!\s+(?:\d|to\b)))\b"
)
_CAPITAL_NEXT = re.compile(r"\s[A-Z]")
# Page furniture that counts things: "12 comments", "3 replies", "1 thought on this post", "50 photos".
CHROME_COUNT = re.compile(
    r"(?i)\s(?:comments?|replies|reply|responses?|shares?|likes?|views?|photos|reactions?|retweets?|"
    r"thoughts?|followers|subscribers|votes?|items?\sin)\b"
)
_EMERGENCY = re.compile(r"(?i)\b(?:call(?:ed|ing|s)?|dial(?:ed|led|ing|s)?)\s$")
_ONE_DAY_PREPOSITION = re.compile(r"(?i)\b(?:for|in|within|after|over|than|just|only|a|per|each|every)\s$")
_A_UNIT_STRESS = re.compile(r"(?i)\b(?:barely|just|only)\s$")
_NOISE = re.compile(
    r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b"  # dates: 11/19/19, 2018.04.05
    r"|\+\d{1,3}(?:[\s.()-]{1,2}\d{1,5}){2,}"  # international phone numbers
    r"|\+?\(?\d{2,4}\)?[\s.-]?(?:\(\d\))?\d{2,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})*\b"  # phone numbers
    r"|\b\d{1,2}:\d\d\b"  # clock times
    r"|(?:https?://|www\.|@|#)\S+"  # addresses, handles, tags
)
_NOISE_HINT = re.compile(r"\d[\s.-]\d{3}|\d[/:-]\d|\d\.\d\d\.\d|\+\d|[/@#]\S*\d")
_CHANGE_BEFORE = re.compile(
    r"(?i)\b(?:from|by|rose|rise|rises|rising|fell|fall|falls|falling|increased|increase|decreased|grew|grow|dropped|"
    r"drop|climbed|jumped|declined|slipped|up|down|cut|raised|lifted|lowered|surged|slumped|plunged|soared|gained|lost|"
    r"added|went|go|going|moved|changed|reduced|boosted|increasing|decreasing|doubled|shrank|swelled|widened|narrowed)\s$"
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
    """'twenty-five' -> 25, 'two dozen' -> 24, 'three hundred thousand' -> 300000; None if not a number."""
    words = text.lower().replace("-", " ").split()
    if not words:
        return None
    if words == ["a", "dozen"]:
        return 12
    if words[0] == "a" and len(words) == 2 and words[1] in SCALE_WORDS:
        return float(SCALE_WORDS[words[1]])
    total, current, last = 0.0, 0.0, ""
    for word in words:
        if word in UNITS_WORDS:
            if last in UNITS_WORDS or (last in TENS_WORDS and UNITS_WORDS[word] >= 10):
                return None  # "two three" is a range, not a number
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
        last = word
    return total + current


def _fraction(raw: str) -> float | None:
    """'1 1/2' -> 1.5, '½' -> 0.5, '1½' -> 1.5; None when it is not a fraction."""
    match = _FRACTION_TEXT.match(raw)
    if not match:
        return None
    whole = float(match.group(1) or 0)
    if match.group(4):
        return round(whole + VULGAR_FRACTIONS[match.group(4)], 4)
    denominator = int(match.group(3))
    return round(whole + int(match.group(2)) / denominator, 4) if denominator else None


_SYMBOLS_LONGEST_FIRST = sorted(CURRENCY_SYMBOLS, key=len, reverse=True)
_SYMBOL_FIRST = frozenset(symbol[0] for symbol in CURRENCY_SYMBOLS)


def parse_number(text: str) -> tuple[float | None, str | None]:
    """A number expression (maybe with currency and magnitude) -> (value, currency unit)."""
    raw = text.strip()
    unit = None
    for symbol in _SYMBOLS_LONGEST_FIRST if raw[:1] in _SYMBOL_FIRST else ():
        if raw.startswith(symbol):
            unit, raw = CURRENCY_SYMBOLS[symbol], raw[len(symbol) :].strip()
            break
    if raw[:3] in ISO_CURRENCIES and raw[3:4] == " ":
        unit, raw = raw[:3].lower(), raw[4:]
    if "/" in raw or raw[-1:] in VULGAR_FRACTIONS:
        return _fraction(raw), unit
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


_QUALIFIERS = dict(QUALIFIER_WORDS)


def _qualifier(word: str | None) -> str:
    if not word:
        return "exact"
    return _QUALIFIERS[" ".join(word.lower().split())]


@lru_cache(maxsize=4096)
def _unit_name(raw: str) -> str | None:
    """The one name of a unit as written after a number."""
    if raw in ATTACHED_UNITS:
        return ATTACHED_UNITS[raw]
    key = " ".join(raw.lower().split())
    if key in CURRENCY_WORDS:
        return CURRENCY_WORDS[key] or key
    for form in (key, key.rstrip(".")):
        if form in UNIT_WORDS:
            return UNIT_WORDS[form]
    if key.endswith("s") and key[:-1] in A_UNITS:
        return A_UNITS[key[:-1]]
    if key in A_UNITS:
        return A_UNITS[key]
    for symbol, code in CURRENCY_SYMBOLS.items():
        if key == symbol.lower():
            return code
    return key or None


def _per_unit(unit: str | None, per: str) -> str | None:
    """'MB' per 'second' -> megabyte_per_second; a percentage per hour stays a percentage."""
    if unit in ("megabyte", "gigabyte", "kilobyte", "terabyte", "gigabit", "megabit"):
        return f"{unit}_per_{per.split()[-1]}"
    return unit


def _unit(text: str, m: re.Match[str], currency: str | None) -> str | None:
    if m.group("age"):
        return re.sub(r"s$", "", m.group("age").split("-")[1])
    if m.group("rate"):
        return currency or "count"
    if m.group("compound"):
        return COMPOUND_UNITS.get(m.group("compound")[1:].lower(), "count")
    raw = (m.group("unit") or "").strip()
    if (
        not raw
        and not currency
        and m.group("num") is None
        and _AGED_BEFORE.search(text, max(0, m.start() - 6), m.start())
    ):
        return "year"  # "aged 12 to 15", "aged between 34 and 58"
    if raw.startswith("%"):
        return "percent"
    if raw:
        unit = _unit_name(raw)
        return _per_unit(unit, m.group("per")) if m.group("per") else unit
    if currency:
        return currency
    score = _SCORE_NOUN_AFTER.match(text, m.end())
    if score:
        return SCORE_NOUNS[score.group(1)]
    if _is_age(text, m):
        return "year"
    window = text[max(0, m.start() - 40) : m.start()]
    if _SCORE_HINT.search(window) and _SCORE_BEFORE.search(window):
        return "point"
    if m.group("num") and window.endswith(("a ", "an ")) and _ARTICLE_END.search(window):
        return "point"  # "managed a 21757", "clocked in at a 126.8": a score
    return "count"


def _is_age(text: str, m: re.Match[str]) -> bool:
    if not _AGE_AFTER.match(text, m.end()):
        return False
    core = (m.group("num") or "").strip()
    value = word_number(core) if not core[:1].isdigit() else (float(core) if core.isdigit() else None)
    if value is None or not 1 <= value < 120:
        return False
    qual = " ".join((m.group("qual") or "").lower().split())
    if qual in ("older than", "younger than"):
        return True
    if qual in _AGE_QUALIFIERS:
        return bool(_AGED_GROUP_BEFORE.search(text, max(0, m.start() - 12), m.start()))
    return not qual and bool(_AGE_BEFORE.search(text, max(0, m.start() - 24), m.start()))


@dataclass(slots=True)
class _Seen:
    """A match and the text around it, as the exclusion rules read them."""

    text: str
    m: re.Match[str]
    core: str
    before: str
    after: str


def _is_excluded(text: str, m: re.Match[str]) -> bool:
    start, end = m.start(), m.end()
    seen = _Seen(text, m, m.group(0).strip(), text[max(0, start - 12) : start], text[end : end + 8])
    return any(rule(seen) for rule in _EXCLUSIONS)


def _fragment(s: _Seen) -> bool:
    """An ordinal, a clock time, or a piece of a date, record, model or version number."""
    m = s.m
    return bool(
        _ORDINAL.match(s.text, m.start())
        or _TIME_AFTER.match(s.text, m.end())
        or _FRAGMENT_AFTER.match(s.text, m.end())
        or (m.group("low2") and _SCORELINE.match(s.after))
    )


def _bare_a_unit(s: _Seen) -> bool:
    """'a year' alone is a rate ('€200 a month') or a date ('a year ago'); with a qualifier or
    a tail ('about a minute', 'a year or more') it is a claim (§4a)."""
    m = s.m
    if not m.group("aunit") or m.group("qual") or m.group("andhalf2") or _TAIL.match(s.text, m.end()):
        return False
    if (m.group("unit") or "").strip().lower() == "couple":
        return bool(_RELATIVE_AFTER.match(s.text, m.end()))
    return not _A_UNIT_STRESS.search(s.before) or bool(_RELATIVE_AFTER.match(s.text, m.end()))


def _sum_over_a_decade(s: _Seen) -> bool:
    """'$4.2bn over a decade': how long the spending runs (kept out as tests/test_baselines.py asks)."""
    m = s.m
    return bool(
        m.group("decades") and m.group("qual") and _SUM_OVER_A_DECADE.search(s.text, max(0, m.start() - 16), m.end())
    )


def _fraction_excluded(s: _Seen) -> bool:
    """'the first half of the year', 'a quarter the market gave them'; a bare 'half' is a claim
    before 'the'/'of', after a qualifier or after 'cut by'."""
    m = s.m
    frac = (m.group("frac") or "").lower()
    if frac and (_HALF_BEFORE.search(s.before) or ("quarter" in frac and not _OF_AFTER.match(s.text, m.end()))):
        return True
    return bool(m.group("qfrac") and not (m.group("qual") or _FRACTION_VERB.search(s.before)))


def _date_like(s: _Seen) -> bool:
    """A year, or a day of the month ('March 3', '3 March', 'from 12 to 14 March')."""
    if _YEAR.fullmatch(s.core) and not s.m.group("unit"):
        return True
    if not _DAY.fullmatch(s.core):
        return False
    if _DATE_CONTEXT.search(s.before) or _MONTH_AFTER.match(s.text, s.m.end()):
        return True
    return bool(_DATE_PREPOSITION.search(s.before) and _MONTH_SOON.match(s.text, s.m.end()))


def _relative(s: _Seen) -> bool:
    """'two years ago', 'three days later', 'five years after': a time reference (§4a), unless a
    qualifier or a period ('within 30 minutes after', 'the two weeks before') makes it a duration."""
    m = s.m
    if s.after.startswith(" ago") and s.after[4:5] in ("", " ", ".", ",") and not m.group("qual"):
        return True  # "25M ago", "3 hours ago": a time stamp
    relative = _RELATIVE_AFTER.match(s.text, m.end()) if _duration(m) else None
    if not relative or (m.group("qual") or "").strip().lower() == "within":
        return False
    return relative.group("soft") is None or not (m.group("qual") or _PERIOD_BEFORE.search(s.before))


def _step_or_clock(s: _Seen) -> bool:
    """'day two', 'page 3', 'per 100,000', 'the storm of ’87'; 'opens at eight,': a time of day."""
    m = s.m
    if not m.group("num"):
        return False
    before = s.before
    if before[-1:] in ("’", "'"):
        return True  # "the storm of ’87"
    words = before.split()
    if not m.group("unit") and before[-1:] == " " and words and words[-1].lower() in _STEP_WORDS:
        return True
    return bool(
        _WORD_ONLY.fullmatch(s.core)
        and _CLOCK_BEFORE.search(before)
        and _CLOCK_AFTER.match(s.text, m.end())
        and _is_hour(s.core)
    )


def _is_hour(core: str) -> bool:
    value = word_number(core)
    return value is not None and 1 <= value <= 12


def _duration(m: re.Match[str]) -> bool:
    unit = (m.group("unit") or "").strip().lower()
    return bool(m.group("decades")) or _unit_name(unit) in _TIME_UNITS


def _multiple_excluded(s: _Seen) -> bool:
    """'once' is a count after 'just', 'only' or a verb ('flagged once'), a conjunction before a clause;
    'doubled' tells a change unless a qualifier makes it a quantity ('more than doubled')."""
    text, m = s.text, s.m
    if not m.group("multiple"):
        return False
    word = m.group("multiple").lower()
    if word == "once":
        if text[max(0, m.start() - 3) : m.start()].lower() == "at " or _ONCE_AFTER.match(text, m.end()):
            return True  # "at once", "once it opens": not a count
        before = _ONCE_BEFORE.search(text, max(0, m.start() - 24), m.start())
        return not (m.group("qual") or before or _ONCE_END.match(text, m.end()))
    if word in ("twice", "thrice"):
        return False
    return not m.group("qual")  # "prices doubled" tells a change; "more than doubled" states a quantity


def _name_like(s: _Seen) -> bool:
    """Numbers inside names: Route 9, Boeing 737, the Coastal Eight, Zenbox One, Vertex 9000M, 90 Day Reset."""
    text, m, core, before = s.text, s.m, s.core, s.before
    if _BARE_DIGITS.fullmatch(core) and before[-2:-1].isalnum() and _NAME_BEFORE.search(before):
        return True
    if m.group("num") and not m.group("unit") and _MODEL.fullmatch(m.group("num")):
        return True
    if core[:1].isupper() and m.start() > 0 and not m.group("qual") and _WORD_ONLY.fullmatch(core):
        prev = text[: m.start()].rstrip()
        if prev and (prev[-1].isalnum() or prev[-1] in ",’'") and not is_title_case(text):
            return True  # a capitalised number word in mid-sentence: the Coastal Eight, Zenbox One
    unit = m.group("unit") or ""
    if unit[:1] == " " and unit[1:2].isupper() and unit.strip().isalpha() and len(unit.strip()) > 2:
        return bool(_CAPITAL_NEXT.match(text, m.end())) and not is_title_case(text)  # "90 Day Reset"
    return False


_WORD_ONLY = re.compile(r"[^\W\d_][^\d]*")


def is_title_case(text: str) -> bool:
    """A headline in title case: most words capitalised."""
    words = text.split()
    return len(words) >= 3 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words)


def _number_excluded(s: _Seen) -> bool:
    """Shirt numbers, rating scales, page furniture, emergency numbers, and 'one'/'zero' as words."""
    text, m, core, before, after = s.text, s.m, s.core, s.before, s.after
    if not m.group("num"):
        return False
    if _JERSEY.search(before) and after.startswith((")", " and ")) and _BARE_DIGITS.fullmatch(core):
        return True  # "Ana Costa (25)": a shirt number
    if before.endswith("out of ") and not m.group("unit"):
        return True  # "4.5 out of 5": the scale of a rating
    if CHROME_COUNT.match(text, m.end()) and (m.start() == 0 or len(text.split()) <= 8):
        return True  # "New, 6 comments": page furniture
    if core == "911" and _EMERGENCY.search(before):
        return True
    lowered = core.lower()
    if lowered == "one day" and not _ONE_DAY_PREPOSITION.search(before):
        return True  # "one day" as "some day"
    if lowered == "one" and not m.group("qual") and not m.group("unit") and not m.group("compound"):
        return _one_excluded(text, m, before, after)
    return lowered == "zero" and not m.group("unit")


def _one_excluded(text: str, m: re.Match[str], before: str, after: str) -> bool:
    """'one' is mostly a pronoun or an article ('one of them', 'one day'); a count when it is listed
    with other numbers ('nine girls and one bag') or stressed ('exactly one unit')."""
    if _OR_NUMBER.match(text, m.end()):
        return False  # "one or two": a range
    if _ONE_AFTER.match(after) or _ONE_BEFORE.search(before):
        return True
    window = text[max(0, m.start() - 50) : m.start()]
    if re.search(r"(?i)\b(?:exactly|only|just|plus|juice\sof)\s$", window):
        return False
    sentence = re.split(r"[.!?]\s", window)[-1]
    return not _HAS_NUMBER.search(sentence)


_EXCLUSIONS = (
    _fragment,
    _multiple_excluded,
    _bare_a_unit,
    _sum_over_a_decade,
    _fraction_excluded,
    _date_like,
    _name_like,
    _relative,
    _step_or_clock,
    _number_excluded,
)
_OR_NUMBER = re.compile(rf"(?i)\s(?:or|to)\s(?:\d|(?:{_units_all}|{_tens})\b)")
_HAS_NUMBER = re.compile(rf"\d|(?i:\b(?:{_units_all}|{_tens})\b)")
_TIME_UNITS = frozenset({"year", "month", "week", "day", "hour", "minute", "second", "season"})
_PERIOD_NOUN_AFTER = re.compile(r"(?i)\s(?:sets|harvests|matches|rounds|games|seasons|terms|innings|laps|quarters)\b")


def claim_matches(text: str) -> Iterator[re.Match[str]]:
    """Exactly the matches of ``CLAIM.finditer(text)``, found by trying CLAIM only near anchors.

    finditer tries the long pattern at every character. A match starts at its first anchor or at
    a lead (a qualifier, "between", "a", a currency) at most _REACH characters before it; trying
    the leads before each anchor and then the anchor itself, left to right and each position once,
    finds the same leftmost matches in a fraction of the time.
    """
    pos = tried = 0
    for anchor in _ANCHOR.finditer(text):
        at = anchor.start()
        while at >= pos:  # a match that ends before this anchor leaves it to be tried again
            m = _match_near(text, max(pos, tried, at - _REACH), at)
            if m is None:
                break
            yield m
            pos = m.end()
        tried = at + 1


def _match_near(text: str, start: int, at: int) -> re.Match[str] | None:
    """The leftmost match starting at a lead in [start, at) or at the anchor ``at`` itself."""
    for lead in _LEAD.finditer(text, start, at + _FIRST_WORD):
        if lead.start() >= at:
            break
        m = CLAIM.match(text, lead.start())
        if m:
            return m
    return CLAIM.match(text, at)


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
        count, span = m.group("decades").split()
        number = 1.0 if count.lower() == "a" else parse_number(count)[0]
        years = 100 if span.lower().startswith("centur") else 10
        return (number * years if number is not None else None), None, None, "year"
    if m.group("fold"):
        return word_number(m.group("fold")[:-4]), None, None, "times"
    if m.group("multiple"):
        value, unit = MULTIPLES[m.group("multiple").lower()]
        return float(value), None, None, unit
    if m.group("vague"):
        vunit = (m.group("vunit") or "").split(" ", 2)[-1] if m.group("vunit") else ""
        return None, None, None, (_unit_name(vunit) if vunit else "count")
    if m.group("frac") or m.group("qfrac"):
        return round(FRACTIONS[(m.group("frac") or m.group("qfrac")).lower()], 4), None, None, "ratio"
    if m.group("halfunit"):
        return 0.5, None, None, None
    if m.group("aunit"):
        return (2.0 if m.group("unit").strip().lower() == "couple" else 1.0), None, None, None
    value, currency = parse_number(m.group("num"))
    return value, currency, None, None


def _qualifier_of(m: re.Match[str], is_range: bool) -> str:
    if is_range:
        return "range"
    if m.group("vague") or (m.group("aunit") and m.group("unit").strip().lower() == "couple"):
        return "approximate"
    return _qualifier(m.group("qual"))


def _parse(text: str, m: re.Match[str]) -> ParsedClaim:
    value, currency, high, fixed_unit = _values(m)
    is_range = bool(m.group("between") or m.group("low2") or m.group("low3"))
    qualifier = _qualifier_of(m, is_range)
    unit = fixed_unit or _unit(text, m, currency)
    unit = unit.lower() if unit else unit  # "Three-Year-Old" in a headline: units are lower case (§3)
    if unit == "times" and m.group("num") and not _MULTIPLE_AFTER.match(text, m.end()):
        unit = "count"  # "intercepted three times": occurrences; "three times the cost": a multiple (§4a)
    if m.group("multiple") and m.group("multiple").lower() == "twice" and _MULTIPLE_AFTER.match(text, m.end()):
        unit = "times"  # "twice as much", "twice what it cost"
    if value is not None and (m.group("andhalf") or m.group("andhalf2")):
        value += 0.5
    start, end = m.start(), m.end()
    if _temporal_over(text, m, unit):
        start, qualifier = start + len(m.group("qual")), "exact"
    while end > start and text[end - 1].isspace():
        end -= 1
    return ParsedClaim(start, end, value, qualifier, unit, high)


def _range_parts(text: str, m: re.Match[str]) -> list[ParsedClaim] | None:
    """A `to`/`or` range that is a change ('rose from 5% to 7%') or runs backwards: its two numbers.

    Returns None when the match is a real range; [] when it is no claim at all (a scoreline,
    a model number like 900-2, a span of years)."""
    sep = (m.group("sep2") or m.group("sep3") or "").strip().lower()
    low_group = "low2" if m.group("low2") else "low3" if m.group("low3") else "low"
    if not sep and low_group != "low":
        return None
    claim = _parse(text, m)
    low_text = m.group(low_group)
    if _YEAR.fullmatch(low_text.strip()) and not m.group("unit"):
        return []  # "between 2014 and 2021": years
    backwards = claim.value is not None and claim.high is not None and claim.high <= claim.value
    if low_group == "low":
        return [] if backwards else None
    changed = sep == "to" and _CHANGE_BEFORE.search(text, max(0, m.start() - 12), m.start())
    if not (backwards or changed):
        return None
    if sep in ("-", "–"):
        return []  # 14-7, 900-2: a score or a model
    return _split(text, m, low_group, claim.unit)


def _split(text: str, m: re.Match[str], low_group: str, unit: str | None) -> list[ParsedClaim]:
    """The low and the high number of a rejected range as two claims; the low one takes the
    high one's unit when it has none ('from 220 to 226ppi')."""
    parts = []
    low = CLAIM.match(text, m.start(low_group), m.end(low_group) + (1 if text[m.end(low_group)] == "%" else 0))
    high_at = m.start("high2") if m.group("high2") else m.start("high3")
    high = CLAIM.match(text, high_at)
    for part in (low, high):
        if part and not _is_excluded(text, part):
            parts.append(_parse(text, part))
    if len(parts) == 2 and text[max(0, m.start() - 5) : m.start()].lower() == "from ":
        if parts[0].unit == "count" and parts[1].unit != "count":
            parts[0] = replace(parts[0], unit=parts[1].unit)
        elif parts[1].unit == "count" and parts[0].unit != "count":
            parts[1] = replace(parts[1], unit=parts[0].unit)
    return parts


def _noise(text: str) -> list[tuple[int, int]]:
    """Stretches of the line that are dates, phone numbers, clock times or addresses."""
    if not _NOISE_HINT.search(text):
        return []
    return [found.span() for found in _NOISE.finditer(text)]


def name_numbers(text: str) -> frozenset[str]:
    """Numbers a page uses as model names ('Boeing 737', 'Model 300'): its other bare mentions of
    them ('a fleet of 40 737 jets') are names too."""
    return frozenset(
        found.group()
        for found in _LONG_NUMBER.finditer(text)
        if not _YEAR.fullmatch(found.group()) and _NAME_BEFORE.search(text, max(0, found.start() - 20), found.start())
    )


_LONG_NUMBER = re.compile(r"(?<=\s)\d{3,5}\b(?![.,]\d)")


def find_claims(text: str, names: frozenset[str] = frozenset()) -> list[ParsedClaim]:
    """Every numeric claim in ``text`` with its normalised value, qualifier and unit.

    ``names`` are numbers the page uses as names (:func:`name_numbers`): bare mentions of them are left out."""
    claims: list[ParsedClaim] = []
    for m in claim_matches(text):
        if names and m.group("num") and m.group(0) in names:
            continue
        parts = _range_parts(text, m) if (m.group("low2") or m.group("low3") or m.group("between")) else None
        if parts is not None:
            claims.extend(parts)
            continue
        if _is_excluded(text, m):
            continue
        claims.append(_tail(text, _parse(text, m)))
    noise = _noise(text) if claims else None
    if noise:
        claims = [c for c in claims if not any(s < c.end and c.start < e for s, e in noise)]
    return _merge(text, claims)


def _tail(text: str, claim: ParsedClaim) -> ParsedClaim:
    """'a year or more', '12 and older', 'a minute or so': the tail is inside the span and sets the qualifier."""
    tail = _TAIL.match(text, claim.end) if text.startswith((" or ", " and "), claim.end) else None
    if not tail or claim.qualifier not in ("exact", "approximate"):
        return claim
    if tail.group("approx"):
        qualifier = "approximate"
    elif tail.group("least") or tail.group("least2"):
        qualifier = "at_least"
    else:
        qualifier = "at_most"
    unit = claim.unit
    if unit == "count" and tail.group("least2") and tail.group("least2").lower() == "older":
        unit = "year"
    return replace(claim, end=tail.end(), qualifier=qualifier, unit=unit)


_SECONDS = {"hour": 3600, "minute": 60, "second": 1}
_BETWEEN_CLAIMS = re.compile(r"\s(and|or)\s")


def _merge(text: str, claims: list[ParsedClaim]) -> list[ParsedClaim]:
    """'2 minutes and 38 seconds' and 'six years and six months' are one duration; 'one or two'
    is one range (§4a)."""
    merged: list[ParsedClaim] = []
    for claim in claims:
        joined = _joined(text, merged[-1], claim) if merged else None
        if joined:
            merged[-1] = joined
        else:
            merged.append(claim)
    return merged


def _joined(text: str, prev: ParsedClaim, claim: ParsedClaim) -> ParsedClaim | None:
    joint = _BETWEEN_CLAIMS.fullmatch(text, prev.end, claim.start)
    if not joint or prev.value is None or claim.value is None or prev.high is not None or claim.high is not None:
        return None
    if joint.group(1) == "and":
        return _sum_of_durations(prev, claim)
    if prev.unit == "count" and prev.qualifier == claim.qualifier == "exact" and claim.value > prev.value:
        return ParsedClaim(prev.start, claim.end, prev.value, "range", claim.unit, claim.value)
    return None


def _sum_of_durations(big: ParsedClaim, small: ParsedClaim) -> ParsedClaim | None:
    """Years and months in years; hours, minutes and seconds in the smaller unit."""
    if big.value is None or small.value is None:
        return None
    if big.unit == "year" and small.unit == "month":
        return ParsedClaim(big.start, small.end, round(big.value + small.value / 12, 4), big.qualifier, "year")
    if big.unit in _SECONDS and small.unit in _SECONDS and _SECONDS[big.unit] > _SECONDS[small.unit]:
        value = big.value * _SECONDS[big.unit] / _SECONDS[small.unit] + small.value
        return ParsedClaim(big.start, small.end, value, big.qualifier, small.unit)
    return None


_PARTICLE = re.compile(
    r"(?i)\b(?:hand(?:s|ed)?|turn(?:s|ed)?(?:\s(?:it|the\sball))?|t(?:ake|ook|aken)|won|win|pass(?:ed)?|months|years)\s$"
)


def _temporal_over(text: str, m: re.Match[str], unit: str | None) -> bool:
    """'over five years' as a stretch of time ('rose 9% over five years') states five years, not more;
    so does 'over five sets'; in 'handed over €6m' the word is a particle of the verb."""
    qual = (m.group("qual") or "").strip().lower()
    return (
        qual == "over"
        and (
            (unit in _TIME_UNITS and bool(m.group("unit") or m.group("decades")))
            or bool(_PERIOD_NOUN_AFTER.match(text, m.end()))
            or bool(_PARTICLE.search(text, max(0, m.start() - 24), m.start()))
        )
        and not text[max(0, m.start() - 4) : m.start()].lower().endswith("for ")
    )


def quantity_line(text: str, claims: list[ParsedClaim]) -> str | None:
    """What kind of quantity line ``text`` is, judged from its claims alone: ``cell`` (the line is one
    quantity, as in a table of statistics), ``list`` (an ingredient line or a list of measured amounts),
    or None. §7a makes these claims; a line classifier tends to take them for chrome, as they are short
    and unpunctuated."""
    if not claims or CHROME_COUNT.search(text) or "▲" in text or "▼" in text:
        return None
    if len(claims) == 1 and claims[0].start == 0 and claims[0].end == len(text):
        return "cell" if claims[0].unit not in _CURRENCY_UNITS else None
    if _ingredient(text, claims):
        return "list"
    measured = sum(1 for c in claims if c.unit not in _NOT_MEASURES and c.unit not in _CURRENCY_UNITS)
    return "list" if len(claims) >= 3 and measured >= 2 else None


def _ingredient(text: str, claims: list[ParsedClaim]) -> bool:
    """An ingredient line ("2 tsp cumin", "1 lemon, or 1/4 cup juice", "8-9 ripe pears"), not a teaser
    headline that happens to open with a number ("10 things to know before you travel")."""
    first = claims[0]
    if first.start > 2 or not _LIST_START.match(text) or is_title_case(text):
        return False
    return first.unit not in _NOT_MEASURES or len(claims) >= 2 or len(text.split()) <= 6


_LIST_START = re.compile(rf"[\[(•*–-]?\s?(?:\d|[{''.join(VULGAR_FRACTIONS)}])")
_NOT_MEASURES = frozenset({"count", "percent", "ratio", "times", None})
_CURRENCY_UNITS = (
    frozenset(CURRENCY_SYMBOLS.values())
    | {c.lower() for c in ISO_CURRENCIES}
    | {unit for unit in CURRENCY_WORDS.values() if unit}
)
