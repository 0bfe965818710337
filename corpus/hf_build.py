"""``newslayers build``: the Hugging Face dataset folder, its manifest, and when to rebuild it.

The folder holds Parquet per configuration and split (:mod:`newslayers.corpus.hf_features`),
the card (:mod:`newslayers.corpus.hf_card`) and the manifest ``newslayers_build.json``.
Documents stream in id order into fixed-size batches, so any corpus builds in bounded
memory, and the writer settings are fixed with no timestamps: two builds give identical
bytes. The build holds the synthetic splits, plus the real splits when the real pages are
materialised on this machine (``newslayers real materialize``).

The manifest is what makes the folder trustworthy. It lists every file with its sha256 and
records what the build was made from: the content hash of the gold, and the hash of
everything else that shapes the bytes (the source of the modules involved, the card
template, the agreement figures of both tracks, the registry's features, library versions). So
``build_if_stale`` rebuilds exactly when one of those changed, and ``build`` replaces a
folder only when the manifest proves that every file in it came from a build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from newslayers.corpus import load_corpus, real_pages_available
from newslayers.corpus.hf_card import TEMPLATE_PATH, BuildFacts, render_card
from newslayers.corpus.hf_features import (
    CONFIGS,
    META_COLUMNS,
    document_from_row,
    document_row,
    features,
    line_rows,
    parquet_path,
    token_row,
    unaligned_spans,
)
from newslayers.corpus.stats import annotation_agreement, corpus_stats, merge_stats, real_agreement

from newslayers import DATASET_NAME, DATASET_VERSION, htmltext, jsonl, layers, lines, model, schema, tokens
from newslayers.errors import UserError
from newslayers.jsonl import dumps_document, gold_hash, write_text_atomic
from newslayers.model import Document
from newslayers.progress import ProgressBar
from newslayers.schema import REAL_SPLITS, SPLITS, SYNTHETIC_SPLITS

DIST_ENV = "NEWSLAYERS_DIST"  # where built folders go instead of ./dist (the tests use a temporary one)
BUILD_FILE = "newslayers_build.json"
FORMAT = 2  # 2: registry-generated features, a `page` column, the real splits, a proven manifest
BATCH_DOCUMENTS = 128  # pages per written batch: the memory bound of a build
_LIBRARIES = ("pyarrow", "datasets", "huggingface_hub", "pandas", "tabulate", "jinja2")
_CORE_MODULES = (htmltext, jsonl, layers, lines, model, schema, tokens)
_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "version": "2.6",
    "data_page_version": "1.0",
    "use_dictionary": True,
    "write_statistics": True,
}


# ----------------------------------------------------------------------------- what goes in


def default_out() -> Path:
    """``dist/newslayers``, or ``$NEWSLAYERS_DIST/newslayers`` when that is set."""
    return Path(os.environ.get(DIST_ENV) or "dist") / DATASET_NAME


def build_splits() -> tuple[str, ...]:
    """The synthetic splits, and the real ones when the real pages are materialised here."""
    return SPLITS if real_pages_available() else SYNTHETIC_SPLITS


def corpus_documents(splits: Iterable[str]) -> list[Document]:
    """The gold documents of these splits, in id order (the order the build and hashes need)."""
    wanted = set(splits)
    docs = [d for d in load_corpus() if d.split in wanted]
    docs += [d for split in REAL_SPLITS if split in wanted for d in load_corpus(split)]
    return sorted(docs, key=lambda d: d.id)


def shaping_files() -> list[Path]:
    """The source files whose change changes the built bytes: core modules, the corpus
    statistics, every ``hf*`` module of this room and the card template."""
    here = Path(__file__).parent
    files = {Path(str(module.__file__)) for module in _CORE_MODULES}
    files |= {here / "__init__.py", TEMPLATE_PATH, *here.glob("hf*.py")}
    return sorted(files, key=lambda p: (p.parent.name, p.name))


def inputs_hash(splits: Iterable[str]) -> str:
    """Everything besides the gold that shapes the folder, as one sha256."""
    code = hashlib.sha256()
    for path in shaping_files():
        code.update(f"{path.parent.name}/{path.name}\n".encode())
        code.update(path.read_bytes())
    key = {
        "format": FORMAT,
        "version": DATASET_VERSION,
        "splits": list(splits),
        "agreement": [annotation_agreement(), real_agreement()],
        "code": code.hexdigest(),
        "libraries": {name: metadata.version(name) for name in _LIBRARIES},
        "features": {config: features(config).to_dict() for config in CONFIGS},
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- writing


@dataclass
class _Build:
    """Open writers, and what the card and the manifest need, gathered while rows stream past."""

    splits: tuple[str, ...]
    writers: dict[tuple[str, str], pq.ParquetWriter] = field(default_factory=dict)
    rows: dict[str, Counter[str]] = field(default_factory=lambda: {c: Counter() for c in CONFIGS})
    nbytes: dict[str, Counter[str]] = field(default_factory=lambda: {c: Counter() for c in CONFIGS})
    digest: Any = field(default_factory=hashlib.sha256)
    split_digests: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    unaligned: Counter[str] = field(default_factory=Counter)
    last_id: str | None = None

    def open(self, folder: Path) -> None:
        for split in self.splits:
            self.split_digests[split] = hashlib.sha256()
            for config in CONFIGS:
                path = folder / parquet_path(config, split)
                path.parent.mkdir(parents=True, exist_ok=True)
                self.writers[config, split] = pq.ParquetWriter(path, features(config).arrow_schema, **_PARQUET_OPTIONS)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def write(self, config: str, split: str, rows: list[dict[str, Any]]) -> None:
        table = pa.Table.from_pylist(rows, schema=features(config).arrow_schema)
        self.writers[config, split].write_table(table)
        self.rows[config][split] += table.num_rows
        self.nbytes[config][split] += table.nbytes

    def facts(self, folder: Path) -> BuildFacts:
        download = {c: sum((folder / parquet_path(c, s)).stat().st_size for s in self.splits) for c in CONFIGS}
        return BuildFacts(
            splits=self.splits,
            content_hash=self.digest.hexdigest(),
            split_hashes={s: d.hexdigest() for s, d in self.split_digests.items()},
            stats=self.stats,
            rows={c: {s: self.rows[c][s] for s in self.splits} for c in CONFIGS},
            nbytes={c: {s: self.nbytes[c][s] for s in self.splits} for c in CONFIGS},
            download=download,
            unaligned=dict(self.unaligned),
        )


def _accept(build: _Build, doc: Document) -> dict[str, Any]:
    """Check split, order and round trip; hash the canonical line (input order = id order = gold_hash)."""
    if doc.split not in build.splits:
        raise UserError(f"{doc.id}: split {doc.split!r} is not one of this build's splits ({', '.join(build.splits)})")
    if build.last_id is not None and doc.id <= build.last_id:
        raise UserError(f"documents must come in strictly ascending id order: {doc.id!r} after {build.last_id!r}")
    build.last_id = doc.id
    row = document_row(doc)
    line = dumps_document(doc)
    if dumps_document(document_from_row(row)) != line:
        raise UserError(
            f"{doc.id}: the documents config cannot hold this document exactly (extra fields, a null meta value, "
            f"or meta keys other than {', '.join(META_COLUMNS)}?); extend META_COLUMNS in corpus/hf_features.py"
        )
    encoded = line.encode("utf-8") + b"\n"
    build.digest.update(encoded)
    build.split_digests[doc.split].update(encoded)
    return row


def _flush(build: _Build, split: str, batch: list[tuple[Document, dict[str, Any]]]) -> None:
    docs = [doc for doc, _ in batch]
    build.write("documents", split, [row for _, row in batch])
    token_rows = []
    for doc in docs:
        found = tokens.tokenize(doc.text or "")
        token_rows.append(token_row(doc, found))
        build.unaligned.update(unaligned_spans(doc, found))
    build.write("tokens", split, token_rows)
    build.write("lines", split, [row for doc in docs for row in line_rows(doc)])
    build.stats = merge_stats(build.stats, corpus_stats(docs))


def _write_data(folder: Path, documents: Iterable[Document], splits: tuple[str, ...]) -> _Build:
    """Stream documents into Parquet; at most BATCH_DOCUMENTS pages per split in memory."""
    build = _Build(splits)
    pending: dict[str, list[tuple[Document, dict[str, Any]]]] = {split: [] for split in splits}
    total = len(documents) if isinstance(documents, list | tuple) else None
    try:
        build.open(folder)
        with ProgressBar("build", total=total) as bar:
            for doc in documents:
                row = _accept(build, doc)
                pending[doc.split].append((doc, row))
                if len(pending[doc.split]) >= BATCH_DOCUMENTS:
                    _flush(build, doc.split, pending[doc.split])
                    pending[doc.split] = []
                bar.update(1)
            for split, batch in pending.items():
                if batch:
                    _flush(build, split, batch)
    finally:
        build.close()
    return build


# ----------------------------------------------------------------------------- manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def folder_files(folder: Path) -> list[Path]:
    """Every file under ``folder``, relative, in a fixed order (hidden ones included)."""
    folder = Path(folder)
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def _write_manifest(folder: Path, build: _Build) -> None:
    files = {
        p.as_posix(): {"bytes": (folder / p).stat().st_size, "sha256": _sha256(folder / p)}
        for p in folder_files(folder)
    }
    record = {
        "dataset": DATASET_NAME,
        "dataset_version": DATASET_VERSION,
        "format": FORMAT,
        "splits": list(build.splits),
        "content_hash": build.digest.hexdigest(),
        "split_hashes": {s: d.hexdigest() for s, d in build.split_digests.items()},
        "inputs_hash": inputs_hash(build.splits),
        "documents": sum(build.rows["documents"].values()),
        "files": files,
    }
    write_text_atomic(folder / BUILD_FILE, json.dumps(record, indent=2, sort_keys=True) + "\n")


def read_provenance(folder: str | Path) -> dict[str, Any] | None:
    """The manifest of a built folder, or None when it is missing or unreadable."""
    try:
        record = json.loads((Path(folder) / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("files"), dict) else None


def unproven(folder: Path, record: dict[str, Any] | None) -> str | None:
    """Why ``folder`` may hold something a build did not make; None when the manifest lists
    every entry in it with the hash it has now (listed files may be missing)."""
    if record is None:
        return f"no readable {BUILD_FILE}"
    listed: dict[str, Any] = record["files"]
    for root, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                return f"{rel} is a link"
            if name in dirs:
                if not any(item.startswith(f"{rel}/") for item in listed):
                    return f"{rel}/ is not part of the build"
            elif rel != BUILD_FILE and rel not in listed:
                return f"{rel} is not listed in {BUILD_FILE}"
            elif rel != BUILD_FILE and (not path.is_file() or _sha256(path) != listed[rel].get("sha256")):
                return f"{rel} changed since the build"
    return None


def _check_replaceable(out_dir: Path) -> None:
    """Never replace a folder that may hold anything but a build (``--out .`` must not wipe a checkout)."""
    reason = None
    if out_dir.is_symlink():
        reason = "it is a link"
    elif out_dir.exists() and not out_dir.is_dir():
        reason = "it is a file"
    elif out_dir.exists() and any(out_dir.iterdir()):
        reason = unproven(out_dir, read_provenance(out_dir))
    if reason:
        raise UserError(
            f"{out_dir} is not a newslayers build that can be replaced ({reason}); it was left as it is: "
            "choose another --out, or move it away"
        )


def _remove_old(old: Path) -> None:
    """Delete a replaced build file by file (the listed files, then the emptied folders)."""
    record = read_provenance(old) or {"files": {}}
    try:
        for name in [*record["files"], BUILD_FILE]:
            (old / name).unlink(missing_ok=True)
        for folder in sorted((p for p in old.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            folder.rmdir()
        old.rmdir()
    except OSError as err:
        print(f"warning: the old build was kept in {old}: {err.strerror or err}", file=sys.stderr)


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    """Move the new build in; the old one is checked again once set aside, then removed."""
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    os.replace(out_dir, old)
    if any(old.iterdir()) and (reason := unproven(old, read_provenance(old))):
        os.replace(old, out_dir)
        raise UserError(f"{out_dir} changed during the build ({reason}); it was left as it is")
    os.replace(tmp, out_dir)
    _remove_old(old)


# ----------------------------------------------------------------------------- building


def build_dataset(
    out_dir: str | Path | None = None,
    documents: Iterable[Document] | None = None,
    splits: Iterable[str] | None = None,
) -> Path:
    """Write the dataset folder (default: :func:`default_out`) atomically and return it.

    ``documents`` (in id order) default to the gold of ``splits``; ``splits`` default to
    :func:`build_splits` for the gold and to the synthetic splits for given documents.
    """
    out_dir = default_out() if out_dir is None else Path(out_dir)
    _check_replaceable(out_dir)
    if splits is None:
        splits = build_splits() if documents is None else SYNTHETIC_SPLITS
    splits = tuple(splits)
    if documents is None:
        documents = corpus_documents(splits)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)
        build = _write_data(tmp, documents, splits)
        write_text_atomic(tmp / "README.md", render_card(build.facts(tmp)))
        _write_manifest(tmp, build)
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def stale_reason(out_dir: str | Path | None = None) -> str | None:
    """Why the folder needs a rebuild (missing, damaged, other gold, other inputs), or None."""
    out_dir = default_out() if out_dir is None else Path(out_dir)
    record = read_provenance(out_dir)
    if record is None:
        return f"no readable {BUILD_FILE}"
    if record.get("format") != FORMAT:
        return "made by another version of the build"
    splits = build_splits()
    if record.get("splits") != list(splits):
        return f"built with the splits {record.get('splits')}, now {list(splits)}"
    if record.get("content_hash") != gold_hash(corpus_documents(splits)):
        return "the gold changed"
    if record.get("inputs_hash") != inputs_hash(splits):
        return "the code, the card template, the agreement figures or a library changed"
    missing = [name for name in record["files"] if not (out_dir / name).is_file()]
    return f"{missing[0]} is missing" if missing else unproven(out_dir, record)


def is_stale(out_dir: str | Path | None = None) -> bool:
    """True when the folder is missing, damaged, or built from other gold or other inputs."""
    return stale_reason(out_dir) is not None


def build_if_stale(out_dir: str | Path | None = None) -> bool:
    """Rebuild only when something that shapes the folder changed; True if it rebuilt."""
    if not is_stale(out_dir):
        return False
    build_dataset(out_dir)
    return True


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    out = build_dataset(args.out, splits=SYNTHETIC_SPLITS if args.synthetic_only else None)
    record = read_provenance(out) or {"files": {}}
    for name, entry in sorted(record["files"].items()):
        print(f"{entry['bytes']:>12,}  {name}")
    total = sum(entry["bytes"] for entry in record["files"].values())
    print(
        f"built {out} ({record.get('documents')} documents; splits {', '.join(record.get('splits', []))}; "
        f"{total:,} bytes) in {time.perf_counter() - started:.1f}s; content hash {record.get('content_hash')}"
    )
    return 0
