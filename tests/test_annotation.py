"""The Label Studio side without a server: config, converters, adjudication, agreement."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import run_cli, write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st
from newslayers.annotation import agreement, labeling_config
from newslayers.annotation import config as C
from newslayers.annotation.convert import document_from_result, document_result, task_data
from newslayers.annotation.studio import credentials

from newslayers.adjudication import ANNOTATOR_KEY, BASE_ID_KEY, Version, merge_versions
from newslayers.errors import UserError
from newslayers.jsonl import document_to_json, dumps_document
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span
from newslayers.offsets import OffsetMap
from newslayers.schema import BOILERPLATE_KINDS, ENTITY_LABELS, QUALIFIERS, QUOTE_KINDS

PAGE = "Home › World 🌍\r\nKYIV — “We will rebuild 🏗️,” Mayor Ruth Keane said.\r\n東京\u00a0voters: more than 24 😀.\r\n© 2026"


def _find(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def page_document() -> Document:
    """A page with emoji, CJK, CRLF and a no-break space, with all four layers."""
    quote, speaker, cue = _find(PAGE, "“We will rebuild 🏗️,”"), _find(PAGE, "Ruth Keane"), _find(PAGE, "said")
    return Document(
        id="p-1",
        text=PAGE,
        split="test",
        meta={"synthetic": True},
        entities=[Entity(*_find(PAGE, "KYIV"), "GPE"), Entity(*speaker, "PERSON"), Entity(*_find(PAGE, "東京"), "GPE")],
        numeric_claims=[NumericClaim(*_find(PAGE, "more than 24"), 24, "more_than", "count")],
        quotes=[Quote(*quote, "direct", Span(*speaker), Span(*cue))],
        boilerplate=[
            Boilerplate(*_find(PAGE, "Home › World 🌍"), "breadcrumb"),
            Boilerplate(*_find(PAGE, "© 2026"), "footer"),
        ],
    ).sorted()


def roundtrip(doc: Document) -> tuple[Document, list]:
    return document_from_result(task_data(doc), document_result(doc), task_id=7, annotation_id=9)


# ----------------------------------------------------------------------------- config


def test_config_has_every_schema_label_and_the_per_region_fields() -> None:
    root = ET.fromstring(labeling_config())
    labels = {e.get("name"): [label.get("value") for label in e] for e in root.iter("Labels")}
    assert labels == {
        C.ENTITIES: list(ENTITY_LABELS),
        C.NUMERIC: [C.NUM_LABEL],
        C.QUOTES: list(QUOTE_KINDS),
        C.ROLES: [C.SPEAKER, C.CUE],
        C.BOILERPLATE: list(BOILERPLATE_KINDS),
    }
    assert [r.get("value") for r in root.iter("Relation")] == [C.RELATION_SPEAKER, C.RELATION_CUE]
    per_region = {e.get("name"): e.tag for e in root.iter() if e.get("perRegion") == "true"}
    assert per_region == {C.VALUE: "TextArea", C.HIGH: "TextArea", C.QUALIFIER: "Choices", C.UNIT: "TextArea"}
    assert [c.get("value") for c in root.iter("Choice")] == list(QUALIFIERS)
    every = [label for e in root.iter("Labels") for label in e]
    hotkeys = [label.get("hotkey") for label in every]
    assert None not in hotkeys and len(set(hotkeys)) == len(hotkeys)
    assert len({label.get("background") for label in every}) == len(every)


def test_config_is_accepted_by_the_sdk_and_so_are_our_predictions() -> None:
    from label_studio_sdk.label_interface import LabelInterface

    interface = LabelInterface(labeling_config())
    errors = interface.validate_prediction(
        {"result": document_result(page_document()), "score": 1.0}, return_errors=True
    )
    assert errors == []


def test_label_names_are_xml_escaped() -> None:
    odd = 'R&D <"lab">'
    xml = C.build_config([C.LabelGroup("odd", "A & B", (odd, "plain"))])
    assert "&amp;" in xml and "&lt;" in xml
    assert [e.get("value") for e in ET.fromstring(xml).iter("Label")] == [odd, "plain"]


def test_config_differences_ignore_style_but_not_labels() -> None:
    ours = labeling_config()
    restyled = ours.replace('background="#F3C300"', 'background="#000000"')
    assert C.config_differences(restyled) == []
    fewer = ours.replace('<Label value="LAW" background="#0067A5" hotkey="0" />', "")
    assert C.config_differences(fewer) == ["control 'entities' differs (missing LAW)"]
    assert C.config_differences("<View><Text name='text' value='$text'/></View>")


def test_cli_prints_the_config() -> None:
    result = run_cli("annotate", "config")
    assert result.returncode == 0, result.stderr
    assert result.stdout == labeling_config()


# ----------------------------------------------------------------------------- converters


def test_page_round_trips_with_code_point_offsets() -> None:
    """Label Studio 1.23's editor counts code points (tests/test_browser.py measures it)."""
    doc = page_document()
    result = document_result(doc)
    emoji_region = next(r for r in result if r["value"].get("labels") == ["direct"])
    assert emoji_region["value"]["start"] == doc.quotes[0].start
    back, problems = roundtrip(doc)
    assert problems == []
    assert dumps_document(back) == dumps_document(doc)


def test_regions_of_an_older_editor_in_utf16_units_still_read() -> None:
    doc = page_document()
    units = OffsetMap(PAGE)
    legacy = json.loads(json.dumps(document_result(doc)))
    for item in legacy:
        if "start" in item.get("value", {}):
            item["value"]["start"] = units.to_utf16(item["value"]["start"])
            item["value"]["end"] = units.to_utf16(item["value"]["end"])
    back, problems = document_from_result(task_data(doc), legacy)
    assert problems == []
    assert dumps_document(back) == dumps_document(doc)


def test_whole_corpus_round_trips() -> None:
    from newslayers.corpus import load_corpus

    for doc in load_corpus():
        back, problems = roundtrip(doc)
        assert problems == [], doc.id
        assert dumps_document(back) == dumps_document(doc), doc.id


ALPHABET = st.sampled_from(list("ab Z.,“”’—\u00a0\r\n\t") + ["东", "京", "😀", "🏗️", "𠜎", "\r\n", "é", "e\u0301"])


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = "".join(draw(st.lists(ALPHABET, min_size=2, max_size=60)))
    cut = st.integers(0, len(text))

    def span() -> tuple[int, int]:
        a, b = draw(cut), draw(cut)
        return (min(a, b), max(a, b)) if a != b else (0, len(text))

    def spans(n: int) -> list[tuple[int, int]]:
        return [span() for _ in range(draw(st.integers(0, n)))]

    claims = [
        NumericClaim(
            *s,
            draw(st.one_of(st.none(), st.integers(-(10**12), 10**12), st.floats(-1e6, 1e6, allow_nan=False))),
            draw(st.sampled_from(QUALIFIERS)),
            draw(st.sampled_from([None, "count", "usd", "percent"])),
        )
        for s in spans(3)
    ]
    quotes = [
        Quote(*s, draw(st.sampled_from(QUOTE_KINDS)), draw(st.one_of(st.none(), st.just(Span(*span())))), None)
        for s in spans(2)
    ]
    return Document(
        id="h",
        text=text,
        entities=[Entity(*s, draw(st.sampled_from(ENTITY_LABELS))) for s in spans(4)],
        numeric_claims=claims,
        quotes=quotes,
        boilerplate=[Boilerplate(*s, draw(st.sampled_from(BOILERPLATE_KINDS))) for s in spans(3)],
    )


@settings(max_examples=300, deadline=None)
@given(documents())
def test_any_page_round_trips(doc: Document) -> None:
    back, problems = roundtrip(doc)
    assert problems == []
    want = json.loads(dumps_document(doc.sorted()))
    got = json.loads(dumps_document(back))
    for layer in ("entities", "numeric_claims", "quotes", "boilerplate"):
        unique = {json.dumps(x, sort_keys=True) for x in want[layer]}
        assert sorted(json.dumps(x, sort_keys=True) for x in got[layer]) == sorted(unique)
    for item in document_result(doc):
        if "value" in item and "text" in item["value"] and item["type"] == "labels":
            v = item["value"]
            assert doc.text[v["start"] : v["end"]] == v["text"]


def _entity_result(region_id: str, start: int, end: int, text: str, label: str = "GPE") -> dict:
    value = {"start": start, "end": end, "text": text, "labels": [label]}
    return {"id": region_id, "from_name": C.ENTITIES, "to_name": C.TEXT, "type": "labels", "value": value}


def test_region_whose_text_moved_is_reported_not_shifted() -> None:
    data = {"id": "d", "text": "😀 Lisbon and Porto"}
    result = [_entity_result("ok", 3, 9, "Lisbon"), _entity_result("moved", 4, 10, "Lisbon")]
    doc, problems = document_from_result(data, result, task_id=12, annotation_id=34)
    assert doc.entities == [Entity(2, 8, "GPE")]
    assert len(problems) == 1
    message = str(problems[0])
    assert message.startswith("task 12, annotation 34, region moved:") and "not shifted" in message


def test_offsets_outside_the_text_or_inside_a_surrogate_pair_are_reported() -> None:
    data = {"id": "d", "text": "😀 x"}
    result = [_entity_result("half", 1, 4, None), _entity_result("far", 2, 40, None)]
    doc, problems = document_from_result(data, result, 1, 2)
    assert doc.entities == [] and sorted(p.region for p in problems) == ["far", "half"]


def test_line_breaks_folded_by_the_editor_still_match() -> None:
    data = {"id": "d", "text": "Home\r\nWorld"}
    result = [_entity_result("r", 0, 11, "Home World", "LOC")]
    doc, problems = document_from_result(data, result)
    assert problems == [] and doc.entities == [Entity(0, 11, "LOC")]


def _region(region_id: str, control: str, label: str, start: int, end: int) -> dict:
    return {
        "id": region_id,
        "from_name": control,
        "to_name": C.TEXT,
        "type": "labels",
        "value": {"start": start, "end": end, "labels": [label]},
    }


def test_relations_drawn_either_way_or_unlabelled() -> None:
    text = "“Yes,” Ana said. “No,” Bo said."
    data = {"id": "d", "text": text}
    result = [
        _region("q1", C.QUOTES, "direct", 0, 6),
        _region("s1", C.ROLES, C.SPEAKER, 7, 10),
        _region("c1", C.ROLES, C.CUE, 11, 15),
        _region("q2", C.QUOTES, "direct", 17, 22),
        _region("s2", C.ENTITIES, "PERSON", 23, 25),
        {"from_id": "s1", "to_id": "q1", "type": "relation", "direction": "right"},  # backwards, no label
        {"from_id": "q1", "to_id": "c1", "type": "relation", "direction": "right", "labels": []},
        {"from_id": "q2", "to_id": "s2", "type": "relation", "direction": "left", "labels": ["speaker"]},
        {"from_id": "q2", "to_id": "missing", "type": "relation", "labels": ["cue"]},
    ]
    doc, problems = document_from_result(data, result, 3, 4)
    assert doc.quotes == [Quote(0, 6, "direct", Span(7, 10), Span(11, 15)), Quote(17, 22, "direct", Span(23, 25), None)]
    assert [p.region for p in problems] == ["relation q2->missing"]


def _field(region_id: str, control: str, kind: str, value: object, start: int, end: int) -> dict:
    key = "choices" if kind == "choices" else "text"
    return {
        "id": region_id,
        "from_name": control,
        "to_name": C.TEXT,
        "type": kind,
        "value": {"start": start, "end": end, key: value},
    }


def test_per_region_fields_become_value_qualifier_and_unit() -> None:
    text = "$4.2bn, 40-50 km/h, about half, lots"
    data = {"id": "d", "text": text}
    result = [
        _region("a", C.NUMERIC, C.NUM_LABEL, 0, 6),
        _field("a", C.VALUE, "textarea", ["4,200,000,000"], 0, 6),
        _field("a", C.UNIT, "textarea", ["USD"], 0, 6),
        _region("b", C.NUMERIC, C.NUM_LABEL, 8, 18),
        _field("b", C.VALUE, "textarea", ["40..50"], 8, 18),
        _field("b", C.QUALIFIER, "choices", ["range"], 8, 18),
        _field("b", C.UNIT, "textarea", ["km_h"], 8, 18),
        _region("c", C.NUMERIC, C.NUM_LABEL, 20, 30),
        _field("c", C.VALUE, "textarea", ["", "0.5"], 20, 30),
        _field("c", C.QUALIFIER, "choices", ["approximate"], 20, 30),
        _region("d", C.NUMERIC, C.NUM_LABEL, 32, 36),
        _field("d", C.VALUE, "textarea", ["lots"], 32, 36),
    ]
    doc, problems = document_from_result(data, result, 1, 1)
    assert doc.numeric_claims == [
        NumericClaim(0, 6, 4200000000, "exact", "usd"),
        NumericClaim(8, 18, 40, "range", "kmh", 50),
        NumericClaim(20, 30, 0.5, "approximate", None),
    ]
    assert [p.region for p in problems] == ["d"] and "'lots' is not a number" in problems[0].message


def test_regions_of_a_foreign_control_or_label_are_reported() -> None:
    data = {"id": "d", "text": "Lisbon"}
    result = [_region("x", "label", "City", 0, 6), _region("y", C.ENTITIES, "CITY", 0, 6)]
    doc, problems = document_from_result(data, result)
    assert doc.entities == [] and [p.region for p in problems] == ["x", "y"]


# ----------------------------------------------------------------------------- adjudication


def _doc(*entities: Entity, doc_id: str = "d") -> Document:
    return Document(id=doc_id, text="Ana met Bo in Porto today", entities=list(entities), boilerplate=[])


ANA, BO, PORTO = Entity(0, 3, "PERSON"), Entity(8, 10, "PERSON"), Entity(14, 19, "GPE")


def test_two_annotators_the_reviewer_decides_every_disagreement() -> None:
    a = Version("a", _doc(ANA, BO, PORTO))
    b = Version("b", _doc(ANA, Entity(8, 10, "ORG")))
    merged, conflicts = merge_versions([a, b], reviewer=1)
    assert merged.entities == [ANA, Entity(8, 10, "ORG")]
    assert [(c.start, c.end, c.decision, c.reviewer) for c in conflicts] == [
        (8, 10, "reviewer", "b"),
        (14, 19, "reviewer", "b"),
    ]
    merged, _ = merge_versions([a, b], reviewer=0)
    assert merged.entities == [ANA, BO, PORTO]


def test_three_annotators_majority_else_reviewer() -> None:
    versions = [
        Version("a", _doc(ANA, BO)),
        Version("b", _doc(ANA, BO, PORTO)),
        Version("c", _doc(ANA, Entity(8, 10, "ORG"))),
    ]
    merged, conflicts = merge_versions(versions, reviewer=2)
    assert merged.entities == [ANA, BO]  # BO: 2 of 3; Porto: 1 of 3 (absent wins 2 of 3)
    assert [c.decision for c in conflicts] == ["majority", "majority"]
    split = [Version("a", _doc(BO)), Version("b", _doc(Entity(8, 10, "ORG"))), Version("c", _doc(Entity(8, 10, "GPE")))]
    merged, conflicts = merge_versions(split, reviewer=1)
    assert merged.entities == [Entity(8, 10, "ORG")] and conflicts[0].decision == "reviewer"


def test_agreement_identical_and_different() -> None:
    doc = page_document()
    same = agreement([doc], [doc])
    assert same["documents"] == 1
    for layer in ("entities", "numeric_claims", "quotes", "boilerplate"):
        assert same[layer]["strict"]["f1"] == 1.0 and same[layer]["partial"]["f1"] == 1.0
    assert same["boilerplate"]["kappa"] == 1.0 and same["boilerplate"]["kappa_kind"] == 1.0
    other = Document(
        id=doc.id,
        text=doc.text,
        entities=[*doc.entities[:-1], Entity(doc.entities[-1].start, doc.entities[-1].end, "LOC")],
        numeric_claims=doc.numeric_claims,
        quotes=doc.quotes,
        boilerplate=doc.boilerplate[:1],
    )
    diff = agreement([doc], [other])
    assert diff["entities"]["strict"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert diff["boilerplate"]["spans_a"] == 2 and diff["boilerplate"]["spans_b"] == 1
    assert 0 < diff["boilerplate"]["kappa"] < 1


def test_boilerplate_kappa_matches_sklearn() -> None:
    from sklearn.metrics import cohen_kappa_score

    text = "nav bar\nBody text here.\nfooter line\nmore"
    a = Document(id="k", text=text, boilerplate=[Boilerplate(0, 7, "navigation"), Boilerplate(24, 35, "footer")])
    b = Document(id="k", text=text, boilerplate=[Boilerplate(0, 3, "navigation"), Boilerplate(24, 40, "comments")])

    def labels(doc: Document) -> list[str]:
        out = ["content"] * len(text)
        for block in doc.boilerplate:
            out[block.start : block.end] = [block.kind] * (block.end - block.start)
        return [label for label, ch in zip(out, text, strict=True) if not ch.isspace()]

    result = agreement([a], [b])["boilerplate"]
    assert result["kappa_kind"] == pytest.approx(cohen_kappa_score(labels(a), labels(b)), abs=1e-4)
    binary = [[x != "content" for x in labels(d)] for d in (a, b)]
    assert result["kappa"] == pytest.approx(cohen_kappa_score(*binary), abs=1e-4)


# ----------------------------------------------------------------------------- command line


def _per_annotator(doc: Document, who: str, n: int) -> dict:
    record = document_to_json(doc)
    record.update({"id": f"{doc.id}/{n}", ANNOTATOR_KEY: who, BASE_ID_KEY: doc.id})
    return record


def test_cli_agreement_and_adjudicate(tmp_path: Path) -> None:
    a = [document_to_json(_doc(ANA, BO, PORTO, doc_id="d1")), document_to_json(_doc(ANA, doc_id="d2"))]
    b = [document_to_json(_doc(ANA, Entity(8, 10, "ORG"), doc_id="d1")), document_to_json(_doc(ANA, doc_id="d2"))]
    fa, fb = write_jsonl(tmp_path / "alice.jsonl", a), write_jsonl(tmp_path / "bob.jsonl", b)
    result = run_cli("annotate", "agreement", str(fa), str(fb), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["annotators"]["alice"]["entities"] == 4 and report["annotators"]["bob"]["entities"] == 3
    pair = report["pairs"][0]
    assert (pair["a"], pair["b"], pair["documents"]) == ("alice", "bob", 2)
    assert pair["entities"]["strict"]["f1"] == pytest.approx(4 / 7, abs=1e-4)
    table = run_cli("annotate", "agreement", str(fa), str(fb))
    assert table.returncode == 0 and "entities" in table.stdout and "alice" in table.stdout

    out, conflicts = tmp_path / "gold.jsonl", tmp_path / "conflicts.jsonl"
    result = run_cli(
        "annotate",
        "adjudicate",
        str(fa),
        str(fb),
        "--out",
        str(out),
        "--conflicts",
        str(conflicts),
        "--reviewer",
        "bob",
    )
    assert result.returncode == 0, result.stderr
    gold = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [len(d["entities"]) for d in gold] == [2, 1]
    listed = [json.loads(line) for line in conflicts.read_text(encoding="utf-8").splitlines()]
    assert [(c["id"], c["start"], c["decision"], c["reviewer"]) for c in listed] == [
        ("d1", 8, "reviewer", "bob"),
        ("d1", 14, "reviewer", "bob"),
    ]
    assert {v["annotator"] for v in listed[0]["versions"]} == {"alice", "bob"}


def test_cli_agreement_reads_a_per_annotator_pull(tmp_path: Path) -> None:
    merged = document_to_json(_doc(ANA, doc_id="d1"))
    rows = [
        merged,
        _per_annotator(_doc(ANA, BO, doc_id="d1"), "x@ex.org", 1),
        _per_annotator(_doc(ANA, doc_id="d1"), "y@ex.org", 2),
    ]
    path = write_jsonl(tmp_path / "pull.jsonl", rows)
    assert run_cli("validate", str(path)).returncode == 0
    result = run_cli("annotate", "agreement", str(path), "--json")
    assert result.returncode == 0, result.stderr
    pair = json.loads(result.stdout)["pairs"][0]
    assert (pair["a"], pair["b"], pair["documents"]) == ("x@ex.org", "y@ex.org", 1)
    one = run_cli("annotate", "agreement", str(write_jsonl(tmp_path / "one.jsonl", [merged])))
    assert one.returncode == 1 and "needs two annotators" in one.stderr and "Traceback" not in one.stderr


def test_credentials_come_from_flags_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(UserError, match="--url"):
        credentials(None, "k")
    with pytest.raises(UserError, match="--api-key"):
        credentials("http://x", None)
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://host:8080/")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "from-env")
    assert credentials(None, None) == ("http://host:8080", "from-env")
    assert credentials("https://flag", "flag-key") == ("https://flag", "flag-key")
