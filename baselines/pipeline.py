"""The ``pipeline`` system: for each layer, the registered system that scores best on validation.

Nothing is hand-picked. At fit time every other built-in system that is installed is made
ready, run on the selection split (``real_validation`` when the real pages are materialised,
else ``validation``; never a test split) through :func:`newslayers.systems.run_system`, and
scored with the core scorer. For each content layer a second candidate is scored too: the
same system with its spans inside the chosen boilerplate dropped (entities, claims and
quotes live in article content only). The best candidate per layer wins (scores compared as
recorded, to four decimals), ties going to the earlier system in the registry; the choice
and every candidate's score are kept on the system (``choice``, ``selection_scores``) and
written into its description, which the leaderboard's results files record.

A score on the selection pages means something only if the fit behind it never saw those
pages, and ``real_validation`` is training data too. So a learned candidate is
cross-validated over the selection pages: they are dealt into ``SELECTION_FOLDS`` folds (by
sorted id), and each fold is predicted by a fit on all the training pages except that fold's
(the train split and the other folds). Every selection page is thus scored by a fit that never
saw it but that did see real pages, as the shipped fit does; only the chosen learned components
are then fitted on all the training data, as every learned system is. When the selection pages
are not training pages (the ``validation`` split), there are no folds: one fit on the training
pages predicts them all. Release 0.2.0 scored each learned candidate from one fit on the train split alone, which
saw no real page and so under-rated what a candidate learns from them (``dom-boilerplate``
91.1 from that fit, 96.5 cross-validated, and trafilatura was chosen over it); two folds cost
one more training per learned candidate than that. Every fit goes through
:func:`~newslayers.baselines.registry.fit_cached`, whose key covers code and data, so the
fold fits and the final fits are reused by later runs, the final ones also by the
leaderboard's own runs of those systems.
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
SELECTION_FOLDS = 2


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


def held_out(train: Sequence[Document], pages: Sequence[Document]) -> list[Document]:
    """The training pages a fit may see when it scores ``pages``: none of those pages."""
    held = {d.id for d in pages}
    return [d for d in train if d.id not in held]


def selection_folds(selection: Sequence[Document], folds: int = SELECTION_FOLDS) -> list[list[Document]]:
    """The selection pages dealt into folds by sorted id: the same folds on every run."""
    ordered = sorted(selection, key=lambda d: d.id)
    return [fold for fold in (ordered[i::folds] for i in range(folds)) if fold]


def scoring_folds(train: Sequence[Document], selection: Sequence[Document]) -> list[list[Document]]:
    """The folds a learned candidate is scored on: folds of the selection pages when they are
    training pages too (real_validation is), else all of them at once (one fit never saw them)."""
    trained_on = {d.id for d in train}
    return selection_folds(selection) if any(d.id in trained_on for d in selection) else [list(selection)]


def _score(gold: Sequence[Document], predictions: dict[str, Document], layer: str) -> float:
    return headline(aggregate(score_run(gold, predictions, [layer], with_breakdowns=False)), layer)


def _splits(docs: Sequence[Document]) -> str:
    return " + ".join(sorted({str(d.split) for d in docs})) or "no documents"


class PipelineSystem:
    """Per layer the best registered component on the selection split, chosen from scores."""

    name = NAME
    version = "0.3.0"
    description = "per layer the best registered system on real_validation (else validation), chosen at fit time"
    selects_components = True

    def __init__(self) -> None:
        self.layers = tuple(layer_names())
        self.selection_split = "validation"
        self.choice: dict[str, Choice] = {}
        self.selection_scores: dict[str, dict[str, float]] = {}
        self.selection_fits: dict[str, str] = {}
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
        with ProgressBar("pipeline: fitting the chosen components", total=len(chosen)) as bar:
            for name in sorted(chosen):
                self.components[name], _ = fit_cached(get_system(name), train)
                bar.update(1)
        self.description = self._describe(len(scoring_folds(train, selection)))
        return self

    def _describe(self, folds: int) -> str:
        """The choice and every candidate's score, for the results files (percent, best first)."""
        parts = []
        for layer, choice in self.choice.items():
            ranked = sorted(self.selection_scores[layer].items(), key=lambda kv: -kv[1])
            scores = ", ".join(f"{label} {100 * score:.1f}" for label, score in ranked)
            parts.append(f"{layer} = {choice.label()} ({100 * choice.score:.1f}; candidates: {scores})")
        return (
            f"per layer the best on {self.selection_split}, learned candidates "
            + (
                f"cross-validated over {folds} folds of it (each fold scored by a fit that never saw it)"
                if folds > 1
                else "scored from a fit on the training pages without the selection pages"
            )
            + ", the chosen ones then fitted on all training data: "
            + "; ".join(parts)
        )

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
        """A candidate's predictions on the selection pages, each from a fit that never saw it.

        A learned candidate is cross-validated over folds of the selection pages (fits through
        the cache); a system that does not learn is run as it is.
        """
        system = get_system(name)
        layers = [layer for layer in self.layers if layer in system.layers]
        if not hasattr(system, "fit"):
            self.selection_fits[name] = "no training"
            run = run_system(system, list(selection))
            return (None if run.invalid else run.predictions), layers
        folds = scoring_folds(train, selection)
        predictions: list[Document] = []
        sizes: list[str] = []
        for fold in folds:
            base = held_out(train, fold)
            if not base:
                raise SystemUnavailable("no training pages outside the selection pages to score it from")
            fitted, _ = fit_cached(get_system(name), base)
            run = run_system(fitted, fold)
            if run.invalid:
                return None, layers
            predictions += run.predictions
            sizes.append(str(len(base)))
        how = f"{len(folds)} folds of the selection pages, " if len(folds) > 1 else ""
        self.selection_fits[name] = f"{how}fitted on {' / '.join(sizes)} pages ({_splits(held_out(train, folds[0]))})"
        return predictions, layers

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
                    score = round(_score(gold, preds, layer), 4)  # the recorded score is the compared one
                    candidate = Choice(name, inside, score)
                    scores[candidate.label()] = score
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
