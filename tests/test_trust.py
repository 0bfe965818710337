"""Trustworthy runs: systems never see the gold, outputs are checked, inputs are never lost.

Each test here is one of the hostile inputs that once cheated the benchmark, destroyed a
user's file, or ended a run on one page; the closing note of issue 11 lists them.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from conftest import run_cli, write_jsonl
from newslayers.corpus import load_corpus
from newslayers.corpus.ingest import RawPage, Rejected, page_to_document
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newslayers.jsonl import dumps_document

CHEAT = '''
from newslayers.model import Document, Entity


class Cheat:
    """Returns its input unchanged: if the gold reached it, it would score 100."""

    name, version = "{name}", "1.0"
    layers = ("entities", "numeric_claims", "quotes", "boilerplate")
    description = "returns what it is given"

    def predict(self, documents):
        return [d.copy() for d in documents]


class Broken:
    """Returns spans that break the contract: negative and reversed offsets, unknown labels."""

    name, version, layers, description = "{name}", "1.0", ("entities",), "breaks the contract"

    def predict(self, documents):
        return [Document(id=d.id, entities=[Entity(5, 2, "CITY")]) for d in documents]


def make_system():
    return {cls}()
'''


def install(site: Path, name: str, cls: str, entry: str | None = None) -> dict[str, str]:
    """A real installed distribution with an entry point, on PYTHONPATH."""
    module = f"plugin_{cls.lower()}_{abs(hash(name)) % 10_000}"
    info = site / f"{module}-1.0.dist-info"
    info.mkdir(parents=True)
    (site / f"{module}.py").write_text(CHEAT.format(name=name, cls=cls), encoding="utf-8")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[newslayers.systems]\n{entry or name} = {module}:make_system\n", encoding="utf-8"
    )
    return {**os.environ, "PYTHONPATH": str(site)}


def test_a_system_that_returns_its_input_scores_zero(tmp_path: Path) -> None:
    env = install(tmp_path / "site", "cheat", "Cheat")
    board = run_cli("leaderboard", "--split", "test", "--out", str(tmp_path / "lb"), "--systems", "cheat", env=env)
    assert board.returncode == 0, board.stderr[-2000:]
    results = json.loads((tmp_path / "lb" / "results" / "test" / "cheat.json").read_text(encoding="utf-8"))
    scores = results["scores"]
    assert scores["entities"]["strict"]["f1"] == 0.0
    assert scores["numeric_claims"]["strict"]["f1"] == 0.0
    assert scores["quotes"]["strict"]["f1"] == 0.0
    assert scores["boilerplate"]["char"]["f1"] == 0.0
    out = tmp_path / "p.jsonl"
    assert run_cli("baseline", "cheat", "--split", "test", "--out", str(out), env=env).returncode == 0
    assert all(set(json.loads(line)) <= {"id", "html", "url", "source", "split"} for line in out.open(encoding="utf-8"))


def test_output_that_breaks_the_contract_is_refused_and_not_ranked(tmp_path: Path) -> None:
    env = install(tmp_path / "site", "broken", "Broken")
    board = run_cli("leaderboard", "--split", "test", "--out", str(tmp_path / "lb"), "--systems", "broken", env=env)
    assert board.returncode == 1
    assert "broken: nl-" in board.stderr and "start 5 must be less than end 2" in board.stderr
    assert "broken" not in (tmp_path / "lb" / "leaderboard.csv").read_text(encoding="utf-8")
    assert "not ranked on test: broken" in (tmp_path / "lb" / "leaderboard.md").read_text(encoding="utf-8")


def test_plugin_names_cannot_escape_or_impersonate(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = install(site, "rules", "Cheat")
    env = install(site / "second", "x", "Cheat", entry="../../evil")
    env["PYTHONPATH"] = f"{site}:{site / 'second'}"
    listing = run_cli("baseline", "--list", env=env)
    assert "refused: it has the name of a built-in system" in listing.stderr
    assert "'../../evil'" in listing.stderr and "evil" not in listing.stdout
    run = run_cli("baseline", "rules", "--split", "test", "--out", str(tmp_path / "r.jsonl"), env=env)
    assert run.returncode == 0 and "rules: no training" in run.stderr  # the built-in, not the impostor


def test_submission_names_are_checked(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    gold = load_corpus("test")
    write_jsonl(subs / "rules.jsonl", [{"id": d.id, "entities": []} for d in gold])
    board = run_cli("leaderboard", "--split", "test", "--out", str(tmp_path / "lb"), "--systems", "rules",
                    "--submissions", str(subs))  # fmt: skip
    assert board.returncode == 0, board.stderr[-2000:]
    lines = (tmp_path / "lb" / "leaderboard.csv").read_text(encoding="utf-8").splitlines()
    assert sum(",rules," in line for line in lines) == 1
    assert "has the name of a registered system" in (tmp_path / "lb" / "leaderboard.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- no input is lost


def _export(tmp_path: Path) -> Path:
    gold = tmp_path / "gold.jsonl"
    assert run_cli("export", "--split", "test", "--out", str(gold)).returncode == 0
    return gold


def test_outputs_never_overwrite_inputs(tmp_path: Path) -> None:
    gold = _export(tmp_path)
    before = gold.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(gold)
    cases = [
        ("baseline", "rules", "--input", str(gold), "--out", str(link)),
        ("evaluate", "--gold", str(gold), "--predictions", str(gold), "--results", str(gold)),
        ("annotate", "adjudicate", str(gold), str(tmp_path / "b.jsonl"), "--out", str(gold)),
        (
            "annotate",
            "adjudicate",
            str(gold),
            "--out",
            str(tmp_path / "m.jsonl"),
            "--conflicts",
            str(tmp_path / "m.jsonl"),
        ),
        ("ingest", str(gold), "--out", str(gold)),
    ]
    (tmp_path / "b.jsonl").write_bytes(before)
    for args in cases:
        result = run_cli(*args)
        assert result.returncode == 1, args
        assert "also an input" in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
        assert gold.read_bytes() == before, args


def test_a_run_with_nothing_to_write_keeps_the_old_output(tmp_path: Path) -> None:
    out = tmp_path / "docs.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    bad = tmp_path / "bad.html"
    bad.write_bytes(b"   ")
    result = run_cli("ingest", str(bad), "--out", str(out))
    assert result.returncode == 1 and "left as it was" in result.stderr
    assert out.read_text(encoding="utf-8") == "precious\n"


def test_file_mistakes_are_one_line(tmp_path: Path) -> None:
    gold = _export(tmp_path)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for args in [
        ("baseline", "rules", "--input", str(gold), "--out", str(folder)),
        ("export", "--split", "test", "--out", str(gold / "inside-a-file.jsonl")),
        ("validate", str(folder)),
        ("evaluate", "--gold", str(folder), "--predictions", str(gold)),
    ]:
        result = run_cli(*args)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr and result.stderr.strip(), args
        if args[0] == "baseline":  # refused before the system is made ready (a learned one would train)
            assert result.stderr.strip().splitlines() == [
                f"newslayers baseline: --out {folder} is a folder; give a file name"
            ]


# ----------------------------------------------------------------------------- silent wrong results


def test_unknown_keys_misspelled_layers_and_bad_values(tmp_path: Path) -> None:
    gold = _export(tmp_path)
    first = json.loads(gold.read_text(encoding="utf-8").splitlines()[0])
    typo = write_jsonl(tmp_path / "typo.jsonl", [{"id": first["id"], "entites": first["entities"]}])
    checked = run_cli("validate", str(typo))
    assert checked.returncode == 1 and "did you mean 'entities'" in checked.stderr
    assert "predicts no layer" in checked.stderr
    lines = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()[:3]]
    extra = write_jsonl(tmp_path / "extra.jsonl", [{"id": d["id"], "entities": [], "note": "x"} for d in lines])
    warned = run_cli("validate", str(extra))
    assert warned.returncode == 0 and warned.stderr.count("note: is not a field of the contract") == 2
    assert "the same on 2 more line(s)" in warned.stderr and len(warned.stderr.strip().splitlines()) == 2
    scored = run_cli("evaluate", "--gold", str(gold), "--predictions", str(typo), "--json")
    assert scored.returncode == 1 and "predicts no layer" in scored.stderr
    gold_typo = write_jsonl(tmp_path / "gold-typo.jsonl", [{**first, "comment": "x"}])
    assert "comment: is not a field of the contract" in run_cli("validate", "--mode", "gold", str(gold_typo)).stderr
    huge = tmp_path / "huge.jsonl"
    huge.write_text('{"id": "a", "numeric_claims": [{"start": 0, "end": 1, "value": ' + "9" * 5000
                    + ', "qualifier": "exact", "unit": null}]}\n', encoding="utf-8")  # fmt: skip
    result = run_cli("validate", str(huge))
    assert result.returncode == 1 and "Traceback" not in result.stderr and ":1: " in result.stderr
    surrogate = tmp_path / "surrogate.jsonl"
    surrogate.write_text('{"id": "a", "text": "x\\ud800y"}\n', encoding="utf-8")
    result = run_cli("validate", str(surrogate))
    assert result.returncode == 1 and "surrogate" in result.stderr


def test_unknown_reviewer_is_an_error(tmp_path: Path) -> None:
    gold = _export(tmp_path)
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(gold.read_bytes())
    result = run_cli("annotate", "adjudicate", str(gold), str(copy), "--out", str(tmp_path / "m.jsonl"),
                     "--reviewer", "nobody")  # fmt: skip
    assert result.returncode == 1 and "reviewer 'nobody' is none of the annotators" in result.stderr


@pytest.mark.parametrize("name", ["docs.JSONL", "docs.ndjson", "docs"])
def test_jsonl_is_recognised_whatever_its_name(tmp_path: Path, name: str) -> None:
    docs = load_corpus("test")[:2]
    path = tmp_path / name
    path.write_text("".join(dumps_document(d) + "\n" for d in docs), encoding="utf-8")
    out = tmp_path / "p.jsonl"
    result = run_cli("baseline", "rules", "--input", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [d.id for d in docs]


def test_pages_that_used_to_fail_silently(tmp_path: Path) -> None:
    undefined = b'<html><head><meta charset="undefined"></head><body><p>Readable words here.</p></body></html>'
    doc = page_to_document(RawPage("u.html", undefined))
    assert not isinstance(doc, Rejected) and "Readable words here." in (doc.text or "")
    xhtml = (b'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
             b"<p>Prolog first.</p></body></html>")  # fmt: skip
    assert page_to_document(RawPage("x.xhtml", xhtml)).text == "Prolog first."
    deep = ("<html><body>" + "<div>" * 5000 + "x" + "</div>" * 5000 + "</body></html>").encode()
    rejected = page_to_document(RawPage("deep.html", deep))
    assert isinstance(rejected, Rejected) and "nested deeper" in rejected.reason
    jsonl = tmp_path / "docs.jsonl.gz"
    jsonl.write_bytes(gzip.compress(b'{"id": "a", "text": "<p>not a page</p>"}\n'))
    good = tmp_path / "good.html"
    good.write_bytes(b"<html><body><p>A good page stays.</p></body></html>")
    out = tmp_path / "out.jsonl"
    result = run_cli("ingest", str(jsonl), str(good), "--out", str(out), "--workers", "1")
    assert result.returncode == 1 and "looks like JSON" in result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_a_warc_record_cut_short_is_reported(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for i in range(2):
        payload = f"<html><body><p>Page {i} {'word ' * 120}</p></body></html>".encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.0")
        writer.write_record(writer.create_warc_record(f"http://example.test/{i}", "response",
                                                      payload=io.BytesIO(payload), http_headers=headers))  # fmt: skip
    warc = tmp_path / "cut.warc"
    warc.write_bytes(buffer.getvalue()[:-300])
    out = tmp_path / "out.jsonl"
    result = run_cli("ingest", str(warc), "--out", str(out), "--workers", "1")
    assert result.returncode == 1 and "cut short" in result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


# ----------------------------------------------------------------------------- reproducible


def test_two_leaderboard_runs_write_identical_bytes(tmp_path: Path) -> None:
    """Predictions, results, tables and plots: the same bytes twice, reference tools included."""
    systems = ["rules", "trafilatura", "justext", "quantulum3", "spacy"]
    outs = []
    for run in ("one", "two"):
        out = tmp_path / run
        result = run_cli("leaderboard", "--split", "test", "--out", str(out), "--systems", *systems)
        assert result.returncode == 0, result.stderr[-2000:]
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert len(files) > 10
    for name in files:
        if name.name == "timings.json":
            continue
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    predicted = {p.stem for p in (outs[0] / "predictions" / "test").glob("*.jsonl")}
    assert predicted == set(systems)
