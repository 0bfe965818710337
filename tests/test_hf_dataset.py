"""The Hugging Face dataset folder: offline loading, exact round trip, reproducible bytes, publishing."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli
from newslayers.corpus import corpus_stats, load_corpus
from newslayers.corpus.hf import (
    BOILERPLATE_TAGS,
    BUILD_FILE,
    CLAIM_TAGS,
    CONFIGS,
    LINE_KINDS,
    NER_TAGS,
    QUOTE_TAGS,
    build_dataset,
    build_if_stale,
    cmd_publish,
    document_from_row,
    document_row,
    folder_files,
    folder_problems,
    line_rows,
    merge_stats,
    parquet_path,
    read_built_documents,
    token_row,
    unaligned_spans,
)

from newslayers import DATASET_VERSION
from newslayers.errors import UserError
from newslayers.jsonl import ContractError, dumps_document, gold_hash
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span
from newslayers.schema import SYNTHETIC_SPLITS as SPLITS
from newslayers.tokens import bio_to_spans, tokenize

LOADER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import datasets
    from newslayers.corpus.hf import CONFIGS, FEATURES, documents_from_rows
    from newslayers.jsonl import dumps_document

    datasets.disable_progress_bars()
    folder, gold_path = sys.argv[1], sys.argv[2]
    report = {"offline": datasets.config.HF_DATASETS_OFFLINE, "rows": {}, "features": {}}
    for config in CONFIGS:
        loaded = datasets.load_dataset(folder, config)
        report["rows"][config] = {split: loaded[split].num_rows for split in loaded}
        report["features"][config] = all(loaded[s].features == FEATURES[config] for s in loaded)
    gold = dict(
        (json.loads(line)["id"], line) for line in Path(gold_path).read_text(encoding="utf-8").splitlines()
    )
    pages = datasets.load_dataset(folder)  # the default config
    back = [doc for split in pages.values() for doc in documents_from_rows(split)]
    report["round_trip"] = sorted(d.id for d in back if dumps_document(d) != gold.get(d.id))
    report["documents"] = len(back)
    print(json.dumps(report))
    """
)


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return load_corpus()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, docs: list[Document]) -> Path:
    """One build in a fresh folder laid out like a checkout: ROOT/dist/newslayers."""
    root = tmp_path_factory.mktemp("hf")
    (root / "gold.jsonl").write_text("".join(dumps_document(d) + "\n" for d in docs), encoding="utf-8")
    return build_dataset(root / "dist" / "newslayers", docs)


def _offline_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING_FACE"))}
    return {**env, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(home)}


def _expected_rows(docs: list[Document]) -> dict[str, dict[str, int]]:
    per_split = Counter(d.split for d in docs)
    lines = Counter()
    for doc in docs:
        lines[doc.split] += len(line_rows(doc))
    pages = {s: per_split[s] for s in SPLITS}
    return {"documents": pages, "tokens": pages, "lines": {s: lines[s] for s in SPLITS}}


def test_load_dataset_offline_in_a_new_process(built: Path, docs: list[Document]) -> None:
    root = built.parent.parent
    done = subprocess.run(
        [sys.executable, "-c", LOADER, str(built), str(root / "gold.jsonl")],
        capture_output=True,
        text=True,
        env=_offline_env(root / "hf-home"),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["offline"] is True
    assert report["rows"] == _expected_rows(docs)
    assert report["features"] == dict.fromkeys(CONFIGS, True)
    assert report["documents"] == len(docs)
    assert report["round_trip"] == []


def test_card_example_runs_offline(built: Path) -> None:
    card = (built / "README.md").read_text(encoding="utf-8")
    example = card.split("```python\n", 1)[1].split("```", 1)[0]
    root = built.parent.parent
    done = subprocess.run(
        [sys.executable, "-c", example],
        capture_output=True,
        text=True,
        cwd=root,
        env=_offline_env(root / "hf-home-example"),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "of test lines are boilerplate" in done.stdout


def test_two_builds_give_identical_bytes(built: Path, docs: list[Document], tmp_path: Path) -> None:
    again = build_dataset(tmp_path / "again", docs)
    files = folder_files(built)
    assert files == folder_files(again)
    assert {str(p) for p in files} >= {"README.md", BUILD_FILE, *(parquet_path(c, s) for c in CONFIGS for s in SPLITS)}
    for name in files:
        assert (built / name).read_bytes() == (again / name).read_bytes(), name


def test_documents_config_round_trips_to_the_gold_jsonl(built: Path, docs: list[Document]) -> None:
    gold = {d.id: dumps_document(d) for d in docs}
    back = list(read_built_documents(built))
    assert [d.id for _, d in back] == [d.id for d in docs]
    assert all(dumps_document(d) == gold[d.id] and d.split == split for split, d in back)


def test_round_trip_keeps_nulls_floats_and_names() -> None:
    text = "Oslo said 3.5% of 1,200 people, about 4.2 billion, left.\r\nComments\r\n"
    doc = Document(
        id="x-1",
        text=text,
        html=None,
        url=None,
        source="test",
        split="test",
        entities=[Entity(0, 4, "GPE")],
        numeric_claims=[
            NumericClaim(10, 14, 3.5, "exact", "percent"),
            NumericClaim(18, 30, 1200, "range", "count", 1250.5),
            NumericClaim(32, 49, None, "approximate", None),
        ],
        quotes=[Quote(5, 55, "indirect", Span(0, 4), None), Quote(10, 20, "mixed", None, Span(5, 9))],
        boilerplate=[Boilerplate(58, 66, "comments")],
        meta={
            "synthetic": True,
            "topic": None,
            "register": None,
            "layout": "x",
            "newline": "crlf",
            "corpus_version": "0",
        },
    )
    row = document_row(doc)
    assert dumps_document(document_from_row(row)) == dumps_document(doc)
    named = json.loads(json.dumps(row))
    named["entities"][0]["label"] = "GPE"  # names are accepted as well as ClassLabel ids
    assert dumps_document(document_from_row(named)) == dumps_document(doc)


def test_tokens_and_lines_rows_use_the_project_tokenizer() -> None:
    text = "Menu\r\nMaria Silva said: “Lisbon wins.”\r\n\r\n© 2026 Site\r\n"
    doc = Document(
        id="x-2",
        text=text,
        split="train",
        entities=[Entity(6, 17, "PERSON"), Entity(25, 31, "GPE")],
        numeric_claims=[],
        quotes=[Quote(24, 38, "direct", Span(6, 17), Span(18, 22))],
        boilerplate=[Boilerplate(0, 4, "navigation"), Boilerplate(42, 53, "footer")],
        meta={"layout": "x"},
    )
    row = token_row(doc)
    assert row["tokens"][:3] == ["Menu", "Maria", "Silva"]
    assert [text[s:e] for s, e in zip(row["token_starts"], row["token_ends"], strict=True)] == row["tokens"]
    assert [NER_TAGS[t] for t in row["ner_tags"][:4]] == ["O", "B-PERSON", "I-PERSON", "O"]
    assert QUOTE_TAGS[row["quote_tags"][row["tokens"].index("“")]] == "B-direct"
    lines = line_rows(doc)
    assert [(r["line"], text[r["start"] : r["end"]], LINE_KINDS[r["kind"]]) for r in lines] == [
        (0, "Menu", "navigation"),
        (1, "Maria Silva said: “Lisbon wins.”", "content"),
        (3, "© 2026 Site", "footer"),
    ]
    assert [r["is_boilerplate"] for r in lines] == [True, False, True]


def _gold_spans(doc: Document) -> dict[str, set[tuple[int, int, str]]]:
    return {
        "entities": {(e.start, e.end, e.label) for e in doc.entities or []},
        "numeric_claims": {(n.start, n.end, "CLAIM") for n in doc.numeric_claims or []},
        "quotes": {(q.start, q.end, q.kind) for q in doc.quotes or []},
        "boilerplate": {(b.start, b.end, b.kind) for b in doc.boilerplate or []},
    }


def test_token_tags_decode_to_every_token_aligned_span(docs: list[Document]) -> None:
    columns = {"entities": ("ner_tags", NER_TAGS), "numeric_claims": ("claim_tags", CLAIM_TAGS)}
    columns |= {"quotes": ("quote_tags", QUOTE_TAGS), "boilerplate": ("boilerplate_tags", BOILERPLATE_TAGS)}
    unaligned: Counter[str] = Counter()
    for doc in docs:
        tokens = tokenize(doc.text or "")
        row = token_row(doc, tokens)
        skipped = unaligned_spans(doc, tokens)
        unaligned.update(skipped)
        for layer, (column, names) in columns.items():
            decoded = bio_to_spans(tokens, [names[i] for i in row[column]])
            assert len(_gold_spans(doc)[layer] - set(decoded)) == skipped[layer], (doc.id, layer)
    assert unaligned["entities"] < 0.1 * sum(len(d.entities) for d in docs)


def test_streamed_statistics_equal_corpus_stats(docs: list[Document]) -> None:
    merged: dict = {}
    for i in range(0, len(docs), 7):
        merged = merge_stats(merged, corpus_stats(docs[i : i + 7]))
    assert merged == corpus_stats(docs)


def test_card_declares_configs_features_version_and_hash(built: Path, docs: list[Document]) -> None:
    card = (built / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["license"] == "cc-by-4.0" and header["language"] == ["en"]
    assert "token-classification" in header["task_categories"] and header["pretty_name"]
    assert [c["config_name"] for c in header["configs"]] == list(CONFIGS)
    assert header["configs"][0]["default"] is True
    assert [i["config_name"] for i in header["dataset_info"]] == list(CONFIGS)
    assert DATASET_VERSION in card and gold_hash(docs) in card
    assert "annotation/GUIDELINES.md" in card
    agreement = "pending" if not (REPO / "corpus" / "agreement.json").exists() else "before adjudication"
    assert agreement in card
    record = json.loads((built / BUILD_FILE).read_text(encoding="utf-8"))
    assert record["content_hash"] == gold_hash(docs) and record["documents"] == len(docs)
    for split in SPLITS:
        split_hash = gold_hash([d for d in docs if d.split == split])
        assert record["split_hashes"][split] == split_hash and split_hash in card


def test_build_if_stale_rebuilds_only_when_needed(docs: list[Document], tmp_path: Path) -> None:
    folder = build_dataset(tmp_path / "ds", docs)
    assert build_if_stale(folder) is False
    record = json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))
    record["content_hash"] = "0" * 64
    (folder / BUILD_FILE).write_text(json.dumps(record), encoding="utf-8")
    assert build_if_stale(folder) is True
    assert build_if_stale(folder) is False
    (folder / parquet_path("lines", "test")).unlink()
    assert build_if_stale(folder) is True
    assert (folder / parquet_path("lines", "test")).exists()


def test_build_refuses_to_replace_a_foreign_folder(tmp_path: Path, docs: list[Document]) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="not a newslayers build"):
        build_dataset(tmp_path, docs)
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_build_needs_documents_in_id_order(tmp_path: Path, docs: list[Document]) -> None:
    with pytest.raises(UserError, match="ascending id order"):
        build_dataset(tmp_path / "ds", [docs[1], docs[0]])
    assert not (tmp_path / "ds").exists()


def _publish_args(folder: Path, dry_run: bool) -> argparse.Namespace:
    return argparse.Namespace(repo_id="newslayers/newslayers", dir=folder, dry_run=dry_run)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the test tried to reach the Hub")

    monkeypatch.setattr(huggingface_hub.HfApi, "create_repo", refuse)
    monkeypatch.setattr(huggingface_hub.HfApi, "upload_folder", refuse)


def test_publish_dry_run_lists_files_and_sizes(
    built: Path, capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    assert cmd_publish(_publish_args(built, dry_run=True)) == 0
    out = capsys.readouterr().out
    for name in folder_files(built):
        assert f"{(built / name).stat().st_size:,}  {name}" in out
    assert "dry run: would upload" in out and "huggingface.co/datasets/newslayers/newslayers" in out


def test_publish_without_a_token_fails_clearly(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    from huggingface_hub import constants

    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    with pytest.raises(UserError, match="no Hugging Face token"):
        cmd_publish(_publish_args(built, dry_run=False))


def test_publish_refuses_a_corpus_that_does_not_validate(
    docs: list[Document], tmp_path: Path, no_network: None
) -> None:
    bad = docs[0].sorted()
    inside = bad.boilerplate[0]
    bad.entities = sorted([*bad.entities, Entity(inside.start, inside.start + 1, "ORG")])
    folder = build_dataset(tmp_path / "bad", [bad, *docs[1:]])
    problems = [str(p) for p in folder_problems(folder)]
    assert any("lies inside boilerplate" in p for p in problems)
    with pytest.raises(ContractError):
        cmd_publish(_publish_args(folder, dry_run=True))


def test_command_line_build_then_dry_run(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "newslayers"
    done = run_cli("build", "--out", str(out), env=_offline_env(tmp_path / "hf-home"))
    assert done.returncode == 0, done.stderr
    assert "content hash" in done.stdout and (out / "README.md").exists()
    done = run_cli("publish", "--repo-id", "org/name", "--dir", str(out), "--dry-run", env=_offline_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "dry run: would upload" in done.stdout
    done = run_cli("publish", "--repo-id", "not-a-repo-id", "--dir", str(out), "--dry-run")
    assert done.returncode == 1 and "ORG/NAME" in done.stderr
