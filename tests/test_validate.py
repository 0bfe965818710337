"""The contract validator: every problem reported with file, line and field; no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from conftest import run_cli, write_jsonl

TEXT = "KYIV — Oksana Marchenko said 12 drones fell.\nComments"
GOOD = {
    "id": "doc-1",
    "text": TEXT,
    "html": None,
    "url": None,
    "source": "test",
    "split": "test",
    "entities": [{"start": 0, "end": 4, "label": "GPE"}, {"start": 7, "end": 24, "label": "PERSON"}],
    "numeric_claims": [{"start": 30, "end": 32, "value": 12, "qualifier": "exact", "unit": "count"}],
    "quotes": [
        {
            "start": 30,
            "end": 43,
            "kind": "indirect",
            "speaker": {"start": 7, "end": 24},
            "cue": {"start": 25, "end": 29},
        }
    ],
    "boilerplate": [{"start": 45, "end": 53, "kind": "comments"}],
}


def with_changes(**changes: object) -> dict[str, object]:
    record = json.loads(json.dumps(GOOD))
    record.update(changes)
    return record


def test_valid_file_passes_with_one_line_summary(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "good.jsonl", [GOOD, with_changes(id="doc-2")])
    result = run_cli("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{path}: 2 document(s), valid"


def test_ten_kinds_of_broken_lines_each_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    lines = [
        json.dumps(GOOD),  # 1 fine
        "{not json",  # 2 syntax
        json.dumps(with_changes(id=None)),  # 3 id type
        json.dumps(with_changes(id="doc-1")),  # 4 duplicate id
        json.dumps(with_changes(id="d5", entities=[{"start": 0, "end": 999, "label": "GPE"}])),  # 5 range
        json.dumps(with_changes(id="d6", entities=[{"start": 5, "end": 5, "label": "GPE"}])),  # 6 start == end
        json.dumps(with_changes(id="d7", entities=[{"start": 0, "end": 4, "label": "CITY"}])),  # 7 label
        json.dumps(
            with_changes(
                id="d8",
                numeric_claims=[{"start": 30, "end": 32, "value": "12", "qualifier": "roughly", "unit": "count"}],
            )
        ),  # 8
        json.dumps(
            with_changes(
                id="d9", quotes=[{"start": 30, "end": 43, "kind": "direct", "speaker": {"start": 7}, "cue": None}]
            )
        ),  # 9
        json.dumps(
            with_changes(
                id="d10",
                boilerplate=[{"start": 0, "end": 10, "kind": "comments"}, {"start": 5, "end": 20, "kind": "footer"}],
            )
        ),  # 10 overlap
        json.dumps(
            with_changes(id="d11", boilerplate=[{"start": 0, "end": 30, "kind": "advertisement"}])
        ),  # 11 entity inside boilerplate
        json.dumps(with_changes(id="d12", entities="none")),  # 12 layer type
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("validate", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(path))]
    expected = {
        2: "(line): not valid JSON",
        3: "id: must be a non-empty string",
        4: "id: duplicate id 'doc-1' (first on line 1)",
        5: "entities[0].end: 999 is past the end of text",
        6: "entities[0]: start 5 must be less than end 5",
        7: 'entities[0].label: "CITY" is not one of',
        8: "numeric_claims[0].value: must be a finite number or null",
        9: "quotes[0].speaker.end: is missing",
        10: "boilerplate[1]: [5, 20) overlaps boilerplate[0]",
        11: "entities[0]: [0, 4) lies inside boilerplate [0, 30)",
        12: "entities: must be a list",
    }
    for line, fragment in expected.items():
        assert any(p.startswith(f"{path}:{line}: {fragment}") for p in problems), (line, fragment, problems)
    assert not any(p.startswith(f"{path}:1:") for p in problems)
    # one problem per line is reported (the first one the schema decoder meets)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    result = run_cli("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:0: (file): is empty: no documents" in result.stderr


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_non_utf8_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n" + '{"id": "caf\u00e9", "text": "x"}'.encode("latin-1") + b"\n")
    result = run_cli("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:2: (line): not valid UTF-8" in result.stderr


def test_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\r\n" + json.dumps(with_changes(id="d2")).encode() + b"\r\n")
    result = run_cli("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert "2 document(s), valid" in result.stdout


def test_fifty_megabyte_single_line(tmp_path: Path) -> None:
    big = "word " * 10_000_000
    record = {"id": "big", "text": big, "entities": [{"start": 0, "end": 4, "label": "PERSON"}]}
    path = write_jsonl(tmp_path / "big.jsonl", [record])
    assert path.stat().st_size > 50_000_000
    result = run_cli("validate", str(path))
    assert result.returncode == 0, result.stderr[:500]


def test_predictions_without_text_are_valid(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "pred.jsonl", [{"id": "doc-1", "entities": [{"start": 0, "end": 4, "label": "GPE"}]}])
    assert run_cli("validate", "--mode", "predictions", str(path)).returncode == 0
    gold = run_cli("validate", "--mode", "gold", str(path))
    assert gold.returncode == 1 and "text: is missing" in gold.stderr


def test_the_printed_json_schema_accepts_gold_and_refuses_a_bad_label(tmp_path: Path) -> None:
    printed = run_cli("schema")
    assert printed.returncode == 0, printed.stderr
    schema = json.loads(printed.stdout)
    assert schema["$schema"].endswith("/draft/2020-12/schema")
    gold = tmp_path / "test.jsonl"
    assert run_cli("export", "--split", "test", "--out", str(gold)).returncode == 0
    line = json.loads(gold.read_text(encoding="utf-8").splitlines()[0])
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(line)
    line["entities"] = [{"start": 0, "end": 1, "label": "PERSONA"}]
    assert not validator.is_valid(line)


def test_pages_without_layers_are_valid_documents_but_bare_ids_predict_nothing(tmp_path: Path) -> None:
    pages = write_jsonl(tmp_path / "pages.jsonl", [{"id": "a", "text": "A page to predict on."}])
    assert run_cli("validate", str(pages)).returncode == 0
    bare = write_jsonl(tmp_path / "bare.jsonl", [{"id": "a"}])
    refused = run_cli("validate", str(bare))
    assert refused.returncode == 1 and "predicts no layer" in refused.stderr
