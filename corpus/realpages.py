"""The real-page track: stand-off gold on 88 real news pages, and the files annotators edit.

The repository never holds the pages' text. It holds, per page, the benchmark id, the
sha256 of the text our own HTML→text makes, and the four layers as offsets, labels and
normalised values (``corpus/real/*.jsonl``). Users re-create the text from their copy of
the pages (:func:`materialize`), which checks every hash before it joins the gold.

Annotators work on a scratch copy outside the repository: :func:`write_workfiles` writes,
per page, a numbered view of every line and an annotation file seeded with content vs
boilerplate from the benchmark's published article body. The annotation file::

    @boilerplate
    1-3 navigation
    4 page_title
    @content
    0005| [[KYIV]]{GPE} — [[Russian]]{NORP} forces fired [[more than 500]]{NUM 500 more_than count} drones

Every non-blank page line is either in one boilerplate range (with its kind) or copied
under ``@content`` with its number; content lines carry the inline markup of the
guidelines (§5), and stripped of it must equal the page line exactly. Spans may cross
content lines (a quote over two paragraphs).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from newslayers.corpus.ingest import RawPage, Rejected, page_to_document
from newslayers.corpus.markup import Article, MarkupError, _apply_tags, _link_quotes, _Links

from newslayers.align import align_extracted
from newslayers.model import Boilerplate, Document
from newslayers.schema import BOILERPLATE_KINDS

REAL_DIR = Path(__file__).parent / "real"
REAL_SPLITS: tuple[str, ...] = ("real_validation", "real_test")
_CONTENT_LINE = re.compile(r"^(\d{1,5})\| ?(.*)$")
_RANGE_LINE = re.compile(r"^(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s+(\S+)\s*$")


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
        raise MarkupError(str(truth_path), 0, f"cannot read the benchmark's ground truth ({err})") from None
    pages = []
    for key in sorted(truth):
        path = folder / "html" / f"{key}.html.gz"
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError, ValueError) as err:
            raise MarkupError(str(path), 0, f"cannot read the page ({err})") from None
        doc = page_to_document(RawPage(str(path), raw, truth[key].get("url")))
        if isinstance(doc, Rejected):
            raise MarkupError(str(path), 0, f"page gives no text: {doc.reason}")
        pages.append(RealPage(key, doc.text or "", doc.html or "", doc.url, truth[key].get("articleBody") or ""))
    return pages


def page_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of the page text, end exclusive, without the line break."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]*", text) if m.start() == 0 or text[m.start() - 1] == "\n"]


def seed_content_lines(page: RealPage) -> set[int]:
    """1-based numbers of the lines that the published article body covers for the most part."""
    covered = bytearray(len(page.text))
    for start, end in align_extracted(page.text, page.body):
        covered[start:end] = b"\x01" * (end - start)
    content = set()
    for number, (start, end) in enumerate(page_lines(page.text), start=1):
        chars = [i for i in range(start, end) if not page.text[i].isspace()]
        if chars and sum(covered[i] for i in chars) * 2 > len(chars):
            content.add(number)
    return content


def _ranges(numbers: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def seed_annotation(page: RealPage) -> str:
    """The annotation file an annotator starts from: seeded content, boilerplate kinds to assign."""
    lines = page_lines(page.text)
    content = seed_content_lines(page)
    blank = {n for n, (s, e) in enumerate(lines, start=1) if not page.text[s:e].strip()}
    boiler = [n for n in range(1, len(lines) + 1) if n not in content and n not in blank]
    out = [
        f"# {page.id} · {len(lines)} lines · guidelines §7 · replace every ? with a boilerplate kind",
        "@boilerplate",
    ]
    out += [f"{a}-{b} ?" if a != b else f"{a} ?" for a, b in _ranges(boiler)]
    out.append("@content")
    out += [f"{n:04d}| {page.text[lines[n - 1][0] : lines[n - 1][1]]}" for n in sorted(content)]
    return "\n".join(out) + "\n"


def page_view(page: RealPage) -> str:
    """Every line of the page with its number, for reading (not edited)."""
    return "".join(f"{n:04d}| {page.text[s:e]}\n" for n, (s, e) in enumerate(page_lines(page.text), start=1))


def write_workfiles(pages: list[RealPage], out: Path) -> None:
    """Per page ``ID.page.txt`` (read-only view) and ``ID.ann`` (seeded annotation)."""
    out.mkdir(parents=True, exist_ok=True)
    for page in pages:
        (out / f"{page.id}.page.txt").write_text(page_view(page), encoding="utf-8")
        (out / f"{page.id}.ann").write_text(seed_annotation(page), encoding="utf-8")


# ----------------------------------------------------------------------------- parsing


def _parse_boilerplate(line: str, where: tuple[str, int], n_lines: int) -> tuple[int, int, str]:
    match = _RANGE_LINE.match(line)
    if not match:
        raise MarkupError(*where, f"boilerplate line {line!r} is not 'FIRST[-LAST] KIND'")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    kind = match.group(3)
    if kind not in BOILERPLATE_KINDS:
        raise MarkupError(*where, f"boilerplate kind {kind!r} is not one of {' '.join(BOILERPLATE_KINDS)}")
    if not 1 <= first <= last <= n_lines:
        raise MarkupError(*where, f"line range {first}-{last} is outside the page (1-{n_lines})")
    return first, last, kind


def parse_annotation(source: str, page: RealPage, path: str = "<annotation>") -> Document:
    """An annotation file -> a document with all four layers in page offsets.

    Raises MarkupError naming the file line of the first problem: a content line whose
    text differs from the page, a page line that is neither content nor boilerplate, a
    kind left as ``?``.
    """
    text = page.text
    lines = page_lines(text)
    section = ""
    owner: dict[int, int] = {}
    boilerplate: list[Boilerplate] = []
    art = Article(id=page.id, meta={}, content=text, blocks=[])
    links = _Links()
    stack: list[tuple[int, int]] = []
    for number, raw in enumerate(source.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if line.strip() in ("@boilerplate", "@content"):
            section = line.strip()
            continue
        where = (path, number)
        if section == "@boilerplate":
            first, last, kind = _parse_boilerplate(line.strip(), where, len(lines))
            for n in range(first, last + 1):
                if n in owner:
                    raise MarkupError(*where, f"page line {n} is also on file line {owner[n]}")
                owner[n] = number
            span = _strip_span(text, lines[first - 1][0], lines[last - 1][1])
            if span:
                boilerplate.append(Boilerplate(*span, kind))
        elif section == "@content":
            match = _CONTENT_LINE.match(line)
            if not match:
                raise MarkupError(*where, "a content line starts with its page line number and '| '")
            n = int(match.group(1))
            if not 1 <= n <= len(lines):
                raise MarkupError(*where, f"page line {n} does not exist (1-{len(lines)})")
            if n in owner:
                raise MarkupError(*where, f"page line {n} is also on file line {owner[n]}")
            owner[n] = number
            _parse_content_line(match.group(2), lines[n - 1], text, art, links, stack, where)
        else:
            raise MarkupError(*where, "text before @boilerplate / @content")
    if stack:
        raise MarkupError(path, stack[-1][1], "[[ is never closed with ]]{...}")
    missing = [n for n, (s, e) in enumerate(lines, start=1) if text[s:e].strip() and n not in owner]
    if missing:
        shown = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in _ranges(missing)[:8])
        raise MarkupError(path, 0, f"page lines {shown} are neither content nor boilerplate")
    _link_quotes(art, links, path)
    _check_surfaces(art, text, path)
    return Document(
        id=page.id,
        text=text,
        html=page.html,
        url=page.url,
        source=_source(page.url),
        split=real_split(page.id),
        entities=sorted(art.entities),
        numeric_claims=art.numeric_claims,
        quotes=art.quotes,
        boilerplate=sorted(boilerplate),
        meta={"synthetic": False, "page": page.key, "sha256": page.sha256},
    ).sorted()


def _strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    piece = text[start:end]
    if not piece.strip():
        return None
    return start + len(piece) - len(piece.lstrip()), end - (len(piece) - len(piece.rstrip()))


def _parse_content_line(
    body: str,
    bounds: tuple[int, int],
    text: str,
    art: Article,
    links: _Links,
    stack: list[tuple[int, int]],
    where: tuple[str, int],
) -> None:
    """Apply the markup of one content line; its plain text must equal the page line."""
    pos, line_end = bounds
    expected = text[pos:line_end].strip()
    pos += len(text[pos:line_end]) - len(text[pos:line_end].lstrip())
    plain: list[str] = []
    i = 0
    body = body.strip()
    while i < len(body):
        if body.startswith("[[", i):
            stack.append((pos, where[1]))
            i += 2
        elif body.startswith("]]{", i):
            close = body.find("}", i + 3)
            if close < 0 or not stack:
                raise MarkupError(*where, "]]{ without its [[ or without a closing }")
            start, _ = stack.pop()
            if start == pos:
                raise MarkupError(*where, "empty annotation [[]]")
            _apply_tags(body[i + 3 : close], start, pos, art, links, where)
            i = close + 1
        else:
            plain.append(body[i])
            pos += 1
            i += 1
    got = "".join(plain)
    if got != expected:
        at = next(
            (k for k, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), min(len(got), len(expected))
        )
        raise MarkupError(
            *where,
            f"text differs from the page line at character {at}: "
            f"page {expected[max(0, at - 20) : at + 20]!r} vs file {got[max(0, at - 20) : at + 20]!r}",
        )


def _check_surfaces(art: Article, text: str, path: str) -> None:
    for span in [*art.entities, *art.numeric_claims, *art.quotes]:
        surface = text[span.start : span.end]
        if surface != surface.strip():
            raise MarkupError(path, 0, f"span at {span.start}-{span.end} starts or ends with whitespace")


def _source(url: str | None) -> str | None:
    if not url:
        return None
    match = re.match(r"https?://([^/]+)", url)
    return match.group(1) if match else None


# ----------------------------------------------------------------------------- command line


def _pages_by_id(folder: Path) -> dict[str, RealPage]:
    return {page.id: page for page in read_pages(folder)}


def cmd_check(folder: Path, files: list[Path]) -> int:
    pages = _pages_by_id(folder)
    failed = 0
    for path in files:
        page_id = path.name.split(".")[0]
        try:
            doc = parse_annotation(path.read_text(encoding="utf-8"), pages[page_id], str(path))
        except KeyError:
            print(f"ERROR {path}: no real page {page_id}")
            failed += 1
            continue
        except (MarkupError, OSError) as err:
            print(f"ERROR {err}")
            failed += 1
            continue
        quotes = doc.quotes or []
        print(
            f"ok {path.name}: {len(doc.entities or [])} entities, {len(doc.numeric_claims or [])} numeric claims, "
            f"{len(quotes)} quotes ({sum(q.speaker is not None for q in quotes)} with speaker), "
            f"{len(doc.boilerplate or [])} boilerplate spans"
        )
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """``python -m newslayers.corpus.realpages workfiles|check`` (maintainers and annotators)."""
    parser = argparse.ArgumentParser(prog="python -m newslayers.corpus.realpages", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "realpages"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    work = sub.add_parser("workfiles", help="write page views and seeded annotation files")
    work.add_argument("--out", type=Path, required=True)
    check = sub.add_parser("check", help="check annotation files against the pages")
    check.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "workfiles":
        write_workfiles(read_pages(args.pages), args.out)
        return 0
    return cmd_check(args.pages, args.files)


if __name__ == "__main__":
    sys.exit(main())
