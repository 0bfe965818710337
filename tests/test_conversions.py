"""Property tests of the conversions every room relies on (BIO, UTF-16, alignment)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from newslayers.align import align_extracted, complement_lines
from newslayers.offsets import OffsetMap
from newslayers.tokens import bio_to_spans, spans_to_bio, tokenize

# Text with the characters that break naive code: emoji (astral), CJK, combining marks,
# CRLF, no-break spaces, curly quotes.
HARD_CHARS = st.sampled_from(
    list("abcXYZ019 .,’“”-—")
    + ["\u00a0", "\r\n", "\n", "\U0001f600", "\U0001f1fa\U0001f1e6", "\u6771\u4eac", "e\u0301", "\u0416"]
)
hard_text = st.lists(HARD_CHARS, max_size=60).map("".join)


@given(hard_text, st.data())
def test_utf16_round_trip(text: str, data: st.DataObject) -> None:
    offsets = OffsetMap(text)
    encoded = text.encode("utf-16-le")
    assert offsets.utf16_length * 2 == len(encoded)
    cp = data.draw(st.integers(0, len(text)))
    u16 = offsets.to_utf16(cp)
    # The UTF-16 prefix decodes to exactly the code-point prefix.
    assert encoded[: 2 * u16].decode("utf-16-le") == text[:cp]
    assert offsets.to_codepoint(u16) == cp


def test_utf16_rejects_offsets_inside_a_surrogate_pair() -> None:
    offsets = OffsetMap("a\U0001f600b")
    assert [offsets.to_utf16(i) for i in range(4)] == [0, 1, 3, 4]
    try:
        offsets.to_codepoint(2)
    except ValueError as err:
        assert "surrogate" in str(err)
    else:
        raise AssertionError("offset 2 is inside the emoji's surrogate pair")


@given(hard_text, st.data())
def test_bio_round_trip(text: str, data: st.DataObject) -> None:
    tokens = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    # Random non-overlapping token ranges become labelled spans.
    spans, i = [], 0
    while i < len(tokens):
        length = data.draw(st.integers(0, 3))
        if length and i + length <= len(tokens):
            label = data.draw(st.sampled_from(["PERSON", "GPE", "ORG"]))
            spans.append((tokens[i].start, tokens[i + length - 1].end, label))
            i += length + data.draw(st.integers(0, 2))
        else:
            i += 1
    tags = spans_to_bio(tokens, spans)
    assert len(tags) == len(tokens)
    # Adjacent spans of one label are told apart by B-; the round trip is exact.
    assert bio_to_spans(tokens, tags) == sorted(spans)


def test_tokenizer_keeps_numbers_and_hyphenated_words() -> None:
    text = "More than 1,200.5 people — a three-year-old’s toy; $4.2bn"
    assert [t.text for t in tokenize(text)] == [
        "More", "than", "1,200.5", "people", "—", "a", "three-year-old", "’s", "toy", ";", "$", "4.2", "bn",
    ]  # fmt: skip


paragraph = st.lists(
    st.sampled_from(["Kyiv", "said", "539", "drones", "“fine,”", "the", "mayor", "Zoë", "\U0001f600", "東京"]),
    min_size=3,
    max_size=12,
).map(" ".join)


@settings(max_examples=150)
@given(st.lists(paragraph, min_size=1, max_size=6), st.data())
def test_alignment_with_collapsed_whitespace(paragraphs: list[str], data: st.DataObject) -> None:
    # The page text has odd whitespace; the extractor returns some paragraphs, collapsed.
    separators = data.draw(
        st.lists(
            st.sampled_from(["\n", "\r\n", "\n\n", " \u00a0\n"]), min_size=len(paragraphs), max_size=len(paragraphs)
        )
    )
    chrome = "Menu Home World"
    text = (
        chrome
        + "\n"
        + "".join(
            p.replace(" ", data.draw(st.sampled_from([" ", "  ", "\u00a0", "\t"]))) + sep
            for p, sep in zip(paragraphs, separators, strict=True)
        )
    )
    keep = data.draw(st.lists(st.booleans(), min_size=len(paragraphs), max_size=len(paragraphs)))
    extracted = "\n".join(re.sub(r"\s+", " ", p) for p, k in zip(paragraphs, keep, strict=True) if k)
    spans = align_extracted(text, extracted)
    covered = "".join(text[s:e] for s, e in spans)
    assert "".join(covered.split()) == "".join(extracted.split())
    for start, end in spans:
        assert not text[start].isspace() and not text[end - 1].isspace()


def test_alignment_survives_a_changed_character() -> None:
    text = "Nav\nFirst sentence of the story here. Second sentence is also long enough.\nFooter"
    extracted = "First sentence of the story here. Second sentence is also long enough!"
    spans = align_extracted(text, extracted)
    # The changed sentence is split in halves: only the half with the change is lost.
    assert [text[s:e] for s, e in spans] == ["First sentence of the story here. Second sentence is"]


def test_complement_lines_gives_boilerplate_per_line() -> None:
    text = "Menu\r\nStory text.\nComments  here"
    story = text.index("Story")
    assert complement_lines(text, [(story, story + len("Story text."))]) == [
        (0, 4),
        (text.index("Comments"), len(text)),
    ]
