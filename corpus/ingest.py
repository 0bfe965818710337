"""``newslayers ingest``: real pages (HTML, folders, .gz, WARC) into contract documents.

The per-page function :func:`page_to_document` is pure (bytes in, document or error out)
so that it runs unchanged in a process pool here, or inside ``datasets.map(num_proc=…)``,
Spark, Dask or Ray over a Common Crawl-sized collection. Inputs are streamed; a bad input
is reported with its path and skipped; the output is written atomically.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlparse

from newslayers.errors import UserError
from newslayers.htmltext import TooDeepError, html_to_text
from newslayers.model import Document
from newslayers.progress import ProgressBar

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_SINGLE_BYTE = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii", "iso-8859-15"}


@dataclass(frozen=True, slots=True)
class RawPage:
    """One page as found: where it came from, its bytes, and what the container said."""

    origin: str  # path, or path#record for a WARC record
    content: bytes
    url: str | None = None
    http_charset: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that gave no document: why, and whether it was only a duplicate (not a failure)."""

    origin: str
    reason: str
    duplicate: bool = False


# ----------------------------------------------------------------------------- decoding


def _normalise_charset(name: str | bytes | None) -> str | None:
    if not name:
        return None
    text = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        info = codecs.lookup(text.strip().lower())
    except LookupError:
        return None
    # Only real text encodings: "undefined" raises on every byte, rot13 and base64 are not charsets.
    return info.name if info._is_text_encoding and info.name != "undefined" else None


def decode_html(raw: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding used), honouring BOM, HTTP and meta charsets.

    Valid UTF-8 wins over a declared single-byte charset (a wrong meta charset is common
    and UTF-8 byte sequences almost never occur by chance); otherwise the declarations
    are tried in order, then a detector, then windows-1252 with replacement characters.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(name, errors="replace"), name.replace("-sig", "")
    meta = _META_CHARSET.search(raw[:4096])
    declared = [c for c in (_normalise_charset(http_charset), _normalise_charset(meta.group(1) if meta else None)) if c]
    try:
        text = raw.decode("utf-8")
        if not declared or declared[0] in ("utf-8",) or declared[0] in {_normalise_charset(s) for s in _SINGLE_BYTE}:
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    for charset in declared:
        try:
            return raw.decode(charset), charset
        except (UnicodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:200_000]).best()
        if best is not None and best.encoding:
            return raw.decode(best.encoding, errors="replace"), best.encoding
    except ImportError:
        pass
    return raw.decode("cp1252", errors="replace"), "cp1252"


def _looks_binary(raw: bytes) -> bool:
    head = raw[:2048]
    return b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


# ----------------------------------------------------------------------------- per page


def page_to_document(page: RawPage) -> Document | Rejected:
    """One raw page -> a document (text as a scraper sees it), or why it was rejected.

    Never raises: whatever goes wrong with one page is that page's rejection, so one bad
    page never ends a crawl.
    """
    try:
        return _page_to_document(page)
    except TooDeepError as err:
        return Rejected(page.origin, str(err))
    except Exception as err:
        return Rejected(page.origin, f"cannot be converted ({type(err).__name__}: {err})"[:300])


def _page_to_document(page: RawPage) -> Document | Rejected:
    if not page.content.strip():
        return Rejected(page.origin, "empty page")
    if _looks_binary(page.content):
        return Rejected(page.origin, "binary file, not HTML")
    if page.content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return Rejected(page.origin, "looks like JSON (a documents file?), not an HTML page")
    html, encoding = decode_html(page.content, page.http_charset)
    if "<" not in html[:4096]:
        return Rejected(page.origin, "no HTML markup in the first 4 KB")
    text = html_to_text(html)
    if not text.strip():
        return Rejected(page.origin, "page has no visible text")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    source = urlparse(page.url).netloc if page.url else Path(page.origin.split("#")[0]).name
    return Document(
        id=f"web-{digest[:16]}",
        text=text,
        html=html,
        url=page.url,
        source=source or None,
        meta={"encoding": encoding, "origin": page.origin, "synthetic": False},
    )


# ----------------------------------------------------------------------------- inputs


def _gunzip(path: Path) -> bytes:
    with gzip.open(path, "rb") as handle:
        return handle.read()


def _is_warc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def _warc_pages(path: Path, rejected: list[Rejected]) -> Iterator[RawPage]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    index = 0
    try:
        with path.open("rb") as handle:
            for index, record in enumerate(ArchiveIterator(handle), start=1):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                if "html" not in content_type.lower():
                    continue
                charset = _HTTP_CHARSET.search(content_type)
                content = record.content_stream().read()
                if getattr(record.raw_stream, "limit", 0):
                    rejected.append(
                        Rejected(f"{path}#{index}", "WARC record cut short (fewer bytes than its Content-Length)")
                    )
                    continue
                yield RawPage(
                    f"{path}#{index}",
                    content,
                    record.rec_headers.get_header("WARC-Target-URI"),
                    charset.group(1) if charset else None,
                )
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError, AttributeError, KeyError) as err:
        # warcio reports a malformed record with whatever error its parser hit first.
        rejected.append(Rejected(f"{path}#{index + 1}", f"broken WARC record: {err}".splitlines()[0][:200]))


def iter_input_files(paths: Iterable[Path]) -> list[Path]:
    """Every file the inputs name, folders expanded, in the order ingest reads them."""
    out: list[Path] = []
    for path in paths:
        out.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return out


def iter_pages(paths: Iterable[Path], url_map: dict[str, str], rejected: list[Rejected]) -> Iterator[RawPage]:
    """Every page under the given paths, in a fixed order; bad files go to ``rejected``."""
    for path in iter_input_files(paths):
        if not path.exists():
            rejected.append(Rejected(str(path), "does not exist"))
            continue
        if _is_warc(path):
            yield from _warc_pages(path, rejected)
            continue
        try:
            raw = _gunzip(path) if path.suffix == ".gz" else path.read_bytes()
        except (OSError, EOFError, zlib.error) as err:
            rejected.append(Rejected(str(path), f"cannot read: {err}"))
            continue
        yield RawPage(str(path), raw, _lookup_url(path, url_map))


def _lookup_url(path: Path, url_map: dict[str, str]) -> str | None:
    name = path.name
    for key in (str(path), name, name.split(".")[0]):
        if key in url_map:
            return url_map[key]
    return None


def read_url_map(path: Path | None) -> dict[str, str]:
    """File name -> URL, from a JSON object (values may be {"url": …}) or a TSV file."""
    if path is None:
        return {}
    try:
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            return {k: (v.get("url") if isinstance(v, dict) else v) for k, v in data.items()}
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return {row[0]: row[1] for row in rows if len(row) >= 2}
    except (OSError, ValueError, AttributeError) as err:
        raise UserError(f"{path}: not a usable URL map ({err})") from None


# ----------------------------------------------------------------------------- the run


def ingest(
    paths: Iterable[Path], url_map: dict[str, str] | None = None, workers: int = 1, progress: bool = True
) -> Iterator[Document | Rejected]:
    """Stream documents (and rejections) from pages, in input order, deduplicated by text."""
    rejected: list[Rejected] = []
    pages = iter_pages(list(paths), url_map or {}, rejected)
    seen: set[str] = set()
    bar = ProgressBar("ingest", enabled=progress).__enter__()
    with Pool(workers) if workers > 1 else _Serial() as pool:
        for result in pool.imap(page_to_document, pages, chunksize=8):
            bar.update(1)
            while rejected:
                yield rejected.pop(0)
            if isinstance(result, Document):
                if result.id in seen:
                    yield Rejected(
                        result.meta["origin"], f"same text as an earlier page ({result.id}); kept once", True
                    )
                    continue
                seen.add(result.id)
            yield result
    while rejected:
        yield rejected.pop(0)
    bar.close()


class _Serial:
    """The same interface as a process pool, for one worker."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap(self, fn, items, chunksize: int = 1):  # type: ignore[no-untyped-def]
        return map(fn, items)
