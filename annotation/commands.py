"""``newslayers annotate config | push | pull | agreement | adjudicate | serve | progress``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newslayers.annotation.config import labeling_config
from newslayers.annotation.interannotator import agreement_report
from newslayers.annotation.studio import Studio, credentials, pull, push
from newslayers.annotation.throughput import progress_report
from newslayers.baselines import prepared_system
from newslayers.corpus import load_corpus
from rich.console import Console
from rich.table import Table

from newslayers.adjudication import adjudicate, group_versions
from newslayers.errors import UserError
from newslayers.jsonl import load_documents, refuse_overwriting_inputs, write_documents, write_text_atomic
from newslayers.layers import layer_names
from newslayers.model import Document
from newslayers.systems import run_system
from newslayers.validation import gold_problems


def cmd_annotate(args: argparse.Namespace) -> int:
    actions = {
        "config": _config,
        "push": _push,
        "pull": _pull,
        "agreement": _agreement,
        "adjudicate": _adjudicate,
        "serve": _serve,
        "progress": _progress,
    }
    action = getattr(args, "action", None)
    if action not in actions:
        raise UserError("choose an action: config, push, pull, agreement, adjudicate, serve or progress (see --help)")
    return actions[action](args)


def _config(_: argparse.Namespace) -> int:
    sys.stdout.write(labeling_config())
    return 0


# ----------------------------------------------------------------------------- push


def _documents(args: argparse.Namespace) -> list[Document]:
    if args.split:
        return load_corpus(None if args.split == "all" else args.split)
    docs = load_documents(args.input)
    untexted = [d.id for d in docs if d.text is None]
    if untexted:
        raise UserError(f"{args.input}: {len(untexted)} document(s) have no text (first: {untexted[0]})")
    return docs


def _system(name: str) -> tuple[Callable[[Sequence[Document]], list[Document]], str]:
    """A registered system's safe predict (page only, checked, failures reported) and its model version."""
    system, how = prepared_system(name, lambda: load_corpus("train"), load_corpus)
    print(f"{name}: {how}", file=sys.stderr)

    def predict(documents: Sequence[Document]) -> list[Document]:
        run = run_system(system, documents)
        for failure in [*run.failures, *run.invalid]:
            print(f"warning: no pre-annotation: {failure}", file=sys.stderr)
        return run.predictions

    return predict, f"{system.name}-{system.version}"


def _studio(args: argparse.Namespace) -> Any:
    studio = Studio(*credentials(args.url, args.api_key))
    studio.check()
    return studio


def _push(args: argparse.Namespace) -> int:
    if args.backend and not args.backend.startswith(("http://", "https://")):
        raise UserError(f"--backend must be a URL starting with http:// or https://, got {args.backend!r}")
    docs = _documents(args)
    studio = _studio(args)
    predict, model_version = None, None
    if args.system:
        predict, model_version = _system(args.system)
    started = time.perf_counter()
    report = push(studio, args.project, docs, predict, model_version, args.batch_size)
    verb = "created" if report.created_project else "found"
    print(
        f"project {args.project!r} ({verb}, id {report.project_id}): {report.imported} new task(s), "
        f"{report.updated} re-imported (changed, not yet annotated), {report.unchanged} unchanged"
        + (f", {report.predictions_added} pre-annotation(s) from {model_version}" if model_version else "")
        + f" in {time.perf_counter() - started:.1f}s"
    )
    if report.instructions_updated:
        print("instructions updated from annotation/GUIDELINES.md")
    if report.kept_annotated:
        ids = ", ".join(report.kept_annotated[:10])
        print(
            f"warning: {len(report.kept_annotated)} document(s) changed but are already annotated; "
            f"their tasks keep the old data: {ids}",
            file=sys.stderr,
        )
    if args.backend:
        _connect_backend(studio, report.project_id, args.backend)
    return 0


def _connect_backend(studio: Studio, project_id: int, url: str) -> None:
    model_version, added = studio.connect_backend(project_id, url.rstrip("/"))
    print(
        f"ML backend {url} ({model_version}) {'connected' if added else 'already connected'}: "
        "tasks opened without pre-annotations get them from it"
    )


# ----------------------------------------------------------------------------- pull


def _guideline_warnings(docs: Sequence[Document]) -> list[str]:
    """Gold checks (overlaps, content inside boilerplate) on pulled documents."""
    warnings = []
    for doc in docs:
        problems = gold_problems(doc)
        warnings.extend(f"{doc.id}: {field}: {message}" for field, message in problems)
    return warnings


def _pull(args: argparse.Namespace) -> int:
    studio = _studio(args)
    started = time.perf_counter()
    result = pull(studio, args.project, args.reviewer)
    if result.problems:
        lines = "\n".join(f"  {p}" for p in result.problems)
        raise UserError(
            f"{len(result.problems)} region(s) cannot be converted; nothing was written. "
            f"Fix them in Label Studio and pull again:\n{lines}"
        )
    docs = result.documents + (result.per_annotation if args.per_annotator else [])
    write_documents(args.out, docs)
    for warning in _guideline_warnings(result.documents):
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"wrote {len(result.documents)} document(s)"
        + (f" and {len(result.per_annotation)} per-annotator document(s)" if args.per_annotator else "")
        + f" to {args.out} in {time.perf_counter() - started:.1f}s; "
        f"{result.skipped_annotations} skipped/cancelled annotation(s) left out, "
        f"{len(result.conflicts)} conflict(s) decided by the adjudication rule"
        + (f", {result.tasks_without_annotations} task(s) only skipped" if result.tasks_without_annotations else "")
    )
    return 0


# ----------------------------------------------------------------------------- agreement


def _sources(paths: Sequence[Path]) -> list[tuple[str, list[Document]]]:
    names = [p.stem for p in paths]
    return [
        (name if names.count(name) == 1 else str(path), load_documents(path))
        for name, path in zip(names, paths, strict=True)
    ]


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _agreement_tables(report: dict[str, Any]) -> None:
    console = Console()
    table = Table(title="Agreement (span F1; kappa over boilerplate characters)")
    for column in ("annotators", "documents", "layer", "strict F1", "partial F1", "kappa", "spans A/B"):
        table.add_column(column)
    for pair in report["pairs"]:
        for layer in layer_names():
            entry = pair.get(layer)
            if entry is None:
                continue
            table.add_row(
                f"{pair['a']} / {pair['b']}",
                str(pair["documents"]),
                layer,
                _fmt(entry["strict"]["f1"]),
                _fmt(entry["partial"]["f1"]),
                _fmt(entry.get("kappa", "")),
                f"{entry['spans_a']}/{entry['spans_b']}",
            )
    console.print(table)
    counts = Table(title="Per annotator")
    for column in ("annotator", "documents", *layer_names()):
        counts.add_column(column)
    for name, row in report["annotators"].items():
        counts.add_row(name, *(str(row[k]) for k in ("documents", *layer_names())))
    console.print(counts)


def _agreement(args: argparse.Namespace) -> int:
    report = agreement_report(_sources(args.files))
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        _agreement_tables(report)
    return 0


# ----------------------------------------------------------------------------- adjudicate


def _adjudicate(args: argparse.Namespace) -> int:
    refuse_overwriting_inputs(args.out, args.files)
    if args.conflicts:
        refuse_overwriting_inputs(args.conflicts, [*args.files, args.out], "--conflicts")
    grouped = group_versions(_sources(args.files))
    docs, conflicts = adjudicate(grouped, args.reviewer)
    write_documents(args.out, docs)
    lines = [json.dumps(c.to_json(), ensure_ascii=False, sort_keys=True) for c in conflicts]
    if args.conflicts:
        write_text_atomic(args.conflicts, "".join(line + "\n" for line in lines))
    else:
        for conflict in conflicts:
            who = "; ".join(f"{a}: {len(k)} item(s)" for a, k in conflict.versions)
            print(f"{conflict.doc_id} {conflict.layer} [{conflict.start}, {conflict.end}) {conflict.decision} ({who})")
    by_kind = Counter((c.layer, c.decision) for c in conflicts)
    summary = ", ".join(f"{layer} {decision}: {n}" for (layer, decision), n in sorted(by_kind.items())) or "none"
    print(f"wrote {len(docs)} adjudicated document(s) to {args.out}; {len(conflicts)} conflict(s) ({summary})")
    return 0


# ----------------------------------------------------------------------------- serve


def _serve(args: argparse.Namespace) -> int:
    """Run the ML backend until interrupted (the optional ``server`` extra provides the web stack)."""
    try:
        import uvicorn
        from newslayers.annotation.backend import create_app
    except ImportError as err:
        raise UserError(f"annotate serve needs {err.name}: pip install 'newslayers[server]'") from None
    predict, model_version = _system(args.system)
    app = create_app(predict, model_version)
    url = f"http://{args.host}:{args.port}"
    print(
        f"serving {model_version} as a Label Studio ML backend at {url}; connect it with "
        f"`newslayers annotate push --project TITLE --input DOCS.jsonl --backend {url}` (Ctrl+C stops)",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


# ----------------------------------------------------------------------------- progress


def _progress_tables(title: str, report: dict[str, Any]) -> None:
    console = Console()
    people = Table(
        title=f"{title}: {report['tasks']} task(s), {report['annotated_tasks']} annotated, "
        f"{report['tasks_with_two_annotators']} by two or more annotators"
    )
    for column in ("annotator", "done", "skipped", "pending", "median s/task"):
        people.add_column(column, justify="left" if column == "annotator" else "right")
    for row in report["annotators"]:
        seconds = "n/a" if row["median_seconds"] is None else f"{row['median_seconds']:.1f}"
        people.add_row(row["annotator"], *(str(row[k]) for k in ("done", "skipped", "pending")), seconds)
    console.print(people)
    if not report["agreement"]:
        console.print("agreement: no task has been submitted by two annotators yet")
        return
    kappas = sorted({layer for pair in report["agreement"] for layer in pair["kappa"]})
    agree = Table(title="Agreement so far (each layer's headline F1; Cohen's kappa over characters)")
    for column in ("annotators", "tasks", *layer_names(), *(f"{layer} kappa" for layer in kappas)):
        agree.add_column(column)
    for pair in report["agreement"]:
        cells = [_fmt(pair["headline"].get(layer)) for layer in layer_names()]
        agree.add_row(
            f"{pair['a']} / {pair['b']}", str(pair["tasks"]), *cells, *(_fmt(pair["kappa"].get(k)) for k in kappas)
        )
    console.print(agree)


def _progress(args: argparse.Namespace) -> int:
    studio = _studio(args)
    project = studio.find_project(args.project)
    if project is None:
        raise UserError(f"no project titled {args.project!r} at {studio.url}; push documents to it first")
    project_id = int(project.id)
    report = progress_report(studio.export(project_id), studio.task_count(project_id), studio.user_names())
    if args.json:
        print(json.dumps({"project": args.project, **report}, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        _progress_tables(args.project, report)
    return 0
