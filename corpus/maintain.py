"""Maintainer tools for the corpus: double annotation, adjudication and split assignment.

``python -m newslayers.corpus.maintain strip|diff|assign ...``

* ``strip FIRST_DIR OUT_DIR``: the plain article (markup removed) for a second annotator;
* ``diff A_DIR B_DIR OUT_DIR``: one report per article listing every disagreement;
* ``assign``: fix split, layout, line ends and no-break spaces in the gold front matter;
* ``agreement``: agreement of annotations A and B before adjudication -> ``agreement.json``;
* ``check-second PLAIN ANNOTATED``: an annotation keeps the plain text exactly.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from newslayers.corpus import ARTICLES_DIR, FIRST_DIR, HERE, SECOND_DIR, article_paths
from newslayers.corpus.layouts import TEST_LAYOUTS, TRAIN_LAYOUTS
from newslayers.corpus.markup import Article, MarkupError, load_article, strip_markup

from newslayers.agreement import agreement as measure
from newslayers.jsonl import write_text_atomic
from newslayers.model import Document

ADJUDICATION_DIR = HERE / "adjudication"


def strip(first: Path, out: Path) -> None:
    for path in article_paths(first):
        write_text_atomic(out / path.name, strip_markup(path.read_text(encoding="utf-8")))


def _context(art: Article, start: int, end: int) -> str:
    left = art.content[max(0, start - 40) : start].replace("\n", " ⏎ ")
    right = art.content[end : end + 40].replace("\n", " ⏎ ")
    return f"…{left}⟦{art.content[start:end]}⟧{right}…"


def _surface(art: Article, span: object | None) -> str:
    return "null" if span is None else repr(art.content[span.start : span.end])  # type: ignore[attr-defined]


def diff_articles(a: Article, b: Article) -> list[str]:
    """Every disagreement between two annotations of the same text, one line each."""
    if a.content != b.content:
        return ["TEXT DIFFERS: the second annotation changed the article text; redo it"]
    lines: list[str] = []
    layers = [
        ("ENTITY", a.entities, b.entities, lambda art, e: e.label),
        ("NUM", a.numeric_claims, b.numeric_claims, lambda art, n: (n.value, n.high, n.qualifier, n.unit)),
        ("QUOTE", a.quotes, b.quotes, lambda art, q: (q.kind, _surface(art, q.speaker), _surface(art, q.cue))),
    ]
    for name, spans_a, spans_b, describe in layers:
        by_a = {(s.start, s.end): describe(a, s) for s in spans_a}
        by_b = {(s.start, s.end): describe(b, s) for s in spans_b}
        for key in sorted(set(by_a) | set(by_b)):
            if by_a.get(key) != by_b.get(key):
                lines.append(f"{name} A={by_a.get(key) or '-'} B={by_b.get(key) or '-'} {_context(a, *key)}")
    return lines


def diff(first: Path, second: Path, out: Path) -> None:
    total = 0
    for path in article_paths(first):
        other = second / path.name
        if not other.exists():
            print(f"missing second annotation: {other}")
            continue
        lines = diff_articles(load_article(path), load_article(other))
        total += len(lines)
        write_text_atomic(out / f"{path.stem}.txt", "\n".join(lines) + "\n")
    print(f"{total} disagreements written to {out}")


def check_second(plain: Path, annotated: Path) -> int:
    """A second annotation must keep the plain text character for character."""

    try:
        a, b = load_article(plain), load_article(annotated)
    except MarkupError as err:
        print(f"ERROR {err}")
        return 1
    if a.content != b.content:
        at = next(
            (i for i, (x, y) in enumerate(zip(a.content, b.content, strict=False)) if x != y),
            min(len(a.content), len(b.content)),
        )
        print(
            f"ERROR {annotated}: text differs from {plain} at character {at}: {b.content[at : at + 40]!r} vs {a.content[at : at + 40]!r}"
        )
        return 1
    kinds = sorted(q.kind for q in b.quotes)
    print(
        f"ok {annotated.name}: {len(b.entities)} entities, {len(b.numeric_claims)} numeric claims, {len(b.quotes)} quotes {kinds}"
    )
    return 0


def _content_document(art: Article) -> Document:
    """An annotation as a document over the article content (layout does not matter here)."""
    return Document(
        id=art.id, text=art.content, entities=art.entities, numeric_claims=art.numeric_claims, quotes=art.quotes
    ).sorted()


def agreement(
    first: Path = FIRST_DIR, second: Path = SECOND_DIR, adjudication: Path = ADJUDICATION_DIR
) -> dict[str, Any]:
    """Agreement of the two independent annotations before adjudication, per layer.

    The measure itself is the core's (the one ``newslayers annotate agreement``
    reports); this adds the corpus's own record of how the disagreements were decided.
    """

    pairs = [(p, second / p.name) for p in article_paths(first) if (second / p.name).exists()]
    result = measure(
        [_content_document(load_article(a)) for a, _ in pairs], [_content_document(load_article(b)) for _, b in pairs]
    )
    summary: dict[str, Any] = {"documents": result["documents"]}
    for layer in ("entities", "numeric_claims", "quotes"):
        entry = dict(result[layer])
        entry["strict"], entry["partial"] = entry["strict"]["f1"], entry["partial"]["f1"]
        summary[layer] = entry
    decisions: dict[str, int] = {}
    for log in sorted(adjudication.glob("nl-*.tsv")):
        for line in log.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) >= 2:
                key = fields[1].split(":")[0].strip() or "?"
                decisions[key] = decisions.get(key, 0) + 1
    summary["adjudication_decisions"] = dict(sorted(decisions.items()))
    return summary


def _rank(doc_id: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{doc_id}".encode()).hexdigest()


def assign_splits(articles: list[Article]) -> dict[str, dict[str, str]]:
    """60/20/20 per topic by a fixed hash order; test pages get test-only layouts."""
    by_topic: dict[str, list[Article]] = defaultdict(list)
    for art in articles:
        by_topic[art.meta.get("topic", "")].append(art)
    fields: dict[str, dict[str, str]] = {}
    counters = {"test": 0, "rest": 0}
    for topic in sorted(by_topic):
        group = sorted(by_topic[topic], key=lambda a: _rank(a.id, "split"))
        n_test = n_val = round(len(group) * 0.2)
        for i, art in enumerate(group):
            split = "test" if i < n_test else "validation" if i < n_test + n_val else "train"
            fields[art.id] = {"split": split}
    for split_group, layouts in (("test", TEST_LAYOUTS), ("rest", TRAIN_LAYOUTS)):
        members = sorted(
            (i for i, f in fields.items() if (f["split"] == "test") == (split_group == "test")),
            key=lambda i: _rank(i, "layout"),
        )
        for doc_id in members:
            fields[doc_id]["layout"] = layouts[counters[split_group] % len(layouts)]
            counters[split_group] += 1
    for doc_id, f in fields.items():
        rank = int(_rank(doc_id, "style")[:8], 16)
        f["newline"] = "crlf" if rank % 7 == 0 else "lf"
        f["nbsp"] = "yes" if rank % 5 < 2 else "no"
    return fields


def _set_front_matter(path: Path, values: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    lines = [line for line in head.split("\n") if line.split(":")[0].strip() not in values]
    lines += [f"{k}: {v}" for k, v in values.items()]
    write_text_atomic(path, "---\n" + "\n".join(lines) + sep + body)


def assign() -> None:
    paths = article_paths(ARTICLES_DIR)
    fields = assign_splits([load_article(p) for p in paths])
    for path in paths:
        _set_front_matter(path, fields[path.stem])
    print(f"assigned split, layout and style to {len(paths)} articles")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newslayers.corpus.maintain", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("strip", help="plain articles (markup removed) for a second annotator")
    p.add_argument("first_dir", type=Path)
    p.add_argument("out_dir", type=Path)
    p = sub.add_parser("diff", help="one report per article listing every disagreement")
    p.add_argument("a_dir", type=Path)
    p.add_argument("b_dir", type=Path)
    p.add_argument("out_dir", type=Path)
    sub.add_parser("assign", help="fix split, layout, line ends and no-break spaces in the front matter")
    sub.add_parser("agreement", help="agreement of A and B before adjudication -> agreement.json")
    p = sub.add_parser("check-second", help="an annotation keeps the plain text exactly")
    p.add_argument("plain", type=Path)
    p.add_argument("annotated", type=Path)
    args = parser.parse_args(argv)
    if args.command == "strip":
        strip(args.first_dir, args.out_dir)
    elif args.command == "diff":
        diff(args.a_dir, args.b_dir, args.out_dir)
    elif args.command == "assign":
        assign()
    elif args.command == "agreement":
        result = agreement()
        write_text_atomic(HERE / "agreement.json", json.dumps(result, indent=2, sort_keys=True) + "\n")
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        return check_second(args.plain, args.annotated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
