"""Word lists of the rule-based and learned baselines, kept as data in ``gazetteers.json``.

Countries, cities, nationalities, organisation type words, titles …: general world knowledge,
never tuned on a test page. Stored as JSON so they are reviewed as data, not code; the order
of each list is kept (longer alternatives first where patterns are built from them).
"""

from __future__ import annotations

import json
from pathlib import Path

_DATA: dict[str, list[str]] = json.loads(Path(__file__).with_name("gazetteers.json").read_text(encoding="utf-8"))

COUNTRIES: list[str] = _DATA["COUNTRIES"]
MULTIWORD_GPE: list[str] = _DATA["MULTIWORD_GPE"]
CITIES: list[str] = _DATA["CITIES"]
NATIONALITIES: list[str] = _DATA["NATIONALITIES"]
LOCATIONS: list[str] = _DATA["LOCATIONS"]
MULTIWORD_LOC: list[str] = _DATA["MULTIWORD_LOC"]
ORGANISATIONS: list[str] = _DATA["ORGANISATIONS"]
ORG_WORDS: list[str] = _DATA["ORG_WORDS"]
FAC_WORDS: list[str] = _DATA["FAC_WORDS"]
LOC_WORDS: list[str] = _DATA["LOC_WORDS"]
EVENT_WORDS: list[str] = _DATA["EVENT_WORDS"]
LAW_WORDS: list[str] = _DATA["LAW_WORDS"]
TITLES: list[str] = _DATA["TITLES"]
SENTENCE_WORDS: list[str] = _DATA["SENTENCE_WORDS"]
