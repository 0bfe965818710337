"""The ``sklearn`` system: linear models learned from the train split.

* boilerplate: a line classifier (content or boilerplate, then the kind) on layout-free
  line features and hashed words;
* entities: a token classifier over hand-made features, BIO decoding, content lines only;
* numeric claims and quotes: the rules' candidates, kept or dropped by a learned filter.

Everything is seeded and single-threaded, so two fits on the same data are identical.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Callable, Sequence
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
from sklearn.utils import murmurhash3_32

from newslayers.lines import line_kind
from newslayers.model import Boilerplate, Document, Entity, NumericClaim, Quote
from newslayers.progress import ProgressBar
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


_ENDS_SENTENCE = (".", "!", "?", "”", '"', "’", ")")  # what `[.!?”"’)]$` finds on a trimmed line
_QUOTE_MARKS = '“”"'
_SEPARATORS = "|·•›»"
_WORD = re.compile(r"\w+")


def _digits(text: str) -> int:
    """How many characters are digits (``str.isdigit``); ASCII lines, nearly all, are counted in C."""
    return sum(map(text.count, "0123456789")) if text.isascii() else sum(map(str.isdigit, text))


def line_features(lines: Sequence[Line]) -> list[dict[str, Any]]:
    """Features of each line that do not depend on one site's template."""
    if not lines:
        return []
    title = lines[0].text
    n = len(lines)
    words_of = [ln.text.split() for ln in lines]
    prose = [i for i, words in enumerate(words_of) if len(words) >= 12]
    first_prose, last_prose = (prose[0], prose[-1]) if prose else (0, n - 1)
    prose_set = set(prose)
    feats = []
    for i, (ln, words) in enumerate(zip(lines, words_of, strict=True)):
        text = ln.text
        f: dict[str, Any] = {
            "bias": 1.0,
            "rel_pos": i / n,
            "first": float(i == 0),
            "log_words": np.log1p(len(words)),
            "short": float(len(words) < 5),
            "long": float(len(words) >= 20),
            "ends_sentence": float(text.endswith(_ENDS_SENTENCE)),
            "digits": _digits(text) / max(len(text), 1),
            "caps_words": sum([w[:1].isupper() for w in words]) / max(len(words), 1),
            "in_title": float(i > 0 and len(text) > 10 and text in title),
            "before_prose": float(i < first_prose),
            "after_prose": float(i > last_prose),
            "near_prose": float(i - 1 in prose_set or i + 1 in prose_set),
            "byline": float(text.startswith("By ")),
            "dash_dateline": float("—" in text[:40]),
            "has_quote": float(any(mark in text for mark in _QUOTE_MARKS)),
            "separator": float(any(mark in text for mark in _SEPARATORS)),
        }
        kind = chrome_kind(text)
        if kind:
            f[f"chrome={kind}"] = 1.0
        feats.append(f)
    return feats


def _line_words(line: Line) -> list[str]:
    words = _WORD.findall(line.text.lower())
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
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[tuple[list[Boilerplate], list[Line]]]:
        """Every page's lines in one matrix: one model call per batch, not per page."""
        pages = [split_lines(text) for text in texts]
        flat = [ln for lines in pages for ln in lines]
        if not flat:
            return [([], []) for _ in texts]
        x = self._matrix(flat, [f for lines in pages for f in line_features(lines)])
        decisions = iter(zip(self.is_boiler.predict(x), self.kind.predict(x), strict=True))
        out = []
        for lines in pages:
            spans, content = [], []
            for ln, (boiler, kind) in zip(lines, decisions, strict=False):
                if boiler:
                    spans.append(Boilerplate(ln.start, ln.end, str(kind)))
                else:
                    content.append(ln)
            out.append((spans, content))
        return out


# ----------------------------------------------------------------------------- entities


def _word_feats(w: str) -> tuple[tuple[str, float], ...]:
    """Features of a word on its own (hashed once per word: see ``_TokenRows``)."""
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


_TOKEN_SPACE = 2**18


@lru_cache(maxsize=1_000_000)
def _column(feature: str) -> int:
    """The column FeatureHasher(alternate_sign=False) gives a feature name: the same matrix, hashed once."""
    h = murmurhash3_32(feature, seed=0, positive=False)
    return (2147483647 - (_TOKEN_SPACE - 1)) % _TOKEN_SPACE if h == -2147483648 else abs(h) % _TOKEN_SPACE


Items = tuple[tuple[int, ...], tuple[float, ...]]  # hashed columns and their values


def _items(features: dict[str, Any] | tuple[tuple[str, float], ...]) -> Items:
    pairs = [(name, value) for name, value in (features.items() if isinstance(features, dict) else features) if value]
    return tuple(_column(name) for name, _ in pairs), tuple(float(value) for _, value in pairs)


def _context_items(offset: int, w: str, tag: str) -> Items:
    f = {f"{offset}:lower={w.lower()}": 1, f"{offset}:title": w[:1].isupper(), f"{offset}:rule={tag}": 1}
    if w in _GAZ["title"]:
        f[f"{offset}:gaz=title"] = 1
    return _items(f)


@lru_cache(maxsize=4096)
def _own_items(tag: str, line_start: bool) -> Items:
    return _items({f"rule={tag}": 1, "line_start": line_start})


_OFFSETS = (-2, -1, 1, 2)
_EDGE = {offset: _items({f"{offset}:edge": 1}) for offset in _OFFSETS}
_PAIR_WIDTH = 3 + len(_OFFSETS)


class _TokenRows:
    """The hashed features of every token (word, shape, gazetteers, rules' tags, two words each side).

    Identical to FeatureHasher over one feature dict per token. A token's row is six
    segments: its word's, its own (rule tag, line start), and each neighbour's (or the page
    edge). Segments belong to (word, rule tag) pairs, which repeat across pages, so each is
    hashed once per process and a whole batch's rows are one numpy gather, not a Python loop.
    """

    LIMIT = 500_000  # distinct pairs kept before starting afresh, so memory stays bounded

    def __init__(self) -> None:
        self.lock = threading.Lock()  # a worker may predict in several threads; the registry grows in place
        self.clear()

    def clear(self) -> None:
        # Flat arrays, not lists of Python numbers: the same data, and nothing for the GC to walk.
        self.columns = array("i")
        self.values = array("d")
        self.seg_start = array("q")  # each segment's start in columns
        self.seg_len = array("q")
        self.word_segment: dict[str, int] = {}
        self.own_segment: dict[tuple[str, bool], int] = {}
        self.pair_of: dict[tuple[str, str], int] = {}
        self.pairs = array("q")  # per pair: word, own (not / at line start), neighbours at _OFFSETS
        self.edges = np.array([self._segment(_EDGE[offset]) for offset in _OFFSETS])
        self.arrays: tuple[np.ndarray, ...] | None = None

    def _segment(self, items: Items) -> int:
        self.seg_start.append(len(self.columns))
        self.seg_len.append(len(items[0]))
        self.columns.extend(items[0])
        self.values.extend(items[1])
        return len(self.seg_len) - 1

    def _pair(self, key: tuple[str, str]) -> int:
        if key not in self.pair_of:
            word, tag = key
            if word not in self.word_segment:
                self.word_segment[word] = self._segment(_items(_word_feats(word)))
            for line_start in (False, True):
                if (tag, line_start) not in self.own_segment:
                    self.own_segment[tag, line_start] = self._segment(_own_items(tag, line_start))
            self.pair_of[key] = len(self.pairs) // _PAIR_WIDTH
            self.pairs.extend([self.word_segment[word], self.own_segment[tag, False], self.own_segment[tag, True]])
            self.pairs.extend([self._segment(_context_items(offset, word, tag)) for offset in _OFFSETS])
            self.arrays = None
        return self.pair_of[key]

    def _ids(self, words: Sequence[str], tags: Sequence[str]) -> np.ndarray:
        if len(self.pair_of) > self.LIMIT:
            self.clear()
        get = self.pair_of.get
        ids = [get(key) for key in zip(words, tags, strict=True)]  # no key kept: nothing for the GC to scan
        for i in [i for i, found in enumerate(ids) if found is None]:
            ids[i] = self._pair((words[i], tags[i]))
        return np.array(ids, dtype=np.int64)

    def _tables(self) -> tuple[np.ndarray, ...]:
        if self.arrays is None:
            self.arrays = (
                np.array(self.pairs, dtype=np.int64).reshape(-1, _PAIR_WIDTH),
                *(np.array(a) for a in (self.seg_start, self.seg_len, self.columns, self.values)),
            )
        return self.arrays

    def matrix(self, words: list[str], tags: list[str], line_start: list[bool], sizes: list[int]) -> sparse.csr_matrix:
        """Rows for pages laid end to end (``sizes`` tokens each); neighbours stop at a page's edge."""
        n = len(words)
        if not n:
            return sparse.csr_matrix((0, _TOKEN_SPACE))
        with self.lock:
            ids = self._ids(words, tags)
            pairs, seg_start, seg_len, columns, values = self._tables()
        table = pairs[ids]
        counts = np.asarray(sizes, dtype=np.int64)
        pos = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
        size = np.repeat(counts, counts)
        segments = np.empty((n, 2 + len(_OFFSETS)), dtype=np.int64)
        segments[:, 0] = table[:, 0]
        segments[:, 1] = np.where(np.asarray(line_start, dtype=bool), table[:, 2], table[:, 1])
        for k, offset in enumerate(_OFFSETS):
            inside = (pos + offset >= 0) & (pos + offset < size)
            neighbour = table[np.clip(np.arange(n) + offset, 0, n - 1), 3 + k]
            segments[:, 2 + k] = np.where(inside, neighbour, self.edges[k])
        lengths = seg_len[segments.ravel()]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths.reshape(n, -1).sum(axis=1), out=indptr[1:])
        # Each output position's source: its segment's start in `columns`, plus how far into it.
        shift = np.repeat(seg_start[segments.ravel()] - (np.cumsum(lengths) - lengths), lengths)
        source = np.arange(int(indptr[-1])) + shift
        matrix = sparse.csr_matrix((values[source], columns[source], indptr.astype(np.int32)), shape=(n, _TOKEN_SPACE))
        matrix.sum_duplicates()
        return matrix


_ROWS = _TokenRows()


def _content_tokens(text: str, content: Sequence[Line]) -> list[Token]:
    return [t for ln in content for t in tokenize(text, ln.start, ln.end)]


# A page's tokens as words, starts and ends: a batch keeps these, not ~100k Token objects that
# would all survive into the oldest GC generation and make each full collection longer.
Page = tuple[list[str], list[int], list[int]]


def _tokens(page: Page) -> list[Token]:
    return [Token(w, s, e) for w, s, e in zip(*page, strict=True)]


def _entity_spans(page: Page, tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """The page's spans from predicted BIO tags: ``bio_to_spans`` after an I- that does not
    continue its label is made a B-, on the tagged tokens only.

    Only about one token in ten is tagged, so the O tokens are never made into Token objects
    or walked in Python. Leaving them out changes nothing: an I- after an O (a gap between
    tagged tokens) becomes B- as it would in the full sequence, and after that fix every I-
    follows a token of its own label, so an O only ends a span that the next B- ends anyway.
    """
    words, starts, ends = page
    tagged = [i for i, tag in enumerate(tags) if tag != "O"]
    fixed, prev, prev_at = [], "O", -2
    for i in tagged:
        tag = tags[i]
        if tag.startswith("I-") and (prev if prev_at == i - 1 else "O")[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        fixed.append(tag)
        prev, prev_at = tag, i
    return bio_to_spans([Token(words[i], starts[i], ends[i]) for i in tagged], fixed)


class _EntityModel:
    def __init__(self) -> None:
        # Hashed features, not a vocabulary: transforming ~10k tokens a second stays cheap.
        self.model = LinearSVC(C=0.1, random_state=SEED, max_iter=5000)

    def _pages(self, texts: Sequence[str], contents: Sequence[Sequence[Line]]) -> tuple[list[Page], sparse.csr_matrix]:
        """Each page's content tokens, and one matrix of all their rows, page after page."""
        pages, tags, line_start = [], [], []
        for text, content in zip(texts, contents, strict=True):
            tokens, starts = _content_tokens(text, content), {ln.start for ln in content}
            rule_spans = [(e.start, e.end, e.label) for e in find_entities(text, content)]
            pages.append(([t.text for t in tokens], [t.start for t in tokens], [t.end for t in tokens]))
            tags += spans_to_bio(tokens, rule_spans)
            line_start += [t.start in starts for t in tokens]
        words = [w for page in pages for w in page[0]]
        return pages, _ROWS.matrix(words, tags, line_start, [len(page[0]) for page in pages])

    def fit(self, docs: Sequence[Document], content_of: dict[str, list[Line]]) -> None:
        pages, x = self._pages([doc.text or "" for doc in docs], [content_of[doc.id] for doc in docs])
        tags = []
        for doc, page in zip(docs, pages, strict=True):
            tags += spans_to_bio(_tokens(page), [(e.start, e.end, e.label) for e in doc.entities or []])
        self.model.fit(_csr32(x), tags)

    def predict(self, text: str, content: Sequence[Line]) -> list[Entity]:
        return self.predict_many([text], [content])[0]

    def predict_many(self, texts: Sequence[str], contents: Sequence[Sequence[Line]]) -> list[list[Entity]]:
        """All pages' tokens through the classifier at once; BIO decoding stays per page."""
        pages, x = self._pages(texts, contents)
        if not x.shape[0]:
            return [[] for _ in texts]
        tags = self.model.predict(_csr32(x)).tolist()
        out, at = [], 0
        for page in pages:
            page_tags = tags[at : at + len(page[0])]
            at += len(page[0])
            out.append([Entity(s, e, label) for s, e, label in _entity_spans(page, page_tags)])
        return out


# ----------------------------------------------------------------------------- candidate filters


def _context(text: str, start: int, end: int) -> dict[str, Any]:
    before = _WORD.findall(text[max(0, start - 30) : start].lower())[-2:]
    after = _WORD.findall(text[end : end + 30].lower())[:2]
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
    version = "0.2.0"
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
        with ProgressBar("training sklearn: lines, entities, claim and quote filters", total=4) as bar:
            self.lines.fit(docs)
            content_of = {
                d.id: content
                for d, (_, content) in zip(docs, self.lines.predict_many([d.text or "" for d in docs]), strict=True)
            }
            bar.update(1)
            self.entities.fit(docs, content_of)
            bar.update(1)
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
            bar.update(1)
            self.quotes.fit(quote_x, quote_y)
            bar.update(1)
        self.fitted = True
        return self

    def predict(self, documents: Sequence[Document]) -> list[Document]:
        """The batch goes through each model in one call (per-call overhead dominates small pages)."""
        if not self.fitted:
            raise RuntimeError("the sklearn system must be fitted on the train split first")
        texts = [doc.text or "" for doc in documents]
        lines = self.lines.predict_many(texts)
        contents = [content for _, content in lines]
        entities = self.entities.predict_many(texts, contents)
        claims = [predict_numeric(text, content) for text, content in zip(texts, contents, strict=True)]
        claims = _kept(self.claims, claims, texts, _claim_feats)
        quotes = [predict_quotes(text, content) for text, content in zip(texts, contents, strict=True)]
        quotes = _kept(self.quotes, quotes, texts, _quote_feats)
        return [
            Document(id=doc.id, entities=ents, numeric_claims=c, quotes=q, boilerplate=boiler).sorted()
            for doc, (boiler, _), ents, c, q in zip(documents, lines, entities, claims, quotes, strict=True)
        ]


def _kept(
    model: _Filter, candidates: list[list[Any]], texts: Sequence[str], features: Callable[[str, Any], dict[str, Any]]
) -> list[list[Any]]:
    """Each page's candidates that the filter keeps, decided for the whole batch in one call."""
    keep = iter(model.keep([features(text, c) for text, page in zip(texts, candidates, strict=True) for c in page]))
    return [[c for c in page if next(keep)] for page in candidates]
