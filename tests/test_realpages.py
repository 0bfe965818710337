"""The real-page track: materialise from a copy of the pages, hashes, stand-off only, fetch."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli
from newslayers.corpus.realpages import (
    ANNOTATION_PATHS,
    GOLD_PATH,
    REAL_DIR,
    from_standoff,
    page_documents,
    read_pages,
    read_standoff,
    to_standoff,
)
from newslayers.corpus.realpages_annotate import cmd_import, language_agreement, write_workfiles

WORD = re.compile(r"\w+")


def test_materialize_checks_every_hash_and_counts(realpages: Path, tmp_path: Path) -> None:
    out = tmp_path / "real.jsonl"
    result = run_cli("real", "materialize", "--pages", str(realpages), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "every hash matched" in result.stdout
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(docs) == 88
    assert {d["split"] for d in docs} == {"real_validation", "real_test"}
    assert all(d["boilerplate"] and d["meta"]["synthetic"] is False for d in docs)
    languages = {d["meta"]["language"] for d in docs}
    assert "en" in languages and len(languages) > 1 and all(re.fullmatch("[a-z]{2}", code) for code in languages)
    labels = {e["label"] for d in docs for e in d["entities"]}
    assert sum(len(d["entities"]) for d in docs) >= 1500 and len(labels) >= 8
    assert sum(len(d["numeric_claims"]) for d in docs) >= 600
    assert sum(1 for d in docs for q in d["quotes"] if q["speaker"]) >= 400
    assert run_cli("validate", "--mode", "gold", str(out)).returncode == 0
    stats = run_cli("stats", "--split", "real_test", "--json")
    assert stats.returncode == 0, stats.stderr
    counted = json.loads(stats.stdout)
    assert counted["real_test"]["documents"] == len([d for d in docs if d["split"] == "real_test"])
    assert counted["real_agreement"]["documents"] == 88 and "agreement" not in counted  # the real pages' own
    assert sum(counted["real_test"]["languages"].values()) == counted["real_test"]["documents"]


def test_the_stand_off_gold_round_trips_with_its_language(realpages: Path) -> None:
    pages = {p.id: p for p in page_documents(read_pages(realpages))}
    for record in read_standoff(GOLD_PATH):
        doc = from_standoff(record, pages[record["id"]], str(GOLD_PATH))
        assert doc.meta["language"] == record["language"]
        assert to_standoff(doc) == record


def test_every_real_page_has_the_language_both_annotators_gave_it() -> None:
    gold = {r["id"]: r["language"] for r in read_standoff(GOLD_PATH)}
    for path in ANNOTATION_PATHS.values():
        assert {r["id"]: r["language"] for r in read_standoff(path)} == gold
    recorded = json.loads((REAL_DIR / "agreement.json").read_text(encoding="utf-8"))["language"]
    assert recorded == {"agreed": len(gold), "documents": len(gold), "kappa": 1.0}


def test_language_agreement_counts_only_pages_both_labelled() -> None:
    a = [{"id": "p1", "language": "en"}, {"id": "p2", "language": "pt"}, {"id": "p3", "language": "en"}, {"id": "p4"}]
    b = [{"id": "p1", "language": "en"}, {"id": "p2", "language": "es"}, {"id": "p3", "language": "en"}, {"id": "p4"}]
    result = language_agreement(a, b)
    assert result["documents"] == 3 and result["agreed"] == 2 and result["unlabelled"] == 1
    assert result["kappa"] is not None and result["kappa"] < 1.0
    assert language_agreement([{"id": "p4"}], [{"id": "p4"}]) == {
        "documents": 0,
        "agreed": 0,
        "kappa": None,
        "unlabelled": 1,
    }


def test_importing_annotation_files_keeps_the_recorded_languages(realpages: Path, tmp_path: Path) -> None:
    pages = sorted(read_pages(realpages), key=lambda p: p.id)[:3]
    work = tmp_path / "work"
    write_workfiles(pages, work)
    for ann in work.glob("*.ann"):  # an annotator names every seeded boilerplate block's kind
        ann.write_text(re.sub(r" \?$", " other", ann.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    out = tmp_path / "gold.jsonl"
    recorded = {r["id"]: r for r in read_standoff(GOLD_PATH)}
    out.write_text("".join(json.dumps(recorded[p.id]) + "\n" for p in pages), encoding="utf-8")
    assert cmd_import(realpages, [work], out) == 0
    assert {r["id"]: r["language"] for r in read_standoff(out)} == {p.id: recorded[p.id]["language"] for p in pages}


def test_a_changed_page_names_itself_and_nothing_is_written(realpages: Path, tmp_path: Path) -> None:
    copy = tmp_path / "pages"
    shutil.copytree(realpages, copy)
    victim = sorted((copy / "html").glob("*.html.gz"))[3]
    html = gzip.decompress(victim.read_bytes()).decode("utf-8", errors="replace")
    victim.write_bytes(gzip.compress(html.replace("<body", "<body><p>One more line of our own.</p>", 1).encode()))
    out = tmp_path / "real.jsonl"
    result = run_cli("real", "materialize", "--pages", str(copy), "--out", str(out))
    assert result.returncode == 1
    assert victim.name.split(".")[0] in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_the_repository_holds_no_page_text(realpages: Path) -> None:
    """No run of eight words of any real page occurs in any stand-off file."""
    page_shingles: set[tuple[str, ...]] = set()
    for page in read_pages(realpages):
        page_shingles |= _shingles(page.text)
    assert len(page_shingles) > 50_000
    for path in sorted(REAL_DIR.iterdir()):
        stored = _shingles(path.read_text(encoding="utf-8"))
        leaked = stored & page_shingles
        assert not leaked, (path.name, sorted(leaked)[:3])
    assert GOLD_PATH.exists()


@pytest.fixture
def served(realpages: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the shared copy, as the benchmark's repository would."""
    handler = functools.partial(_QuietHandler, directory=str(realpages))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


def test_fetch_downloads_and_verifies_every_page(served: str, tmp_path: Path) -> None:
    out = tmp_path / "fetched"
    result = run_cli("real", "fetch", "--out", str(out), "--base-url", served)
    assert result.returncode == 0, result.stderr
    assert len(list((out / "html").glob("*.html.gz"))) == 88
    again = run_cli("real", "materialize", "--pages", str(out))
    assert again.returncode == 0, again.stderr


def test_fetch_refuses_a_server_that_serves_other_pages(realpages: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    shutil.copytree(realpages, wrong)
    pages = sorted((wrong / "html").glob("*.html.gz"))
    pages[0].write_bytes(pages[1].read_bytes())
    handler = functools.partial(_QuietHandler, directory=str(wrong))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = tmp_path / "fetched"
        result = run_cli(
            "real", "fetch", "--out", str(out), "--base-url", f"http://127.0.0.1:{server.server_address[1]}/"
        )
    finally:
        server.shutdown()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not out.exists() and not any(p.name.startswith(".fetched") for p in tmp_path.iterdir())


def test_real_splits_without_materialising_say_how(tmp_path: Path) -> None:
    result = run_cli("export", "--split", "real_test", "--out", str(tmp_path / "x.jsonl"), env=_env(tmp_path / "empty"))
    assert result.returncode == 1
    assert "newslayers real materialize" in result.stderr and "Traceback" not in result.stderr


def _env(data: Path) -> dict[str, str]:
    return {**os.environ, "NEWSLAYERS_DATA": str(data)}
