"""Reading, checking and writing the JSONL contract (CONTRACT section 1).

Files are streamed line by line (a 1 GB file never sits in memory at once). Every problem
is reported as ``FILE:LINE: field: what is wrong``; nothing here raises on bad input
except :class:`ContractError`, which the command line turns into one clean message.
Writes go to a temporary file in the target folder and are renamed into place.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from newslayers.model import (
    Boilerplate,
    Document,
    Entity,
    NumericClaim,
    Quote,
    Span,
    normalise_number,
)
from newslayers.schema import BOILERPLATE_KINDS, ENTITY_LABELS, LAYERS, QUALIFIERS, QUOTE_KINDS, SPLITS

Mode = Literal["gold", "predictions", "auto"]
KNOWN_KEYS = ("id", "text", "html", "url", "source", "split", "meta", *LAYERS)
_NUMERIC_KEYS = ("start", "end", "value", "qualifier", "unit", "high")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ContractError(Exception):
    """Bad input in a contract file; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ----------------------------------------------------------------------------- parsing


class _Collector:
    """Accumulates problems of one record with their field paths."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append((field, message))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _span(obj: Any, path: str, text_len: int | None, out: _Collector) -> Span | None:
    if not isinstance(obj, dict):
        out.add(path, f"must be an object with start and end, got {type(obj).__name__}")
        return None
    start, end = obj.get("start"), obj.get("end")
    ok = True
    for key, value in (("start", start), ("end", end)):
        if key not in obj:
            out.add(f"{path}.{key}", "is missing")
            ok = False
        elif not _is_int(value):
            out.add(f"{path}.{key}", f"must be an integer, got {json.dumps(value)[:40]}")
            ok = False
    if not ok:
        return None
    if start < 0:
        out.add(f"{path}.start", f"{start} is negative")
        return None
    if start >= end:
        out.add(path, f"start {start} must be less than end {end}")
        return None
    if text_len is not None and end > text_len:
        out.add(f"{path}.end", f"{end} is past the end of text ({text_len} characters)")
        return None
    return Span(start, end)


def _closed(obj: dict[str, Any], key: str, allowed: tuple[str, ...], path: str, out: _Collector) -> str | None:
    value = obj.get(key)
    if key not in obj:
        out.add(f"{path}.{key}", "is missing")
        return None
    if value not in allowed:
        out.add(f"{path}.{key}", f"{json.dumps(value)[:40]} is not one of {' '.join(allowed)}")
        return None
    return value


def _entity(obj: Any, path: str, n: int | None, out: _Collector) -> Entity | None:
    span = _span(obj, path, n, out)
    label = _closed(obj, "label", ENTITY_LABELS, path, out) if isinstance(obj, dict) else None
    return Entity(span.start, span.end, label) if span and label else None


def _numeric(obj: Any, path: str, n: int | None, out: _Collector) -> NumericClaim | None:
    span = _span(obj, path, n, out)
    if not isinstance(obj, dict):
        return None
    qualifier = _closed(obj, "qualifier", QUALIFIERS, path, out)
    ok = True
    value = obj.get("value")
    if "value" not in obj:
        out.add(f"{path}.value", "is missing (use null when it cannot be normalised)")
        ok = False
    elif value is not None and not _is_number(value):
        out.add(f"{path}.value", f"must be a finite number or null, got {json.dumps(value)[:40]}")
        ok = False
    unit = obj.get("unit")
    if "unit" not in obj:
        out.add(f"{path}.unit", "is missing (use null when there is none)")
        ok = False
    elif unit is not None and not (isinstance(unit, str) and unit and unit == unit.lower() and len(unit) <= 24):
        out.add(f"{path}.unit", f"must be a short lower-case string or null, got {json.dumps(unit)[:40]}")
        ok = False
    high = obj.get("high")
    if high is not None and not _is_number(high):
        out.add(f"{path}.high", f"must be a finite number, got {json.dumps(high)[:40]}")
        ok = False
    if not (span and qualifier and ok):
        return None
    extra = tuple(sorted((k, v) for k, v in obj.items() if k not in _NUMERIC_KEYS))
    return NumericClaim(span.start, span.end, normalise_number(value), qualifier, unit, normalise_number(high), extra)


def _optional_span(
    obj: dict[str, Any], key: str, path: str, n: int | None, out: _Collector
) -> tuple[bool, Span | None]:
    if obj.get(key) is None:
        return True, None
    span = _span(obj[key], f"{path}.{key}", n, out)
    return span is not None, span


def _quote(obj: Any, path: str, n: int | None, out: _Collector) -> Quote | None:
    span = _span(obj, path, n, out)
    if not isinstance(obj, dict):
        return None
    kind = _closed(obj, "kind", QUOTE_KINDS, path, out)
    ok_speaker, speaker = _optional_span(obj, "speaker", path, n, out)
    ok_cue, cue = _optional_span(obj, "cue", path, n, out)
    if not (span and kind and ok_speaker and ok_cue):
        return None
    return Quote(span.start, span.end, kind, speaker, cue)


def _boilerplate(obj: Any, path: str, n: int | None, out: _Collector) -> Boilerplate | None:
    span = _span(obj, path, n, out)
    kind = _closed(obj, "kind", BOILERPLATE_KINDS, path, out) if isinstance(obj, dict) else None
    return Boilerplate(span.start, span.end, kind) if span and kind else None


_LAYER_PARSERS = {
    "entities": _entity,
    "numeric_claims": _numeric,
    "quotes": _quote,
    "boilerplate": _boilerplate,
}


def _optional_string(obj: dict[str, Any], key: str, out: _Collector) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        out.add(key, f"must be a string or null, got {type(value).__name__}")
        return None
    return value


def parse_record(obj: Any, mode: Mode = "auto") -> tuple[Document | None, list[tuple[str, str]]]:
    """Turn one decoded JSON value into a Document, collecting every problem found.

    In ``gold`` mode text and all four layers are required and the gold-only checks run
    (no overlaps inside entities or boilerplate, no content span inside boilerplate).
    ``auto`` treats a record as gold when it has text and all four layers.
    """
    out = _Collector()
    if not isinstance(obj, dict):
        out.add("(line)", f"must be a JSON object, got {type(obj).__name__}")
        return None, out.items
    doc_id = obj.get("id")
    if "id" not in obj:
        out.add("id", "is missing")
    elif not isinstance(doc_id, str) or not doc_id.strip():
        out.add("id", f"must be a non-empty string, got {json.dumps(doc_id)[:40]}")
    gold = mode == "gold" or (
        mode == "auto" and isinstance(obj.get("text"), str) and all(isinstance(obj.get(k), list) for k in LAYERS)
    )
    text = obj.get("text")
    if gold and "text" not in obj:
        out.add("text", "is missing (required in gold files)")
    if text is not None and not isinstance(text, str):
        out.add("text", f"must be a string, got {type(text).__name__}")
        text = None
    html = _optional_string(obj, "html", out)
    url = _optional_string(obj, "url", out)
    source = _optional_string(obj, "source", out)
    split = obj.get("split")
    if split is not None and split not in SPLITS:
        out.add("split", f"{json.dumps(split)[:40]} is not one of {' '.join(SPLITS)}")
        split = None
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        out.add("meta", f"must be an object, got {type(meta).__name__}")
        meta = {}
    n = len(text) if isinstance(text, str) else None
    layers: dict[str, list[Any] | None] = {}
    for name in LAYERS:
        raw = obj.get(name)
        if raw is None:
            if gold:
                out.add(name, "is missing (gold files carry all four layers; use [] for none)")
            layers[name] = None
            continue
        if not isinstance(raw, list):
            out.add(name, f"must be a list, got {type(raw).__name__}")
            layers[name] = None
            continue
        parsed = [_LAYER_PARSERS[name](item, f"{name}[{i}]", n, out) for i, item in enumerate(raw)]
        layers[name] = [p for p in parsed if p is not None]
    if out.items:
        return None, out.items
    doc = Document(
        id=doc_id,
        text=text,
        html=html,
        url=url,
        source=source,
        split=split,
        meta=meta,
        extra={k: v for k, v in obj.items() if k not in KNOWN_KEYS},
        **layers,
    )
    if gold:
        gold_problems(doc, out)
    return (None, out.items) if out.items else (doc.sorted(), [])


def _overlaps(name: str, spans: list[Any], out: _Collector) -> None:
    ordered = sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end))
    for prev, cur in itertools.pairwise(ordered):
        if spans[cur].start < spans[prev].end:
            out.add(
                f"{name}[{cur}]",
                f"[{spans[cur].start}, {spans[cur].end}) overlaps {name}[{prev}] "
                f"[{spans[prev].start}, {spans[prev].end})",
            )


def gold_problems(doc: Document, out: _Collector) -> None:
    """Checks that only make sense for gold: overlaps and content inside boilerplate."""
    _overlaps("entities", doc.entities or [], out)
    _overlaps("boilerplate", doc.boilerplate or [], out)
    blocks = sorted((b.start, b.end) for b in doc.boilerplate or [])
    starts = [b[0] for b in blocks]

    def inside(start: int, end: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and blocks[i][0] <= start and end <= blocks[i][1]:
            return blocks[i]
        return None

    for name in ("entities", "numeric_claims", "quotes"):
        for i, span in enumerate(doc.layer(name) or []):
            block = inside(span.start, span.end)
            if block:
                out.add(
                    f"{name}[{i}]",
                    f"[{span.start}, {span.end}) lies inside boilerplate [{block[0]}, {block[1]}); "
                    "content layers are annotated in article content only",
                )


# ----------------------------------------------------------------------------- files


def iter_raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, bytes without the line end), streaming; blank lines skipped."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            stripped = raw.rstrip(b"\r\n")
            if number == 1 and stripped.startswith(b"\xef\xbb\xbf"):
                stripped = stripped[3:]
            if stripped.strip():
                yield number, stripped


def _decode(raw: bytes) -> tuple[Any, str | None]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, f"not valid UTF-8 (byte {err.start}: {raw[err.start : err.start + 1]!r}); save the file as UTF-8"
    try:
        return json.loads(line), None
    except json.JSONDecodeError as err:
        return None, f"not valid JSON ({err.msg}, column {err.colno})"
    except RecursionError:
        return None, "not valid JSON: nested too deeply"


def scan_file(path: str | Path, mode: Mode = "auto") -> Iterator[tuple[int, Document | None, list[Problem]]]:
    """Stream a JSONL file: (line, document or None, problems) per non-blank line.

    Duplicate ids are reported on the later line. An empty file or a missing file is one
    problem on line 0.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        yield 0, None, [Problem(name, 0, "(file)", "does not exist")]
        return
    if path.is_dir():
        yield 0, None, [Problem(name, 0, "(file)", "is a folder, not a JSONL file")]
        return
    seen: dict[str, int] = {}
    any_line = False
    for number, raw in iter_raw_lines(path):
        any_line = True
        obj, error = _decode(raw)
        if error:
            yield number, None, [Problem(name, number, "(line)", error)]
            continue
        doc, items = parse_record(obj, mode)
        problems = [Problem(name, number, f, m) for f, m in items]
        doc_id = obj.get("id") if isinstance(obj, dict) else None
        if isinstance(doc_id, str):
            if doc_id in seen:
                problems.append(Problem(name, number, "id", f"duplicate id {doc_id!r} (first on line {seen[doc_id]})"))
                doc = None
            else:
                seen[doc_id] = number
        yield number, (None if problems else doc), problems
    if not any_line:
        yield 0, None, [Problem(name, 0, "(file)", "is empty: no documents")]


def validate_file(path: str | Path, mode: Mode = "auto") -> tuple[int, list[Problem]]:
    """Every problem of a file, and the number of valid documents."""
    valid = 0
    problems: list[Problem] = []
    for _, doc, found in scan_file(path, mode):
        problems.extend(found)
        valid += doc is not None
    return valid, problems


def read_documents(path: str | Path, mode: Mode = "auto") -> Iterator[Document]:
    """Stream documents; raise ContractError listing the problems of the first bad line."""
    for _, doc, problems in scan_file(path, mode):
        if problems:
            raise ContractError(problems)
        assert doc is not None
        yield doc


def load_documents(path: str | Path, mode: Mode = "auto") -> list[Document]:
    """Read a whole file, reporting every problem in it at once."""
    docs: list[Document] = []
    problems: list[Problem] = []
    for _, doc, found in scan_file(path, mode):
        problems.extend(found)
        if doc is not None:
            docs.append(doc)
    if problems:
        raise ContractError(problems)
    return docs


# ----------------------------------------------------------------------------- writing


def document_to_json(doc: Document) -> dict[str, Any]:
    """Canonical JSON object: fixed key order, spans sorted, absent layers left out."""
    doc = doc.sorted()
    out: dict[str, Any] = {"id": doc.id}
    if doc.text is not None:
        out["text"] = doc.text
    out.update({"html": doc.html, "url": doc.url, "source": doc.source, "split": doc.split})
    if doc.meta:
        out["meta"] = {k: doc.meta[k] for k in sorted(doc.meta)}
    for key in sorted(doc.extra):
        out[key] = doc.extra[key]
    for name in LAYERS:
        layer = doc.layer(name)
        if layer is not None:
            out[name] = [item.to_json() for item in layer]
    return out


def dumps_document(doc: Document) -> str:
    return json.dumps(document_to_json(doc), ensure_ascii=False, separators=(",", ":"))


def _publish(tmp: str, path: Path) -> None:
    """Give the temporary file ordinary permissions (mkstemp makes it private), then rename."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.replace(tmp, path)


def gold_hash(docs: Iterable[Document]) -> str:
    """sha256 of the canonical JSONL of the documents in id order: the dataset's identity."""
    digest = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.id):
        digest.update(dumps_document(doc).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def write_documents(path: str | Path, docs: Iterable[Document]) -> int:
    """Write documents atomically (temporary file, then rename); return the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for doc in docs:
                handle.write(dumps_document(doc))
                handle.write("\n")
                count += 1
        _publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def write_text_atomic(path: str | Path, content: str | bytes) -> None:
    """Write any text or bytes file atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
        _publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
