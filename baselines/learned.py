"""The ``sklearn`` system: linear models learned from the train split.

* boilerplate: a line classifier (content or boilerplate, then the kind) on layout-free
  line features and hashed words;
* entities: a token classifier over hand-made features, BIO decoding, content lines only;
* numeric claims and quotes: the rules' candidates, kept or dropped by a learned filter.

Everything is seeded and single-threaded, so two fits on the same data are identical.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from newslayers.baselines import gazetteers as gz
from newslayers.baselines.rules import (
    Line,
    chrome_kind,
    find_entities,
    predict_numeric,
    predict_quotes,
    split_lines,
)
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer, FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from newslayers.lines import line_kind
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote
from newslayers.tokens import Token, bio_to_spans, spans_to_bio, tokenize

SEED = 13
_RUNS = re.compile(r"(.)\1{2,}")
_GAZ = {
    "gpe": set(gz.COUNTRIES) | set(gz.CITIES) | {w for g in gz.MULTIWORD_GPE for w in g.split()},
    "norp": set(gz.NATIONALITIES),
    "loc": set(gz.LOCATIONS) | set(gz.LOC_WORDS),
    "org": set(gz.ORG_WORDS) | set(gz.ORGANISATIONS),
    "fac": set(gz.FAC_WORDS),
    "title": set(gz.TITLES),
    "event": set(gz.EVENT_WORDS),
    "law": set(gz.LAW_WORDS),
    "sent": set(gz.SENTENCE_WORDS),
}


# ----------------------------------------------------------------------------- boilerplate lines


def _csr32(matrix: Any) -> sparse.csr_matrix:
    """CSR with 32-bit indices: liblinear and lbfgs refuse the int64 ones scipy may build."""
    matrix = sparse.csr_matrix(matrix)
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    return matrix


@lru_cache(maxsize=100_000)
def _shape(word: str) -> str:
    """'Kyiv' -> 'Xxx', 'G7' -> 'Xd', '1,200' -> 'd,dd': runs longer than two shortened."""
    shape = "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c for c in word)
    return _RUNS.sub(r"\1\1", shape)


def line_features(lines: Sequence[Line]) -> list[dict[str, Any]]:
    """Features of each line that do not depend on one site's template."""
    if not lines:
        return []
    title = lines[0].text
    n = len(lines)
    prose = [i for i, ln in enumerate(lines) if len(ln.text.split()) >= 12]
    first_prose, last_prose = (prose[0], prose[-1]) if prose else (0, n - 1)
    feats = []
    for i, ln in enumerate(lines):
        text = ln.text
        words = text.split()
        f: dict[str, Any] = {
            "bias": 1.0,
            "rel_pos": i / n,
            "first": float(i == 0),
            "log_words": np.log1p(len(words)),
            "short": float(len(words) < 5),
            "long": float(len(words) >= 20),
            "ends_sentence": float(bool(re.search(r"[.!?”\"’)]$", text))),
            "digits": sum(c.isdigit() for c in text) / max(len(text), 1),
            "caps_words": sum(w[:1].isupper() for w in words) / max(len(words), 1),
            "in_title": float(i > 0 and len(text) > 10 and text in title),
            "before_prose": float(i < first_prose),
            "after_prose": float(i > last_prose),
            "near_prose": float(any(abs(i - p) == 1 for p in prose)),
            "byline": float(text.startswith("By ")),
            "dash_dateline": float("—" in text[:40]),
            "has_quote": float(bool(re.search(r"[“”\"]", text))),
            "separator": float(bool(re.search(r"[|·•›»]", text))),
        }
        kind = chrome_kind(text)
        if kind:
            f[f"chrome={kind}"] = 1.0
        feats.append(f)
    return feats


def _line_words(line: Line) -> list[str]:
    words = re.findall(r"\w+", line.text.lower())
    return [f"w={w}" for w in words[:40]] + [f"first={words[0]}" if words else "first="]


class _LineModel:
    def __init__(self) -> None:
        self.vectorizer = FeatureHasher(n_features=2**12, input_type="dict", alternate_sign=False)
        self.hasher = FeatureHasher(n_features=2**16, input_type="string", alternate_sign=False)
        self.is_boiler = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
        self.kind = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)

    def _matrix(self, lines: list[Line], feats: list[dict[str, Any]]) -> sparse.csr_matrix:
        dense = self.vectorizer.transform(feats)
        return _csr32(sparse.hstack([dense, self.hasher.transform(_line_words(ln) for ln in lines)]))

    def fit(self, docs: Sequence[Document]) -> None:
        lines, feats, is_boiler, kinds = [], [], [], []
        for doc in docs:
            doc_lines = split_lines(doc.text or "")
            lines += doc_lines
            feats += line_features(doc_lines)
            spans = [(b.start, b.end, b.kind) for b in doc.boilerplate or []]
            for ln in doc_lines:
                kind = line_kind(doc.text or "", ln, spans)
                is_boiler.append(kind is not None)
                kinds.append(kind or "")
        x = self._matrix(lines, feats)
        self.is_boiler.fit(x, is_boiler)
        mask = np.array(is_boiler)
        self.kind.fit(x[mask], np.array(kinds)[mask])

    def predict(self, text: str) -> tuple[list[Boilerplate], list[Line]]:
        lines = split_lines(text)
        if not lines:
            return [], []
        x = self._matrix(lines, line_features(lines))
        boiler = self.is_boiler.predict(x)
        kinds = self.kind.predict(x)
        spans = [Boilerplate(ln.start, ln.end, str(k)) for ln, b, k in zip(lines, boiler, kinds, strict=True) if b]
        content = [ln for ln, b in zip(lines, boiler, strict=True) if not b]
        return spans, content


# ----------------------------------------------------------------------------- entities


@lru_cache(maxsize=200_000)
def _word_feats(w: str) -> tuple[tuple[str, float], ...]:
    """Features of a word on its own; words repeat, so they are computed once."""
    f: dict[str, float] = {
        "bias": 1,
        "lower=" + w.lower(): 1,
        "shape=" + _shape(w): 1,
        "suf3=" + w[-3:].lower(): 1,
        "pre3=" + w[:3].lower(): 1,
        "title": float(w[:1].isupper()),
        "upper": float(w.isupper() and len(w) > 1),
        "digit": float(any(c.isdigit() for c in w)),
    }
    for name, words in _GAZ.items():
        if w in words:
            f["gaz=" + name] = 1
    return tuple(f.items())


def _token_feats(tokens: Sequence[Token], rule_tags: Sequence[str], line_starts: set[int]) -> list[dict[str, Any]]:
    feats = []
    for i, t in enumerate(tokens):
        f: dict[str, Any] = dict(_word_feats(t.text))
        f["line_start"] = t.start in line_starts
        f["rule=" + rule_tags[i]] = 1
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(tokens):
                o = tokens[j].text
                f[f"{offset}:lower={o.lower()}"] = 1
                f[f"{offset}:title"] = o[:1].isupper()
                f[f"{offset}:rule={rule_tags[j]}"] = 1
                if o in _GAZ["title"]:
                    f[f"{offset}:gaz=title"] = 1
            else:
                f[f"{offset}:edge"] = 1
        feats.append(f)
    return feats


def _content_tokens(text: str, content: Sequence[Line]) -> tuple[list[Token], set[int]]:
    tokens: list[Token] = []
    for ln in content:
        tokens += [Token(t.text, t.start + ln.start, t.end + ln.start) for t in tokenize(ln.text)]
    return tokens, {ln.start for ln in content}


def _fix_bio(tags: Sequence[str]) -> list[str]:
    """An I- tag that does not continue its label starts a span instead."""
    fixed, prev = [], "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        fixed.append(tag)
        prev = tag
    return fixed


class _EntityModel:
    def __init__(self) -> None:
        # Hashing, not a vocabulary: transforming ~10k tokens a second stays cheap.
        self.vectorizer = FeatureHasher(n_features=2**18, input_type="dict", alternate_sign=False)
        self.model = LinearSVC(C=0.1, random_state=SEED, max_iter=5000)

    def _feats(self, text: str, content: Sequence[Line]) -> tuple[list[Token], list[dict[str, Any]]]:
        tokens, starts = _content_tokens(text, content)
        rule_spans = [(e.start, e.end, e.label) for e in find_entities(text, content)]
        return tokens, _token_feats(tokens, spans_to_bio(tokens, rule_spans), starts)

    def fit(self, docs: Sequence[Document], content_of: dict[str, list[Line]]) -> None:
        feats, tags = [], []
        for doc in docs:
            tokens, f = self._feats(doc.text or "", content_of[doc.id])
            feats += f
            tags += spans_to_bio(tokens, [(e.start, e.end, e.label) for e in doc.entities or []])
        self.model.fit(_csr32(self.vectorizer.transform(feats)), tags)

    def predict(self, text: str, content: Sequence[Line]) -> list[Entity]:
        tokens, feats = self._feats(text, content)
        if not tokens:
            return []
        tags = _fix_bio(list(self.model.predict(_csr32(self.vectorizer.transform(feats)))))
        return [Entity(s, e, label) for s, e, label in bio_to_spans(tokens, tags)]


# ----------------------------------------------------------------------------- candidate filters


def _context(text: str, start: int, end: int) -> dict[str, Any]:
    before = re.findall(r"\w+", text[max(0, start - 30) : start].lower())[-2:]
    after = re.findall(r"\w+", text[end : end + 30].lower())[:2]
    f: dict[str, Any] = {f"b{i}={w}": 1 for i, w in enumerate(before)}
    f.update({f"a{i}={w}": 1 for i, w in enumerate(after)})
    f["log_len"] = np.log1p(end - start)
    f["in_quote"] = text.count("“", max(0, start - 300), start) > text.count("”", max(0, start - 300), start)
    return f


def _claim_feats(text: str, c: NumericClaim) -> dict[str, Any]:
    f = _context(text, c.start, c.end)
    f.update({"q=" + c.qualifier: 1, "u=" + str(c.unit): 1, "words=" + str(len(text[c.start : c.end].split())): 1})
    if c.value is not None:
        f["log_value"] = np.log10(abs(c.value) + 1)
        f["small_int"] = float(c.value == int(c.value) and c.value < 32)
    return f


def _quote_feats(text: str, q: Quote) -> dict[str, Any]:
    f = _context(text, q.start, q.end)
    f.update({"kind=" + q.kind: 1, "speaker": q.speaker is not None, "cue": q.cue is not None})
    if q.cue is not None:
        f["cue=" + text[q.cue.start : q.cue.end].lower()] = 1
    return f


class _Filter:
    """Keeps a candidate span when a classifier says gold has exactly that span."""

    def __init__(self) -> None:
        self.vectorizer = DictVectorizer()
        self.model = LogisticRegression(C=0.5, max_iter=2000, random_state=SEED)
        self.trivial: bool | None = None
        self.threshold = 0.3

    def fit(self, feats: list[dict[str, Any]], labels: list[bool]) -> None:
        if len(set(labels)) < 2:
            self.trivial = bool(labels[0]) if labels else True
            return
        self.model.fit(_csr32(self.vectorizer.fit_transform(feats)), labels)

    def keep(self, feats: list[dict[str, Any]]) -> list[bool]:
        if not feats:
            return []
        if self.trivial is not None:
            return [self.trivial] * len(feats)
        # Drop a candidate only when the model is fairly sure gold has no such span.
        proba = self.model.predict_proba(_csr32(self.vectorizer.transform(feats)))[
            :, list(self.model.classes_).index(True)
        ]
        return [bool(p >= self.threshold) for p in proba]


# ----------------------------------------------------------------------------- system


class SklearnSystem:
    """Linear models over hand-made features, trained on the train split only."""

    name = "sklearn"
    version = "0.1.0"
    layers = ("entities", "numeric_claims", "quotes", "boilerplate")
    description = "scikit-learn: line classifier, token classifier (BIO), learned candidate filters"

    def __init__(self) -> None:
        self.lines = _LineModel()
        self.entities = _EntityModel()
        self.claims = _Filter()
        self.quotes = _Filter()
        self.fitted = False

    def fit(self, documents: Sequence[Document]) -> SklearnSystem:
        docs = [d for d in documents if d.text]
        self.lines.fit(docs)
        content_of = {d.id: self.lines.predict(d.text or "")[1] for d in docs}
        self.entities.fit(docs, content_of)
        claim_x, claim_y, quote_x, quote_y = [], [], [], []
        for doc in docs:
            text = doc.text or ""
            gold_claims = {(c.start, c.end) for c in doc.numeric_claims or []}
            for c in predict_numeric(text, content_of[doc.id]):
                claim_x.append(_claim_feats(text, c))
                claim_y.append((c.start, c.end) in gold_claims)
            gold_quotes = {(q.start, q.end) for q in doc.quotes or []}
            for q in predict_quotes(text, content_of[doc.id]):
                quote_x.append(_quote_feats(text, q))
                quote_y.append((q.start, q.end) in gold_quotes)
        self.claims.fit(claim_x, claim_y)
        self.quotes.fit(quote_x, quote_y)
        self.fitted = True
        return self

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        if not self.fitted:
            raise RuntimeError("the sklearn system must be fitted on the train split first")
        return [self._predict_one(doc) for doc in documents]

    def _predict_one(self, doc: Document) -> Document:
        text = doc.text or ""
        boilerplate, content = self.lines.predict(text)
        claims = predict_numeric(text, content)
        claims = [
            c for c, k in zip(claims, self.claims.keep([_claim_feats(text, c) for c in claims]), strict=True) if k
        ]
        quotes = predict_quotes(text, content)
        quotes = [
            q for q, k in zip(quotes, self.quotes.keep([_quote_feats(text, q) for q in quotes]), strict=True) if k
        ]
        return Document(
            id=doc.id,
            entities=self.entities.predict(text, content),
            numeric_claims=claims,
            quotes=quotes,
            boilerplate=boilerplate,
        ).sorted()
