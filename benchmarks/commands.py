"""``newslayers baseline``, ``evaluate`` and ``leaderboard``: the harness on the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from newslayers.baselines import SystemUnavailable, get_system, prepared_system, system_names
from newslayers.benchmarks.harness import check_submission, evaluate, results_record, run_system
from newslayers.benchmarks.scoring import paired_bootstrap, predicted_layers, score_run
from newslayers.corpus import load_corpus

from newslayers.errors import UserError
from newslayers.jsonl import ContractError, load_documents, write_documents, write_text_atomic
from newslayers.model import Document


def load_split(split: str) -> list[Document]:
    return load_corpus(None if split == "all" else split)


def read_input_documents(path: Path) -> list[Document]:
    """A documents JSONL file, or any plain-text page wrapped into one document."""
    if not path.exists():
        raise UserError(f"{path}: does not exist")
    if path.is_dir():
        raise UserError(
            f"{path}: is a folder; give a documents JSONL file (newslayers ingest turns folders of pages into one)"
        )
    if path.suffix.lower() in (".html", ".htm", ".gz", ".warc"):
        raise UserError(f"{path}: is a page, not a documents file; run newslayers ingest {path} --out docs.jsonl first")
    if path.suffix in (".jsonl", ".json"):
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
    return [Document(id=path.stem, text=text, source=str(path.name))]


def cmd_baseline(args: argparse.Namespace) -> int:
    if args.list:
        for name in system_names():
            try:
                system = get_system(name)
                print(f"{name:12} {' '.join(system.layers):45} {system.description}")
            except SystemUnavailable as err:
                print(f"{name:12} {'(not installed)':45} {err}")
        return 0
    if not args.name or not args.out or not (args.split or args.input):
        missing = (
            "a system NAME" if not args.name else "--out P.jsonl" if not args.out else "--split S or --input DOCS.jsonl"
        )
        raise UserError(
            f"missing {missing}; usage: newslayers baseline NAME (--split S | --input DOCS.jsonl) --out P.jsonl"
        )
    documents = load_split(args.split) if args.split else read_input_documents(args.input)
    try:
        system, how = prepared_system(args.name, lambda: load_corpus("train"))
    except KeyError as err:
        raise UserError(str(err.args[0])) from None
    except SystemUnavailable as err:
        raise UserError(f"system {args.name} is not available: {err}") from None
    print(f"{args.name}: {how}", file=sys.stderr)
    predictions, elapsed = run_system(system, documents)
    write_documents(args.out, predictions)
    rate = len(documents) / elapsed if elapsed else float("inf")
    print(f"{args.name}: {len(predictions)} documents predicted in {elapsed:.2f}s ({rate:.0f} docs/s) -> {args.out}")
    return 0


def _gold_for(args: argparse.Namespace) -> tuple[list[Document], str]:
    if getattr(args, "gold", None):
        return load_documents(args.gold, "gold"), str(args.gold)
    split = getattr(args, "split", None) or "test"
    return load_split(split), split


def _checked(path: Path, gold: list[Document]) -> dict[str, Document]:
    submission = check_submission(path, gold)
    if submission.problems:
        raise ContractError(submission.problems)
    if submission.missing:
        print(
            f"warning: {path}: {len(submission.missing)} of {len(gold)} gold documents have no prediction "
            f"and are scored as empty (first: {submission.missing[0]})",
            file=sys.stderr,
        )
    return submission.predictions


def cmd_evaluate(args: argparse.Namespace) -> int:
    gold, split = _gold_for(args)
    if args.compare:
        return _compare(args, gold)
    if not args.predictions:
        raise UserError("give --predictions P.jsonl (or --compare A.jsonl B.jsonl)")
    start = time.perf_counter()
    predictions = _checked(args.predictions, gold)
    layers = predicted_layers(list(predictions.values()))
    scores = evaluate(gold, predictions, layers, with_breakdowns=not args.json)
    if args.results:
        record = results_record(
            {"name": args.predictions.stem, "version": "submitted"}, split, scores, time.perf_counter() - start
        )
        write_text_atomic(args.results, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(scores, ensure_ascii=False, sort_keys=False))
    else:
        from newslayers.benchmarks.report import print_scores

        print_scores(scores, layers, title=f"{args.predictions.name} on {split}")
    return 0


def _compare(args: argparse.Namespace, gold: list[Document]) -> int:
    path_a, path_b = args.compare
    a, b = _checked(path_a, gold), _checked(path_b, gold)
    layers = [layer for layer in predicted_layers(list(a.values())) if layer in predicted_layers(list(b.values()))]
    if not layers:
        raise UserError("the two files share no predicted layer to compare")
    result = paired_bootstrap(score_run(gold, a, layers), score_run(gold, b, layers), layers)
    if args.json:
        print(json.dumps(result))
        return 0
    from newslayers.benchmarks.report import print_comparison

    print_comparison(result, path_a.name, path_b.name)
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from newslayers.benchmarks.leaderboard import run_leaderboard

    run_leaderboard(split=args.split, out_dir=args.out, submissions=args.submissions, only=args.systems)
    return 0
