"""The annotation loop against a REAL Label Studio server (started once per session).

Annotations are submitted through the same endpoint the web editor posts to
(``POST /api/tasks/{id}/annotations/``), with the editor's code-point offsets, relations and
per-region fields, by two different users; pulled documents must match them offset for
offset. ``tests/test_browser.py`` makes annotations in the editor itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, write_jsonl
from ls_server import Server, free_port
from newslayers.annotation import config as C
from newslayers.annotation.convert import document_from_result, document_result, task

from newslayers.jsonl import document_to_json, dumps_document, load_documents
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span

EMOJI_CRLF = (
    "Home › World 🌍\r\n"
    "KYIV — “We will rebuild 🏗️ everything,” Mayor Ruth Keane said on Friday.\r\n"
    "More than 500 drones 🚀 hit Kharkiv, Ukraine’s air force said.\r\n"
    "© 2026 Daily Wire. All rights reserved."
)
CJK_NBSP = "東京 — Prime Minister Aiko Tanaka said 12\u00a0per cent of 東京 voters 😀 backed the plan.\nRead more: 𠜎 port strike\n"


def _at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def emoji_annotation(variant: str) -> Document:
    """What an annotator submits for the emoji/CRLF page; ``b`` disagrees with ``a`` twice."""
    t = EMOJI_CRLF
    speaker, cue = Span(*_at(t, "Ruth Keane")), Span(*_at(t, "said"))
    entities = [
        Entity(*_at(t, "KYIV"), "GPE"),
        Entity(*_at(t, "Ruth Keane"), "PERSON"),
        Entity(*_at(t, "Kharkiv"), "GPE"),
    ]
    value = 500 if variant == "a" else 501
    if variant == "b":
        entities.append(Entity(*_at(t, "Ukraine"), "GPE"))
    return Document(
        id="ls-emoji",
        text=t,
        split="test",
        meta={"synthetic": True, "newline": "crlf"},
        entities=entities,
        numeric_claims=[NumericClaim(*_at(t, "More than 500"), value, "more_than", "count")],
        quotes=[Quote(*_at(t, "“We will rebuild 🏗️ everything,”"), "direct", speaker, cue)],
        boilerplate=[
            Boilerplate(*_at(t, "Home › World 🌍"), "breadcrumb"),
            Boilerplate(*_at(t, "© 2026 Daily Wire. All rights reserved."), "footer"),
        ],
    ).sorted()


def cjk_annotation() -> Document:
    t = CJK_NBSP
    return Document(
        id="ls-cjk",
        text=t,
        entities=[
            Entity(*_at(t, "東京"), "GPE"),
            Entity(*_at(t, "Aiko Tanaka"), "PERSON"),
            Entity(*_at(t, "東京", 1), "GPE"),
        ],
        numeric_claims=[NumericClaim(*_at(t, "12\u00a0per cent"), 12, "exact", "percent")],
        quotes=[
            Quote(
                *_at(t, "12\u00a0per cent of 東京 voters 😀 backed the plan"),
                "indirect",
                Span(*_at(t, "Aiko Tanaka")),
                Span(*_at(t, "said")),
            )
        ],
        boilerplate=[Boilerplate(*_at(t, "Read more: 𠜎 port strike"), "related_links")],
    ).sorted()


def bare(doc: Document) -> Document:
    """The document as pushed: text and metadata, no layers."""
    return Document(id=doc.id, text=doc.text, split=doc.split, meta=dict(doc.meta))


# ----------------------------------------------------------------------------- fixtures


def cli(server: Server, *args: str, key: str | None = None) -> Any:
    """The real command line, with credentials from the environment (never on disk)."""
    env = {**os.environ, "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": key or server.token}
    return run_cli("annotate", *args, env=env)


def project_tasks(client: Any, title: str) -> list[Any]:
    project = next(p for p in client.projects.list(title=title) if p.title == title)
    return sorted(client.tasks.list(project=project.id, fields="all"), key=lambda t: t.data["id"])


def submit(client: Any, task_id: int, doc: Document, user: int | None = None, **extra: Any) -> Any:
    """Post an annotation the way the editor does: result with code-point offsets, lead time."""
    body: dict[str, Any] = {"result": document_result(doc, prefix="r"), "lead_time": 12.5, **extra}
    if user is not None:
        body["completed_by"] = user
    return client.annotations.create(id=task_id, **body)


# ----------------------------------------------------------------------------- tests


@pytest.mark.server
def test_server_started(label_studio: Server) -> None:
    print(f"label-studio answered /health after {label_studio.started_in:.1f}s")
    assert label_studio.started_in > 0


@pytest.mark.server
def test_push_with_preannotations_twice_adds_no_task_twice(label_studio: Server, client: Any, tmp_path: Path) -> None:
    from newslayers.baselines import get_system
    from newslayers.corpus import load_corpus

    docs = [bare(emoji_annotation("a")), bare(cjk_annotation()), *load_corpus("test")[:2]]
    path = write_jsonl(tmp_path / "docs.jsonl", [document_to_json(d) for d in docs])
    for _ in range(2):
        result = cli(label_studio, "push", "--project", "pre-annotated", "--input", str(path), "--system", "rules")
        assert result.returncode == 0, result.stderr
    assert "0 new task(s)" in result.stdout and "4 unchanged" in result.stdout
    tasks = project_tasks(client, "pre-annotated")
    assert [t.data["id"] for t in tasks] == sorted(d.id for d in docs)
    system = get_system("rules")
    expected = {p.id: p for p in system.predict(docs)}
    for t in tasks:
        assert len(t.predictions) == 1
        pred = t.predictions[0]
        assert pred.model_version == f"rules-{system.version}" and isinstance(pred.score, float)
        back, problems = document_from_result(t.data, pred.result, t.id, pred.id)
        assert problems == []
        want = expected[t.data["id"]]
        for layer in system.layers:
            assert [x.to_json() for x in back.layer(layer)] == [x.to_json() for x in sorted_layer(want, layer)]

    changed = [bare(emoji_annotation("a")), bare(cjk_annotation())]
    changed[1].text = changed[1].text + "Updated.\n"
    path = write_jsonl(tmp_path / "changed.jsonl", [document_to_json(d) for d in changed])
    result = cli(label_studio, "push", "--project", "pre-annotated", "--input", str(path))
    assert result.returncode == 0, result.stderr
    assert "1 re-imported" in result.stdout
    tasks = project_tasks(client, "pre-annotated")
    assert len(tasks) == 4
    assert next(t for t in tasks if t.data["id"] == "ls-cjk").data["text"].endswith("Updated.\n")


def sorted_layer(doc: Document, layer: str) -> list[Any]:
    return doc.sorted().layer(layer) or []


@pytest.mark.server
def test_two_annotators_round_trip_offset_for_offset(label_studio: Server, client: Any, tmp_path: Path) -> None:
    a, b, cjk = emoji_annotation("a"), emoji_annotation("b"), cjk_annotation()
    path = write_jsonl(tmp_path / "docs.jsonl", [document_to_json(bare(d)) for d in (a, cjk)])
    assert cli(label_studio, "push", "--project", "round trip", "--input", str(path)).returncode == 0
    tasks = {t.data["id"]: t for t in project_tasks(client, "round trip")}
    second = client.users.create(username="second", email="second@example.com", password="second-pass-123")

    sent = document_result(a, prefix="r")
    emoji_quote = next(r for r in sent if r["from_name"] == C.QUOTES)
    assert emoji_quote["value"]["start"] == a.quotes[0].start  # the 1.23 editor counts code points too
    assert any(r.get("type") == "relation" for r in sent) and any(
        r["from_name"] == C.UNIT for r in sent if "from_name" in r
    )

    first = submit(client, tasks["ls-emoji"].id, a)
    later = submit(client, tasks["ls-emoji"].id, b, user=second.id)
    submit(client, tasks["ls-cjk"].id, cjk)
    client.annotations.create(id=tasks["ls-cjk"].id, result=[], was_cancelled=True, completed_by=second.id)

    out = tmp_path / "gold.jsonl"
    result = cli(label_studio, "pull", "--project", "round trip", "--out", str(out), "--per-annotator")
    assert result.returncode == 0, result.stderr
    assert "1 skipped/cancelled annotation(s) left out" in result.stdout
    pulled = {d.id: d for d in load_documents(out)}
    # merged: the most recent annotation (the second user's) is the reviewer's by default
    assert dumps_document(pulled["ls-emoji"]) == dumps_document(b)
    assert dumps_document(pulled["ls-cjk"]) == dumps_document(cjk)
    per = {d.id: d for d in pulled.values() if "annotator" in d.extra}
    assert sorted(per) == sorted([f"ls-emoji/{first.id}", f"ls-emoji/{later.id}", f"ls-cjk/{per_id(per, 'ls-cjk')}"])
    for doc_id, want, who in (
        (f"ls-emoji/{first.id}", a, label_studio.username),
        (f"ls-emoji/{later.id}", b, "second@example.com"),
    ):
        got = per[doc_id]
        assert got.extra == {"annotator": who, "annotation_of": "ls-emoji"}
        for layer in ("entities", "numeric_claims", "quotes", "boilerplate"):
            assert [x.to_json() for x in got.layer(layer)] == [x.to_json() for x in want.layer(layer)]

    again = tmp_path / "again.jsonl"
    assert cli(label_studio, "pull", "--project", "round trip", "--out", str(again), "--per-annotator").returncode == 0
    assert again.read_bytes() == out.read_bytes()
    assert run_cli("validate", str(out)).returncode == 0

    reviewed = tmp_path / "reviewed.jsonl"
    result = cli(
        label_studio, "pull", "--project", "round trip", "--out", str(reviewed), "--reviewer", label_studio.username
    )
    assert result.returncode == 0, result.stderr
    assert dumps_document(load_documents(reviewed)[1]) == dumps_document(a)

    report = cli(label_studio, "agreement", str(out), "--json")
    assert report.returncode == 0, report.stderr
    pair = json.loads(report.stdout)["pairs"][0]
    assert pair["documents"] == 1 and pair["entities"]["strict"]["f1"] == pytest.approx(6 / 7, abs=1e-4)
    assert pair["quotes"]["strict"]["f1"] == 1.0 and pair["numeric_claims"]["value_accuracy"] == 0.0


def per_id(per: dict[str, Document], doc_id: str) -> str:
    return next(k for k in per if k.startswith(doc_id + "/")).split("/")[1]


@pytest.mark.server
def test_a_region_that_no_longer_matches_is_reported(label_studio: Server, client: Any, tmp_path: Path) -> None:
    doc = bare(cjk_annotation())
    path = write_jsonl(tmp_path / "docs.jsonl", [document_to_json(doc)])
    assert cli(label_studio, "push", "--project", "stale regions", "--input", str(path)).returncode == 0
    (t,) = project_tasks(client, "stale regions")
    value = {"start": 1, "end": 3, "text": "東京", "labels": ["GPE"]}  # one unit off
    client.annotations.create(
        id=t.id,
        result=[{"id": "shifted1", "from_name": C.ENTITIES, "to_name": C.TEXT, "type": "labels", "value": value}],
    )
    out = tmp_path / "gold.jsonl"
    result = cli(label_studio, "pull", "--project", "stale regions", "--out", str(out))
    assert result.returncode == 1
    assert f"task {t.id}" in result.stderr and "region shifted1" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.server
def test_foreign_config_wrong_key_and_missing_project(label_studio: Server, client: Any, tmp_path: Path) -> None:
    client.projects.create(
        title="someone else's",
        label_config='<View><Labels name="label" toName="text"><Label value="City"/></Labels><Text name="text" value="$text"/></View>',
    )
    path = write_jsonl(tmp_path / "docs.jsonl", [document_to_json(bare(cjk_annotation()))])
    foreign = cli(label_studio, "push", "--project", "someone else's", "--input", str(path))
    assert foreign.returncode == 1 and "not newslayers'" in foreign.stderr and "Traceback" not in foreign.stderr

    wrong = "f" * 40
    refused = cli(label_studio, "push", "--project", "x", "--input", str(path), key=wrong)
    assert refused.returncode == 1 and "refused the API key" in refused.stderr
    assert wrong not in refused.stderr + refused.stdout and "Traceback" not in refused.stderr

    missing = cli(label_studio, "pull", "--project", "never pushed", "--out", str(tmp_path / "o.jsonl"))
    assert missing.returncode == 1 and "no project titled 'never pushed'" in missing.stderr


@pytest.mark.server
def test_whole_corpus_round_trips_through_the_server(label_studio: Server, client: Any, tmp_path: Path) -> None:
    """Every corpus page pushed, annotated with its gold (imported), pulled back identical."""
    from newslayers.corpus import load_corpus

    docs = load_corpus()
    project = client.projects.create(title="whole corpus", label_config=C.labeling_config())
    for i in range(0, len(docs), 50):
        batch = [{**task(d), "annotations": [{"result": document_result(d)}]} for d in docs[i : i + 50]]
        client.projects.import_tasks(id=project.id, request=batch)
    out = tmp_path / "corpus.jsonl"
    result = cli(label_studio, "pull", "--project", "whole corpus", "--out", str(out))
    assert result.returncode == 0, result.stderr
    pulled = load_documents(out)
    assert [dumps_document(d) for d in pulled] == [dumps_document(d) for d in sorted(docs, key=lambda d: d.id)]


def test_server_down_is_one_clear_message(tmp_path: Path) -> None:
    """No server needed: nothing listens on a fresh free port."""
    url, key = f"http://127.0.0.1:{free_port()}", "0123456789abcdef0123456789abcdef01234567"
    result = run_cli(
        "annotate", "pull", "--url", url, "--api-key", key, "--project", "p", "--out", str(tmp_path / "o.jsonl")
    )
    assert result.returncode == 1
    assert "cannot reach Label Studio" in result.stderr and "Traceback" not in result.stderr
    assert key not in result.stderr + result.stdout


@pytest.mark.server
def test_progress_per_annotator_and_agreement_so_far(label_studio: Server, client: Any, tmp_path: Path) -> None:
    from newslayers.agreement import agreement

    a, b, cjk = emoji_annotation("a"), emoji_annotation("b"), cjk_annotation()
    third = Document(id="ls-third", text="Nothing to see here.\n", split="test")
    path = write_jsonl(tmp_path / "docs.jsonl", [document_to_json(bare(d)) for d in (a, cjk, third)])
    assert cli(label_studio, "push", "--project", "progress", "--input", str(path)).returncode == 0
    tasks = {t.data["id"]: t for t in project_tasks(client, "progress")}
    other = client.users.create(username="third", email="third@example.com", password="third-pass-123")
    submit(client, tasks["ls-emoji"].id, a)
    submit(client, tasks["ls-cjk"].id, cjk)
    submit(client, tasks["ls-emoji"].id, b, user=other.id, lead_time=30.0)
    client.annotations.create(id=tasks["ls-cjk"].id, result=[], was_cancelled=True, completed_by=other.id)

    result = cli(label_studio, "progress", "--project", "progress", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tasks"] == 3 and report["annotated_tasks"] == 2 and report["tasks_with_two_annotators"] == 1
    rows = {r["annotator"]: r for r in report["annotators"]}
    assert {k: rows[label_studio.username][k] for k in ("done", "skipped", "pending")} == {
        "done": 2,
        "skipped": 0,
        "pending": 1,
    }
    assert {k: rows["third@example.com"][k] for k in ("done", "skipped", "pending", "median_seconds")} == {
        "done": 1,
        "skipped": 1,
        "pending": 1,
        "median_seconds": 30.0,
    }
    (pair,) = report["agreement"]
    assert (pair["a"], pair["b"], pair["tasks"]) == ("tester@example.com", "third@example.com", 1)
    expected = agreement([a], [b])
    assert pair["layers"]["entities"] == expected["entities"]
    assert pair["headline"]["entities"] == expected["entities"]["strict"]["f1"]

    table = cli(label_studio, "progress", "--project", "progress")
    assert table.returncode == 0 and "third@example.com" in table.stdout and "Agreement so far" in table.stdout
