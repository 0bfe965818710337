"""Reading and writing the contract: canonical, streaming, atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from newslayers.jsonl import ContractError, dumps_document, load_documents, read_documents, write_documents
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span


def sample() -> Document:
    text = "Ana said \u201cwe lost 24\u201d.\r\nLeave a Reply \U0001f600"
    number, quote, form = text.index("24"), text.index("\u201c"), text.index("Leave")
    return Document(
        id="x1",
        text=text,
        split="train",
        entities=[Entity(0, 3, "PERSON")],
        numeric_claims=[NumericClaim(number, number + 2, 24.0, "exact", "count")],
        quotes=[Quote(quote, text.index("\u201d") + 1, "direct", Span(0, 3), Span(4, 8))],
        boilerplate=[Boilerplate(form, len(text), "comment_form")],
        meta={"synthetic": True},
    )


def test_round_trip_keeps_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_documents(path, [sample()])
    (doc,) = load_documents(path)
    assert doc.text == sample().text
    assert doc.numeric_claims[0].value == 24 and isinstance(doc.numeric_claims[0].value, int)
    assert dumps_document(doc) == dumps_document(sample())
    assert path.read_bytes().count(b"\n") == 1


def test_failed_write_leaves_no_half_file(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_documents(path, [sample()])
    before = path.read_bytes()

    def broken():
        yield sample()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_documents(path, broken())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_reading_streams_and_stops_at_first_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    write_documents(path, [sample()])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": 5}\n')
    stream = read_documents(path)
    assert next(stream).id == "x1"
    with pytest.raises(ContractError) as err:
        next(stream)
    assert f"{path}:2: id:" in str(err.value)
