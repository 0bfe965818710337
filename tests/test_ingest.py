"""newslayers ingest on real pages, on a WARC written here, and on every kind of bad input."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from conftest import run_cli
from newslayers.corpus.ingest import RawPage, Rejected, decode_html, ingest, page_to_document

PAGE = """<!DOCTYPE html><html><head><title>Harbour strike ends</title><meta charset="{charset}"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>Harbour strike ends</h1>
<p>Dockers in Porto voted on Monday to return to work after a nine-day strike, the union said.</p>
<p>{extra}</p></article>
<script>var tracking = 1;</script><footer>© 2026 Example News</footer></body></html>"""


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_real_pages_ingest(realpages: Path, tmp_path: Path) -> None:
    out = tmp_path / "real.jsonl"
    truth = json.loads((realpages / "ground-truth.json").read_text(encoding="utf-8"))
    url_map = tmp_path / "urls.json"
    url_map.write_text(json.dumps({f"{k}.html.gz": v["url"] for k, v in truth.items()}), encoding="utf-8")
    result = run_cli("ingest", str(realpages / "html"), "--out", str(out), "--url-map", str(url_map), "--workers", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(docs) >= 85
    assert len({d["id"] for d in docs}) == len(docs)
    assert all(d["text"] and d["html"] and d["url"].startswith("http") for d in docs)
    assert run_cli("validate", str(out)).returncode == 0


def test_warc_written_by_warcio(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for i, url in enumerate(["https://news.example/a", "https://news.example/b"]):
            body = PAGE.format(charset="utf-8", extra=f"Page {i} — café").encode("utf-8")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )
        writer.write_record(writer.create_warc_record("https://news.example/robots.txt", "response", payload=io.BytesIO(b"User-agent: *"),
                                                      http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")))  # fmt: skip
    docs = [d for d in ingest([path], progress=False) if not isinstance(d, Rejected)]
    assert [d.url for d in docs] == ["https://news.example/a", "https://news.example/b"]
    assert "Page 1 — café" in docs[1].text and "tracking" not in docs[1].text
    assert docs[0].text.splitlines()[:3] == ["Harbour strike ends", "Home World", "Harbour strike ends"]


def test_wrong_meta_charset_still_decodes(tmp_path: Path) -> None:
    cp1252 = PAGE.format(charset="utf-8", extra="Caf\u00e9 owners \u201cwelcome\u201d it").encode("cp1252")
    text, encoding = decode_html(cp1252)
    assert "Caf\u00e9 owners \u201cwelcome\u201d it" in text and encoding != "utf-8"
    utf8_declared_latin = PAGE.format(charset="iso-8859-1", extra="Zoë Ł\u00f3d\u017a").encode("utf-8")
    assert "Zoë Łódź" in decode_html(utf8_declared_latin)[0]


def test_bad_inputs_are_reported_and_skipped(tmp_path: Path) -> None:
    good = write(tmp_path / "good.html", PAGE.format(charset="utf-8", extra="Fine.").encode())
    duplicate = write(tmp_path / "copy.html", good.read_bytes())
    gz = write(tmp_path / "zipped.html.gz", gzip.compress(PAGE.format(charset="utf-8", extra="Zipped.").encode()))
    truncated = write(
        tmp_path / "truncated.html.gz", gzip.compress(PAGE.format(charset="utf-8", extra="Cut.").encode())[:60]
    )
    binary = write(tmp_path / "image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    empty = write(tmp_path / "empty.html", b"   \n")
    broken_warc = write(
        tmp_path / "broken.warc", b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort"
    )
    out = tmp_path / "docs.jsonl"
    paths = [good, duplicate, gz, truncated, binary, empty, broken_warc]
    result = run_cli("ingest", *map(str, paths), "--out", str(out), "--workers", "1")
    assert result.returncode == 1, result.stderr  # the good pages are written, the failures listed, exit 1
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(docs) == 2  # good (its duplicate dropped) and zipped
    for path, reason in [
        (truncated, "cannot read"),
        (binary, "binary"),
        (empty, "empty page"),
        (broken_warc, "broken WARC"),
    ]:
        assert any(line.startswith(str(path)) and reason in line for line in result.stderr.splitlines()), (
            path,
            result.stderr,
        )
    assert "Traceback" not in result.stderr


def test_pre_annotation_with_a_system(tmp_path: Path) -> None:
    page = write(
        tmp_path / "p.html",
        PAGE.format(
            charset="utf-8", extra="More than 300 workers joined the final march through the old town, Ana Costa said."
        ).encode(),
    )
    out = tmp_path / "pre.jsonl"
    result = run_cli("ingest", str(page), "--out", str(out), "--system", "rules")
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert any(c["value"] == 300 for c in doc["numeric_claims"]) and doc["boilerplate"]
    assert run_cli("validate", str(out)).returncode == 0


def test_page_function_is_pure_and_stable() -> None:
    raw = RawPage("x.html", PAGE.format(charset="utf-8", extra="Same.").encode(), "https://a.example/x")
    first, second = page_to_document(raw), page_to_document(raw)
    assert first.id == second.id and first.source == "a.example"
