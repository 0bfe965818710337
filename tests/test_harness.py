"""The harness end to end: baseline -> validate -> evaluate -> leaderboard, via the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli, write_jsonl

CONTRACT_KEYS = {
    "entities": {"strict", "exact", "partial", "ent_type", "per_label"},
    "numeric_claims": {"strict", "partial", "value_accuracy", "qualifier_accuracy"},
    "quotes": {"strict", "partial", "speaker_accuracy", "cue_accuracy"},
    "boilerplate": {"char"},
}


def test_baseline_predictions_validate_and_score_in_contract_shape(tmp_path: Path) -> None:
    preds = tmp_path / "rules.jsonl"
    result = run_cli("baseline", "rules", "--split", "test", "--out", str(preds))
    assert result.returncode == 0, result.stderr
    assert run_cli("validate", "--mode", "predictions", str(preds)).returncode == 0
    result = run_cli("evaluate", "--predictions", str(preds), "--split", "test", "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    for layer, keys in CONTRACT_KEYS.items():
        assert keys <= set(scores[layer]), layer
        for scheme in keys - {"per_label"}:
            value = scores[layer][scheme]
            if isinstance(value, dict):
                assert set(value) >= {"precision", "recall", "f1"} and 0 <= value["f1"] <= 1
    assert len(scores["dataset"]["sha256"]) == 64 and scores["dataset"]["documents"] > 0
    assert 0.3 < scores["entities"]["strict"]["f1"] < 1.0  # a real score, neither empty nor copied gold
    assert scores["entities"]["ci95"]["low"] <= scores["entities"]["strict"]["f1"] <= scores["entities"]["ci95"]["high"]


def test_gold_scored_against_itself_is_perfect(tmp_path: Path) -> None:
    gold = tmp_path / "test.jsonl"
    assert run_cli("export", "--split", "test", "--out", str(gold)).returncode == 0
    scores = json.loads(run_cli("evaluate", "--predictions", str(gold), "--gold", str(gold), "--json").stdout)
    assert scores["entities"]["strict"]["f1"] == 1.0 and scores["quotes"]["speaker_accuracy"] == 1.0
    assert scores["boilerplate"]["char"]["f1"] == 1.0 and scores["numeric_claims"]["value_accuracy"] == 1.0


def test_broken_submission_is_refused_with_every_problem(tmp_path: Path) -> None:
    gold = tmp_path / "test.jsonl"
    run_cli("export", "--split", "test", "--out", str(gold))
    first_id = json.loads(gold.read_text(encoding="utf-8").splitlines()[0])["id"]
    bad = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"id": first_id, "entities": [{"start": 0, "end": 10**7, "label": "PERSON"}]},
            {"id": "no-such-doc", "entities": []},
            {"id": first_id, "entities": []},
            {"id": "x2", "entities": [{"start": 0, "end": 3, "label": "CITY"}]},
            {"id": "x3", "quotes": {"start": 0}},
        ],
    )
    result = run_cli("evaluate", "--predictions", str(bad), "--gold", str(gold), "--json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for fragment in (
        ":1: entities[0].end:",
        ":2: id: unknown document id",
        ":3: id: duplicate id",
        ":4: entities[0].label:",
        ":5: quotes: must be a list",
    ):
        assert fragment in result.stderr, (fragment, result.stderr)


def test_missing_documents_are_scored_empty_with_a_warning(tmp_path: Path) -> None:
    gold = tmp_path / "test.jsonl"
    run_cli("export", "--split", "test", "--out", str(gold))
    first = json.loads(gold.read_text(encoding="utf-8").splitlines()[0])
    partial = write_jsonl(tmp_path / "one.jsonl", [{"id": first["id"], "entities": first["entities"]}])
    result = run_cli("evaluate", "--predictions", str(partial), "--gold", str(gold), "--json")
    assert result.returncode == 0, result.stderr
    assert "have no prediction and are scored as empty" in result.stderr
    scores = json.loads(result.stdout)
    assert scores["entities"]["strict"]["precision"] == 1.0 and scores["entities"]["strict"]["recall"] < 0.2
    assert set(scores) == {"entities", "dataset"}  # absent layers are not scored


def test_paired_comparison(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_cli("baseline", "rules", "--split", "test", "--out", str(a))
    run_cli("export", "--split", "test", "--out", str(b))
    result = run_cli("evaluate", "--split", "test", "--compare", str(a), str(b), "--json")
    assert result.returncode == 0, result.stderr
    comparison = json.loads(result.stdout)
    assert comparison["entities"]["delta"] < 0 and comparison["entities"]["p_value"] < 0.05


def test_baseline_runs_on_a_plain_text_page(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "A headline\n\nLISBON — The port said on Friday that 24 ships were waiting.\n\nComments\nLeave a Reply\n",
        encoding="utf-8",
    )
    out = tmp_path / "p.jsonl"
    result = run_cli("baseline", "rules", "--input", str(page), "--out", str(out))
    assert result.returncode == 0, result.stderr
    pred = json.loads(out.read_text(encoding="utf-8"))
    assert pred["id"] == "page" and any(c["value"] == 24 for c in pred["numeric_claims"])


def test_leaderboard_writes_its_four_artefacts(tmp_path: Path) -> None:
    submissions = tmp_path / "subs"
    submissions.mkdir()
    run_cli("export", "--split", "test", "--out", str(submissions / "oracle.jsonl"))
    result = run_cli(
        "leaderboard",
        "--split",
        "test",
        "--out",
        str(tmp_path),
        "--systems",
        "rules",
        "--submissions",
        str(submissions),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("leaderboard.md", "leaderboard.csv", "leaderboard.html", "leaderboard-test.png"):
        assert (tmp_path / name).stat().st_size > 200, name
    csv_lines = (tmp_path / "leaderboard.csv").read_text().splitlines()
    assert csv_lines[1].startswith("test,oracle,submission") and csv_lines[2].startswith("test,rules,baseline")
    assert (tmp_path / "leaderboard-test.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "rules" in result.stdout
