"""A fifth layer registered in the registry alone flows through validate, evaluate, the HF
build (all three configs) and the Label Studio config, with no other module touched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from datasets import load_dataset
from newslayers.annotation.config import labeling_config
from newslayers.benchmarks.harness import score_file, scores_of
from newslayers.corpus import load_corpus
from newslayers.corpus.hf import build_dataset

from newslayers.jsonl import load_documents, validate_file, write_documents
from newslayers.layers import LayerSpec, layer_names, register_layer, unregister_layer
from newslayers.model import Offset, SpanBase

TONES = ("warm", "cold")


class Tone(SpanBase, frozen=True, order=True):
    """A toy layer: the tone of a stretch of article text."""

    start: Offset
    end: Offset
    tone: Literal[TONES]  # type: ignore[valid-type]


@pytest.fixture
def tone_layer() -> Iterator[LayerSpec]:
    spec = LayerSpec(
        name="tones",
        span_type=Tone,
        description="toy layer for the registry test",
        label_field="tone",
        labels=TONES,
        scoring="spans",
        headline=("strict", "f1"),
        tag_column="tone_tags",
    )
    register_layer(spec)
    try:
        yield spec
    finally:
        unregister_layer("tones")


def _with_tones() -> list:
    """Gold documents of every split, each with one tone span over its first entity (content)."""
    docs = load_corpus("train")[:3] + load_corpus("validation")[:2] + load_corpus("test")[:2]
    return [d.copy(tones=[Tone(d.entities[0].start, d.entities[0].end, "warm")]) for d in docs]


def test_a_toy_layer_is_validated_scored_built_and_annotated(tone_layer: LayerSpec, tmp_path: Path) -> None:
    assert "tones" in layer_names()
    docs = _with_tones()
    gold = tmp_path / "gold.jsonl"
    write_documents(gold, docs)
    assert '"tones":[{"start"' in gold.read_text(encoding="utf-8")
    valid, problems = validate_file(gold, "gold")
    assert valid == len(docs) and not problems

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": docs[0].id, "tones": [{"start": 0, "end": 4, "tone": "loud"}]}) + "\n")
    _, problems = validate_file(bad, "predictions")
    assert problems and problems[0].field == "tones[0].tone" and "warm cold" in problems[0].message

    preds = tmp_path / "pred.jsonl"
    preds.write_text(
        "".join(json.dumps({"id": d.id, "tones": [t.to_json() for t in d.layer("tones")]}) + "\n" for d in docs)
    )
    gold_docs = load_documents(gold, "gold")
    scores = scores_of(score_file(preds, gold_docs), gold_docs, with_breakdowns=False)
    assert list(k for k in scores if k != "dataset") == ["tones"]
    assert scores["tones"]["strict"]["f1"] == 1.0 and "warm" in scores["tones"]["per_label"]

    out = tmp_path / "dist"
    build_dataset(out, documents=sorted(docs, key=lambda d: d.id))
    pages = load_dataset(str(out), "documents", split="train")
    assert pages.features["tones"].feature["tone"].names == list(TONES)
    assert pages[0]["tones"][0]["start"] == docs[0].layer("tones")[0].start
    tokens = load_dataset(str(out), "tokens", split="train")
    assert "tone_tags" in tokens.column_names and "B-warm" in tokens.features["tone_tags"].feature.names
    lines = load_dataset(str(out), "lines", split="train")
    assert len(lines) > 0

    config = labeling_config()
    assert 'value="warm"' in config and 'value="cold"' in config
