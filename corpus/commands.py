"""The corpus room's commands: ``ingest``, ``real materialize|fetch``, ``build``, ``publish``.

Command shells only: they read flags, guard outputs and call the room's functions.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Iterator

from newslayers.baselines import prepared_system
from newslayers.corpus import load_corpus
from newslayers.corpus.ingest import Rejected, ingest, iter_input_files, read_url_map
from newslayers.corpus.realpages import BENCHMARK_URL, PAGES_FILE, data_dir, fetch, materialize
from newslayers.corpus.scale import annotate_documents, cmd_ingest_sharded

from newslayers.engines import engine_from_args
from newslayers.jsonl import refuse_overwriting_inputs, write_documents
from newslayers.model import Document


def cmd_ingest(args: argparse.Namespace) -> int:
    if engine := engine_from_args(args):
        return cmd_ingest_sharded(args, engine)
    refuse_overwriting_inputs(args.out, [*args.paths, *iter_input_files(args.paths), args.url_map])
    workers = args.workers or os.cpu_count() or 1
    rejections: list[Rejected] = []

    def documents() -> Iterator[Document]:
        for item in ingest(args.paths, read_url_map(args.url_map), workers):
            if isinstance(item, Rejected):
                rejections.append(item)
                print(f"{item.origin}: skipped: {item.reason}", file=sys.stderr)
            else:
                yield item

    system = prepared_system(args.system, lambda: load_corpus("train"), load_corpus)[0] if args.system else None
    annotated = annotate_documents(documents(), system, lambda message: print(f"warning: {message}", file=sys.stderr))
    count = write_documents(args.out, annotated)
    print(f"wrote {count} document(s) to {args.out}; {len(rejections)} input(s) skipped (listed above)")
    failed = [r for r in rejections if not r.duplicate]
    return 1 if failed else 0


def cmd_real(args: argparse.Namespace) -> int:
    """``newslayers real materialize|fetch``."""
    if args.action == "fetch":
        count = fetch(args.out, args.base_url or BENCHMARK_URL)
        print(f"fetched and verified {count} real pages into {args.out}")
        return 0
    if args.out is not None:
        refuse_overwriting_inputs(args.out, [args.pages / "ground-truth.json"])
    docs = materialize(args.pages, args.out)
    splits = Counter(d.split for d in docs)
    print(
        f"materialised {len(docs)} real pages ({', '.join(f'{k} {v}' for k, v in sorted(splits.items()))}); "
        f"every hash matched; kept in {data_dir() / PAGES_FILE}" + (f" and written to {args.out}" if args.out else "")
    )
    return 0


# ----------------------------------------------------------------------------- command line
