"""``newslayers annotate serve``: a Label Studio ML backend, spoken to over real HTTP.

The backend runs as its own process (the command a user types). Its four endpoints are
checked directly, then against the real Label Studio server: a task pushed without
predictions, in a project connected with ``annotate push --backend URL``, gets the system's
predictions when it is opened (the same API call the editor makes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REPO, run_cli, write_jsonl
from ls_server import Server, free_port
from newslayers.annotation.config import labeling_config
from newslayers.annotation.convert import document_from_result

from newslayers.jsonl import document_to_json
from newslayers.model import Document

pytest.importorskip("starlette", reason="annotate serve needs the server extra (pip install 'newslayers[server]')")
pytest.importorskip("uvicorn", reason="annotate serve needs the server extra (pip install 'newslayers[server]')")

SYSTEM = "rules"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``newslayers annotate serve --system rules`` on a free port, stopped by its process id."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("backend") / "serve.log"
    command = [sys.executable, "-m", "newslayers", "annotate", "serve", "--system", SYSTEM, "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not _up(url):
            assert process.poll() is None, f"annotate serve exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"annotate serve did not answer /health:\n{log.read_text()}"
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def rules_predictions(docs: list[Document]) -> dict[str, Document]:
    from newslayers.baselines import get_system

    return {p.id: p for p in get_system(SYSTEM).predict([d.page() for d in docs])}


def pages() -> list[Document]:
    from newslayers.corpus import load_corpus

    return sorted(load_corpus("test"), key=lambda d: (len(d.text or ""), d.id))[:2]


def same_layers(got: Document, want: Document, layers: tuple[str, ...]) -> None:
    for layer in layers:
        assert [s.to_json() for s in got.layer(layer) or []] == [s.to_json() for s in want.sorted().layer(layer) or []]


def test_the_backend_speaks_the_ml_backend_protocol(backend: str) -> None:
    from newslayers.baselines import get_system

    system = get_system(SYSTEM)
    health = httpx.get(f"{backend}/health").json()
    assert health["status"] == "UP" and health["model_version"] == f"{system.name}-{system.version}"
    setup = httpx.post(f"{backend}/setup", json={"project": "1.1", "schema": labeling_config()})
    assert setup.status_code == 200 and setup.json() == {"model_version": health["model_version"]}
    foreign = '<View><Labels name="x" toName="t"><Label value="A"/></Labels><Text name="t" value="$t"/></View>'
    refused = httpx.post(f"{backend}/setup", json={"project": "1.1", "schema": foreign})
    assert refused.status_code == 400 and "not newslayers'" in refused.json()["error"]

    docs = pages()
    tasks = [{"id": i, "data": {"id": d.id, "text": d.text, "meta": d.meta}} for i, d in enumerate(docs)]
    tasks.append({"id": 99, "data": {"id": "no-text"}})
    answer = httpx.post(f"{backend}/predict", json={"tasks": tasks, "project": "1.1"}, timeout=60).json()
    assert answer["model_version"] == health["model_version"] and len(answer["results"]) == 3
    want = rules_predictions(docs)
    for task, result in zip(tasks[:2], answer["results"][:2], strict=True):
        got, problems = document_from_result(task["data"], result["result"])
        assert problems == [] and result["model_version"] == health["model_version"]
        same_layers(got, want[task["data"]["id"]], system.layers)
    assert answer["results"][2]["result"] == []
    assert httpx.post(f"{backend}/webhook", json={"action": "ANNOTATION_CREATED"}).status_code == 201


@pytest.mark.server
def test_a_task_pushed_without_predictions_gets_them_from_the_backend(
    label_studio: Server, client: Any, backend: str, tmp_path: Path
) -> None:
    from newslayers.baselines import get_system

    docs = pages()
    path = write_jsonl(tmp_path / "docs.jsonl", [document_to_json(d.page()) for d in docs])
    env = {**os.environ, "LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}
    result = run_cli("annotate", "push", "--project", "live", "--input", str(path), "--backend", backend, env=env)
    assert result.returncode == 0, result.stderr
    assert "connected" in result.stdout
    again = run_cli("annotate", "push", "--project", "live", "--input", str(path), "--backend", backend, env=env)
    assert again.returncode == 0 and "already connected" in again.stdout

    project = next(p for p in client.projects.list(title="live") if p.title == "live")
    (ml,) = list(client.ml.list(project=project.id))
    system = get_system(SYSTEM)
    model_version = f"{system.name}-{system.version}"
    assert ml.url == backend and client.projects.get(project.id).model_version == model_version
    tasks = {t.data["id"]: t for t in client.tasks.list(project=project.id, fields="all")}
    assert all(not t.predictions for t in tasks.values())  # pushed without any

    want = rules_predictions(docs)
    for doc in docs:
        opened = client.tasks.get(tasks[doc.id].id)  # what the editor asks when a person opens it
        (pred,) = opened.predictions
        pred = pred if isinstance(pred, dict) else pred.dict()
        assert pred["model_version"] == model_version
        got, problems = document_from_result(opened.data, pred["result"])
        assert problems == []
        same_layers(got, want[doc.id], system.layers)
