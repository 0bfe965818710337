"""The rules' quote layer on the shapes real news pages take (guidelines §4, §4a, §7a).

Every sentence here is invented for these tests, with invented people and places.
"""

from __future__ import annotations

import pytest
from newslayers.baselines.quotes import predict_quotes

from newslayers.lines import split_lines

Found = tuple[str, str, str | None, str | None]


def quotes(*paragraphs: str) -> list[Found]:
    """(kind, quote, speaker, cue) for every quote, every line treated as content."""
    text = "\n".join(paragraphs)
    found = []
    for q in predict_quotes(text, split_lines(text)):
        speaker = text[q.speaker.start : q.speaker.end] if q.speaker else None
        cue = text[q.cue.start : q.cue.end] if q.cue else None
        found.append((q.kind, text[q.start : q.end], speaker, cue))
    return found


# ----------------------------------------------------------------------------- direct


def test_title_and_appositive_stay_outside_the_speaker() -> None:
    got = quotes(
        "“The bridge will reopen before the first frost,” harbour engineer Odile Vasquez-Marr, "
        "who has run the repairs since spring, told the council."
    )
    assert got == [
        ("direct", "“The bridge will reopen before the first frost,”", "Odile Vasquez-Marr", "told"),
    ]


def test_inverted_attribution_and_a_quote_broken_by_it() -> None:
    got = quotes("“We counted every boat twice,” said Tomasz Ebrell, a ferry pilot. “Nobody believed the numbers.”")
    assert got == [
        ("direct", "“We counted every boat twice,”", "Tomasz Ebrell", "said"),
        ("direct", "“Nobody believed the numbers.”", "Tomasz Ebrell", "said"),
    ]


def test_straight_marks_a_pronoun_speaker_and_a_question() -> None:
    got = quotes('"Can the orchard survive another dry summer?" she asked the growers.')
    assert got == [("direct", '"Can the orchard survive another dry summer?"', "she", "asked")]


def test_a_quote_across_paragraphs_runs_to_its_last_closing_mark() -> None:
    got = quotes(
        "“We waited three nights for the pumps to arrive.",
        "“When they came, the cellar was already lost,” said Ines Varga.",
    )
    assert len(got) == 1 and got[0][2:] == ("Ines Varga", "said")
    assert got[0][1].startswith("“We waited") and got[0][1].endswith("lost,”")


def test_a_colon_then_the_quote_and_its_unmarked_paragraph_end() -> None:
    got = quotes("Professor Halvard Enge said: “The library stays open all night during exams.", "Other news followed.")
    assert got == [("direct", "“The library stays open all night during exams.", "Halvard Enge", "said")]


def test_a_colon_at_the_end_of_the_paragraph_introduces_the_next_one() -> None:
    got = quotes(
        "Mirela Sandu, who chairs the tenants' group, told a packed meeting in March:",
        "“Half of these flats have had no heating since the autumn storms.”",
    )
    assert got == [
        ("direct", "“Half of these flats have had no heating since the autumn storms.”", "Mirela Sandu", "told")
    ]


def test_an_unattributed_quote_continues_the_speaker_before_it() -> None:
    got = quotes(
        "“The river rose faster than any of us expected,” the warden said.",
        "“By morning the lower road was under a metre of water.”",
    )
    assert [g[2:] for g in got] == [("the warden", "said"), ("the warden", "said")]


def test_a_quoted_name_inside_the_attribution_does_not_hide_the_quote() -> None:
    got = quotes('"Every rehearsal felt like opening night," the "Lantern" director later said on Sunday.')
    assert got == [("direct", '"Every rehearsal felt like opening night,"', 'the "Lantern" director', "said")]


# ----------------------------------------------------------------------------- indirect and mixed


def test_indirect_with_that_after_an_adverbial_and_an_object() -> None:
    got = quotes("Mayor Priya Lund told reporters on Tuesday that the tram line would open in June.")
    assert got == [("indirect", "the tram line would open in June", "Priya Lund", "told")]


def test_indirect_without_that_and_a_name_behind_an_appositive() -> None:
    got = quotes("Grete Solheim, a hydrologist at the Nordvik institute, said the lake had dropped by two metres.")
    assert got == [("indirect", "the lake had dropped by two metres", "Grete Solheim", "said")]


def test_clause_before_its_attribution_without_the_dateline() -> None:
    got = quotes("VELMORA, Calistan — The night buses will stop running at midnight from May, the city council said.")
    assert got == [
        ("indirect", "The night buses will stop running at midnight from May", "the city council", "said"),
    ]


def test_according_to_both_ways() -> None:
    got = quotes(
        "Ticket sales rose by a fifth last season, according to the Corvell Theatre Trust.",
        "According to the harbour office, the ferry will resume sailings on Friday.",
    )
    assert got[0] == (
        "indirect",
        "Ticket sales rose by a fifth last season",
        "Corvell Theatre Trust",
        "according to",
    )
    assert got[1] == ("indirect", "the ferry will resume sailings on Friday", "the harbour office", "According to")


def test_mixed_quote_swallows_its_quoted_words() -> None:
    got = quotes("Dario Fenn said the budget was “a patch on a sinking boat” and would not pass.")
    assert got == [("mixed", "the budget was “a patch on a sinking boat” and would not pass", "Dario Fenn", "said")]


def test_called_x_y_is_mixed_and_ends_with_its_quote() -> None:
    got = quotes('Local growers called the new tariff a "slow poison," as prices kept falling.')
    assert got == [("mixed", 'the new tariff a "slow poison,"', "Local growers", "called")]


def test_one_cue_one_quote_and_a_new_cue_starts_a_new_quote() -> None:
    got = quotes("The union said wages had not kept up with rents and warned that a strike could begin in May.")
    assert got == [
        ("indirect", "wages had not kept up with rents", "The union", "said"),
        ("indirect", "a strike could begin in May", "The union", "warned"),
    ]


def test_a_participle_cue_takes_the_subject_of_its_sentence() -> None:
    got = quotes("Coach Anneli Rask praised her defence, adding that the team still lacked a striker.")
    assert got == [("indirect", "the team still lacked a striker", "Anneli Rask", "adding")]


def test_an_urge_reports_its_object_and_infinitive() -> None:
    got = quotes("The regional health board urged parents to book vaccinations before the winter.")
    assert got == [
        ("indirect", "parents to book vaccinations before the winter", "The regional health board", "urged"),
    ]


# ----------------------------------------------------------------------------- speaker and cue only


def test_a_signature_line_gives_a_speaker_without_a_cue() -> None:
    got = quotes("“Friendly staff and the best noodles on the coast.”", "– Wen Liao")
    assert got == [("direct", "“Friendly staff and the best noodles on the coast.”", "Wen Liao", None)]


def test_a_headline_name_and_colon_give_a_speaker_without_a_cue() -> None:
    got = quotes("Farid Osei: “We will rebuild the old market hall”")
    assert got == [("direct", "“We will rebuild the old market hall”", "Farid Osei", None)]


# ----------------------------------------------------------------------------- what is not a quote


@pytest.mark.parametrize(
    "sentence",
    [
        "Analysts believe that the currency will weaken further this year.",  # belief (§7a)
        "Karin Dahl found that the old maps were wrong about the shoreline.",  # a person finds: perception
        "The minister has been accused of hiding the audit from parliament.",  # a passive
        "We can say that the new model is faster than the old one.",  # the writer, and a modal
        "I found that the battery lasted a full day of heavy use.",  # first person
        "Then add the lemon juice and the spices to the pot.",  # an imperative
        "The report was released on Monday after a long delay.",  # "report" as a noun
        "Voters gave the “green corridor” plan a cautious welcome.",  # scare quotes
        "She has starred in “Winter on Kessel Street” since last year.",  # a title
    ],
)
def test_not_quotes(sentence: str) -> None:
    assert quotes(sentence) == []


def test_a_document_may_find() -> None:
    got = quotes("A survey by the Tallow Institute found that most commuters would pay more for faster trains.")
    assert got == [
        ("indirect", "most commuters would pay more for faster trains", "A survey by the Tallow Institute", "found"),
    ]
