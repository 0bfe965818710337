"""Label Studio's editor driven in a real browser, by mouse and keyboard, as annotators use it.

A page with an emoji, CRLF line ends and a no-break space before every span is pushed with
``newslayers annotate push``; a person-like session logs in, opens the task, presses label
hotkeys and drags the mouse over the text, fills a numeric claim's fields, draws a quote's
two relations, marks a boilerplate block and submits. ``newslayers annotate pull`` must
give back exactly those spans, in code points. A second task is pre-annotated by a system
and reviewed: one prediction accepted, one boundary fixed, one prediction deleted. The
created and pulled spans, and how long the person took, are printed to the test log.

Needs the system's Chromium and chromedriver (Debian: ``chromium chromium-driver``); skips
with the install command when they are missing. ``NEWSLAYERS_SCREENSHOTS=DIR`` also saves the
labeling view of a pre-annotated page as ``DIR/labeling-view.png`` (the README's picture).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, write_jsonl
from ls_server import Server

pytest.importorskip("selenium", reason="selenium is not installed (pip install 'newslayers[test]')")

from ls_browser import INSTALL_HINT, Editor, browser_paths, start_browser, wait_for
from newslayers.annotation.studio import Studio, push

from newslayers.jsonl import document_to_json, load_documents
from newslayers.layers import layer_names
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(browser_paths() is None, reason=INSTALL_HINT),
]

PAGE = (
    "Home › World 🌍 › Europe\r\n"
    "Updated 09:40\u00a0GMT · 3\u00a0min read\r\n"
    "KYIV\u00a0— “We will rebuild 🏗️ every school,” Mayor Ruth Keane said on Friday.\r\n"
    "More than 500 drones 🚀 hit Kharkiv overnight, the air force said.\r\n"
    "© 2026 Daily Wire. All rights reserved."
)
SCREENSHOT_ENV = "NEWSLAYERS_SCREENSHOTS"


def at(needle: str) -> tuple[int, int]:
    start = PAGE.index(needle)
    return start, start + len(needle)


def person_annotation() -> Document:
    """What the person makes by hand on the fresh task."""
    return Document(
        id="br-fresh",
        text=PAGE,
        entities=[Entity(*at("Kharkiv"), "GPE")],
        numeric_claims=[NumericClaim(*at("More than 500"), 500, "more_than", "count")],
        quotes=[Quote(*at("“We will rebuild 🏗️ every school,”"), "direct", Span(*at("Ruth Keane")), Span(*at("said")))],
        boilerplate=[Boilerplate(*at("© 2026 Daily Wire. All rights reserved."), "footer")],
    ).sorted()


def system_prediction() -> Document:
    """A system's pre-annotation: one right, one boundary wrong, one inside the footer."""
    return Document(
        id="br-review",
        entities=[
            Entity(*at("KYIV"), "GPE"),
            Entity(*at("Mayor Ruth Keane"), "PERSON"),
            Entity(*at("Daily Wire"), "ORG"),
        ],
        numeric_claims=[NumericClaim(*at("More than 500"), 500, "more_than", "count")],
    )


def reviewed() -> Document:
    return Document(
        id="br-review",
        text=PAGE,
        entities=[Entity(*at("KYIV"), "GPE"), Entity(*at("Ruth Keane"), "PERSON")],
        numeric_claims=[NumericClaim(*at("More than 500"), 500, "more_than", "count")],
        quotes=[],
        boilerplate=[],
    ).sorted()


def spans_of(doc: Document) -> dict[str, list[dict[str, Any]]]:
    return {name: [s.to_json() for s in doc.layer(name) or []] for name in layer_names()}


def show(doc: Document) -> str:
    """The spans of a document with their text, one per line, for the test log."""
    lines = []
    for name, spans in spans_of(doc).items():
        for span in spans:
            extra = {k: v for k, v in span.items() if k not in ("start", "end")}
            lines.append(
                f"  {name:15} [{span['start']:3}, {span['end']:3}) {PAGE[span['start'] : span['end']]!r} {extra}"
            )
    return "\n".join(lines)


def log(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Print to the test log whether or not pytest captures output."""
    with capsys.disabled():
        print(text, flush=True)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def editor(label_studio: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Editor]:
    driver = start_browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        person = Editor(driver, label_studio.url)
        person.login(label_studio.username, label_studio.password)
        yield person
    finally:
        driver.quit()


def env(server: Server) -> dict[str, str]:
    return {**os.environ, "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": server.token}


def task_ids(client: Any, title: str) -> tuple[int, dict[str, int]]:
    project = next(p for p in client.projects.list(title=title) if p.title == title)
    return int(project.id), {t.data["id"]: int(t.id) for t in client.tasks.list(project=project.id)}


def submitted(client: Any, task_id: int) -> list[Any]:
    return wait_for(f"task {task_id}'s annotation to be saved", lambda: list(client.annotations.list(id=task_id)))


# ----------------------------------------------------------------------------- tests


def test_a_person_annotates_and_reviews_in_the_editor(
    label_studio: Server, client: Any, editor: Editor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = Document(id="br-fresh", text=PAGE, split="test")
    docs = write_jsonl(tmp_path / "docs.jsonl", [document_to_json(fresh)])
    assert (
        run_cli("annotate", "push", "--project", "browser", "--input", str(docs), env=env(label_studio)).returncode == 0
    )
    studio = Studio(label_studio.url, label_studio.token)
    preannotated = Document(id="br-review", text=PAGE, split="test")
    push(studio, "browser", [preannotated], lambda pages: [system_prediction()], "hand-made-1")
    project_id, tasks = task_ids(client, "browser")

    started = time.perf_counter()
    editor.start_labeling(project_id)  # "Label All Tasks": the guidelines come first
    assert "the short version" in editor.instructions_shown
    assert all(f"\n{name.replace('_', ' ').capitalize()}\n" in editor.instructions_shown for name in layer_names())
    annotate_by_hand(editor)
    raw = submitted(client, tasks["br-fresh"])[0].result
    by_hand = time.perf_counter() - started
    editor.wait_for_page()  # the label stream moves on to the next task: the pre-annotated one
    review(editor)
    submitted(client, tasks["br-review"])
    session = time.perf_counter() - started
    log(
        capsys,
        "\nbr-fresh as the editor stored it:\n" + "\n".join(f"  {json.dumps(r, ensure_ascii=False)}" for r in raw),
    )
    for item in raw:  # the editor's own offsets are code points: no conversion happened on pull
        if item.get("type") == "labels":
            assert PAGE[item["value"]["start"] : item["value"]["end"]] == item["value"]["text"]

    out = tmp_path / "gold.jsonl"
    result = run_cli("annotate", "pull", "--project", "browser", "--out", str(out), env=env(label_studio))
    assert result.returncode == 0, result.stderr
    pulled = {d.id: d for d in load_documents(out)}
    for want in (person_annotation(), reviewed()):
        log(
            capsys,
            f"\n{want.id}: spans made in the editor\n{show(want)}\n{want.id}: spans pulled\n{show(pulled[want.id])}",
        )
        assert spans_of(pulled[want.id]) == spans_of(want)
    log(capsys, f"person-like session: {by_hand:.1f}s by hand, {session - by_hand:.1f}s review, {session:.1f}s in all")


def annotate_by_hand(editor: Editor) -> None:
    """Every kind of region, by hotkey and mouse: entity, numeric claim, quote with links, boilerplate."""
    assert editor.regions() == []
    editor.label("5", *at("Kharkiv"))  # GPE
    editor.label("n", *at("More than 500"))
    editor.click(editor.region("More than 500"))
    editor.fill("value", "500")
    editor.choose("more_than")
    editor.fill("unit", "count")
    editor.unselect()
    editor.label("d", *at("“We will rebuild 🏗️ every school,”"))
    editor.label("s", *at("Ruth Keane"))
    editor.label("c", *at("said"))
    editor.relate("“We will rebuild 🏗️ every school,”", "Ruth Keane")
    editor.relate("“We will rebuild 🏗️ every school,”", "said")
    editor.label_relation("SPEAKER", "speaker")
    editor.label_relation("CUE", "cue")
    editor.label("x", *at("© 2026 Daily Wire. All rights reserved."))  # footer
    editor.submit()


def review(editor: Editor) -> None:
    """Keep KYIV and the number, take "Mayor" out of the person, delete the ORG in the footer."""
    wait_for("the pre-annotations", editor.regions)
    assert sorted(editor.regions()) == sorted(["KYIV", "Mayor Ruth Keane", "Daily Wire", "More than 500"])
    editor.click(editor.region("Mayor Ruth Keane"))
    editor.delete_selected()
    editor.label("1", *at("Ruth Keane"))  # PERSON
    editor.click(editor.region("Daily Wire"))
    editor.delete_selected()
    editor.submit()


def test_labeling_view_of_a_preannotated_page(
    label_studio: Server, client: Any, editor: Editor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The picture in the README: a corpus page pre-annotated by the rules baseline."""
    from newslayers.corpus import load_corpus

    page = min(load_corpus("test"), key=lambda d: (len(d.text or ""), d.id))
    docs = write_jsonl(tmp_path / "page.jsonl", [document_to_json(page.page())])
    args = ("annotate", "push", "--project", "screenshot", "--input", str(docs), "--system", "rules")
    assert run_cli(*args, env=env(label_studio)).returncode == 0
    project_id, tasks = task_ids(client, "screenshot")
    editor.open_task(project_id, tasks[page.id])
    wait_for("the pre-annotations to show", editor.regions)
    shot = editor.screenshot(tmp_path / "labeling-view.png")
    assert shot.stat().st_size > 10_000
    if os.environ.get(SCREENSHOT_ENV):
        folder = Path(os.environ[SCREENSHOT_ENV])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, folder / shot.name)
        log(capsys, f"saved {folder / shot.name} ({page.id}, {len(editor.regions())} regions)")
