"""The ``pipeline`` system: for each layer, the registered system that scores best on validation.

Nothing is hand-picked. At fit time every other built-in system that is installed is made
ready, run on the selection split (``real_validation`` when the real pages are materialised,
else ``validation``; never a test split) through :func:`newslayers.systems.run_system`, and
scored with the core scorer. For each content layer a second candidate is scored too: the
same system with its spans inside the chosen boilerplate dropped (entities, claims and
quotes live in article content only). The best candidate per layer wins, ties going to the
earlier system in the registry; the choice and every candidate's score are kept on the
system (``choice``, ``selection_scores``) and written into its description, which the
leaderboard's results files record.

Components scored on the selection split never saw the page they predict: without
``real_validation`` in the training data they are trained on the train split; with it, a
learned component is cross-validated over the selection pages (trained on the train split
and the other folds). The chosen learned components are then trained on all the training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newslayers.baselines.registry import BUILTIN, fit_cached, get_system

from newslayers.layers import content_layers, layer_names
from newslayers.model import Document
from newslayers.progress import ProgressBar
from newslayers.scoring import aggregate, headline, score_run
from newslayers.systems import SystemUnavailable, run_system

NAME = "pipeline"
FOLDS = 3  # cross-validation folds over selection pages that are also training pages


@dataclass(frozen=True, slots=True)
class Choice:
    """Which system predicts a layer, and whether its spans are kept to the chosen content."""

    system: str
    inside_content: bool
    score: float

    def label(self) -> str:
        return f"{self.system}{' in content' if self.inside_content else ''}"


def outside_boilerplate(spans: Sequence[Any], boilerplate: Sequence[Any]) -> list[Any]:
    """Spans that neither start nor end inside a boilerplate span."""
    bounds = sorted((b.start, b.end) for b in boilerplate)

    def inside(offset: int) -> bool:
        return any(start <= offset < end for start, end in bounds)

    return [s for s in spans if not inside(s.start) and not inside(s.end - 1)]


def _score(gold: Sequence[Document], predictions: dict[str, Document], layer: str) -> float:
    return headline(aggregate(score_run(gold, predictions, [layer], with_breakdowns=False)), layer)


class PipelineSystem:
    """Per layer the best registered component on the selection split, chosen from scores."""

    name = NAME
    version = "0.1.0"
    description = "per layer the best registered system on real_validation (else validation), chosen at fit time"
    selects_components = True

    def __init__(self) -> None:
        self.layers = tuple(layer_names())
        self.selection_split = "validation"
        self.choice: dict[str, Choice] = {}
        self.selection_scores: dict[str, dict[str, float]] = {}
        self.unavailable: dict[str, str] = {}
        self.components: dict[str, Any] = {}

    def candidates(self) -> list[str]:
        return [name for name in BUILTIN if name != NAME]

    def cache_salt(self) -> str:
        """Which candidates are installed changes the choice, so it is part of the cache key."""
        found = []
        for name in self.candidates():
            try:
                system = get_system(name)
            except SystemUnavailable:
                continue
            found.append(f"{name}={system.version}")
        return ",".join(found)

    # -------------------------------------------------------------------- choosing

    def fit(self, train: Sequence[Document], selection: Sequence[Document]) -> PipelineSystem:
        if not selection:
            raise ValueError("the pipeline needs a non-empty selection split")
        runs = self._run_candidates(train, selection)
        self._choose(runs, selection)
        chosen = {c.system for c in self.choice.values()}
        for name in sorted(chosen):
            self.components[name], _ = fit_cached(get_system(name), train)
        self.description = (
            "per layer the best on "
            + self.selection_split
            + ": "
            + "; ".join(f"{layer} = {c.label()} ({100 * c.score:.1f})" for layer, c in self.choice.items())
        )
        return self

    def _run_candidates(
        self, train: Sequence[Document], selection: Sequence[Document]
    ) -> dict[str, dict[str, Document]]:
        runs: dict[str, dict[str, Document]] = {}
        names = self.candidates()
        with ProgressBar("pipeline: scoring candidates", total=len(names)) as bar:
            for name in names:
                bar.update(1)
                try:
                    predictions, layers = self._selection_predictions(name, train, selection)
                except SystemUnavailable as err:
                    self.unavailable[name] = str(err)
                    continue
                if predictions is None:
                    self.unavailable[name] = "its output broke the contract on the selection split"
                    continue
                runs[name] = {p.id: p.copy(**{k: None for k in p.layers if k not in layers}) for p in predictions}
        return runs

    def _selection_predictions(
        self, name: str, train: Sequence[Document], selection: Sequence[Document]
    ) -> tuple[list[Document] | None, list[str]]:
        """A candidate's predictions on the selection pages, never from a fit that saw the page.

        When the selection pages are training pages too (``real_validation``), a learned
        candidate is cross-validated: trained on the train split and the other folds of the
        selection pages, it predicts each fold in turn.
        """
        held = {d.id for d in selection}
        base = [d for d in train if d.id not in held]
        shared = sorted((d for d in train if d.id in held), key=lambda d: d.id)
        system = get_system(name)
        layers = [layer for layer in self.layers if layer in system.layers]
        learns = hasattr(system, "fit")
        folds = [shared[k::FOLDS] for k in range(FOLDS)] if learns and shared else [[]]
        out: list[Document] = []
        for fold in folds:
            fold_ids = {d.id for d in fold}
            fitted, _ = fit_cached(get_system(name), base + [d for d in shared if d.id not in fold_ids])
            pages = [d for d in selection if d.id in fold_ids] if fold else list(selection)
            run = run_system(fitted, pages)
            if run.invalid:
                return None, layers
            out += run.predictions
        return out, layers

    def _choose(self, runs: dict[str, dict[str, Document]], gold: Sequence[Document]) -> None:
        boiler = "boilerplate" if "boilerplate" in self.layers else None
        ordered = [layer for layer in self.layers if layer == boiler] + [name for name in self.layers if name != boiler]
        for layer in ordered:
            scores: dict[str, float] = {}
            best: Choice | None = None
            for name, predictions in runs.items():
                if not any(p.layer(layer) is not None for p in predictions.values()):
                    continue
                variants = [(False, predictions)]
                if layer in content_layers() and boiler in self.choice:
                    variants.append((True, self._in_content(predictions, runs[self.choice[boiler].system], layer)))
                for inside, preds in variants:
                    score = _score(gold, preds, layer)
                    candidate = Choice(name, inside, score)
                    scores[candidate.label()] = round(score, 4)
                    if best is None or score > best.score:
                        best = candidate
            if best is not None:
                self.choice[layer] = best
                self.selection_scores[layer] = scores

    @staticmethod
    def _in_content(predictions: dict[str, Document], boiler: dict[str, Document], layer: str) -> dict[str, Document]:
        out = {}
        for doc_id, pred in predictions.items():
            spans = pred.layer(layer) or []
            boilerplate = boiler[doc_id].boilerplate or [] if doc_id in boiler else []
            out[doc_id] = pred.copy(**{layer: outside_boilerplate(spans, boilerplate)})
        return out

    # -------------------------------------------------------------------- predicting

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        if not self.choice:
            raise RuntimeError("the pipeline must choose its components (fit) first")
        outputs = {name: {p.id: p for p in system.predict(documents)} for name, system in self.components.items()}
        boiler = self.choice.get("boilerplate")
        out = []
        for doc in documents:
            layers: dict[str, list[Any] | None] = {}
            boilerplate = outputs[boiler.system][doc.id].boilerplate or [] if boiler else []
            for layer, choice in self.choice.items():
                spans = outputs[choice.system][doc.id].layer(layer) or []
                layers[layer] = outside_boilerplate(spans, boilerplate) if choice.inside_content else list(spans)
            out.append(Document(id=doc.id, layers=layers))
        return out

    # -------------------------------------------------------------------- pickling (the fit cache)

    def __getstate__(self) -> dict[str, Any]:
        """Learned components are kept; the others are made again (some hold library modules)."""
        state = dict(self.__dict__)
        state["components"] = {n: (s if hasattr(s, "fit") else None) for n, s in self.components.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.components = {n: s if s is not None else get_system(n) for n, s in self.components.items()}
