"""Talking to a Label Studio server through ``label-studio-sdk``: push, pull, ML backend.

Every server error becomes one :class:`UserError` that says what to do (server down, key
refused, project with a foreign config). The API key is only ever handed to the SDK: it
is never printed, logged or put in a message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from newslayers.annotation import convert
from newslayers.annotation.config import config_differences, labeling_config
from newslayers.annotation.instructions import instructions

from newslayers.adjudication import ANNOTATOR_KEY, Conflict, Version, merge_versions
from newslayers.agreement import BASE_ID_KEY
from newslayers.errors import UserError
from newslayers.model import Document
from newslayers.progress import ProgressBar

URL_ENV, KEY_ENV = "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"
PAGE_SIZE = 500


def credentials(url: str | None, api_key: str | None) -> tuple[str, str]:
    """URL and key from the flags, else from the environment; never from a file."""
    url = url or os.environ.get(URL_ENV)
    api_key = api_key or os.environ.get(KEY_ENV)
    if not url:
        raise UserError(f"no Label Studio URL: pass --url or set {URL_ENV}")
    if not api_key:
        raise UserError(f"no Label Studio API key: pass --api-key or set {KEY_ENV} (Account & Settings → Access Token)")
    if not url.startswith(("http://", "https://")):
        raise UserError(f"Label Studio URL must start with http:// or https://, got {url!r}")
    return url.rstrip("/"), api_key


def _detail(body: Any) -> str:
    """The server's own explanation, short (never request headers, which hold the key)."""
    if isinstance(body, dict):
        for key in ("detail", "validation_errors", "message"):
            if body.get(key):
                return str(body[key])[:300]
    return str(body)[:300] if body else ""


def backend_model_version(url: str) -> str:
    """The model version an ML backend reports on ``/health`` (``annotate serve`` does), else its URL."""
    try:
        response = httpx.get(f"{url}/health", timeout=10.0)
    except httpx.HTTPError as err:
        raise UserError(
            f"cannot reach the ML backend at {url} ({type(err).__name__}): start it with "
            "`newslayers annotate serve --system NAME`, or check --backend"
        ) from None
    if response.status_code != 200:
        raise UserError(f"the ML backend at {url} answered HTTP {response.status_code} on /health")
    try:
        body = response.json()
    except ValueError:
        body = {}
    version = body.get("model_version") if isinstance(body, dict) else None
    return str(version) if version else f"ml-backend {url}"


class Studio:
    """One Label Studio server, with errors translated for people."""

    def __init__(self, url: str, api_key: str, timeout: float = 300.0):
        self.url = url
        self.client = LabelStudio(base_url=url, api_key=api_key, timeout=timeout)

    @contextmanager
    def call(self, what: str) -> Iterator[None]:
        """Run API calls; turn transport and HTTP errors into one clear UserError."""
        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout) as err:
            raise UserError(
                f"cannot reach Label Studio at {self.url} ({type(err).__name__}): is the server running? "
                "Start it with `label-studio start`, or check --url / LABEL_STUDIO_URL"
            ) from None
        except httpx.TimeoutException:
            raise UserError(f"Label Studio at {self.url} did not answer in time while trying to {what}") from None
        except httpx.HTTPError as err:
            raise UserError(f"cannot talk to Label Studio at {self.url}: {type(err).__name__}") from None
        except ApiError as err:
            if err.status_code in (401, 403):
                raise UserError(
                    f"Label Studio at {self.url} refused the API key (HTTP {err.status_code}: {_detail(err.body)}). "
                    f"Check --api-key / {KEY_ENV}: copy the token from Account & Settings"
                ) from None
            raise UserError(
                f"Label Studio at {self.url} answered HTTP {err.status_code} when trying to {what}: {_detail(err.body)}"
            ) from None

    def check(self) -> str:
        """Reach the server and prove the key works; the signed-in user's email."""
        with self.call("check the API key"):
            return self.client.users.whoami().email or ""

    # ------------------------------------------------------------------ projects

    def find_project(self, title: str) -> Any | None:
        """The project with exactly this title, after checking that its config is ours."""
        with self.call("list projects"):
            found = [p for p in self.client.projects.list(title=title, page_size=100) if p.title == title]
        if len(found) > 1:
            ids = ", ".join(str(p.id) for p in found)
            raise UserError(f"{len(found)} projects are titled {title!r} (ids {ids}); rename all but one")
        if not found:
            return None
        problems = config_differences(found[0].label_config or "")
        if problems:
            raise UserError(
                f"project {title!r} (id {found[0].id}) has a labeling config that is not newslayers' "
                f"({'; '.join(problems[:3])}). Use another --project title, or replace its config with "
                "the output of `newslayers annotate config`"
            )
        return found[0]

    def ensure_project(self, title: str) -> tuple[int, bool]:
        """Find the project by title or create it, with the guidelines as its instructions; (id, created)."""
        project = self.find_project(title)
        if project is not None:
            return int(project.id), False
        with self.call("create the project"):
            created = self.client.projects.create(
                title=title,
                label_config=labeling_config(),
                description="newslayers: entities, numeric claims, quotes and boilerplate (annotation/GUIDELINES.md)",
                expert_instruction=instructions(),
                show_instruction=True,
            )
        return int(created.id), True

    def refresh_instructions(self, project_id: int) -> bool:
        """Replace the project's instructions when the guidelines changed; whether it did."""
        text = instructions()
        with self.call("read the project's instructions"):
            project = self.client.projects.get(project_id)
        if project.expert_instruction == text and project.show_instruction:
            return False
        with self.call("update the project's instructions"):
            self.client.projects.update(project_id, expert_instruction=text, show_instruction=True)
        return True

    def task_count(self, project_id: int) -> int:
        with self.call("count the project's tasks"):
            return int(self.client.projects.get(project_id).task_number or 0)

    # ------------------------------------------------------------------ ML backend

    def connect_backend(self, project_id: int, url: str) -> tuple[str, bool]:
        """Attach an ML backend to the project (once) and show its predictions; (model version, added)."""
        model_version = backend_model_version(url)
        with self.call("list the project's ML backends"):
            existing = [b for b in self.client.ml.list(project=project_id) if (b.url or "").rstrip("/") == url]
        added = not existing
        if added:
            with self.call_backend(url):
                self.client.ml.create(
                    project=project_id, url=url, title=model_version, is_interactive=False, auto_update=True
                )
        with self.call("set the project's model version"):
            self.client.projects.update(project_id, model_version=model_version, show_collab_predictions=True)
        return model_version, added

    @contextmanager
    def call_backend(self, url: str) -> Iterator[None]:
        """Label Studio refuses backends on this machine or a private network unless told not to."""
        try:
            with self.call(f"connect the ML backend at {url}"):
                yield
        except UserError as err:
            if "reserved network address" not in str(err):
                raise
            raise UserError(
                f"{err}. A backend on this machine or a private network needs Label Studio started with "
                "ML_BLOCK_LOCAL_IP=false (and USE_DEFAULT_BANNED_SUBNETS=false for the backend's webhook)"
            ) from None

    # ------------------------------------------------------------------ tasks

    def tasks(self, project_id: int, with_predictions: bool) -> list[Any]:
        """Every task of the project (with its predictions only when asked: they are large)."""
        options: dict[str, Any] = (
            {"fields": "all"}
            if with_predictions
            else {
                "fields": "task_only",
                "include": "id,data,total_annotations",
            }
        )
        with self.call("list the project's tasks"):
            return list(self.client.tasks.list(project=project_id, page_size=PAGE_SIZE, **options))

    def import_tasks(self, project_id: int, tasks: list[dict]) -> None:
        with self.call("import tasks"):
            self.client.projects.import_tasks(id=project_id, request=tasks)

    def delete_task(self, task_id: int) -> None:
        with self.call(f"delete task {task_id}"):
            self.client.tasks.delete(str(task_id))

    def add_prediction(self, task_id: int, pred: dict) -> None:
        with self.call(f"add a prediction to task {task_id}"):
            self.client.predictions.create(task=task_id, **pred)

    def set_model_version(self, project_id: int, model_version: str) -> None:
        """Show this system's predictions as the pre-annotations of the project."""
        with self.call("set the project's model version"):
            self.client.projects.update(project_id, model_version=model_version)

    def export(self, project_id: int) -> list[dict]:
        """All tasks that have annotations, as Label Studio's JSON export."""
        with self.call("export the project"):
            raw = b"".join(self.client.projects.exports.download_sync(project_id, export_type="JSON"))
        return json.loads(raw)

    def user_names(self) -> dict[int, str]:
        """user id -> email (the annotator's name in pulled files)."""
        with self.call("list users"):
            return {int(u.id): u.email or u.username or f"user-{u.id}" for u in self.client.users.list()}


# ----------------------------------------------------------------------------- push


@dataclass(slots=True)
class PushReport:
    project_id: int = 0
    created_project: bool = False
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_annotated: list[str] = field(default_factory=list)
    predictions_added: int = 0
    model_version: str | None = None
    instructions_updated: bool = False


Predictor = Callable[[list[Document]], list[Document]]


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), max(size, 1)):
        yield items[i : i + max(size, 1)]


def push(
    studio: Studio,
    title: str,
    docs: Sequence[Document],
    predict: Predictor | None = None,
    model_version: str | None = None,
    batch_size: int = 50,
) -> PushReport:
    """Import documents as tasks, keyed by document id: pushing again adds nothing twice.

    A changed document replaces its task only while nobody has annotated it (annotations
    and predictions point into the old text); a task already annotated is kept and reported.
    """
    report = PushReport(model_version=model_version)
    report.project_id, report.created_project = studio.ensure_project(title)
    if not report.created_project:
        report.instructions_updated = studio.refresh_instructions(report.project_id)
    existing = {} if report.created_project else _tasks_by_document(studio, report.project_id, predict is not None)
    states = {d.id: _state(d, existing[d.id]) if d.id in existing else "new" for d in docs}
    for doc in docs:
        if states[doc.id] == "stale":  # its predictions point into the old text: replace the task
            studio.delete_task(existing.pop(doc.id).id)
    report.updated = sum(s == "stale" for s in states.values())
    report.unchanged = sum(s == "unchanged" for s in states.values())
    report.kept_annotated = sorted(i for i, s in states.items() if s == "kept")
    new = [d for d in docs if d.id not in existing]
    current = [d for d in docs if states[d.id] == "unchanged"]
    unpredicted = [d for d in current if model_version not in _model_versions(existing[d.id])] if predict else []
    preds = _predict(predict, [*new, *unpredicted]) if predict else {}
    with ProgressBar("importing tasks", total=len(new)) as bar:
        for batch in _batches(new, batch_size):
            studio.import_tasks(
                report.project_id, [convert.task(d, preds.get(d.id), model_version or "") for d in batch]
            )
            report.imported += len(batch)
            bar.update(len(batch))
    for doc in unpredicted:
        if doc.id in preds:
            pred = convert.prediction(preds[doc.id], doc.text or "", model_version or "")
            studio.add_prediction(existing[doc.id].id, pred)
    report.imported -= report.updated
    report.predictions_added = sum(d.id in preds for d in [*new, *unpredicted])
    if predict and model_version:
        studio.set_model_version(report.project_id, model_version)
    return report


def _tasks_by_document(studio: Studio, project_id: int, with_predictions: bool) -> dict[str, Any]:
    """document id -> task (the oldest one if a hand import made duplicates)."""
    by_id: dict[str, Any] = {}
    for task in sorted(studio.tasks(project_id, with_predictions), key=lambda t: t.id):
        doc_id = (task.data or {}).get("id")
        if isinstance(doc_id, str):
            by_id.setdefault(doc_id, task)
    return by_id


def _model_versions(task: Any) -> set[str]:
    return {getattr(p, "model_version", None) or "" for p in getattr(task, "predictions", None) or []}


def _state(doc: Document, task: Any) -> str:
    """An existing task's fate: unchanged, stale (changed, unannotated: re-import) or kept.

    Annotations point into the old text, so an annotated task keeps its old data.
    """
    if task.data == convert.task_data(doc):
        return "unchanged"
    return "kept" if task.total_annotations else "stale"


def _predict(predict: Predictor, docs: list[Document]) -> dict[str, Document]:
    if not docs:
        return {}
    inputs = [Document(id=d.id, text=d.text, html=d.html, url=d.url, source=d.source, meta=dict(d.meta)) for d in docs]
    return {p.id: p for p in predict(inputs)}


# ----------------------------------------------------------------------------- pull


@dataclass(slots=True)
class PullResult:
    documents: list[Document] = field(default_factory=list)
    per_annotation: list[Document] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[convert.RegionProblem] = field(default_factory=list)
    tasks_without_annotations: int = 0
    skipped_annotations: int = 0


@dataclass(frozen=True, slots=True)
class _Annotation:
    id: int
    annotator: str
    user: str  # Label Studio user id, so --reviewer may name it
    when: str
    document: Document


def _submitted(task: dict, users: dict[int, str], out: PullResult) -> list[_Annotation]:
    """The task's submitted annotations, oldest first; skipped and cancelled ones left out."""
    found: list[_Annotation] = []
    data = task.get("data") or {}
    for ann in task.get("annotations") or []:
        if ann.get("was_cancelled"):
            out.skipped_annotations += 1
            continue
        if not isinstance(data.get("text"), str):
            out.problems.append(convert.RegionProblem(task.get("id"), ann.get("id"), "(task)", "task data has no text"))
            continue
        doc, problems = convert.document_from_result(data, ann.get("result") or [], task.get("id"), ann.get("id"))
        out.problems.extend(problems)
        by = ann.get("completed_by")
        user = str(by.get("id") if isinstance(by, dict) else by)
        when = str(ann.get("updated_at") or ann.get("created_at") or "")
        found.append(_Annotation(int(ann["id"]), annotator_name(by, users), user, when, doc))
    return sorted(found, key=lambda a: (a.when, a.id))


def annotator_name(completed_by: Any, users: dict[int, str]) -> str:
    """The annotator of an exported annotation: their email, else ``user-ID``."""
    if isinstance(completed_by, dict):
        return str(completed_by.get("email") or f"user-{completed_by.get('id')}")
    if isinstance(completed_by, int):
        return users.get(completed_by, f"user-{completed_by}")
    return "unknown"


def _reviewer(latest: list[_Annotation], reviewer: str | None) -> int:
    """The named reviewer's annotation when they made one, else the most recent."""
    if reviewer is not None:
        for i, ann in enumerate(latest):
            if reviewer in (ann.annotator, ann.annotator.split("@")[0], ann.user):
                return i
    return max(range(len(latest)), key=lambda i: (latest[i].when, latest[i].id))


def _per_annotation(ann: _Annotation) -> Document:
    doc = ann.document
    extra = {**doc.extra, ANNOTATOR_KEY: ann.annotator, BASE_ID_KEY: doc.id}
    return doc.copy(id=f"{doc.id}/{ann.id}", extra=extra)


def pull(studio: Studio, title: str, reviewer: str | None = None) -> PullResult:
    """Submitted annotations as documents, one per task merged by the guidelines' rule."""
    project = studio.find_project(title)
    if project is None:
        raise UserError(f"no project titled {title!r} at {studio.url}; push documents to it first")
    users = studio.user_names()
    out = PullResult()
    tasks = sorted(studio.export(int(project.id)), key=lambda t: (str(t["data"].get("id")), t["id"]))
    for task in tasks:
        annotations = _submitted(task, users, out)
        if not annotations:
            out.tasks_without_annotations += 1
            continue
        latest = list({a.annotator: a for a in annotations}.values())  # one vote per person
        versions = [Version(a.annotator, a.document) for a in latest]
        merged, conflicts = merge_versions(versions, _reviewer(latest, reviewer))
        out.documents.append(merged)
        out.conflicts.extend(conflicts)
        out.per_annotation.extend(_per_annotation(a) for a in annotations)
    return out
