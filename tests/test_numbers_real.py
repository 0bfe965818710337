"""The number parser on the kinds of text real pages hold: recipes, product reviews, sport, tables.

Every sentence here was written for this test; none comes from a page of the corpus.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from newslayers.baselines import numbers
from newslayers.baselines.numbers import find_claims, name_numbers, quantity_line
from newslayers.baselines.rules import predict_numeric

from newslayers.lines import split_lines

# (sentence, surface, value, qualifier, unit, high)
CLAIMS = [
    # recipe amounts (§7a): unit words, abbreviations with their dot, fractions
    ("Whisk in 2 Tbsp. melted butter.", "2 Tbsp.", 2, "exact", "tablespoon", None),
    ("Stir in ½ cup grated cheese.", "½ cup", 0.5, "exact", "cup", None),
    ("Fold in 1 1/2 cups of oats.", "1 1/2 cups", 1.5, "exact", "cup", None),
    ("Season with 1/4 tsp salt.", "1/4 tsp", 0.25, "exact", "teaspoon", None),
    ("Grill 6 oz. salmon fillets.", "6 oz.", 6, "exact", "ounce", None),
    ("Add 1 scoop protein powder.", "1 scoop", 1, "exact", "scoop", None),
    ("Pour in a cup and a half of stock.", "a cup and a half", 1.5, "exact", "cup", None),
    ("Simmer for about a minute.", "about a minute", 1, "approximate", "minute", None),
    ("Let it rest a minute or so before serving.", "a minute or so", 1, "approximate", "minute", None),
    # product reviews: units glued to the digits, rates
    ("The laptop ships with 256GB of storage.", "256GB", 256, "exact", "gigabyte", None),
    ("Its charger delivers 65W through a single cable.", "65W", 65, "exact", "w", None),
    ("The chip runs at 3.1GHz under load.", "3.1GHz", 3.1, "exact", "ghz", None),
    (
        "Copies ran at about 900MB per second.",
        "about 900MB per second",
        900,
        "approximate",
        "megabyte_per_second",
        None,
    ),
    ("The fans peaked at 47 dBA in testing.", "47 dBA", 47, "exact", "dba", None),
    # hyphenated compounds: the whole word, with its unit (§3, §7a)
    ("She bought a 14-inch tablet.", "14-inch", 14, "exact", "inch", None),
    ("The club ended a nine-game slump.", "nine-game", 9, "exact", "count", None),
    ("It was a two-goal comeback.", "two-goal", 2, "exact", "goal", None),
    ("Crews cleared a 30-kilometre stretch of road.", "30-kilometre", 30, "exact", "km", None),
    ("The van has a six-cylinder engine.", "six-cylinder", 6, "exact", "count", None),
    # durations, multiples and ranges written out
    ("The download took 3 minutes and 20 seconds.", "3 minutes and 20 seconds", 200, "exact", "second", None),
    (
        "The new model is about two and a half times faster.",
        "about two and a half times",
        2.5,
        "approximate",
        "times",
        None,
    ),
    ("You may need one or two extra pans.", "one or two", 1, "range", "count", 2),
    ("Repairs could take three-four weeks.", "three-four weeks", 3, "range", "week", 4),
    ("The park sits half a mile from the station.", "half a mile", 0.5, "exact", "mile", None),
    # qualifiers news and reviews use
    ("Filters catch particles smaller than 10 microns.", "smaller than 10 microns", 10, "less_than", "micron", None),
    ("Tickets are open to visitors aged 16 and older.", "16 and older", 16, "at_least", "year", None),
    ("The vote passed with more than double the support.", "more than double", 2, "more_than", "times", None),
    (
        "Officials expect hundreds of kilometres of new track.",
        "hundreds of kilometres",
        None,
        "approximate",
        "km",
        None,
    ),
    ("Only a few hundred fans stayed.", "a few hundred", None, "approximate", "count", None),
    # sport: ages, occurrences, score nouns outside the span (§4a)
    ("The keeper, 34, signed for another season.", "34", 34, "exact", "year", None),
    ("The striker had scored just once since March.", "once", 1, "exact", "count", None),
    ("The guard was fouled three times in the final minute.", "three times", 3, "exact", "count", None),
    ("The centre finished with 27 points.", "27", 27, "exact", "point", None),
    ("The runner gained 88 yards on the play.", "88 yards", 88, "exact", "yard", None),
    # money and magnitudes
    ("The charity collected 20 lakh rupees.", "20 lakh rupees", 2_000_000, "exact", "inr", None),
    ("Seats in the front row cost 80,000₩.", "80,000₩", 80_000, "exact", "krw", None),
]

NOT_CLAIMS = [
    "The coach retired two years ago after a long career.",  # a relative date (§4a)
    "Rivals from the Coastal Eight played in the Zenbox One arena.",  # numbers inside names
    "Call 555-0142 or +44 20 7946 0958 before 11/19/26.",  # phone numbers and a date
    "Fans streamed the match in 4K on a Vertex 7600M laptop.",  # a resolution and a chip
    "The visitors won 31-17 after leading 14-7 at the break.",  # scorelines
    "Ridgeview (8-3, 5-2) host Lakeside (4-7, 2-5) on Friday.",  # records
    "The bakery opens at seven, and the queue starts at six.",  # times of day
    "Once the sauce thickens, remove the pan.",  # a conjunction
    "The pair reached the final on day three.",  # a step, not a quantity
    "New, 14 comments",  # page furniture
]


@pytest.mark.parametrize(("text", "surface", "value", "qualifier", "unit", "high"), CLAIMS)
def test_claims_on_real_kinds_of_text(
    text: str, surface: str, value: float | None, qualifier: str, unit: str, high: float | None
) -> None:
    claims = find_claims(text)
    assert [text[c.start : c.end] for c in claims] == [surface]
    (claim,) = claims
    assert claim.value == (None if value is None else pytest.approx(value))
    assert (claim.qualifier, claim.unit) == (qualifier, unit)
    assert claim.high == (None if high is None else pytest.approx(high))


@pytest.mark.parametrize("text", NOT_CLAIMS)
def test_dates_names_scores_and_furniture_are_not_claims(text: str) -> None:
    assert [text[c.start : c.end] for c in find_claims(text)] == []


def test_units_are_lower_case_in_title_case_headlines() -> None:
    text = "Rescuers Free Six-Year-Old As Pumps Clear 900 Megabytes Per Second Of Footage"
    claims = find_claims(text)
    assert [(text[c.start : c.end], c.unit) for c in claims] == [
        ("Six-Year-Old", "year"),
        ("900 Megabytes Per Second", "megabyte_per_second"),
    ]


def test_a_change_is_two_numbers_and_a_range_is_one() -> None:
    text = "Scores rose from 410 to 455 while the budget stays at $2 million to $3 million."
    assert [text[c.start : c.end] for c in find_claims(text)] == ["410", "455", "$2 million to $3 million"]
    low, high, budget = find_claims(text)
    assert low.unit == high.unit == "point" and budget.qualifier == "range" and budget.high == 3_000_000


def test_a_number_used_as_a_name_is_left_out_everywhere_on_the_page() -> None:
    page = "Airlines keep ordering the Corvane 321 jet.\nThe carrier now flies 40 321 jets on short routes."
    names = name_numbers(page)
    assert names == {"321"}
    second = page.splitlines()[1]
    assert [second[c.start : c.end] for c in find_claims(second, names)] == ["40"]


def test_quantity_lines_are_lists_and_cells() -> None:
    def kind(line: str) -> str | None:
        return quantity_line(line, find_claims(line))

    assert kind("2 tsp ground cumin") == "list"
    assert kind("Pasta bake (1 cup penne, ½ cup cream, 2 oz. cheese)") == "list"
    assert kind("64%") == "cell"
    assert kind("12 comments") is None
    assert kind("7 Ways To Cut Your Energy Bill This Winter") is None  # a teaser headline
    assert kind("The mayor spoke for an hour.") is None


def test_predict_numeric_reads_quantity_lines_between_content_lines() -> None:
    page = "\n".join(
        [
            "Cook the lentils until soft, then drain them well.",
            "1 tsp smoked paprika",
            "Related: 5 Dinners You Can Freeze",
            "Serve with 2 slices of toast and a green salad today.",
            "Minutes played",
            "81",
            "67%",
            "The coach praised the defence after the match.",
        ]
    )
    lines = split_lines(page)
    content = [lines[i] for i in (0, 3, 7)]
    found = [page[c.start : c.end] for c in predict_numeric(page, content)]
    assert found == ["1 tsp", "2", "81", "67%"]


# ----------------------------------------------------------------------------- the parser never fails

_WORDS = (
    "a an about over more than between and to or 1 12 1,200 3.5 ½ 1/2 1 1/2 $ £5 US$4 r$5 ksh KSh5 NOK 2 % per cent minute "
    "hour year half once twice couple hundreds of thousands dozens GB 512GB 96W 2.4GHz tsp. Tbsp oz. cups - – 16-inch "
    "three-year-old two-goal one two three twenty-five threefold century decades within up to at least several a few "
    "The Coastal Eight ( ) , . : / 4K 9000M 11/19/19 +49 older than 65 and older or so seconds in out of aged"
).split(" ")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from([" ", " ", "", "\n", "-"])), max_size=14))
def test_parser_matches_the_full_scan_on_word_soup(parts: list[tuple[str, str]]) -> None:
    text = "".join(word + sep for word, sep in parts)
    claims = find_claims(text)
    assert all(0 <= c.start < c.end <= len(text) for c in claims)
    assert [m.span() for m in numbers.claim_matches(text)] == [m.span() for m in numbers.CLAIM.finditer(text)]
