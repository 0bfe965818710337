"""The learned baselines of issue 14 (spacy-ner, dom-boilerplate, pipeline) and the fast parsers.

Real libraries throughout (spaCy, scikit-learn, trafilatura), trained on a few pages of the
train split so that the file runs in well under a minute; full training is measured by
``python -m newslayers.benchmarks.bench_baselines``.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from newslayers.baselines import numbers
from newslayers.baselines.dom import DomBoilerplateSystem, page_blocks
from newslayers.baselines.pipeline import PipelineSystem, outside_boilerplate
from newslayers.baselines.registry import fit_cached, prepared_system, selection_documents, training_documents
from newslayers.baselines.rules import RulesSystem
from newslayers.corpus import load_corpus

from newslayers.errors import UserError
from newslayers.htmltext import html_to_text, parse_html, text_blocks
from newslayers.layers import layer_names
from newslayers.model import Boilerplate, Document, Entity
from newslayers.systems import run_system


@pytest.fixture(autouse=True)
def _temporary_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLAYERS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NEWSLAYERS_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


def _few(split: str, n: int) -> list[Document]:
    return load_corpus(split)[:n]


# ----------------------------------------------------------------------------- the shared HTML walk


def test_text_blocks_are_the_lines_of_html_to_text() -> None:
    html = (
        "<html><head><title>Harbour news</title></head><body><nav><a href='#'>Home</a> <a href='#'>Port</a></nav>"
        "<article><h1>Cranes return</h1><p>The <b>new</b> cranes arrived on Monday.</p>text after</article>"
        "<div hidden>secret</div><footer>© Harbour Ledger</footer></body></html>"
    )
    blocks = text_blocks(parse_html(html))
    assert [b.text for b in blocks] == html_to_text(html).split("\n")
    tags = [b.element.tag for b in blocks]
    assert tags == ["title", "nav", "h1", "p", "article", "footer"]


def test_dom_blocks_line_up_with_every_corpus_text() -> None:
    for doc in load_corpus("validation"):
        blocks = page_blocks(doc)
        assert [doc.text[b.start : b.end] for b in blocks] == [b.text for b in blocks]
        assert len(blocks) == len([line for line in doc.text.splitlines() if line.strip()])


# ----------------------------------------------------------------------------- dom-boilerplate


@pytest.fixture(scope="module")
def dom_system() -> DomBoilerplateSystem:
    pytest.importorskip("trafilatura")
    return DomBoilerplateSystem().fit(_few("train", 6))


def test_dom_boilerplate_predicts_lines_with_kinds(dom_system: DomBoilerplateSystem) -> None:
    gold = _few("validation", 3)
    run = run_system(dom_system, gold)
    assert not run.failures and not run.invalid
    assert dom_system.columns.any() and not dom_system.trained_on_real
    for doc, pred in zip(gold, run.predictions, strict=True):
        lines = {(b.start, b.end) for b in page_blocks(doc)}
        assert pred.boilerplate and all((b.start, b.end) in lines for b in pred.boilerplate)
        covered = sum(b.end - b.start for b in pred.boilerplate)
        assert 0 < covered < len(doc.text)
    kinds = {b.kind for p in run.predictions for b in p.boilerplate}
    assert "page_title" in kinds and len(kinds) > 2


def test_dom_boilerplate_without_html_falls_back_to_lines(dom_system: DomBoilerplateSystem) -> None:
    page = Document(
        id="plain", text="Menu\nSearch\nThe council approved the harbour budget on Tuesday after a long debate."
    )
    (pred,) = dom_system.predict([page])
    assert all(0 <= b.start < b.end <= len(page.text) for b in pred.boilerplate)


def test_dom_boilerplate_round_trips_through_the_cache(dom_system: DomBoilerplateSystem) -> None:
    again = pickle.loads(pickle.dumps(dom_system))
    docs = _few("validation", 2)
    assert again.predict(docs) == dom_system.predict(docs)


# ----------------------------------------------------------------------------- spacy-ner


def test_spacy_ner_fine_tunes_and_caches(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    from newslayers.baselines.spacy_ner import SpacyNerSystem, content_lines

    train = _few("train", 4)
    system, cached = fit_cached(SpacyNerSystem(max_steps=6), train)
    assert not cached and system.steps >= 6
    again, cached = fit_cached(SpacyNerSystem(max_steps=6), train)
    assert cached
    docs = _few("validation", 2)
    predictions = again.predict(docs)
    assert predictions == system.predict(docs)
    for doc, pred in zip(docs, predictions, strict=True):
        assert pred.entities and all(isinstance(e, Entity) for e in pred.entities)
        assert all(doc.text[e.start : e.end].strip() == doc.text[e.start : e.end] for e in pred.entities)
    assert content_lines(docs[0]) and all(line.text for line in content_lines(docs[0]))


def test_spacy_ner_out_of_the_box_needs_no_training() -> None:
    pytest.importorskip("spacy")
    from newslayers.baselines.spacy_ner import SpacyNerSystem

    shipped = SpacyNerSystem(fine_tune=False)
    (pred,) = shipped.predict([Document(id="d", text="Angela Merkel met Emmanuel Macron in Berlin on Monday.")])
    assert {e.label for e in pred.entities} >= {"PERSON", "GPE"}


# ----------------------------------------------------------------------------- pipeline and the registry


class _Loader:
    """A split loader that records what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, split: str) -> list[Document]:
        self.asked.append(split)
        if split.startswith("real"):
            raise UserError("real pages not materialised")
        return _few(split, 5)


def test_learned_systems_never_see_a_test_split() -> None:
    loader = _Loader()
    train = training_documents(lambda: _few("train", 3), loader)
    split, selection = selection_documents(loader)
    assert {d.split for d in train} == {"train"} and split == "validation" and len(selection) == 5
    assert not any("test" in asked for asked in loader.asked)
    with pytest.raises(UserError):
        selection_documents(None)


class _QuickPipeline(PipelineSystem):
    """The pipeline over systems that need no training, so the test is quick."""

    def candidates(self) -> list[str]:
        return ["rules", "trafilatura", "justext"]


def test_pipeline_chooses_each_layer_from_scores() -> None:
    pipeline = _QuickPipeline()
    pipeline.fit(_few("train", 2), _few("validation", 6))
    for layer in layer_names():
        scores = pipeline.selection_scores[layer]
        assert pipeline.choice[layer].label() == max(scores, key=lambda k: (scores[k], -list(scores).index(k)))
        assert layer in pipeline.description
    preds = run_system(pipeline, _few("validation", 2))
    assert not preds.failures and not preds.invalid
    assert all(p.layer(layer) is not None for p in preds.predictions for layer in layer_names())
    restored = pickle.loads(pickle.dumps(pipeline))
    assert restored.predict(_few("validation", 2)) == pipeline.predict(_few("validation", 2))


def test_content_filter_drops_spans_in_boilerplate() -> None:
    spans = [Entity(0, 4, "GPE"), Entity(10, 14, "ORG"), Entity(20, 25, "PERSON")]
    kept = outside_boilerplate(spans, [Boilerplate(8, 18, "navigation")])
    assert kept == [spans[0], spans[2]]


def test_pipeline_is_registered_and_needs_a_selection_split() -> None:
    with pytest.raises(UserError, match="validation split"):
        prepared_system("pipeline", lambda: _few("train", 2))


def test_baseline_list_names_the_new_systems() -> None:
    result = run_cli("baseline", "--list")
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("spacy-ner", "dom-boilerplate", "pipeline"):
        assert name in result.stdout


# ----------------------------------------------------------------------------- parsers that must not fail


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 ,.-–$€£%¥₹abehinorstuvwxyz\u00a0\n'’\"“”:/()")), max_size=80))
def test_number_parser_never_raises_and_matches_the_full_scan(text: str) -> None:
    claims = numbers.find_claims(text)
    assert all(0 <= c.start < c.end <= len(text) for c in claims)
    assert [m.span() for m in numbers.claim_matches(text)] == [m.span() for m in numbers.CLAIM.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_rules_never_raise_on_any_text(text: str) -> None:
    (pred,) = RulesSystem().predict([Document(id="x", text=text)])
    assert all(0 <= s.start < s.end <= len(text) for s in pred.numeric_claims)
