"""The ``pipeline`` system's selection: honest (no fit that saw a selection page scores it) and cheap.

Two toy learned systems are registered for these tests. One memorises its training pages and
returns their gold entities, so it would win any selection scored from a fit that saw the
selection pages, and scores nothing otherwise. The other learns a list of entity names, which
carries over to unseen pages, so it wins honestly and is then fitted on all the training data.
Both log every fit and every prediction, which is what the tests check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from newslayers.baselines import registry
from newslayers.baselines.pipeline import PipelineSystem, held_out, selection_folds
from newslayers.corpus import load_corpus

from newslayers.layers import layer_names
from newslayers.model import Document, Entity
from newslayers.scoring import aggregate, headline, score_run
from newslayers.systems import run_system

MEMORISER = "toy-memoriser"
GAZETTEER = "toy-gazetteer"


@pytest.fixture(autouse=True)
def _fresh_cache_and_toys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache of this test's own (so every fit below is counted) and the toys registered."""
    monkeypatch.setenv("NEWSLAYERS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(registry.BUILTIN, MEMORISER, _Memoriser)
    monkeypatch.setitem(registry.BUILTIN, GAZETTEER, _Gazetteer)
    _Toy.fits.clear()
    _Toy.predictions.clear()


def _few(split: str, n: int) -> list[Document]:
    return load_corpus(split)[:n]


class _Toy:
    """What both toys share: they predict entities and log what they learned from and predicted."""

    version = "1"
    layers = ("entities",)
    description = "a toy learned system for the pipeline tests"
    fits: ClassVar[list[tuple[str, frozenset[str]]]] = []
    predictions: ClassVar[list[tuple[str, frozenset[str], frozenset[str]]]] = []
    name = "toy"

    def __init__(self) -> None:
        self.seen: frozenset[str] = frozenset()

    def fit(self, documents: Sequence[Document]) -> _Toy:
        self.seen = frozenset(d.id for d in documents)
        _Toy.fits.append((self.name, self.seen))
        self.learn(documents)
        return self

    def learn(self, documents: Sequence[Document]) -> None:
        raise NotImplementedError

    def entities(self, page: Document) -> list[Entity]:
        raise NotImplementedError

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        _Toy.predictions.append((self.name, self.seen, frozenset(d.id for d in documents)))
        return [Document(id=d.id, layers={"entities": self.entities(d)}) for d in documents]


class _Memoriser(_Toy):
    """Returns a page's gold entities when it trained on that exact text, else nothing."""

    name = MEMORISER

    def learn(self, documents: Sequence[Document]) -> None:
        self.memory = {d.text: list(d.entities or []) for d in documents}

    def entities(self, page: Document) -> list[Entity]:
        return list(self.memory.get(page.text, []))


class _Gazetteer(_Toy):
    """Tags every whole-word occurrence of an entity name it saw in training, longest names first."""

    name = GAZETTEER

    def learn(self, documents: Sequence[Document]) -> None:
        names = {(d.text or "")[e.start : e.end]: e.label for d in documents for e in d.entities or []}
        self.names = dict(sorted(names.items(), key=lambda kv: (-len(kv[0]), kv[0])))

    def entities(self, page: Document) -> list[Entity]:
        text, taken, out = page.text or "", set(), []
        for surface, label in self.names.items():
            for match in re.finditer(rf"\b{re.escape(surface)}\b", text):
                chars = set(range(*match.span()))
                if not chars & taken:
                    taken |= chars
                    out.append(Entity(match.start(), match.end(), label))
        return sorted(out)


class _ToyPipeline(PipelineSystem):
    """The pipeline over the rules and the two toys, so that the test is quick."""

    def candidates(self) -> list[str]:
        return ["rules", MEMORISER, GAZETTEER]


class _ToysOnly(PipelineSystem):
    """Entities only, from the two toys: the gazetteer is the honest winner."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = ("entities",)

    def candidates(self) -> list[str]:
        return [MEMORISER, GAZETTEER]


def _entity_f1(gold: Sequence[Document], system: object) -> float:
    run = run_system(system, list(gold))
    scores = score_run(gold, {p.id: p for p in run.predictions}, ["entities"], with_breakdowns=False)
    return headline(aggregate(scores), "entities")


def _split_like_the_real_track() -> tuple[list[Document], list[Document]]:
    """Training data that contains the selection pages, as train + real_validation does."""
    selection = _few("validation", 5)
    return _few("train", 6) + selection, selection


def _best(scores: dict[str, float]) -> str:
    """The highest score, ties to the earlier candidate (the registry's order)."""
    labels = list(scores)
    return max(labels, key=lambda k: (scores[k], -labels.index(k)))


def test_selection_never_uses_a_fit_that_saw_the_selection_pages() -> None:
    training, selection = _split_like_the_real_track()
    pipeline = _ToyPipeline().fit(training, selection)
    selection_ids = {d.id for d in selection}
    scored = [(name, seen, fold) for name, seen, fold in _Toy.predictions if fold <= selection_ids]
    assert {name for name, _, _ in scored} == {MEMORISER, GAZETTEER}
    for toy in (MEMORISER, GAZETTEER):  # every selection page scored once per toy ...
        folds = [fold for name, _, fold in scored if name == toy]
        assert sorted(i for fold in folds for i in fold) == sorted(selection_ids)
    assert all(not seen & fold for _, seen, fold in scored)  # ... by a fit that never saw it
    assert all(seen & selection_ids for _, seen, _ in scored)  # but that saw the other selection pages
    # the memoriser would have won from a fit that saw the pages; from an honest fit it scores nothing
    assert _entity_f1(selection, _Memoriser().fit(training)) == 1.0
    assert pipeline.selection_scores["entities"][MEMORISER] == 0.0
    assert pipeline.choice["entities"].system != MEMORISER
    assert set(pipeline.choice) == set(layer_names())
    run = run_system(pipeline, _few("test", 2))
    assert not run.failures and not run.invalid


def test_the_choice_follows_the_scores_and_the_winner_learns_from_everything() -> None:
    training, selection = _split_like_the_real_track()
    pipeline = _ToysOnly().fit(training, selection)
    folds = [frozenset(d.id for d in held_out(training, fold)) for fold in selection_folds(selection)]
    everything = frozenset(d.id for d in training)
    # one fit per fold and learned candidate to score it, and one more for the winner
    expected = [(toy, held) for toy in (MEMORISER, GAZETTEER) for held in folds] + [(GAZETTEER, everything)]
    assert len(folds) == 2 and sorted(_Toy.fits) == sorted(expected)
    assert pipeline.choice["entities"].system == GAZETTEER and pipeline.selection_scores["entities"][GAZETTEER] > 0
    assert pipeline.components[GAZETTEER].seen == everything
    sizes = " / ".join(str(len(held)) for held in folds)
    assert pipeline.selection_fits[MEMORISER].startswith(f"2 folds of the selection pages, fitted on {sizes} pages")
    (prediction,) = run_system(pipeline, _few("test", 1)).predictions
    assert prediction.entities is not None
    for chooser in (pipeline, _ToyPipeline().fit(training, selection)):
        for layer, scores in chooser.selection_scores.items():
            assert chooser.choice[layer].label() == _best(scores)
            assert all(f"{label} {100 * score:.1f}" in chooser.description for label, score in scores.items())


def test_a_second_selection_reuses_every_fit_from_the_cache() -> None:
    training, selection = _split_like_the_real_track()
    first = _ToyPipeline().fit(training, selection)
    fits = len(_Toy.fits)
    second = _ToyPipeline().fit(training, selection)
    assert len(_Toy.fits) == fits
    assert second.choice == first.choice and second.selection_scores == first.selection_scores


def test_selection_pages_that_are_not_training_pages_need_one_fit() -> None:
    training, selection = _few("train", 6), _few("validation", 5)
    pipeline = _ToysOnly().fit(training, selection)
    everything = frozenset(d.id for d in training)
    assert sorted(_Toy.fits) == sorted([(MEMORISER, everything), (GAZETTEER, everything)])
    assert "scored from a fit on the training pages without the selection pages" in pipeline.description


def test_a_one_page_selection_is_one_fold_and_says_so() -> None:
    training, selection = _split_like_the_real_track()
    pipeline = _ToysOnly().fit(training, selection[:1])
    held = frozenset(d.id for d in held_out(training, selection[:1]))
    assert (MEMORISER, held) in _Toy.fits and selection[0].id not in held
    assert "cross-validated" not in pipeline.description
    assert pipeline.selection_fits[MEMORISER] == f"fitted on {len(held)} pages (train + validation)"


def test_a_real_learned_candidate_is_scored_from_one_fit_per_fold() -> None:
    pytest.importorskip("trafilatura")
    training, selection = _few("train", 2), _few("validation", 2)
    predictions, _ = PipelineSystem()._selection_predictions("dom-boilerplate", training + selection, selection)
    assert sorted(p.id for p in predictions) == sorted(d.id for d in selection)
    assert len(list(Path(os.environ["NEWSLAYERS_CACHE"]).glob("dom-boilerplate-*.pkl"))) == 2
