"""The Hugging Face dataset folder: offline loading, exact round trip, reproducible bytes, the
real-page track, a folder the build can prove it made, staleness, publishing."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli
from huggingface_hub import DatasetCard
from newslayers.corpus import load_corpus
from newslayers.corpus.hf import (
    BUILD_FILE,
    CONFIGS,
    build_dataset,
    build_if_stale,
    build_splits,
    document_from_row,
    document_row,
    features,
    folder_files,
    folder_problems,
    line_rows,
    parquet_path,
    read_built_documents,
    stale_reason,
    token_row,
)
from newslayers.corpus.hf_build import shaping_files
from newslayers.corpus.hf_features import unaligned_spans
from newslayers.corpus.hf_publish import cmd_publish
from newslayers.corpus.realpages import ANNOTATION_PATHS, materialize
from newslayers.corpus.stats import corpus_stats, merge_stats

from newslayers import DATASET_VERSION
from newslayers.errors import UserError
from newslayers.jsonl import ContractError, dumps_document, gold_hash
from newslayers.layers import layer_specs
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote, Span
from newslayers.schema import REAL_SPLITS, SPLITS, SYNTHETIC_SPLITS
from newslayers.tokens import bio_to_spans, tokenize

LOADER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import datasets
    from newslayers.corpus.hf import CONFIGS, documents_from_rows, features
    from newslayers.jsonl import dumps_document

    datasets.disable_progress_bars()
    folder, gold_path = sys.argv[1], sys.argv[2]
    report = {"offline": datasets.config.HF_DATASETS_OFFLINE, "rows": {}, "features": {}}
    for config in CONFIGS:
        loaded = datasets.load_dataset(folder, config)
        report["rows"][config] = {split: loaded[split].num_rows for split in loaded}
        report["features"][config] = all(loaded[s].features == features(config) for s in loaded)
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


@pytest.fixture(scope="module", autouse=True)
def private_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Caches and the per-user data folder in tmp: a developer's materialised pages stay out."""
    root = tmp_path_factory.mktemp("env")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("HF_HOME", "NEWSLAYERS_CACHE", "NEWSLAYERS_DATA"):
            patch.setenv(name, str(root / name.lower()))
        yield root


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return load_corpus()


def _write_gold(path: Path, docs: list[Document]) -> Path:
    path.write_text("".join(dumps_document(d) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, docs: list[Document]) -> Path:
    """One build in a fresh folder laid out like a checkout: ROOT/dist/newslayers."""
    root = tmp_path_factory.mktemp("hf")
    _write_gold(root / "gold.jsonl", docs)
    return build_dataset(root / "dist" / "newslayers", docs)


REAL_PAGES = REPO.parent / "shared" / "realpages"


@pytest.fixture(scope="module")
def real_docs(private_folders: Path) -> list[Document]:
    """The real pages, re-created from ../shared/realpages and annotation A's stand-off file
    (into a data folder of their own, so the other tests still see no materialised pages)."""
    if not (REAL_PAGES / "ground-truth.json").exists():
        pytest.skip("../shared/realpages is not present")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSLAYERS_DATA", str(private_folders / "real-docs-data"))
        return sorted(materialize(REAL_PAGES, gold_path=ANNOTATION_PATHS["A"]), key=lambda d: d.id)


def _offline_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING_FACE"))}
    return {**env, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(home)}


def _expected_rows(docs: list[Document], splits: tuple[str, ...]) -> dict[str, dict[str, int]]:
    pages = Counter(d.split for d in docs)
    lines: Counter[str] = Counter()
    for doc in docs:
        lines[doc.split] += len(line_rows(doc))
    return {"documents": {s: pages[s] for s in splits}, "tokens": {s: pages[s] for s in splits}} | {
        "lines": {s: lines[s] for s in splits}
    }


def _load_in_new_process(folder: Path, gold: Path, home: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", LOADER, str(folder), str(gold)],
        capture_output=True,
        text=True,
        env=_offline_env(home),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _card_header(folder: Path) -> dict:
    return yaml.safe_load((folder / "README.md").read_text(encoding="utf-8").split("---\n")[1])


# ----------------------------------------------------------------------------- loading and bytes


def test_load_dataset_offline_in_a_new_process(built: Path, docs: list[Document]) -> None:
    root = built.parent.parent
    report = _load_in_new_process(built, root / "gold.jsonl", root / "hf-home")
    assert report["offline"] is True
    assert report["rows"] == _expected_rows(docs, SYNTHETIC_SPLITS)
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
    expected = {"README.md", BUILD_FILE, *(parquet_path(c, s) for c in CONFIGS for s in SYNTHETIC_SPLITS)}
    assert {p.as_posix() for p in files} == expected
    for name in files:
        assert (built / name).read_bytes() == (again / name).read_bytes(), name


# ----------------------------------------------------------------------------- rows and codecs


def test_documents_config_round_trips_to_the_gold_jsonl(built: Path, docs: list[Document]) -> None:
    gold = {d.id: dumps_document(d) for d in docs}
    back = list(read_built_documents(built))
    assert [d.id for _, d in back] == [d.id for d in docs]
    assert all(dumps_document(d) == gold[d.id] and d.split == split for split, d in back)


def test_round_trip_keeps_nulls_floats_names_and_real_page_meta() -> None:
    text = "Oslo said 3.5% of 1,200 people, about 4.2 billion, left.\r\nComments\r\n"
    doc = Document(
        id="x-1",
        text=text,
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
        meta={"synthetic": True, "topic": "economy", "layout": "x", "newline": "crlf", "corpus_version": "0"},
    )
    real = doc.copy(id="real-1", split="real_test", meta={"synthetic": False, "page": "ab12", "corpus_version": "0"})
    for item in (doc, real, doc.copy(quotes=None)):  # an absent layer stays absent
        row = document_row(item)
        assert dumps_document(document_from_row(row)) == dumps_document(item)
    named = json.loads(json.dumps(document_row(doc)))
    named["entities"][0]["label"] = "GPE"  # names are accepted as well as ClassLabel ids
    assert dumps_document(document_from_row(named)) == dumps_document(doc)


def test_tokens_and_lines_rows_use_the_project_tokenizer_and_line_rule() -> None:
    text = "Menu\r\nMaria Silva said: “Lisbon wins.”\r\n\r\n  © 2026 Site  \rLast\n"
    doc = Document(
        id="x-2",
        text=text,
        split="train",
        entities=[Entity(6, 17, "PERSON"), Entity(25, 31, "GPE")],
        numeric_claims=[],
        quotes=[Quote(24, 38, "direct", Span(6, 17), Span(18, 22))],
        boilerplate=[Boilerplate(0, 4, "navigation"), Boilerplate(44, 55, "footer")],
        meta={"layout": "x"},
    )
    row = token_row(doc)
    names = {column: features("tokens")[column].feature.names for column in ("ner_tags", "quote_tags")}
    assert row["tokens"][:3] == ["Menu", "Maria", "Silva"]
    assert [text[s:e] for s, e in zip(row["token_starts"], row["token_ends"], strict=True)] == row["tokens"]
    assert [names["ner_tags"][t] for t in row["ner_tags"][:4]] == ["O", "B-PERSON", "I-PERSON", "O"]
    assert names["quote_tags"][row["quote_tags"][row["tokens"].index("“")]] == "B-direct"
    kinds = features("lines")["kind"].names
    lines = line_rows(doc)
    assert [(r["line"], text[r["start"] : r["end"]], r["text"], kinds[r["kind"]]) for r in lines] == [
        (0, "Menu", "Menu", "navigation"),
        (1, "Maria Silva said: “Lisbon wins.”", "Maria Silva said: “Lisbon wins.”", "content"),
        (3, "© 2026 Site", "© 2026 Site", "footer"),  # trimmed; a lone \r ends the line
        (4, "Last", "Last", "content"),
    ]
    assert [r["is_boilerplate"] for r in lines] == [True, False, True, False]


def test_token_tags_decode_to_every_token_aligned_span(docs: list[Document]) -> None:
    unaligned: Counter[str] = Counter()
    for doc in docs:
        tokens = tokenize(doc.text or "")
        row = token_row(doc, tokens)
        skipped = unaligned_spans(doc, tokens)
        unaligned.update(skipped)
        for spec in layer_specs():
            names = spec.bio_tags()
            decoded = set(bio_to_spans(tokens, [names[i] for i in row[spec.tag_column]]))
            gold = {(s.start, s.end, spec.label_of(s)) for s in doc.layer(spec.name) or []}
            assert len(gold - decoded) == skipped[spec.name], (doc.id, spec.name)
    assert unaligned["entities"] < 0.1 * sum(len(d.entities) for d in docs)


def test_streamed_statistics_equal_corpus_stats(docs: list[Document]) -> None:
    merged: dict = {}
    for i in range(0, len(docs), 7):
        merged = merge_stats(merged, corpus_stats(docs[i : i + 7]))
    assert merged == corpus_stats(docs)


# ----------------------------------------------------------------------------- card


def test_card_declares_configs_features_version_hashes_and_both_tracks(built: Path, docs: list[Document]) -> None:
    card = (built / "README.md").read_text(encoding="utf-8")
    header = _card_header(built)
    assert DatasetCard.load(built / "README.md").data.license == "cc-by-4.0"
    assert header["license"] == "cc-by-4.0" and header["language"] == ["en"]
    assert "token-classification" in header["task_categories"] and header["pretty_name"]
    assert [c["config_name"] for c in header["configs"]] == list(CONFIGS)
    assert header["configs"][0]["default"] is True
    assert sorted(i["config_name"] for i in header["dataset_info"]) == sorted(CONFIGS)
    assert all([s["name"] for s in i["splits"]] == list(SYNTHETIC_SPLITS) for i in header["dataset_info"])
    assert DATASET_VERSION in card and gold_hash(docs) in card
    assert "annotation/GUIDELINES.md" in card and "## Two tracks" in card and "## The stand-off design" in card
    assert "newslayers real materialize" in card and "belong to their publishers" in card
    assert "This build** holds the synthetic splits only" in card
    agreement = "pending" if not (REPO / "corpus" / "agreement.json").exists() else "before adjudication"
    assert agreement in card
    record = json.loads((built / BUILD_FILE).read_text(encoding="utf-8"))
    assert record["content_hash"] == gold_hash(docs) and record["documents"] == len(docs)
    assert record["splits"] == list(SYNTHETIC_SPLITS)
    for split in SYNTHETIC_SPLITS:
        split_hash = gold_hash([d for d in docs if d.split == split])
        assert record["split_hashes"][split] == split_hash and split_hash in card


def test_card_tables_follow_the_registry(built: Path) -> None:
    card = (built / "README.md").read_text(encoding="utf-8")
    for spec in layer_specs():
        assert f"`{spec.tag_column}`" in card and f"{spec.name} spans" in card
        if spec.label_field:
            assert f"### `{spec.name}` by {spec.label_field}" in card
            assert all(f"| {label} " in card for label in spec.labels)


# ----------------------------------------------------------------------------- the real-page track


def test_real_splits_build_in_every_config_and_refuse_to_publish(
    real_docs: list[Document], docs: list[Document], tmp_path: Path
) -> None:
    everything = sorted([*docs, *real_docs], key=lambda d: d.id)
    folder = build_dataset(tmp_path / "dist" / "newslayers", everything, splits=SPLITS)
    report = _load_in_new_process(folder, _write_gold(tmp_path / "gold.jsonl", everything), tmp_path / "hf-home")
    assert report["rows"] == _expected_rows(everything, SPLITS)
    assert report["round_trip"] == [] and report["documents"] == len(everything)
    assert report["features"] == dict.fromkeys(CONFIGS, True)
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "This build** holds the real splits" in card and _card_header(folder)["license"] == "other"
    problems = [str(p) for p in folder_problems(folder)]
    assert any("publishers" in p for p in problems)


def test_the_build_gains_the_real_splits_once_materialised(
    real_docs: list[Document], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSLAYERS_DATA", str(tmp_path / "data"))
    assert build_splits() == SYNTHETIC_SPLITS  # nothing materialised here
    if not (REPO / "corpus" / "real" / "gold.jsonl").exists():
        pytest.skip("corpus/real/gold.jsonl (the adjudicated stand-off gold) is not there yet")
    folder = build_dataset(tmp_path / "ds")
    assert json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))["splits"] == list(SYNTHETIC_SPLITS)
    materialize(REAL_PAGES)
    assert build_splits() == SPLITS
    assert "splits" in (stale_reason(folder) or "")  # materialising makes the synthetic build stale
    assert build_if_stale(folder) is True
    assert json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))["splits"] == list(SPLITS)
    assert all((folder / parquet_path(c, s)).exists() for c in CONFIGS for s in REAL_SPLITS)
    assert stale_reason(folder) is None


# ----------------------------------------------------------------------------- staleness and ownership


def test_build_if_stale_rebuilds_only_when_needed(tmp_path: Path) -> None:
    folder = build_dataset(tmp_path / "ds")
    assert build_if_stale(folder) is False
    record = json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))
    for key in ("content_hash", "inputs_hash"):
        changed = {**record, key: "0" * 64}
        (folder / BUILD_FILE).write_text(json.dumps(changed), encoding="utf-8")
        assert stale_reason(folder) is not None
        assert build_if_stale(folder) is True
        assert build_if_stale(folder) is False
    (folder / parquet_path("lines", "test")).unlink()
    assert build_if_stale(folder) is True
    assert (folder / parquet_path("lines", "test")).exists()


def test_the_stale_check_covers_the_code_that_shapes_the_build() -> None:
    names = {f"{p.parent.name}/{p.name}" for p in shaping_files()}
    core = ("tokens", "model", "layers", "schema", "jsonl", "htmltext", "lines")
    assert {f"newslayers/{m}.py" for m in core} <= names
    hf = {"hf.py", "hf_fields.py", "hf_features.py", "hf_build.py", "hf_card.py", "hf_publish.py"}
    assert {f"corpus/{m}" for m in hf | {"hf_card_template.md", "__init__.py"}} <= names


def _refused(folder: Path) -> None:
    before = {p: (folder / p).read_bytes() for p in folder_files(folder)}
    with pytest.raises(UserError, match="not a newslayers build") as caught:
        build_dataset(folder, [])
    assert "\n" not in str(caught.value)
    assert {p: (folder / p).read_bytes() for p in folder_files(folder)} == before


def test_build_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    _refused(tmp_path)


def test_build_replaces_only_a_folder_it_can_prove_it_made(docs: list[Document], tmp_path: Path) -> None:
    few = docs[:3]
    folder = build_dataset(tmp_path / "ds", few)
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    _refused(folder)
    (folder / "notes.txt").unlink()
    (folder / "documents" / ".hidden").write_text("x", encoding="utf-8")
    _refused(folder)
    (folder / "documents" / ".hidden").unlink()
    (folder / "extra").mkdir()
    _refused(folder)
    (folder / "extra").rmdir()
    card = folder / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "my edit\n", encoding="utf-8")
    _refused(folder)
    build_dataset(tmp_path / "clean", few)
    card.write_bytes((tmp_path / "clean" / "README.md").read_bytes())
    (folder / parquet_path("tokens", "train")).unlink()  # a missing file of ours: nothing to lose
    build_dataset(folder, few)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean", "ds"]  # no leftovers beside it
    link = tmp_path / "link"
    link.symlink_to(folder)
    with pytest.raises(UserError, match="is a link"):
        build_dataset(link, few)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build_dataset(empty, few) == empty and (empty / BUILD_FILE).exists()


def test_build_needs_documents_in_id_order_and_known_splits(tmp_path: Path, docs: list[Document]) -> None:
    with pytest.raises(UserError, match="ascending id order"):
        build_dataset(tmp_path / "ds", [docs[1], docs[0]])
    with pytest.raises(UserError, match="not one of this build's splits"):
        build_dataset(tmp_path / "ds", [docs[0].copy(split="real_test")])
    assert not (tmp_path / "ds").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


# ----------------------------------------------------------------------------- publishing


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


def test_publish_refuses_files_the_build_did_not_make(built: Path, tmp_path: Path, docs: list[Document]) -> None:
    folder = build_dataset(tmp_path / "ds", docs)
    (folder / "draft.md").write_text("not ours", encoding="utf-8")
    assert any("draft.md is not listed" in str(p) for p in folder_problems(folder))


def test_command_line_build_then_dry_run(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "newslayers"  # the default folder, under $NEWSLAYERS_DIST
    env = _offline_env(tmp_path / "hf-home") | {"NEWSLAYERS_DATA": str(tmp_path / "data")}
    env["NEWSLAYERS_DIST"] = str(tmp_path / "dist")
    done = run_cli("build", "--synthetic-only", env=env)
    assert done.returncode == 0, done.stderr
    assert "content hash" in done.stdout and (out / "README.md").exists()
    done = run_cli("publish", "--repo-id", "org/name", "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    assert "dry run: would upload" in done.stdout
    done = run_cli("publish", "--repo-id", "not-a-repo-id", "--dir", str(out), "--dry-run", env=env)
    assert done.returncode == 1 and "ORG/NAME" in done.stderr
    (tmp_path / "mine.txt").write_text("x", encoding="utf-8")
    done = run_cli("build", "--out", str(tmp_path), env=env)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "not a newslayers build" in done.stderr
