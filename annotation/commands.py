"""``newslayers annotate config | push | pull | agreement | adjudicate``."""

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
    }
    action = getattr(args, "action", None)
    if action not in actions:
        raise UserError("choose an action: config, push, pull, agreement or adjudicate (see --help)")
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
    system, how = prepared_system(name, lambda: load_corpus("train"))
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
    if report.kept_annotated:
        ids = ", ".join(report.kept_annotated[:10])
        print(
            f"warning: {len(report.kept_annotated)} document(s) changed but are already annotated; "
            f"their tasks keep the old data: {ids}",
            file=sys.stderr,
        )
    return 0


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
