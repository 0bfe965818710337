"""The inline markup in which corpus articles are written and annotated.

An article is a small text file that a person can read and review in a diff::

    ---
    id: nl-0001
    topic: economy
    register: wire
    ---
    # Headline with [[Lisbon]]{GPE}
    ## An optional standfirst
    By [[Ana Ferreira]]{PERSON}
    > An optional photo caption

    [[LISBON]]{GPE} — First paragraph, [[more than two dozen]]{NUM 24 more_than count} ...

Annotations are ``[[surface text]]{TAG; TAG}`` and nest. Tags:

* an entity label (``PERSON``, ``ORG``, ``GPE`` …);
* ``NUM value qualifier unit`` — value is a number, ``null`` or ``low..high``;
* ``QUOTE q1 direct|indirect|mixed``; ``SPEAKER q1`` and ``CUE q1`` link to it
  (several ids may be given, separated by commas).

Parsing gives the plain content (blocks joined by ``\\n``) and spans in its offsets.
"""

from __future__ import annotations

import argparse
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from newslayers.model import Entity, NumericClaim, Quote, Span, normalise_number
from newslayers.schema import ENTITY_LABELS, QUALIFIERS, QUOTE_KINDS, UNIT_ALIASES

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_UNIT = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


class MarkupError(ValueError):
    """A problem in an article file, with its line number."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True, slots=True)
class Block:
    role: str
    start: int
    end: int


@dataclass(slots=True)
class Article:
    """One parsed article: plain content, its blocks and its content layers."""

    id: str
    meta: dict[str, str]
    content: str
    blocks: list[Block]
    entities: list[Entity] = field(default_factory=list)
    numeric_claims: list[NumericClaim] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    @property
    def headline(self) -> str:
        block = next(b for b in self.blocks if b.role == "headline")
        return self.content[block.start : block.end]


def _number(token: str, where: tuple[str, int]) -> int | float:
    if not _NUMBER.match(token):
        raise MarkupError(*where, f"{token!r} is not a number (digits, optional decimal point)")
    return normalise_number(float(token)) if "." in token else int(token)


def _parse_num(
    args: list[str], where: tuple[str, int]
) -> tuple[int | float | None, int | float | None, str, str | None]:
    if len(args) != 3:
        raise MarkupError(*where, f"NUM needs value qualifier unit, got {' '.join(args)!r}")
    raw_value, qualifier, raw_unit = args
    if qualifier not in QUALIFIERS:
        raise MarkupError(*where, f"qualifier {qualifier!r} is not one of {' '.join(QUALIFIERS)}")
    high = None
    if raw_value == "null":
        value = None
    elif ".." in raw_value:
        low_token, high_token = raw_value.split("..", 1)
        value, high = _number(low_token, where), _number(high_token, where)
        if qualifier != "range":
            raise MarkupError(*where, "a low..high value needs the qualifier range")
    else:
        value = _number(raw_value, where)
    unit = None if raw_unit == "null" else UNIT_ALIASES.get(raw_unit, raw_unit)
    if unit is not None and not _UNIT.match(unit):
        raise MarkupError(*where, f"unit {raw_unit!r} must be lower-case letters, digits or _")
    return value, high, qualifier, unit


@dataclass(slots=True)
class _Links:
    quotes: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    speakers: dict[str, Span] = field(default_factory=dict)
    cues: dict[str, Span] = field(default_factory=dict)


def _apply_tags(tags: str, start: int, end: int, art: Article, links: _Links, where: tuple[str, int]) -> None:
    for raw in tags.split(";"):
        parts = raw.split()
        if not parts:
            raise MarkupError(*where, f"empty tag in {{{tags}}}")
        head, args = parts[0], parts[1:]
        if head in ENTITY_LABELS and not args:
            art.entities.append(Entity(start, end, head))
        elif head == "NUM":
            value, high, qualifier, unit = _parse_num(args, where)
            art.numeric_claims.append(NumericClaim(start, end, value, qualifier, unit, high))
        elif head == "QUOTE":
            if len(args) != 2 or args[1] not in QUOTE_KINDS:
                raise MarkupError(*where, f"QUOTE needs an id and one of {' '.join(QUOTE_KINDS)}")
            if args[0] in links.quotes:
                raise MarkupError(*where, f"quote id {args[0]} is used twice")
            links.quotes[args[0]] = (start, end, args[1])
        elif head in ("SPEAKER", "CUE") and len(args) == 1:
            table = links.speakers if head == "SPEAKER" else links.cues
            for qid in args[0].split(","):
                if qid in table:
                    raise MarkupError(*where, f"quote {qid} has two {head.lower()}s")
                table[qid] = Span(start, end)
        else:
            raise MarkupError(*where, f"unknown tag {raw.strip()!r}")


def _parse_front_matter(lines: list[str], path: str) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        raise MarkupError(path, 1, "an article starts with a --- front matter block")
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return meta, number
        key, sep, value = line.partition(":")
        if not sep:
            raise MarkupError(path, number, f"front matter line {line!r} is not key: value")
        meta[key.strip()] = value.strip()
    raise MarkupError(path, len(lines), "front matter is not closed with ---")


def _role(line: str) -> tuple[str, str]:
    for prefix, role in (("# ", "headline"), ("## ", "standfirst"), ("> ", "caption")):
        if line.startswith(prefix):
            return role, line[len(prefix) :]
    if line.startswith("By "):
        return "byline", line
    return "paragraph", line


def parse_article(source: str, path: str = "<article>") -> Article:
    """Parse an article file; raise MarkupError naming the line of the first problem."""
    lines = source.replace("\r\n", "\n").split("\n")
    meta, end_line = _parse_front_matter(lines, path)
    art = Article(id=meta.get("id", ""), meta=meta, content="", blocks=[])
    if not art.id:
        raise MarkupError(path, 2, "front matter needs an id")
    links = _Links()
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, int]] = []
    for number, line in enumerate(lines[end_line:], start=end_line + 1):
        if not line.strip():
            continue
        role, body = _role(line.strip(" \t"))
        if out:
            out.append("\n")
            pos += 1
        block_start = pos
        i = 0
        while i < len(body):
            if body.startswith("[[", i):
                stack.append((pos, number))
                i += 2
            elif body.startswith("]]{", i):
                close = body.find("}", i + 3)
                if close < 0 or not stack:
                    raise MarkupError(path, number, "]]{ without its [[ or without a closing }")
                start, _ = stack.pop()
                if start == pos:
                    raise MarkupError(path, number, "empty annotation [[]]")
                _apply_tags(body[i + 3 : close], start, pos, art, links, (path, number))
                i = close + 1
            elif body[i] in " \t" and (not out or out[-1] in " \n"):
                i += 1  # runs of spaces collapse, as a browser shows them
            else:
                out.append(" " if body[i] == "\t" else body[i])
                pos += 1
                i += 1
        while out and out[-1] == " " and pos > block_start:
            out.pop()
            pos -= 1
        art.blocks.append(Block(role, block_start, pos))
    if stack:
        raise MarkupError(path, stack[-1][1], "[[ is never closed with ]]{...}")
    art.content = "".join(out)
    _link_quotes(art, links, path)
    _check_spans(art, path)
    if not any(b.role == "headline" for b in art.blocks):
        raise MarkupError(path, end_line + 1, "an article needs a '# headline' line")
    return art


def _link_quotes(art: Article, links: _Links, path: str) -> None:
    for qid in sorted(set(links.speakers) | set(links.cues)):
        if qid not in links.quotes:
            raise MarkupError(path, 0, f"SPEAKER/CUE names quote {qid}, which does not exist")
    for qid, (start, end, kind) in links.quotes.items():
        art.quotes.append(Quote(start, end, kind, links.speakers.get(qid), links.cues.get(qid)))


def _check_spans(art: Article, path: str) -> None:
    """Spans must not start or end in whitespace; entities must not overlap."""
    for span in [*art.entities, *art.numeric_claims, *art.quotes]:
        surface = art.content[span.start : span.end]
        if surface != surface.strip():
            raise MarkupError(path, 0, f"span {surface!r} starts or ends with whitespace")
    ordered = sorted(art.entities)
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            raise MarkupError(
                path, 0, f"entities {art.content[a.start : a.end]!r} and {art.content[b.start : b.end]!r} overlap"
            )


def strip_markup(source: str) -> str:
    """The article file with every annotation removed (what a second annotator gets)."""
    text = re.sub(r"\]\]\{[^}]*\}", "", source)
    return text.replace("[[", "")


def load_article(path: Path) -> Article:
    return parse_article(path.read_text(encoding="utf-8"), str(path))


def main(argv: list[str] | None = None) -> int:
    """Check article files: ``python -m newslayers.corpus.markup FILE...``."""
    parser = argparse.ArgumentParser(prog="python -m newslayers.corpus.markup", description="check article files")
    parser.add_argument("files", type=Path, nargs="+")
    failed = 0
    for path in parser.parse_args(argv).files:
        try:
            art = load_article(path)
        except (MarkupError, OSError) as err:
            print(f"ERROR {err}")
            failed += 1
            continue
        words = len(art.content.split())
        kinds = {k: sum(q.kind == k for q in art.quotes) for k in QUOTE_KINDS}
        print(
            f"ok {path.name}: {words} words, {len(art.entities)} entities "
            f"({len({e.label for e in art.entities})} labels), {len(art.numeric_claims)} numeric claims, "
            f"{len(art.quotes)} quotes {kinds}, {sum(q.speaker is not None for q in art.quotes)} with speaker"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
