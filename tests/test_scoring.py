"""Our entity scorer gives the same numbers as nervaluate, scheme by scheme and per label."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newslayers.model import Boilerplate, Document, Entity
from newslayers.scoring import aggregate, breakdowns, score_run

nervaluate = pytest.importorskip("nervaluate")
LABELS = ["PERSON", "ORG", "GPE"]


def nervaluate_scores(gold: list[list[Entity]], pred: list[list[Entity]]) -> dict:
    """nervaluate on the same spans; its ends are inclusive, so it gets end - 1."""

    def convert(docs):
        return [[{"label": e.label, "start": e.start, "end": e.end - 1} for e in doc] for doc in docs]

    return nervaluate.Evaluator(convert(gold), convert(pred), tags=LABELS, loader="dict").evaluate()


def ours(gold: list[list[Entity]], pred: list[list[Entity]]) -> dict:
    gdocs = [Document(id=str(i), text="x" * 400, entities=g) for i, g in enumerate(gold)]
    preds = {str(i): Document(id=str(i), entities=p) for i, p in enumerate(pred)}
    return aggregate(score_run(gdocs, preds, ["entities"]))["entities"]


def assert_same(gold: list[list[Entity]], pred: list[list[Entity]]) -> None:
    gold = [sorted(doc) for doc in gold]
    pred = [sorted(doc) for doc in pred]
    theirs, mine = nervaluate_scores(gold, pred), ours(gold, pred)
    for scheme in ("strict", "exact", "partial", "ent_type"):
        t = theirs["overall"][scheme]
        m = mine[scheme]
        assert (m["correct"], m["incorrect"], m["partial"], m["missed"], m["spurious"]) == (
            t.correct, t.incorrect, t.partial, t.missed, t.spurious,
        ), scheme  # fmt: skip
        for key in ("precision", "recall", "f1"):
            assert m[key] == pytest.approx(getattr(t, key), abs=1e-12), (scheme, key)
        for label, per in theirs["entities"].items():
            assert mine["per_label"][label][scheme]["f1"] == pytest.approx(per[scheme].f1, abs=1e-12), (label, scheme)


def spans_strategy():
    span = st.tuples(st.integers(0, 120), st.integers(1, 12), st.sampled_from(LABELS)).map(
        lambda t: Entity(t[0], t[0] + t[1], t[2])
    )
    return st.lists(st.lists(span, max_size=8), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(spans_strategy(), st.data())
def test_random_cases_match_nervaluate(gold, data) -> None:
    pred = data.draw(st.lists(st.lists(st.tuples(st.integers(0, 120), st.integers(1, 12), st.sampled_from(LABELS)).map(
        lambda t: Entity(t[0], t[0] + t[1], t[2])), max_size=8), min_size=len(gold), max_size=len(gold)))  # fmt: skip
    assert_same(gold, pred)


def test_hand_made_cases_match_nervaluate() -> None:
    gold = [[Entity(0, 4, "GPE"), Entity(10, 20, "PERSON"), Entity(30, 35, "ORG")]]
    cases = [
        [Entity(0, 4, "GPE"), Entity(10, 20, "PERSON"), Entity(30, 35, "ORG")],  # perfect
        [Entity(0, 4, "ORG"), Entity(12, 20, "PERSON"), Entity(50, 55, "ORG")],  # wrong type, partial, spurious
        [Entity(0, 40, "GPE")],  # one long span over everything
        [Entity(4, 10, "GPE")],  # touching but not overlapping (exclusive ends)
        [],
    ]
    for pred in cases:
        assert_same(gold, [pred])


def test_long_gold_span_with_tiny_overlap_follows_nervaluate_threshold() -> None:
    # A 1-character overlap with a 150-character gold span is under nervaluate's 1% minimum.
    assert_same([[Entity(0, 150, "ORG")]], [[Entity(149, 160, "ORG")]])


def test_boilerplate_char_scores_ignore_whitespace() -> None:
    text = "Menu Home\nStory text here.\nFooter"
    gold = Document(id="d", text=text, boilerplate=[Boilerplate(0, 9, "navigation"), Boilerplate(27, 33, "footer")])
    pred = Document(id="d", boilerplate=[Boilerplate(0, 4, "navigation")])
    scores = aggregate(score_run([gold], {"d": pred}, ["boilerplate"]))["boilerplate"]
    assert scores["char"]["precision"] == 1.0
    assert scores["char"]["recall"] == pytest.approx(4 / 14)  # "MenuHome" + "Footer" = 14 visible characters
    assert scores["content_words"]["recall"] == 1.0 and scores["content_words"]["precision"] == pytest.approx(3 / 5)


def test_seeded_random_corpus_matches_nervaluate() -> None:
    rng = random.Random(7)
    gold, pred = [], []
    for _ in range(200):
        g = sorted(Entity(s, s + rng.randint(1, 9), rng.choice(LABELS)) for s in rng.sample(range(0, 300, 10), 12))
        p = [
            Entity(max(0, e.start + rng.randint(-2, 2)), e.end + rng.randint(-1, 2), rng.choice(LABELS))
            for e in g
            if rng.random() < 0.8
        ]
        p += [Entity(s, s + 3, rng.choice(LABELS)) for s in rng.sample(range(305, 390), 2)]
        gold.append(g)
        pred.append(sorted(p))
    assert_same(gold, pred)


def test_breakdowns_score_each_language_apart() -> None:
    gold = [
        Document(id=code, text="Some text of ours.", meta={"language": code}, entities=[Entity(0, 4, "ORG")])
        for code in ("en", "ru")
    ]
    found = {"en": Document(id="en", entities=[Entity(0, 4, "ORG")]), "ru": Document(id="ru", entities=[])}
    by_language = breakdowns(score_run(gold, found, ["entities"]))["language"]
    assert by_language["en"] == {"documents": 1, "entities": 1.0}
    assert by_language["ru"] == {"documents": 1, "entities": 0.0}
