"""Annotating the real pages: work files, the annotation-file checker, adjudication records.

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
content lines (a quote over two paragraphs). A literal ``[`` right before a span is
written ``[[[``: when the page has ``[`` there, the first bracket is text.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from newslayers.corpus.markup import Article, MarkupError, _apply_tags, _link_quotes, _Links
from newslayers.corpus.realpages import (
    ANNOTATION_PATHS,
    REAL_DIR,
    RealPage,
    StandoffError,
    from_standoff,
    page_documents,
    page_lines,
    read_pages,
    read_standoff,
    real_split,
    source_of,
    write_standoff,
)

from newslayers.adjudication import Version, item_key, merge_versions
from newslayers.agreement import agreement, kappa
from newslayers.align import align_extracted
from newslayers.jsonl import write_text_atomic
from newslayers.model import Boilerplate, Document
from newslayers.schema import BOILERPLATE_KINDS
from newslayers.validation import check_document

_CONTENT_LINE = re.compile(r"^(\d{1,5})\| ?(.*)$")
_RANGE_LINE = re.compile(r"^(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s+(\S+)\s*$")


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


def parse_annotation(source: str, page: RealPage, path: str = "<annotation>", strict: bool = True) -> Document:
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
    doc = Document(
        id=page.id,
        text=text,
        html=page.html,
        url=page.url,
        source=source_of(page.url),
        split=real_split(page.id),
        entities=sorted(art.entities),
        numeric_claims=art.numeric_claims,
        quotes=art.quotes,
        boilerplate=sorted(boilerplate),
        meta={"synthetic": False, "page": page.key, "sha256": page.sha256},
    ).sorted()
    problems = check_document(doc, gold=strict)
    if problems:
        raise MarkupError(path, 0, "; ".join(f"{f}: {m}" for f, m in problems[:3]))
    return doc


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
        literal_bracket = body.startswith("[[[", i) and expected[len(plain) : len(plain) + 1] == "["
        if body.startswith("[[", i) and not literal_bracket:
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


def annotated_documents(folder: Path, pages: dict[str, RealPage], strict: bool = False) -> list[Document]:
    """Every ``ID.ann`` file of an annotator's folder, parsed against the pages (any problem stops).

    One annotator's version may break gold-only rules (two overlapping entities); the
    adjudicated gold may not (``strict``).
    """
    docs = []
    for path in sorted(folder.glob("*.ann")):
        page_id = path.name.split(".")[0]
        if page_id not in pages:
            raise StandoffError(f"{path}: no real page {page_id}")
        docs.append(parse_annotation(path.read_text(encoding="utf-8"), pages[page_id], str(path), strict))
    return docs


def cmd_decisions(pages_dir: Path, files: list[Path], a_dir: Path, b_dir: Path) -> int:
    pages = _pages_by_id(pages_dir)
    failed = 0
    for path in files:
        page = pages[path.name.split(".")[0]]
        try:
            gold = parse_annotation(path.read_text(encoding="utf-8"), page, str(path))
        except MarkupError as err:
            print(f"ERROR {err}")
            failed += 1
            continue
        a = parse_annotation((a_dir / path.name).read_text(encoding="utf-8"), page, "A", strict=False)
        b = parse_annotation((b_dir / path.name).read_text(encoding="utf-8"), page, "B", strict=False)
        decisions, problems = page_decisions(page, a, b, gold, path.with_name(f"{page.id}.rules.tsv"))
        for problem in problems:
            print(f"PROBLEM {problem}")
        failed += bool(problems)
        counts = Counter(d.decision for d in decisions)
        print(
            f"{'ok' if not problems else 'check'} {path.name}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    return 1 if failed else 0


def cmd_import(folder: Path, files: list[Path], out: Path) -> int:
    """Annotation files -> a stand-off JSONL (no text) in the repository."""
    pages = _pages_by_id(folder)
    docs = [d for f in files for d in annotated_documents(f, pages)]
    recorded = {r["id"]: r.get("language") for r in read_standoff(out)} if out.exists() else {}
    for doc in docs:  # annotation files carry no language: a page keeps the one already recorded
        if not doc.language() and recorded.get(doc.id):
            doc.meta["language"] = recorded[doc.id]
    count = write_standoff(out, docs)
    print(f"wrote {count} stand-off page annotation(s) to {out}")
    return 0


def load_standoff_annotations(pages_dir: Path, path: Path) -> list[Document]:
    """A stand-off annotation file joined with the pages (for agreement and adjudication)."""
    pages = {p.id: p for p in page_documents(read_pages(pages_dir))}
    return [from_standoff(r, pages[r["id"]], str(path), "predictions") for r in read_standoff(path)]


def _surface(text: str, lines: list[tuple[int, int]], item: dict[str, Any]) -> str:
    """How a conflict item reads for an adjudicator (written to a scratch folder, never the repo)."""

    def words(span: dict[str, int] | None) -> str:
        return "-" if span is None else repr(text[span["start"] : span["end"]][:300])

    starts = [s for s, _ in lines]
    first = bisect.bisect_right(starts, item["start"])
    last = bisect.bisect_right(starts, max(item["start"], item["end"] - 1))
    where = f"L{first}" if first == last else f"L{first}-L{last}"
    rest = {k: v for k, v in item.items() if k not in ("start", "end", "speaker", "cue")}
    links = "".join(f" {k}={words(item[k])}" for k in ("speaker", "cue") if k in item)
    if "kind" in item and "speaker" not in item:  # boilerplate: whole lines
        return f"{where} {item['kind']}"
    return f"{where} {words(item)} {' '.join(str(v) for v in rest.values())}{links}"


def write_conflicts(pages_dir: Path, a_dir: Path, b_dir: Path, out: Path) -> int:
    """Per page, every cluster where annotations A and B differ, numbered, for adjudication."""
    pages = _pages_by_id(pages_dir)
    a_docs = {d.id: d for d in annotated_documents(a_dir, pages)}
    b_docs = {d.id: d for d in annotated_documents(b_dir, pages)}
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for page_id in sorted(a_docs):
        _, conflicts = merge_versions([Version("A", a_docs[page_id]), Version("B", b_docs[page_id])], reviewer=0)
        text = pages[page_id].text
        lines = page_lines(text)
        rows = [f"# {page_id}: {len(conflicts)} conflicts between A and B; decide each by the guidelines"]
        for number, conflict in enumerate(conflicts, start=1):
            rows.append(f"[{number}] {conflict.layer} chars {conflict.start}-{conflict.end}")
            for who, keys in conflict.versions:
                items = [_surface(text, lines, json.loads(k)) for k in keys] or ["(nothing)"]
                rows += [f"    {who}: {item}" for item in items]
        (out / f"{page_id}.conflicts.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
        total += len(conflicts)
    return total


@dataclass(frozen=True, slots=True)
class Decision:
    """One adjudicated A/B conflict (or consistency change), stand-off: no text."""

    page_id: str
    number: str  # the conflict's number, or "c" for a consistency change
    layer: str
    start: int
    end: int
    decision: str  # A, B or other, as the gold shows it
    rule: str

    def row(self) -> str:
        return "\t".join(
            (self.page_id, self.number, self.layer, str(self.start), str(self.end), self.decision, self.rule)
        )


def _keys_in(doc: Document, layer: str, start: int, end: int) -> tuple[str, ...]:
    return tuple(sorted(item_key(i) for i in doc.layer(layer) or [] if i.start < end and start < i.end))


def read_rules(path: Path) -> dict[str, tuple[str, str]]:
    rules: dict[str, tuple[str, str]] = {}
    if not path.exists():
        return rules
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0].strip():
            key = parts[0].strip() if parts[0].strip() != "c" else f"c{number}"
            rules[key] = (parts[1].strip(), " ".join(p.strip() for p in parts[2:] if p.strip()))
    return rules


def page_decisions(
    page: RealPage, a: Document, b: Document, gold: Document, rules_path: Path
) -> tuple[list[Decision], list[str]]:
    """What the gold decided for each A/B conflict, joined with the adjudicator's rule; and problems."""
    _, conflicts = merge_versions([Version("A", a), Version("B", b)], reviewer=0)
    rules = read_rules(rules_path)
    decisions, problems = [], []
    for number, conflict in enumerate(conflicts, start=1):
        keys = _keys_in(gold, conflict.layer, conflict.start, conflict.end)
        taken = "A" if keys == conflict.versions[0][1] else "B" if keys == conflict.versions[1][1] else "other"
        stated, rule = rules.get(str(number), ("", ""))
        if not rule:
            problems.append(f"{page.id} [{number}]: no rule in {rules_path.name}")
        elif stated != taken:
            problems.append(f"{page.id} [{number}]: the rules file says {stated}, the gold shows {taken}")
        decisions.append(Decision(page.id, str(number), conflict.layer, conflict.start, conflict.end, taken, rule))
    for key, (where, rule) in sorted(rules.items()):
        if key.startswith("c"):
            layer = where.split()[0] if where else ""
            decisions.append(Decision(page.id, "c", layer, 0, 0, "consistency", f"{where} {rule}".strip()))
    return decisions, problems


def adjudication_log(pages_dir: Path, gold_dir: Path, a_dir: Path, b_dir: Path) -> tuple[list[Decision], list[str]]:
    pages = _pages_by_id(pages_dir)
    decisions: list[Decision] = []
    problems: list[str] = []
    for path in sorted(gold_dir.glob("*.ann")):
        page = pages[path.name.split(".")[0]]
        gold = parse_annotation(path.read_text(encoding="utf-8"), page, str(path))
        a = parse_annotation((a_dir / path.name).read_text(encoding="utf-8"), page, "A", strict=False)
        b = parse_annotation((b_dir / path.name).read_text(encoding="utf-8"), page, "B", strict=False)
        found, wrong = page_decisions(page, a, b, gold, path.with_suffix(".rules.tsv"))
        decisions += found
        problems += wrong
    return decisions, problems


AGREEMENT_PATH = REAL_DIR / "agreement.json"
LOG_PATH = REAL_DIR / "adjudication.tsv"
LOG_HEADER = "id\tconflict\tlayer\tstart\tend\tdecision\trule"


def language_agreement(records_a: list[dict[str, Any]], records_b: list[dict[str, Any]]) -> dict[str, Any]:
    """How often the two annotators gave a page the same language, and Cohen's kappa.

    Only pages both labelled count; the others are reported as ``unlabelled``, never as agreed.
    """
    a = {r["id"]: r.get("language") for r in records_a}
    b = {r["id"]: r.get("language") for r in records_b}
    both = sorted(a.keys() & b.keys())
    pages = [p for p in both if a[p] and b[p]]
    index = {code: i for i, code in enumerate(sorted({a[p] for p in pages} | {b[p] for p in pages}))}
    labels_a = np.array([index[a[p]] for p in pages], dtype=np.int64)
    labels_b = np.array([index[b[p]] for p in pages], dtype=np.int64)
    chance_corrected = kappa(labels_a, labels_b) if pages else None
    out: dict[str, Any] = {
        "documents": len(pages),
        "agreed": int((labels_a == labels_b).sum()),
        "kappa": None if chance_corrected is None else round(chance_corrected, 4),
    }
    if len(both) > len(pages):
        out["unlabelled"] = len(both) - len(pages)
    return out


def cmd_record(pages_dir: Path, gold_dir: Path, a_dir: Path, b_dir: Path) -> int:
    """Write the decision log and the before-adjudication agreement of the real pages (stand-off)."""
    decisions, problems = adjudication_log(pages_dir, gold_dir, a_dir, b_dir)
    if problems:
        raise StandoffError(f"{len(problems)} conflict(s) without a consistent decision; first: {problems[0]}")
    write_text_atomic(LOG_PATH, LOG_HEADER + "\n" + "".join(d.row() + "\n" for d in decisions))
    result = agreement(
        load_standoff_annotations(pages_dir, ANNOTATION_PATHS["A"]),
        load_standoff_annotations(pages_dir, ANNOTATION_PATHS["B"]),
    )
    result["decisions"] = dict(sorted(Counter(d.decision for d in decisions).items()))
    result["language"] = language_agreement(read_standoff(ANNOTATION_PATHS["A"]), read_standoff(ANNOTATION_PATHS["B"]))
    write_text_atomic(AGREEMENT_PATH, json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(f"{len(decisions)} decision(s) logged in {LOG_PATH}; agreement before adjudication in {AGREEMENT_PATH}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m newslayers.corpus.realpages workfiles|check`` (maintainers and annotators)."""
    parser = argparse.ArgumentParser(
        prog="python -m newslayers.corpus.realpages_annotate", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--pages", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "realpages"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    work = sub.add_parser("workfiles", help="write page views and seeded annotation files")
    work.add_argument("--out", type=Path, required=True)
    check = sub.add_parser("check", help="check annotation files against the pages")
    check.add_argument("files", type=Path, nargs="+")
    con = sub.add_parser("conflicts", help="list the A/B conflicts per page into a scratch folder")
    con.add_argument("a", type=Path)
    con.add_argument("b", type=Path)
    con.add_argument("--out", type=Path, required=True)
    dec = sub.add_parser("decisions", help="compare adjudicated gold files with A and B, conflict by conflict")
    dec.add_argument("files", type=Path, nargs="+")
    dec.add_argument("--a", type=Path, default=Path("/work/scratch/real/A"))
    dec.add_argument("--b", type=Path, default=Path("/work/scratch/real/B"))
    rec = sub.add_parser("record", help="write the decision log and the A/B agreement (stand-off)")
    rec.add_argument("gold", type=Path)
    rec.add_argument("--a", type=Path, default=Path("/work/scratch/real/A"))
    rec.add_argument("--b", type=Path, default=Path("/work/scratch/real/B"))
    imp = sub.add_parser("import", help="annotation folders -> one stand-off JSONL (offsets only, no text)")
    imp.add_argument("folders", type=Path, nargs="+")
    imp.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "workfiles":
        write_workfiles(read_pages(args.pages), args.out)
        return 0
    if args.command == "conflicts":
        print(f"{write_conflicts(args.pages, args.a, args.b, args.out)} conflicts written to {args.out}")
        return 0
    if args.command == "decisions":
        return cmd_decisions(args.pages, args.files, args.a, args.b)
    if args.command == "record":
        return cmd_record(args.pages, args.gold, args.a, args.b)
    if args.command == "import":
        return cmd_import(args.pages, args.folders, args.out)
    return cmd_check(args.pages, args.files)


if __name__ == "__main__":
    sys.exit(main())
