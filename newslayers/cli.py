"""The ``newslayers`` command (CONTRACT section 2).

Each subcommand is a thin shell over a room's public function. User mistakes (bad files,
bad flags, a server that is down) end in one clear message and exit status 1 or 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from newslayers import __version__
from newslayers.errors import UserError
from newslayers.jsonl import ContractError, json_schema, validate_file, write_documents
from newslayers.schema import SPLITS

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _print_problems(problems: Sequence[object], limit: int | None = None) -> None:
    shown = problems if limit is None else problems[:limit]
    for problem in shown:
        print(problem, file=sys.stderr)
    if limit is not None and len(problems) > limit:
        print(f"... and {len(problems) - limit} more problems", file=sys.stderr)


# ----------------------------------------------------------------------------- commands


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check each file; print every problem as FILE:LINE: field: what is wrong."""
    status = EXIT_OK
    for path in args.files:
        valid, problems = validate_file(path, args.mode, warn=_warn)
        if problems:
            _print_problems(problems)
            status = EXIT_PROBLEMS
            print(f"{path}: {len(problems)} problem(s), {valid} valid document(s)", file=sys.stderr)
        elif not args.quiet:
            print(f"{path}: {valid} document(s), valid")
    return status


def cmd_stats(args: argparse.Namespace) -> int:
    from newslayers.corpus import load_corpus, real_pages_available
    from newslayers.corpus.stats import corpus_stats, render_stats_table

    if args.split:
        docs = load_corpus(None if args.split == "all" else args.split)
    else:
        docs = load_corpus() + (
            load_corpus("real_validation") + load_corpus("real_test") if real_pages_available() else []
        )
    stats = corpus_stats(docs)
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        render_stats_table(stats)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from newslayers.corpus import load_corpus

    split = None if args.split == "all" else args.split
    count = write_documents(args.out, load_corpus(split))
    print(f"wrote {count} documents of split {args.split} to {args.out}")
    return EXIT_OK


def _lazy(module: str, function: str) -> Callable[[argparse.Namespace], int]:
    """Import a room's command only when it runs, so start-up stays fast."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), function)(args)

    return run


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newslayers",
        description="Annotated news pages in four layers: entities, numeric claims, quotes, boilerplate.",
    )
    parser.add_argument("--version", action="version", version=f"newslayers {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check a gold or predictions JSONL file")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE.jsonl")
    p.add_argument(
        "--mode",
        choices=["auto", "gold", "predictions"],
        default="auto",
        help="gold requires text and all four layers (auto: decide per line)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing for a valid file")
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("stats", help="counts of the embedded corpus (and the real pages when materialised)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--split", choices=[*SPLITS, "all"], help="only this split (all: every synthetic split)")
    p.set_defaults(run=cmd_stats)

    p = sub.add_parser("export", help="write the embedded gold documents of a split")
    p.add_argument("--split", required=True, choices=[*SPLITS, "all"])
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("schema", help="print the JSON Schema of a document / predictions line")
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("build", help="build the Hugging Face dataset folder")
    p.add_argument("--out", type=Path, help="default: dist/newslayers ($NEWSLAYERS_DIST/newslayers when set)")
    p.add_argument(
        "--synthetic-only",
        action="store_true",
        help="leave out the real splits even when the real pages are materialised (the folder to publish)",
    )
    p.set_defaults(run=_lazy("newslayers.corpus.hf_build", "cmd_build"))

    p = sub.add_parser("publish", help="upload the built dataset folder to the Hugging Face Hub")
    p.add_argument("--repo-id", required=True)
    p.add_argument("--dir", type=Path, help="default: dist/newslayers ($NEWSLAYERS_DIST/newslayers when set)")
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(run=_lazy("newslayers.corpus.hf_publish", "cmd_publish"))

    p = sub.add_parser("baseline", help="run a registered system and write its predictions")
    p.add_argument("name", nargs="?")
    p.add_argument("--list", action="store_true", help="name the systems and their layers")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--split", choices=[*SPLITS, "all"])
    source.add_argument(
        "--input", type=Path, help="a documents JSONL file, or a plain-text page (with --engine: shards)"
    )
    p.add_argument("--out", type=Path, help="predictions file (with --engine: a folder, one shard per input shard)")
    p.add_argument(
        "--engine",
        choices=["dask", "serial"],
        help="run over --input SHARDS (a folder or glob) shard by shard on this engine",
    )
    p.add_argument("--scheduler", help="a running Dask scheduler (address or scheduler file); default: a local cluster")
    p.add_argument("--workers", type=int, help="local workers for --engine dask (default: all cores)")
    p.add_argument("--retries", type=int, default=2, help="retries of a failed shard (--engine)")
    p.set_defaults(run=_lazy("newslayers.benchmarks.commands", "cmd_baseline"))

    p = sub.add_parser("evaluate", help="score predictions against gold")
    p.add_argument("--predictions", type=Path)
    gold = p.add_mutually_exclusive_group()
    gold.add_argument("--gold", type=Path)
    gold.add_argument("--split", choices=[*SPLITS, "all"])
    p.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("A.jsonl", "B.jsonl"),
        help="paired bootstrap test between two predictions files",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--results", type=Path, help="also write a results file (JSON)")
    p.add_argument(
        "--engine", choices=["dask", "serial"], help="score the shards of a --predictions folder or glob on this engine"
    )
    p.add_argument("--scheduler", help="a running Dask scheduler (address or scheduler file); default: a local cluster")
    p.add_argument("--workers", type=int, help="local workers for --engine dask (default: all cores)")
    p.set_defaults(run=_lazy("newslayers.benchmarks.commands", "cmd_evaluate"))

    p = sub.add_parser("leaderboard", help="the main job: run every system, score, write the leaderboard")
    p.add_argument(
        "--split",
        choices=[s for s in SPLITS if s != "train"],
        help="one split only (default: real_test when materialised, and test)",
    )
    p.add_argument("--out", type=Path, default=Path("benchmarks"))
    p.add_argument("--submissions", type=Path, default=Path("benchmarks/submissions"))
    p.add_argument("--systems", nargs="*", help="only these systems")
    p.set_defaults(run=_lazy("newslayers.benchmarks.leaderboard", "cmd_leaderboard"))

    p = sub.add_parser("annotate", help="Label Studio: config, push, pull, agreement, adjudicate, serve, progress")
    p.set_defaults(run=_lazy("newslayers.annotation.commands", "cmd_annotate"))
    asub = p.add_subparsers(dest="action", metavar="ACTION")
    asub.add_parser("config", help="print the Label Studio labeling config")
    for action in ("push", "pull"):
        a = asub.add_parser(action, help=f"{action} documents {'to' if action == 'push' else 'from'} Label Studio")
        a.add_argument("--url", help="Label Studio URL (or LABEL_STUDIO_URL)")
        a.add_argument("--api-key", help="API token (or LABEL_STUDIO_API_KEY)")
        a.add_argument("--project", required=True, metavar="TITLE")
        if action == "push":
            src = a.add_mutually_exclusive_group(required=True)
            src.add_argument("--split", choices=[*SPLITS, "all"])
            src.add_argument("--input", type=Path)
            a.add_argument("--system", help="pre-annotate with this registered system")
            a.add_argument("--batch-size", type=int, default=50)
            a.add_argument("--backend", metavar="URL", help="connect this ML backend (annotate serve) to the project")
        else:
            a.add_argument("--out", required=True, type=Path)
            a.add_argument("--per-annotator", action="store_true")
            a.add_argument(
                "--reviewer",
                help="annotator whose version decides disagreements (email or user id; default: the most recent)",
            )
    a = asub.add_parser("agreement", help="inter-annotator agreement between annotation files")
    a.add_argument("files", nargs="+", type=Path)
    a.add_argument("--json", action="store_true")
    a = asub.add_parser("adjudicate", help="merge annotators' documents by the guidelines' rule")
    a.add_argument("files", nargs="+", type=Path)
    a.add_argument("--out", required=True, type=Path)
    a.add_argument("--conflicts", type=Path, help="write the list of conflicts here (JSONL)")
    a.add_argument("--reviewer", help="index (0-based) or annotator name of the reviewer's file")
    a = asub.add_parser("serve", help="run a Label Studio ML backend that pre-annotates with a registered system")
    a.add_argument("--system", required=True, help="the registered system that predicts")
    a.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    a.add_argument("--port", type=int, default=9090)
    a = asub.add_parser("progress", help="per annotator: done, skipped, pending; agreement so far")
    a.add_argument("--url", help="Label Studio URL (or LABEL_STUDIO_URL)")
    a.add_argument("--api-key", help="API token (or LABEL_STUDIO_API_KEY)")
    a.add_argument("--project", required=True, metavar="TITLE")
    a.add_argument("--json", action="store_true")

    p = sub.add_parser("real", help="the real-page track: materialise the stand-off gold, or fetch the pages")
    p.set_defaults(run=_lazy("newslayers.corpus.commands", "cmd_real"))
    rsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    r = rsub.add_parser("materialize", help="re-create the real-page documents from a copy of the pages")
    r.add_argument("--pages", required=True, type=Path, help="a folder laid out like shared/realpages")
    r.add_argument("--out", type=Path, help="also write the documents to this JSONL file")
    r = rsub.add_parser("fetch", help="download the real pages from the benchmark's public repository")
    r.add_argument("--out", required=True, type=Path)
    r.add_argument("--base-url", help="where to download from (default: the pinned commit of the benchmark)")

    p = sub.add_parser("ingest", help="turn real pages (HTML, folders, WARC) into documents")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--out", required=True, type=Path, help="documents file (with --engine: a folder of shards)")
    p.add_argument("--url-map", type=Path, help="TSV or JSON mapping file names to URLs")
    p.add_argument("--system", help="pre-annotate with this registered system")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument(
        "--engine", choices=["dask", "serial"], help="one output shard per WARC file, on this engine (resumable)"
    )
    p.add_argument("--scheduler", help="a running Dask scheduler (address or scheduler file); default: a local cluster")
    p.add_argument("--retries", type=int, default=2, help="retries of a failed shard (--engine)")
    p.set_defaults(run=_lazy("newslayers.corpus.commands", "cmd_ingest"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except ContractError as err:
        _print_problems(err.problems, limit=50)
        return EXIT_PROBLEMS
    except UserError as err:
        print(f"newslayers {args.command}: {err}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
