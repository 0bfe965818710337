"""The embedded gold corpus: renders consistently, validates, splits cleanly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import run_cli
from newslayers.corpus import FIRST_DIR, SECOND_DIR, article_paths, load_corpus
from newslayers.corpus.layouts import LAYOUTS, TEST_LAYOUTS
from newslayers.corpus.markup import load_article

from newslayers.htmltext import html_to_text
from newslayers.validation import check_document


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_every_page_text_is_what_a_scraper_gets_from_its_html(corpus) -> None:
    for doc in corpus:
        newline = "\r\n" if doc.meta["newline"] == "crlf" else "\n"
        assert html_to_text(doc.html, newline) == doc.text, doc.id


def test_every_document_is_valid_gold_and_original(corpus) -> None:
    for doc in corpus:
        problems = check_document(doc, gold=True)
        assert not problems, (doc.id, problems[:3])
        assert doc.meta["synthetic"] is True
        assert doc.boilerplate, f"{doc.id} has no boilerplate"


def test_test_layouts_never_occur_in_train_or_validation(corpus) -> None:
    seen = {split: {d.meta["layout"] for d in corpus if d.split == split} for split in ("train", "validation", "test")}
    assert seen["test"] <= set(TEST_LAYOUTS)
    assert not (seen["train"] | seen["validation"]) & set(TEST_LAYOUTS)
    assert len(seen["train"] | seen["validation"] | seen["test"]) >= 12
    assert set(LAYOUTS) >= seen["train"] | seen["test"]


def test_splits_are_balanced_by_topic(corpus) -> None:
    counts = Counter(d.split for d in corpus)
    total = len(corpus)
    assert abs(counts["test"] / total - 0.2) < 0.05 and abs(counts["validation"] / total - 0.2) < 0.05
    for topic in {d.meta["topic"] for d in corpus}:
        splits = {d.split for d in corpus if d.meta["topic"] == topic}
        assert splits == {"train", "validation", "test"}, topic


def test_hard_page_features_are_present(corpus) -> None:
    texts = [d.text for d in corpus]
    assert any("\r\n" in t for t in texts), "some pages use CRLF"
    assert any("\u00a0" in t for t in texts), "some pages have no-break spaces"
    assert any(any(ord(c) > 0xFFFF for c in t) for t in texts), "some pages have an emoji"
    assert any("“" in t for t in texts)


def test_export_validates_and_is_byte_identical_twice(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run_cli("export", "--split", "all", "--out", str(first)).returncode == 0
    assert run_cli("export", "--split", "all", "--out", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    result = run_cli("validate", "--mode", "gold", str(first))
    assert result.returncode == 0, result.stderr[:2000]


def test_stats_json_counts_match_the_corpus(corpus) -> None:
    import json

    result = run_cli("stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    synthetic = ("train", "validation", "test")  # "all" also counts the real pages once they are materialised
    assert sum(stats[s]["documents"] for s in synthetic) == len(corpus)
    assert sum(stats[s]["entities"]["spans"] for s in synthetic) == sum(len(d.entities) for d in corpus)
    assert stats["all"]["documents"] >= len(corpus)


def test_double_annotations_keep_the_gold_text() -> None:
    gold = {p.stem: load_article(p).content for p in article_paths()}
    for folder in (FIRST_DIR, SECOND_DIR):
        for path in article_paths(folder):
            if path.stem in gold:
                assert load_article(path).content == gold[path.stem], path
