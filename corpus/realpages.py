"""The real-page track: stand-off gold on 88 real news pages.

The repository never holds the pages' text. It holds, per page, the benchmark id, the
sha256 of the text our own HTML→text makes, and the four layers as offsets, labels and
normalised values (``corpus/real/*.jsonl``). Users re-create the text from their copy of
the pages (:func:`materialize`, or :func:`fetch` then materialise), which checks every hash
before it joins the gold; the pages are kept in a per-user data folder from then on.
The annotators' and adjudicators' tools are in :mod:`newslayers.corpus.realpages_annotate`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newslayers.corpus.ingest import RawPage, Rejected, page_to_document
from rich.progress import track

from newslayers import DATASET_VERSION
from newslayers.errors import UserError
from newslayers.jsonl import (
    Mode,
    decode_line,
    document_to_json,
    load_documents,
    write_documents,
    write_text_atomic,
)
from newslayers.layers import layer_names
from newslayers.model import Document

REAL_DIR = Path(__file__).parent / "real"


class StandoffError(UserError):
    """A page's text does not match the stand-off gold, or a page or the gold file is unreadable."""


@dataclass(frozen=True, slots=True)
class RealPage:
    """One real page as our HTML→text sees it."""

    key: str  # the benchmark's page id (sha256 of its URL in the benchmark)
    text: str
    html: str
    url: str | None
    body: str  # the benchmark's published article body

    @property
    def id(self) -> str:
        return f"real-{self.key[:12]}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def real_split(page_id: str) -> str:
    """A fixed split from a hash of the page id: about a third validation, the rest test."""
    return "real_validation" if int(hashlib.sha256(page_id.encode()).hexdigest(), 16) % 3 == 0 else "real_test"


def read_pages(folder: Path) -> list[RealPage]:
    """Every page of a copy laid out like ``shared/realpages`` (``html/ID.html.gz``, ``ground-truth.json``)."""
    truth_path = folder / "ground-truth.json"
    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StandoffError(f"{truth_path}: cannot read the benchmark's ground truth ({err})") from None
    pages = []
    for key in sorted(truth):
        path = folder / "html" / f"{key}.html.gz"
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError, ValueError) as err:
            raise StandoffError(f"{path}: cannot read the page ({err})") from None
        doc = page_to_document(RawPage(str(path), raw, truth[key].get("url")))
        if isinstance(doc, Rejected):
            raise StandoffError(f"{path}: the page gives no text: {doc.reason}")
        pages.append(RealPage(key, doc.text or "", doc.html or "", doc.url, truth[key].get("articleBody") or ""))
    return pages


def page_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of the page text, end exclusive, without the line break."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]*", text) if m.start() == 0 or text[m.start() - 1] == "\n"]


def source_of(url: str | None) -> str | None:
    if not url:
        return None
    match = re.match(r"https?://([^/]+)", url)
    return match.group(1) if match else None


# ----------------------------------------------------------------------------- stand-off gold

GOLD_PATH = REAL_DIR / "gold.jsonl"
ANNOTATION_PATHS = {"A": REAL_DIR / "first.jsonl", "B": REAL_DIR / "second.jsonl"}
PAGES_FILE = "realpages.jsonl"


def data_dir() -> Path:
    """Where materialised real pages live for this user (``NEWSLAYERS_DATA`` overrides)."""
    if os.environ.get("NEWSLAYERS_DATA"):
        return Path(os.environ["NEWSLAYERS_DATA"])
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "newslayers"


def to_standoff(doc: Document) -> dict[str, Any]:
    """A gold document without its text: id, page, sha256 of the text, split, language and the layers."""
    record = document_to_json(doc)
    language = {"language": code} if (code := doc.language()) else {}
    return {
        "id": doc.id,
        "page": doc.meta["page"],
        "sha256": hashlib.sha256((doc.text or "").encode("utf-8")).hexdigest(),
        "split": doc.split,
        **language,
        **{name: record[name] for name in layer_names() if name in record},
    }


def write_standoff(path: Path, docs: Iterable[Document]) -> int:
    lines = [
        json.dumps(to_standoff(d), ensure_ascii=False, separators=(",", ":")) for d in sorted(docs, key=lambda d: d.id)
    ]
    write_text_atomic(path, "".join(line + "\n" for line in lines))
    return len(lines)


def read_standoff(path: Path = GOLD_PATH) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as err:
        raise StandoffError(f"{path}: cannot read the stand-off gold ({err})") from None


def from_standoff(record: dict[str, Any], page: Document, origin: str, mode: Mode = "gold") -> Document:
    """Join one stand-off record with the page text it was made on; the hash must match."""
    digest = hashlib.sha256((page.text or "").encode("utf-8")).hexdigest()
    if digest != record["sha256"]:
        raise StandoffError(
            f"{origin}: page {record['page']} ({record['id']}): its text has sha256 {digest[:12]}…, the gold was "
            f"made on {record['sha256'][:12]}…; this copy of the page differs, or the HTML→text code changed"
        )
    line = {
        **{k: v for k, v in record.items() if k not in ("page", "sha256", "language")},
        "text": page.text,
        "html": page.html,
    }
    meta = {"synthetic": False, "page": record["page"], "corpus_version": DATASET_VERSION}
    if record.get("language"):
        meta["language"] = record["language"]  # ISO 639-1 of the article, labelled twice, blind
    line.update(url=page.url, source=page.source, meta=meta)
    doc, problems, _ = decode_line(json.dumps(line).encode("utf-8"), mode)
    if doc is None:
        raise StandoffError(f"{origin}: {record['id']}: " + "; ".join(f"{f}: {m}" for f, m in problems[:3]))
    return doc


def page_documents(pages: Iterable[RealPage]) -> list[Document]:
    """The pages as documents without layers: what the per-user folder keeps."""
    return [
        Document(id=p.id, text=p.text, html=p.html, url=p.url, source=source_of(p.url), split=real_split(p.id),
                 meta={"synthetic": False, "page": p.key})
        for p in pages
    ]  # fmt: skip


def materialize(pages_dir: Path, out: Path | None = None, gold_path: Path = GOLD_PATH) -> list[Document]:
    """Re-create the real-page gold from a copy of the pages; check every hash; keep the pages.

    Nothing is written unless every page matches: the per-user copy (and ``out``) are
    written atomically at the end.
    """
    records = read_standoff(gold_path)
    pages = {p.id: p for p in page_documents(read_pages(pages_dir))}
    docs = []
    for record in records:
        page = pages.get(record["id"])
        if page is None:
            raise StandoffError(f"{pages_dir}: page {record['page']} ({record['id']}) is missing from this copy")
        docs.append(from_standoff(record, page, str(pages_dir)))
    write_documents(data_dir() / PAGES_FILE, [pages[r["id"]] for r in records])
    if out is not None:
        write_documents(out, docs)
    return docs


def real_pages_available() -> bool:
    return (data_dir() / PAGES_FILE).exists() and GOLD_PATH.exists()


def load_real(split: str | None = None) -> list[Document]:
    """Materialised real-page gold of one real split (or both), in id order."""
    if not real_pages_available():
        raise StandoffError(
            "the real pages are not materialised here: run `newslayers real materialize --pages DIR` "
            "(DIR laid out like shared/realpages; `newslayers real fetch --out DIR` downloads it)"
        )
    pages = {d.id: d for d in load_documents(data_dir() / PAGES_FILE, "predictions")}
    docs = []
    for record in read_standoff():
        if split is None or record["split"] == split:
            page = pages.get(record["id"])
            if page is None:
                raise StandoffError(f"{data_dir() / PAGES_FILE}: {record['id']} is missing; materialise again")
            docs.append(from_standoff(record, page, str(data_dir() / PAGES_FILE)))
    return sorted(docs, key=lambda d: d.id)


# ----------------------------------------------------------------------------- fetching

BENCHMARK_REPO = "scrapinghub/article-extraction-benchmark"
BENCHMARK_COMMIT = "11b407d43934becc20873bb3dcd5e3d2591746d3"
BENCHMARK_URL = f"https://raw.githubusercontent.com/{BENCHMARK_REPO}/{BENCHMARK_COMMIT}/"


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except (urllib.error.URLError, OSError) as err:
        raise UserError(f"cannot download {url}: {getattr(err, 'reason', err)}") from None


def fetch(out: Path, base_url: str = BENCHMARK_URL, gold_path: Path = GOLD_PATH) -> int:
    """Download the pages the stand-off gold names, verify each against its hash, then publish the folder.

    Everything goes to a temporary folder beside ``out`` first; ``out`` appears only when
    every page is there and its text has the hash the gold was made on.
    """
    if not base_url.startswith(("http://", "https://")):
        raise UserError(f"--base-url {base_url}: only http(s) URLs are fetched")
    if out.exists() and any(out.iterdir()):
        raise UserError(f"--out {out} exists and is not empty; give a new folder")
    records = read_standoff(gold_path)
    base = base_url.rstrip("/") + "/"
    truth = json.loads(_download(base + "ground-truth.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "html").mkdir()
        for record in track(records, description="fetching real pages", transient=True):
            (tmp / "html" / f"{record['page']}.html.gz").write_bytes(_download(f"{base}html/{record['page']}.html.gz"))
        wanted = {r["page"] for r in records}
        (tmp / "ground-truth.json").write_text(
            json.dumps({k: v for k, v in truth.items() if k in wanted}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        pages = {p.id: p for p in page_documents(read_pages(tmp))}
        for record in records:
            from_standoff(record, pages[record["id"]], base_url)
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return len(records)
