"""The baselines: the number parser and quote patterns on hard cases written for this project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from newslayers.baselines.numbers import find_claims
from newslayers.baselines.rules import RulesSystem, predict_quotes, split_lines

from newslayers.model import Document

CLAIMS = [
    ("The ferry carried more than two dozen passengers.", "more than two dozen", 24, "more_than", "count", None),
    ("Officials counted 1,204 ballots by noon.", "1,204", 1204, "exact", "count", None),
    ("The upgrade will cost $4.2bn over a decade.", "$4.2bn", 4_200_000_000, "exact", "usd", None),
    ("Sales reached €300m last year.", "€300m", 300_000_000, "exact", "eur", None),
    ("Turnout fell 3.5% in the river wards.", "3.5%", 3.5, "exact", "percent", None),
    ("Between 40 and 50 volunteers cleared the beach.", "Between 40 and 50", 40, "range", "count", 50),
    ("The storm left nearly 2 million homes dark.", "nearly 2 million", 2_000_000, "approximate", "count", None),
    ("Two-thirds of members backed the deal.", "Two-thirds", 0.6667, "exact", "ratio", None),
    ("The three-year-old dispute went to court.", "three-year-old", 3, "exact", "year", None),
    ("Rents could rise up to 12 per cent.", "up to 12 per cent", 12, "at_most", "percent", None),
    ("At least eleven boats were damaged.", "At least eleven", 11, "at_least", "count", None),
    ("Fewer than 300 tickets remain.", "Fewer than 300", 300, "less_than", "count", None),
    ("The clinic raised NOK 2.3 billion.", "NOK 2.3 billion", 2_300_000_000, "exact", "nok", None),
    ("Prices climbed 5-7% this spring.", "5-7%", 5, "range", "percent", 7),
    ("The 165-seat chamber voted late.", "165-seat", 165, "exact", "count", None),
]
NOT_CLAIMS = [
    "The G7 summit opened on March 3 at 9 a.m.",
    "Flight BA 2490 landed on Route 9 beside a Boeing 737.",
    "It was the third round of talks since 2019.",
    "Dockers won 3-1 win in the final.",
    "One of them said no one had come at 10:42.",
]


@pytest.mark.parametrize(("text", "surface", "value", "qualifier", "unit", "high"), CLAIMS)
def test_number_parser_hard_cases(
    text: str, surface: str, value: float, qualifier: str, unit: str, high: float | None
) -> None:
    claims = find_claims(text)
    assert [text[c.start : c.end] for c in claims] == [surface]
    (claim,) = claims
    assert claim.value == pytest.approx(value) and claim.qualifier == qualifier and claim.unit == unit
    assert (claim.high is None) if high is None else claim.high == pytest.approx(high)


@pytest.mark.parametrize("text", NOT_CLAIMS)
def test_dates_times_ordinals_names_and_scores_are_not_claims(text: str) -> None:
    assert [text[c.start : c.end] for c in find_claims(text)] == []


def _quotes(paragraphs: list[str]) -> list[tuple[str, str, str | None, str | None]]:
    """Quote patterns alone: every line is treated as content."""
    text = "\n".join(paragraphs)
    span = lambda s: None if s is None else text[s.start : s.end]  # noqa: E731
    return [
        (q.kind, text[q.start : q.end], span(q.speaker), span(q.cue)) for q in predict_quotes(text, split_lines(text))
    ]


def test_direct_quote_with_speaker_after() -> None:
    got = _quotes(
        [
            "“We will rebuild the harbour wall before the winter storms arrive,” Mayor Ruth Keane said on Friday in Porto."
        ]
    )
    assert got == [
        ("direct", "“We will rebuild the harbour wall before the winter storms arrive,”", "Ruth Keane", "said")
    ]


def test_pronoun_speaker_and_broken_quote_share_attribution() -> None:
    got = _quotes(
        ["“The sky was full of drones for most of the night,” she said. “Nobody in the building slept at all.”"]
    )
    assert [(k, s, c) for k, _, s, c in got] == [("direct", "she", "said"), ("direct", "she", "said")]


def test_indirect_and_mixed_speech() -> None:
    got = _quotes(
        [
            "The ministry said that the strike hit only military targets in the eastern districts of the region.",
            "Tomas Ferreira said the plan was “dead on arrival” for the coastal towns that depend on the port.",
        ]
    )
    assert got[0] == (
        "indirect",
        "the strike hit only military targets in the eastern districts of the region",
        "The ministry",
        "said",
    )
    assert got[1][0] == "mixed" and got[1][2:] == ("Tomas Ferreira", "said") and "“dead on arrival”" in got[1][1]


def test_quote_continues_across_paragraphs() -> None:
    got = _quotes(
        [
            "“The first winter was the hardest one we have ever had,” said Lena Moss, a fisher.",
            "“The second was worse,” she added.",
        ]
    )
    assert got[0][2] == "Lena Moss" and got[1][2] == "she"
    text = "“We stayed through the whole first winter on the island.\n“Then we left for good in the spring,” said Ines Roa."
    assert [text[q.start : q.end] for q in predict_quotes(text, split_lines(text))] == [text[: text.rindex("”") + 1]]
    assert _quotes(text.split("\n"))[0][2:] == ("Ines Roa", "said")


def test_rules_keep_content_layers_out_of_boilerplate() -> None:
    text = (
        "Port strike ends | Harbour Ledger\nHome World Business\nPort strike ends\n"
        "Dockers in Porto voted on Monday to return to work after a nine-day strike, the union said.\n"
        "Comments\nMaria Lopes · 2 hours ago\nAbout time, 300 ships were waiting, as the mayor said."
    )
    doc = RulesSystem().predict_one(Document(id="b", text=text))
    content_start, content_end = text.index("\nPort strike ends\n") + 1, text.index("Comments")
    kinds = {text[b.start : b.end]: b.kind for b in doc.boilerplate}
    assert kinds["Port strike ends | Harbour Ledger"] == "page_title" and kinds["Comments"] == "comments"
    for span in [*doc.entities, *doc.numeric_claims, *doc.quotes]:
        assert content_start <= span.start and span.end <= content_end


def test_baseline_list_names_every_system() -> None:
    result = run_cli("baseline", "--list")
    assert result.returncode == 0
    for name in ("rules", "sklearn", "trafilatura", "justext", "quantulum3", "spacy"):
        assert result.stdout.count(name) >= 1, name


@pytest.mark.parametrize("name", ["rules", "sklearn", "trafilatura", "justext", "quantulum3", "spacy"])
def test_every_system_writes_valid_predictions(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.jsonl"
    result = run_cli("baseline", name, "--split", "validation", "--out", str(out))
    if "is not available" in result.stderr:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, result.stderr[-2000:]
    assert run_cli("validate", "--mode", "predictions", str(out)).returncode == 0
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(docs) > 10 and any(
        docs[0].get(layer) for layer in ("entities", "numeric_claims", "quotes", "boilerplate")
    )
