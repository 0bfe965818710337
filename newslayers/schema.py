"""The closed sets of the annotation schema: one source of truth for every room.

The layer registry (:mod:`newslayers.layers`) and the span types read these tuples, so a
label added here appears everywhere at once.
"""

from __future__ import annotations

ENTITY_LABELS: tuple[str, ...] = (
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
)

QUALIFIERS: tuple[str, ...] = (
    "exact",
    "approximate",
    "at_least",
    "at_most",
    "more_than",
    "less_than",
    "range",
)

QUOTE_KINDS: tuple[str, ...] = ("direct", "indirect", "mixed")

BOILERPLATE_KINDS: tuple[str, ...] = (
    "page_title",
    "navigation",
    "breadcrumb",
    "metadata",
    "cookie_banner",
    "advertisement",
    "related_links",
    "social_share",
    "newsletter_signup",
    "sidebar",
    "author_bio",
    "paywall",
    "comments",
    "comment_form",
    "footer",
    "other",
)

SYNTHETIC_SPLITS: tuple[str, ...] = ("train", "validation", "test")
REAL_SPLITS: tuple[str, ...] = ("real_validation", "real_test")
SPLITS: tuple[str, ...] = (*SYNTHETIC_SPLITS, *REAL_SPLITS)

TOPICS: tuple[str, ...] = (
    "conflict",
    "national_politics",
    "elections",
    "economy",
    "company_results",
    "courts_crime",
    "health_science",
    "weather_disasters",
    "sports",
    "technology",
    "local_government",
    "culture",
)

# Spellings of the same unit that annotators used; the markup parser maps them to one name.
UNIT_ALIASES: dict[str, str] = {
    "km_h": "kmh",
    "km_per_hour": "kmh",
    "microgram_per_m3": "ug_m3",
    "percentage_points": "percentage_point",
    "percent_point": "percentage_point",
    "pct": "percent",
    "tonnes": "tonne",
    "ton": "tonne",
    "years": "year",
    "people": "count",
    "persons": "count",
    "degrees_celsius": "celsius",
    "gram": "g",
    "grams": "g",
    "oz": "ounce",
    "tbsp": "tablespoon",
    "tsp": "teaspoon",
    "watt": "w",
    "wpm": "word_per_minute",
}
