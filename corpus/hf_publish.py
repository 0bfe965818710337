"""``newslayers publish``: check a built folder, then upload it to the Hub with ``huggingface_hub``.

Publishing refuses, in one message per problem: a folder whose files are not exactly the
ones its manifest lists (a changed card, a stray file), documents that do not validate as
gold or sit in the wrong split file, data that does not match the recorded content hash, a
build of another corpus than the embedded one, and a build holding the real splits (their
text belongs to the pages' publishers: publish a ``newslayers build --synthetic-only``).
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
from huggingface_hub import HfApi, get_token
from newslayers.corpus import load_corpus
from newslayers.corpus.hf_build import BATCH_DOCUMENTS, BUILD_FILE, default_out, folder_files, read_provenance, unproven
from newslayers.corpus.hf_features import document_from_row, parquet_path

from newslayers import DATASET_VERSION
from newslayers.errors import UserError
from newslayers.jsonl import ContractError, Problem, dumps_document, gold_hash
from newslayers.model import Document
from newslayers.schema import REAL_SPLITS, SYNTHETIC_SPLITS
from newslayers.validation import check_document


def _split_documents(folder: Path, split: str) -> Iterator[tuple[str, Document]]:
    path = folder / parquet_path("documents", split)
    if not path.exists():
        raise UserError(f"{path} is missing: run `newslayers build --out {folder}` first")
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_DOCUMENTS):
        for row in batch.to_pylist():
            yield split, document_from_row(row)


def read_built_documents(folder: Path) -> Iterator[tuple[str, Document]]:
    """(split, document) for every row of the built ``documents`` config, streamed in id order."""
    record = read_provenance(folder) or {}
    streams = [_split_documents(folder, split) for split in record.get("splits", SYNTHETIC_SPLITS)]
    return heapq.merge(*streams, key=lambda item: item[1].id)


def _folder_problem(folder: Path, field: str, message: str) -> Problem:
    return Problem(str(folder), 0, field, message)


def folder_problems(folder: Path) -> list[Problem]:
    """Every reason not to publish a folder (see the module docstring)."""
    folder = Path(folder)
    record = read_provenance(folder)
    if record is None:
        return [_folder_problem(folder, "(folder)", f"no {BUILD_FILE}: run `newslayers build --out {folder}`")]
    problems: list[Problem] = []
    if reason := unproven(folder, record):
        problems.append(_folder_problem(folder, "(folder)", f"{reason}: publish only what `newslayers build` made"))
    real = [s for s in record.get("splits", []) if s in REAL_SPLITS]
    if real:
        problems.append(
            _folder_problem(
                folder,
                "splits",
                f"holds {', '.join(real)}, whose text belongs to the pages' publishers: "
                f"publish a `newslayers build --synthetic-only --out DIR` instead",
            )
        )
    digest = hashlib.sha256()
    name = str(folder / "documents")
    for number, (split, doc) in enumerate(read_built_documents(folder), start=1):
        problems += [Problem(name, number, f"{doc.id}: {f}", m) for f, m in check_document(doc, gold=True)]
        if doc.split != split:
            problems.append(Problem(name, number, f"{doc.id}: split", f"{doc.split!r} stored in the {split} file"))
        digest.update(dumps_document(doc).encode("utf-8") + b"\n")
    if record.get("content_hash") != digest.hexdigest():
        problems.append(_folder_problem(folder, "content_hash", "the data files do not match the recorded hash"))
    elif not real and record["content_hash"] != gold_hash(load_corpus()):
        problems.append(_folder_problem(folder, "content_hash", "built from another corpus: run `newslayers build`"))
    return problems


def _check_repo_id(repo_id: str) -> None:
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(parts) or any(c.isspace() for c in repo_id):
        raise UserError(f"--repo-id must look like ORG/NAME, got {repo_id!r}")


def upload(folder: Path, repo_id: str, content_hash: str) -> str:
    """Create the dataset repository if needed and upload exactly the folder's files."""
    token = get_token()
    if not token:
        raise UserError("no Hugging Face token configured: set HF_TOKEN or run `hf auth login`, then publish again")
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
        commit = api.upload_folder(
            folder_path=folder,
            repo_id=repo_id,
            repo_type="dataset",
            allow_patterns=[p.as_posix() for p in folder_files(folder)],
            commit_message=f"newslayers {DATASET_VERSION} ({content_hash[:12]})",
        )
    except Exception as err:  # network and Hub errors of every kind end in one message
        raise UserError(f"upload to {repo_id} failed: {err}") from None
    return str(getattr(commit, "commit_url", "") or f"https://huggingface.co/datasets/{repo_id}")


def cmd_publish(args: argparse.Namespace) -> int:
    _check_repo_id(args.repo_id)
    folder = default_out() if args.dir is None else Path(args.dir)
    problems = folder_problems(folder)
    if problems:
        print(f"newslayers publish: refusing to publish {folder}: {len(problems)} problem(s)", file=sys.stderr)
        raise ContractError(problems)
    files = folder_files(folder)
    for name in files:
        print(f"{(folder / name).stat().st_size:>12,}  {name}")
    total = sum((folder / name).stat().st_size for name in files)
    target = f"https://huggingface.co/datasets/{args.repo_id}"
    if args.dry_run:
        print(f"dry run: would upload {len(files)} files ({total:,} bytes) to {target}")
        return 0
    content_hash = (read_provenance(folder) or {}).get("content_hash", "")
    url = upload(folder, args.repo_id, content_hash)
    print(f"uploaded {len(files)} files ({total:,} bytes) to {target}: {url}")
    return 0
