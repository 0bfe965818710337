"""Scoring predictions written as shards (``newslayers evaluate --predictions DIR_OR_GLOB``).

Each shard is scored on its own against the gold documents it names, with the same checks
and counts as :func:`newslayers.benchmarks.harness.score_file`; the driver adds the shards'
integer counts and puts their per-document headline rows in place. The result is exactly
the run of ``score_file`` on the shards joined into one file (same totals, breakdowns and
bootstrap rows), while memory holds the gold's headline rows and one shard's result at a time.
Shards can be scored on a cluster: ``map_shards`` is any ``(fn, items, shared)`` mapper, such
as :func:`newslayers.corpus.scale.task_runner`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
from newslayers.benchmarks.harness import score_file

from newslayers.jsonl import ContractError, Problem, iter_raw_lines
from newslayers.layers import layer_names
from newslayers.model import Document
from newslayers.scoring import BATCH, BREAKDOWNS, RunScores, count_documents, headline_matrix

ShardMap = Callable[..., Iterator[tuple[int, Any]]]


@dataclass(slots=True)
class ShardScores:
    """One shard scored on its own: its counts, and the headline rows of its own documents."""

    path: str
    problems: list[Problem]
    warnings: list[str]
    layers: list[str]
    indices: np.ndarray  # gold positions of the shard's documents
    rows: dict[str, np.ndarray]  # per layer, one headline row per document, in ``indices`` order
    totals: dict[str, np.ndarray]
    groups: dict[tuple[str, str], dict[str, np.ndarray]]
    group_sizes: Counter[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class GoldIndex:
    """The gold and its id -> position map, built once and sent to each worker once."""

    gold: Sequence[Document]
    index: dict[str, int]
    with_breakdowns: bool

    @classmethod
    def of(cls, gold: Sequence[Document], with_breakdowns: bool) -> GoldIndex:
        return cls(gold, {g.id: i for i, g in enumerate(gold)}, with_breakdowns)


class _IdOnly(msgspec.Struct):
    id: Any = None


def _shard_gold(path: Path, shared: GoldIndex) -> list[int]:
    """Gold positions of the documents a shard names, in gold order (ids read alone, quickly)."""
    decoder = msgspec.json.Decoder(_IdOnly)
    found: set[int] = set()
    for _, raw in iter_raw_lines(path):
        try:
            doc_id = decoder.decode(raw).id
        except msgspec.DecodeError:
            continue  # score_file reports the line
        if isinstance(doc_id, str) and doc_id in shared.index:
            found.add(shared.index[doc_id])
    return sorted(found)


def score_shard(path: Path, shared: GoldIndex) -> ShardScores:
    """Score one shard against the gold documents it names: ``score_file`` on that part of the gold."""
    if _is_empty(path):
        return _unscored(path, [], [])
    positions = _shard_gold(path, shared)
    warnings: list[str] = []
    try:
        run = score_file(path, [shared.gold[i] for i in positions], warnings.append, shared.with_breakdowns)
    except ContractError as err:
        if _predicts_no_layer(err.problems):  # fine in a shard: other shards may predict layers
            return _unscored(path, warnings, [], positions, shared)
        return _unscored(path, warnings, err.problems)
    rows = {name: run.rows[name] for name in run.layers}
    indices = np.asarray(positions, dtype=np.int64)
    return ShardScores(
        str(path), [], warnings, list(run.layers), indices, rows, run.totals, run.groups, run.group_sizes
    )


def _predicts_no_layer(problems: list[Problem]) -> bool:
    return len(problems) == 1 and problems[0].line == 0 and problems[0].message.startswith("predicts no layer")


def _unscored(
    path: Path,
    warnings: list[str],
    problems: list[Problem],
    positions: Sequence[int] = (),
    shared: GoldIndex | None = None,
) -> ShardScores:
    """A shard that adds no counts: empty, broken (its problems), or predicting no layer at all."""
    sizes: Counter[tuple[str, str]] = Counter()
    if shared is not None and shared.with_breakdowns:
        sizes.update((group, key(shared.gold[i])) for i in positions for group, key in BREAKDOWNS.items())
    indices = np.asarray(positions, dtype=np.int64)
    return ShardScores(str(path), problems, warnings, [], indices, {}, {}, {}, sizes)


def _is_empty(path: Path) -> bool:
    """A shard without a document (a crawl shard that held no HTML page) predicts nothing."""
    try:
        return path.is_file() and next(iter_raw_lines(path), None) is None
    except (OSError, EOFError):
        return False


def _serial(fn: Callable[..., Any], items: Sequence[Any], shared: Any = None) -> Iterator[tuple[int, Any]]:
    for index, item in enumerate(items):
        yield index, fn(item, shared=shared)


def score_shards(
    paths: Sequence[Path],
    gold: Sequence[Document],
    warn: Callable[[str], None] | None = None,
    with_breakdowns: bool = False,
    map_shards: ShardMap = _serial,
) -> RunScores:
    """Score a set of predictions shards: the run ``score_file`` gives on the shards joined into one file."""
    run = RunScores([], size=len(gold), with_breakdowns=with_breakdowns)
    owner = np.full(len(gold), -1, dtype=np.int32)
    problems: list[Problem] = []
    for position, part in map_shards(score_shard, list(paths), shared=GoldIndex.of(gold, with_breakdowns)):
        if not isinstance(part, ShardScores):  # the engine could not run this shard at all
            problems.append(Problem(str(paths[position]), 0, "(file)", f"could not be scored: {part.error}"))
            continue
        for message in part.warnings:
            if warn:
                warn(message)
        problems.extend(part.problems)
        problems.extend(_claimed_twice(part, position, owner, paths, gold))
        if not problems:
            _merge(run, part, gold)
    if not problems and not run.layers:
        names = ", ".join(layer_names())
        problems.append(Problem(str(paths[0]), 0, "(file)", f"no shard predicts a layer: none of {names} appears"))
    if problems:
        raise ContractError(problems)
    missing = np.flatnonzero(owner < 0)
    run.missing = [gold[i].id for i in missing]
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH].tolist()
        run.add_batch(chunk, [gold[i] for i in chunk], [None] * len(chunk))
    return run


def _claimed_twice(
    part: ShardScores, position: int, owner: np.ndarray, paths: Sequence[Path], gold: Sequence[Document]
) -> list[Problem]:
    """A document predicted in two shards is a duplicate id, as it would be in one file."""
    taken = part.indices[owner[part.indices] >= 0]
    owner[part.indices[owner[part.indices] < 0]] = position
    return [Problem(part.path, 0, "id", f"duplicate id {gold[i].id!r} (also in {paths[owner[i]]})") for i in taken]


def _merge(run: RunScores, part: ShardScores, gold: Sequence[Document]) -> None:
    """Add a shard to the run; a layer only some shards predict counts as "predicted nothing" elsewhere."""
    order = {name: i for i, name in enumerate(layer_names())}
    for name in sorted(set(part.layers) - set(run.layers), key=order.__getitem__):
        run.layers.append(name)
        run.layers.sort(key=order.__getitem__)
        run.totals[name] = np.zeros_like(part.totals[name])
        run.rows[name] = np.zeros((run.size, 3), dtype=np.float64)
        _count_as_empty(run, gold, run.added, name)
    for name in run.layers:
        if name not in part.layers:
            _count_as_empty(run, gold, part.indices.tolist(), name)
            continue
        run.totals[name] += part.totals[name]
        run.rows[name][part.indices] = part.rows[name]
        for slot, per_layer in part.groups.items():
            if name in per_layer:
                _add_group(run, slot, name, per_layer[name])
    run.group_sizes.update(part.group_sizes)
    run.added.extend(part.indices.tolist())


def _count_as_empty(run: RunScores, gold: Sequence[Document], indices: Sequence[int], name: str) -> None:
    """The back-fill ``score_file`` does for a layer first seen late, done batch by batch."""
    for start in range(0, len(indices), BATCH):
        chunk = list(indices[start : start + BATCH])
        golds = [gold[i] for i in chunk]
        counts = count_documents(name, golds, [Document(id=g.id) for g in golds])
        run.totals[name] += counts.sum(axis=0)
        run.rows[name][np.asarray(chunk, dtype=np.int64)] = headline_matrix(name, counts)
        if run.with_breakdowns:
            for row, doc in enumerate(golds):
                for group, key in BREAKDOWNS.items():
                    _add_group(run, (group, key(doc)), name, counts[row])


def _add_group(run: RunScores, slot: tuple[str, str], name: str, counts: np.ndarray) -> None:
    group = run.groups.setdefault(slot, {})
    group[name] = group[name] + counts if name in group else counts.copy()
