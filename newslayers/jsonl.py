"""Reading, checking and writing the JSONL contract (CONTRACT section 1).

Files are streamed line by line (a 1 GB file never sits in memory at once). Every problem
is reported as ``FILE:LINE: field: what is wrong``; nothing here raises on bad input
except :class:`ContractError`, which the command line turns into one clean message.
Writes go to a temporary file in the target folder and are renamed into place.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Annotated, Any, Literal

import msgspec

from newslayers.errors import UserError
from newslayers.layers import LayerSpec, layer_names, layer_spec, registry_snapshot
from newslayers.model import Document, sort_spans
from newslayers.validation import check_document

Mode = Literal["gold", "predictions", "auto"]


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


# ----------------------------------------------------------------------------- decoding

EXTRA_KEYS: tuple[str, ...] = ("annotator", "annotation_of")  # written by per-annotator pulls
_MSGSPEC_PATH = re.compile(r"^(.*) - at `\$(.*)`$")
_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `([^`]+)`")
_EXPECTED = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`$")
_TYPE_WORDS = {
    "array": "a list",
    "int": "an integer",
    "str": "a string",
    "float": "a finite number",
    "int | float": "a finite number",
    "object": "an object",
    "null": "null",
    "bool": "a boolean",
}


def _record_types(specs: tuple[LayerSpec, ...]) -> tuple[type[msgspec.Struct], type[msgspec.Struct]]:
    """The contract line as a msgspec struct, built from the registry: strict and lenient."""
    optional_str = str | None
    fields: list[tuple[str, Any, Any]] = [
        ("id", Annotated[str, msgspec.Meta(min_length=1)], msgspec.NODEFAULT),
        *((name, optional_str, None) for name in ("text", "html", "url", "source", "split")),
        ("meta", dict[str, Any], msgspec.field(default_factory=dict)),
        *((name, optional_str, None) for name in EXTRA_KEYS),
        *((spec.name, list[spec.span_type] | None, None) for spec in specs),
    ]
    fields = [(n, t) if d is msgspec.NODEFAULT else (n, t, d) for n, t, d in fields]  # type: ignore[misc]
    strict = msgspec.defstruct("Document", fields, forbid_unknown_fields=True)
    lenient = msgspec.defstruct("Document", fields)
    return strict, lenient


@dataclass(frozen=True, slots=True)
class _Codec:
    """The record types and decoders of one registry snapshot."""

    snapshot: tuple[LayerSpec, ...]
    record: type[msgspec.Struct]
    strict: msgspec.json.Decoder
    lenient: msgspec.json.Decoder


_CODEC: list[_Codec] = []  # the codec of the current registry snapshot (compared by identity, no hashing)


def _codec() -> _Codec:
    """The codec for the current registry, rebuilt only when a layer is (un)registered."""
    snapshot = registry_snapshot()
    if not _CODEC or _CODEC[0].snapshot is not snapshot:
        strict, lenient = _record_types(snapshot)
        _CODEC[:] = [_Codec(snapshot, strict, msgspec.json.Decoder(strict), msgspec.json.Decoder(lenient))]
    return _CODEC[0]


def record_type() -> type[msgspec.Struct]:
    return _codec().record


def _field_problem(err: msgspec.MsgspecError) -> tuple[str, str]:
    """msgspec's message -> (field path, message) in the contract's words."""
    text = str(err)
    match = _MSGSPEC_PATH.match(text)
    message, path = (match.group(1), match.group(2).lstrip(".")) if match else (text, "")
    if missing := _MISSING.match(message):
        return (f"{path}.{missing.group(1)}" if path else missing.group(1)), "is missing"
    if unknown := _UNKNOWN.match(message):
        return (f"{path}.{unknown.group(1)}" if path else unknown.group(1)), _unknown_message(unknown.group(1))
    if message.startswith("Invalid enum value"):
        value = message.removeprefix("Invalid enum value ").strip()
        value = json.dumps(value[1:-1]) if value[:1] in "'\"" else value
        return path or "(line)", f"{value} is not one of {' '.join(_closed_set(path))}"
    if message.startswith("Expected `int` >= 0"):
        return path, "must be an integer >= 0"
    if expected := _EXPECTED.match(message):
        wanted = " or ".join(_TYPE_WORDS.get(t.strip(), t.strip()) for t in expected.group(1).split("|"))
        got = _TYPE_WORDS.get(expected.group(2), expected.group(2))
        if path == "id":
            return path, f"must be a non-empty string, got {got}"
        wanted = wanted.replace("an integer or a finite number", "a finite number")
        return path or "(line)", f"must be {wanted}, got {got}"
    if path == "id" and "length >= 1" in message:
        return path, "must be a non-empty string, got an empty one"
    return path or "(line)", message[0].lower() + message[1:]


def _closed_set(path: str) -> tuple[str, ...]:
    layer = path.split("[", 1)[0]
    attr = path.rsplit(".", 1)[-1]
    try:
        spec = layer_spec(layer)
    except KeyError:
        return ()
    if attr == spec.label_field:
        return spec.labels
    return dict(spec.closed_fields).get(attr, ())


def _unknown_message(key: str) -> str:
    close = difflib.get_close_matches(key, [*DOCUMENT_KEYS, *layer_names()], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"is not a field of the contract{hint}"


DOCUMENT_KEYS: tuple[str, ...] = ("id", "text", "html", "url", "source", "split", "meta", *EXTRA_KEYS)


def _decode_error(raw: bytes, err: msgspec.DecodeError) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"not valid UTF-8 (byte {bad.start}: {raw[bad.start : bad.start + 1]!r}); save the file as UTF-8"
    try:
        json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as bad:
        detail = f"{bad.msg}, column {bad.colno}" if isinstance(bad, json.JSONDecodeError) else "nested too deeply"
        return f"not valid JSON ({detail})"
    except ValueError as bad:
        return f"not valid JSON ({bad})"
    return "has a lone surrogate escape (\\ud800-\\udfff) that is not valid Unicode"


def decode_line(raw: bytes, mode: Mode = "auto") -> tuple[Document | None, list[tuple[str, str]], list[str]]:
    """One JSONL line -> (document or None, problems, warnings).

    msgspec decodes and type-checks the line in one pass into the registry's span types;
    the registry's document checks then run on the result. Unknown top-level keys are an
    error in gold and a warning in predictions (where they are kept in ``extra``).
    """
    codec = _codec()
    warnings: list[str] = []
    try:
        record = codec.strict.decode(raw)
    except msgspec.ValidationError as err:
        field, message = _field_problem(err)
        if mode == "gold" or not _UNKNOWN.search(str(err)) or "." in field or "[" in field:
            return None, [(field, message)], warnings
        try:
            record = codec.lenient.decode(raw)
        except msgspec.ValidationError as err2:
            return None, [_field_problem(err2)], warnings
        obj = msgspec.json.decode(raw)
        unknown = sorted(k for k in obj if k not in DOCUMENT_KEYS and k not in layer_names())
        if mode == "auto" and _looks_gold(record):
            return None, [(k, _unknown_message(k)) for k in unknown], warnings
        warnings.extend(f"{k}: {_unknown_message(k)} (ignored)" for k in unknown)
        return _to_document(record, {k: obj[k] for k in unknown}, mode, warnings)
    except msgspec.DecodeError as err:
        return None, [("(line)", _decode_error(raw, err))], warnings
    return _to_document(record, {}, mode, warnings)


def _looks_gold(record: Any) -> bool:
    return isinstance(record.text, str) and all(getattr(record, name) is not None for name in layer_names())


def _to_document(
    record: Any, unknown: dict[str, Any], mode: Mode, warnings: list[str]
) -> tuple[Document | None, list[tuple[str, str]], list[str]]:
    extra = {k: getattr(record, k) for k in EXTRA_KEYS if getattr(record, k) is not None}
    extra.update(unknown)
    doc = Document(
        id=record.id,
        text=record.text,
        html=record.html,
        url=record.url,
        source=record.source,
        split=record.split,
        meta=record.meta,
        extra=extra,
        layers={name: getattr(record, name) for name in layer_names()},
    )
    gold = mode == "gold" or (mode == "auto" and _looks_gold(record))
    problems = check_document(doc, gold=gold, decoded=True)
    return (None, problems, warnings) if problems else (doc, [], warnings)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one document / predictions line, from the same definitions."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **msgspec.json.schema(record_type())}
    schema["$comment"] = (
        "newslayers contract, section 1: one JSON object per line; offsets are code-point indices "
        "into text, end exclusive, 0 <= start < end <= len(text). Gold lines carry text and every layer."
    )
    return schema


# ----------------------------------------------------------------------------- files


def iter_raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, bytes without the line end), streaming; blank lines skipped (.gz read as gzip)."""
    with (gzip.open if Path(path).suffix == ".gz" else open)(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            stripped = raw.rstrip(b"\r\n")
            if number == 1 and stripped.startswith(b"\xef\xbb\xbf"):
                stripped = stripped[3:]
            if stripped and not stripped.isspace():
                yield number, stripped


def is_shard_set(path: Path | str) -> bool:
    """A folder of shards or a glob pattern (``preds/*.jsonl.gz``), rather than one file."""
    text = str(path)
    return Path(text).is_dir() or any(ch in text for ch in "*?[")


def scan_file(
    path: str | Path, mode: Mode = "auto", warn: Callable[[str], None] | None = None
) -> Iterator[tuple[int, Document | None, list[Problem]]]:
    """Stream a JSONL file: (line, document or None, problems) per non-blank line.

    Duplicate ids are reported on the later line. An empty, missing or unreadable file is
    one problem on line 0. Warnings (unknown keys in predictions) go to ``warn``.
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
    warned: Counter[str] = Counter()  # each warning once, with a count of the other lines at the end
    any_line = False
    try:
        for number, raw in iter_raw_lines(path):
            any_line = True
            doc, items, warnings = decode_line(raw, mode)
            for message in warnings if warn else ():
                warned[message] += 1
                if warned[message] == 1:
                    warn(f"{name}:{number}: {message}")
            problems = [Problem(name, number, f, m) for f, m in items]
            if doc is not None:
                if doc.id in seen:
                    problems.append(
                        Problem(name, number, "id", f"duplicate id {doc.id!r} (first on line {seen[doc.id]})")
                    )
                    doc = None
                else:
                    seen[doc.id] = number
            yield number, (None if problems else doc), problems
    except (OSError, EOFError, zlib.error) as err:  # EOFError, zlib.error: a truncated or corrupt .gz
        yield 0, None, [Problem(name, 0, "(file)", f"cannot be read: {getattr(err, 'strerror', None) or err}")]
    else:
        if not any_line:
            yield 0, None, [Problem(name, 0, "(file)", "is empty: no documents")]
    finally:
        for message, count in warned.items() if warn else ():
            if count > 1:
                warn(f"{name}: the same on {count - 1} more line(s): {message}")


def no_layer_problem(name: str) -> Problem:
    """A predictions file in which no line predicts any layer: nothing could be scored."""
    return Problem(name, 0, "(file)", f"predicts no layer: none of {', '.join(layer_names())} appears")


def validate_file(
    path: str | Path, mode: Mode = "auto", warn: Callable[[str], None] | None = None
) -> tuple[int, list[Problem]]:
    """Every problem of a file, and the number of valid documents."""
    valid, any_layer, any_text = 0, False, False
    problems: list[Problem] = []
    for _, doc, found in scan_file(path, mode, warn):
        problems.extend(found)
        if doc is not None:
            valid += 1
            any_layer = any_layer or any(True for _ in doc.present_layers())
            any_text = any_text or (doc.text is not None and mode != "predictions")
    if valid and not any_layer and not any_text:  # pages without layers are documents to predict on
        problems.append(no_layer_problem(str(path)))
    return valid, problems


def read_documents(path: str | Path, mode: Mode = "auto") -> Iterator[Document]:
    """Stream documents; raise ContractError listing the problems of the first bad line."""
    for _, doc, problems in scan_file(path, mode):
        if problems:
            raise ContractError(problems)
        assert doc is not None
        yield doc


def load_documents(path: str | Path, mode: Mode = "auto", warn: Callable[[str], None] | None = None) -> list[Document]:
    """Read a whole file, reporting every problem in it at once."""
    docs: list[Document] = []
    problems: list[Problem] = []
    for _, doc, found in scan_file(path, mode, warn):
        problems.extend(found)
        if doc is not None:
            docs.append(doc)
    if problems:
        raise ContractError(problems)
    return docs


# ----------------------------------------------------------------------------- writing


_ENCODER = msgspec.json.Encoder()


def _canonical(doc: Document, spans_as_json: bool) -> dict[str, Any]:
    """The contract object in its fixed key order, spans sorted, absent layers left out."""
    out: dict[str, Any] = {"id": doc.id}
    if doc.text is not None:
        out["text"] = doc.text
    out.update({"html": doc.html, "url": doc.url, "source": doc.source, "split": doc.split})
    if doc.meta:
        out["meta"] = {k: doc.meta[k] for k in sorted(doc.meta)}
    for key in sorted(doc.extra):
        out[key] = doc.extra[key]
    for name in layer_names():
        layer = doc.layer(name)
        if layer is not None:
            ordered = sort_spans(layer)
            out[name] = [item.to_json() for item in ordered] if spans_as_json else ordered
    return out


def document_to_json(doc: Document) -> dict[str, Any]:
    """Canonical JSON object: fixed key order, spans sorted, absent layers left out."""
    return _canonical(doc, spans_as_json=True)


def encode_document(doc: Document) -> bytes:
    """The canonical JSONL line of a document (without the newline), encoded by msgspec.

    Span structs are encoded directly in their field order, which is the contract's; the
    bytes equal ``json.dumps(document_to_json(doc), ensure_ascii=False, separators=(",", ":"))``
    for every document of both corpora (floats are written in shortest form without "+").
    """
    return _ENCODER.encode(_canonical(doc, spans_as_json=False))


def dumps_document(doc: Document) -> str:
    return encode_document(doc).decode("utf-8")


def gold_hash(docs: Iterable[Document]) -> str:
    """sha256 of the canonical JSONL of the documents in id order: the dataset's identity."""
    digest = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.id):
        digest.update(encode_document(doc))
        digest.update(b"\n")
    return digest.hexdigest()


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when two paths name one file (after links), whether or not it exists yet."""
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def refuse_overwriting_inputs(out: str | Path, inputs: Iterable[str | Path | None], flag: str = "--out") -> None:
    """A command never writes over one of its own inputs."""
    for item in inputs:
        if item is not None and same_file(out, item):
            raise UserError(f"{flag} {out} is also an input of this command; choose another output file")


def check_writable(path: str | Path, flag: str = "--out") -> Path:
    """Fail early, in one line, on an output path that cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{flag} {path} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise UserError(f"{flag} {path}: {parent} is a file, not a folder")
    if parent.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"{flag} {path}: the folder {parent} is not writable")
    return path


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], None]) -> None:
    """The one atomic writer: write into a temporary file in the target folder, then rename.

    On any error the temporary file is removed and the old file, if any, is left as it was.
    An OSError (read-only folder, disk full, a folder in the way) becomes one UserError line.
    """
    path = check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise UserError(f"cannot write {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes the file private; give it ordinary permissions
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {err.strerror or err}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _NothingToWrite(Exception):
    pass


def write_documents(path: str | Path, docs: Iterable[Document], allow_empty: bool = False) -> int:
    """Write documents atomically; return the count.

    An empty result never replaces anything: with no document to write, nothing is written
    and UserError says so (``allow_empty`` permits an empty file where none exists).
    """
    count = 0

    def write(handle: IO[bytes]) -> None:
        nonlocal count
        for doc in docs:
            handle.write(encode_document(doc))
            handle.write(b"\n")
            count += 1
        if count == 0 and (not allow_empty or Path(path).exists()):
            raise _NothingToWrite

    try:
        atomic_write(path, write)
    except _NothingToWrite:
        kept = f"; {path} was left as it was" if Path(path).exists() else ""
        raise UserError(f"no document to write to {path}{kept}") from None
    return count


def write_text_atomic(path: str | Path, content: str | bytes) -> None:
    """Write any text or bytes file atomically."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    atomic_write(path, lambda handle: handle.write(data))
