"""``newslayers baseline``, ``evaluate`` and ``leaderboard``: the harness on the command line.

Every command refuses an output that is one of its inputs and never replaces a good file
with an empty one; a system failing on some documents still writes the rest, lists the
failures and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newslayers.benchmarks.harness import results_record, score_file, scores_of

from newslayers.engines import Engine, engine_from_args
from newslayers.errors import UserError
from newslayers.jsonl import (
    check_writable,
    is_shard_set,
    load_documents,
    refuse_overwriting_inputs,
    write_documents,
    write_text_atomic,
)
from newslayers.model import Document
from newslayers.scoring import RunScores, paired_bootstrap

# ``evaluate`` is timed as a whole command against nervaluate (bench_scoring), so systems,
# the corpus, the scale-out engine and rich tables are imported by the paths that use them.

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".gz", ".warc", ".arc")


def load_split(split: str) -> list[Document]:
    from newslayers.corpus import load_corpus

    return load_corpus(None if split == "all" else split)


def _looks_like_jsonl(path: Path) -> bool:
    """A documents file whatever its name (.jsonl, .JSONL, .ndjson, none): its first character is {."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as err:
        raise UserError(f"{path}: cannot be read ({err.strerror or err})") from None
    return head.startswith(b"{")


def read_input_documents(path: Path) -> list[Document]:
    """A documents JSONL file, or any plain-text page wrapped into one document."""
    if not path.exists():
        raise UserError(f"{path}: does not exist")
    if path.is_dir():
        raise UserError(
            f"{path}: is a folder; give a documents JSONL file (newslayers ingest turns folders of pages into one)"
        )
    if path.name.lower().endswith(PAGE_SUFFIXES):
        raise UserError(f"{path}: is a page, not a documents file; run newslayers ingest {path} --out docs.jsonl first")
    if _looks_like_jsonl(path):
        docs = load_documents(path)
        missing = [d.id for d in docs if not d.text]
        if missing:
            raise UserError(
                f"{path}: {len(missing)} document(s) have no text (first: {missing[0]}); systems read the page text"
            )
        return docs
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    if text.lstrip().startswith("<"):
        raise UserError(f"{path}: looks like HTML; run newslayers ingest {path} --out docs.jsonl first")
    return [Document(id=path.stem, text=text, source=str(path.name))]


def _list_systems() -> int:
    from newslayers.baselines import get_system, plugin_problems, system_names

    from newslayers.systems import SystemUnavailable

    for name in system_names():
        try:
            system = get_system(name)
            print(f"{name:16} {' '.join(system.layers):45} {system.description}")
        except SystemUnavailable as err:
            print(f"{name:16} {'(not installed)':45} {err}")
    for problem in plugin_problems():
        print(problem, file=sys.stderr)
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    from newslayers.baselines import prepared_system
    from newslayers.corpus import load_corpus
    from newslayers.corpus.scale import cmd_baseline_sharded

    from newslayers.systems import run_system

    if args.list:
        return _list_systems()
    if engine := engine_from_args(args):
        return cmd_baseline_sharded(args, engine)
    if not args.name or not args.out or not (args.split or args.input):
        missing = (
            "a system NAME" if not args.name else "--out P.jsonl" if not args.out else "--split S or --input DOCS.jsonl"
        )
        raise UserError(
            f"missing {missing}; usage: newslayers baseline NAME (--split S | --input DOCS.jsonl) --out P.jsonl"
        )
    refuse_overwriting_inputs(args.out, [args.input])
    check_writable(args.out)  # before a learned system spends minutes training
    documents = load_split(args.split) if args.split else read_input_documents(args.input)
    system, how = prepared_system(args.name, lambda: load_corpus("train"), load_corpus)
    print(f"{args.name}: {how}", file=sys.stderr)
    run = run_system(system, documents)
    for failure in [*run.failures, *run.invalid]:
        print(failure, file=sys.stderr)
    count = write_documents(args.out, run.predictions)
    rate = len(documents) / run.seconds if run.seconds else float("inf")
    print(
        f"{args.name}: {count} of {len(documents)} documents predicted in {run.seconds:.2f}s ({rate:.0f} docs/s) -> {args.out}"
    )
    bad = len(run.failures) + len(run.invalid)
    if bad:
        print(f"{args.name}: {bad} document(s) failed or broke the contract (listed above)", file=sys.stderr)
        return 1
    return 0


def _gold_for(args: argparse.Namespace) -> tuple[list[Document], str]:
    if getattr(args, "gold", None):
        return load_documents(args.gold, "gold"), str(args.gold)
    split = getattr(args, "split", None) or "test"
    return load_split(split), split


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _scored(path: Path, gold: list[Document], with_breakdowns: bool = False, engine: Engine | None = None) -> RunScores:
    if is_shard_set(path):  # a folder or glob of predictions shards (newslayers baseline --engine)
        from newslayers.benchmarks.sharded import score_shards
        from newslayers.corpus.scale import shard_paths, task_runner

        run = score_shards(shard_paths(path), gold, _warn, with_breakdowns, task_runner(engine))
    else:
        run = score_file(path, gold, _warn, with_breakdowns)
    if run.missing:
        _warn(
            f"{path}: {len(run.missing)} of {len(gold)} gold documents have no prediction "
            f"and are scored as empty (first: {run.missing[0]})"
        )
    return run


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.results:
        refuse_overwriting_inputs(args.results, [args.predictions, args.gold, *(args.compare or [])], "--results")
    gold, split = _gold_for(args)
    if args.compare:
        return _compare(args, gold)
    if not args.predictions:
        raise UserError("give --predictions P.jsonl (or --compare A.jsonl B.jsonl)")
    run = _scored(args.predictions, gold, with_breakdowns=not args.json, engine=engine_from_args(args))
    scores = scores_of(run, gold, with_breakdowns=not args.json)
    if args.results:
        record = results_record({"name": args.predictions.stem, "version": "submitted"}, split, scores)
        write_text_atomic(args.results, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(scores, ensure_ascii=False, sort_keys=False))
    else:
        from newslayers.benchmarks.report import print_scores

        print_scores(scores, run.layers, title=f"{args.predictions.name} on {split}")
    return 0


def _compare(args: argparse.Namespace, gold: list[Document]) -> int:
    path_a, path_b = args.compare
    engine = engine_from_args(args)
    a, b = _scored(path_a, gold, engine=engine), _scored(path_b, gold, engine=engine)
    layers = [layer for layer in a.layers if layer in b.layers]
    if not layers:
        raise UserError("the two files share no predicted layer to compare")
    result = paired_bootstrap(a, b, layers)
    if args.json:
        print(json.dumps(result))
        return 0
    from newslayers.benchmarks.report import print_comparison

    print_comparison(result, path_a.name, path_b.name)
    return 0
