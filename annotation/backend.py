"""A Label Studio ML backend that pre-annotates tasks with a registered system, on demand.

Label Studio 1.23.2 speaks plain HTTP to an ML backend: ``GET /health``, ``POST /setup``
(once per project and model check: answer the model version), ``POST /predict`` (tasks in,
one prediction per task out, in order) and ``POST /webhook`` (events; nothing to train
here). The ``label-studio-ml`` package (1.0.9) does speak this protocol, measured against
1.23.2, but it pins Flask 1.1.2, Werkzeug 2.0.2 and Jinja2 3.0.3, needs ``rq`` without
declaring it and has had no release since 2023; this module implements the same four
endpoints on Starlette instead.

Predictions go through the caller's predictor, which runs the system through
:func:`newslayers.systems.run_system` (the page only, every output checked): a task whose
page the system fails on gets an empty prediction and a warning, never a broken one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from newslayers.annotation import convert
from newslayers.annotation.config import config_differences
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from newslayers.model import Document

Predictor = Callable[[Sequence[Document]], list[Document]]


def task_page(task: dict[str, Any]) -> Document | None:
    """The page of a task as pushed by ``annotate push`` (only what a system may see)."""
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None
    meta = data.get("meta")
    return Document(
        id=str(data.get("id") or f"ls-task-{task.get('id')}"),
        text=data["text"],
        html=data.get("html") if isinstance(data.get("html"), str) else None,
        url=data.get("url") if isinstance(data.get("url"), str) else None,
        source=data.get("source") if isinstance(data.get("source"), str) else None,
        meta=dict(meta) if isinstance(meta, dict) else {},
    )


def predict_tasks(predict: Predictor, model_version: str, tasks: Sequence[Any]) -> list[dict[str, Any]]:
    """One prediction per task, in task order (Label Studio pairs them by position)."""
    pages = [task_page(t) for t in tasks]
    known = [p for p in pages if p is not None]
    by_id = {p.id: p for p in predict(known)} if known else {}
    results = []
    for page in pages:
        pred = by_id.get(page.id) if page is not None else None
        if page is None or pred is None:
            print(f"warning: no pre-annotation for {page.id if page else 'a task without text'}", file=sys.stderr)
            results.append({"model_version": model_version, "score": 0.0, "result": []})
        else:
            results.append(convert.prediction(pred, page.text or "", model_version))
    return results


def create_app(predict: Predictor, model_version: str) -> Starlette:
    """The backend's web app; ``model_version`` names the system (``NAME-VERSION``)."""

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "UP", "model_version": model_version})

    async def setup(request: Request) -> JSONResponse:
        body = await _json(request)
        problems = config_differences(str(body.get("schema") or "")) if body.get("schema") else []
        if problems:
            reason = "the project's labeling config is not newslayers': " + "; ".join(problems[:3])
            return JSONResponse({"error": reason}, status_code=400)
        return JSONResponse({"model_version": model_version})

    async def predict_endpoint(request: Request) -> JSONResponse:
        body = await _json(request)
        tasks = body.get("tasks")
        if not isinstance(tasks, list):
            return JSONResponse({"error": "the request has no list of tasks"}, status_code=400)
        results = await run_in_threadpool(predict_tasks, predict, model_version, tasks)
        return JSONResponse({"results": results, "model_version": model_version})

    async def webhook(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse({"status": "ok", "action": body.get("action")}, status_code=201)

    routes = [
        Route("/", health),
        Route("/health", health),
        Route("/setup", setup, methods=["POST"]),
        Route("/predict", predict_endpoint, methods=["POST"]),
        Route("/webhook", webhook, methods=["POST"]),
    ]
    return Starlette(routes=routes)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
