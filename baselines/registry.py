"""The registry of systems that ``newslayers baseline`` and the leaderboard run.

A system is any object with ``name``, ``version``, ``layers``, ``description`` and a batch
``predict(documents) -> predictions``; a system that learns also has ``fit(documents)``.
Built-in systems are listed here; others register through the Python entry point group
``newslayers.systems`` (the entry point names a zero-argument factory returning a system).
An optional system whose library is missing raises :class:`SystemUnavailable`.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import pickle
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import newslayers.tokens
from newslayers.errors import UserError
from newslayers.jsonl import dumps_document
from newslayers.model import Document
from newslayers.systems import System, SystemUnavailable, check_name

ENTRY_POINT_GROUP = "newslayers.systems"


def _rules() -> System:
    from newslayers.baselines.rules import RulesSystem

    return RulesSystem()


def _sklearn() -> System:
    from newslayers.baselines.learned import SklearnSystem

    return SklearnSystem()


def _reference(name: str) -> Callable[[], System]:
    def factory() -> System:
        from newslayers.baselines import reference

        return reference.make(name)

    return factory


BUILTIN: dict[str, Callable[[], System]] = {
    "rules": _rules,
    "sklearn": _sklearn,
    "trafilatura": _reference("trafilatura"),
    "justext": _reference("justext"),
    "quantulum3": _reference("quantulum3"),
    "spacy": _reference("spacy"),
}


def plugin_problems() -> list[str]:
    """Plug-ins that are refused: names that are not file-safe or that take a built-in's name."""
    out = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in BUILTIN:
            out.append(f"plug-in {ep.name!r} ({ep.value}) is refused: it has the name of a built-in system")
        elif problem := check_name(ep.name, "plug-in"):
            out.append(f"{problem}; refused")
    return sorted(out)


def _plugins() -> dict[str, Callable[[], System]]:
    return {
        ep.name: ep.load
        for ep in entry_points(group=ENTRY_POINT_GROUP)
        if ep.name not in BUILTIN and check_name(ep.name, "plug-in") is None
    }


def system_names() -> list[str]:
    """Built-in systems first (in their fixed order), then plug-ins by name."""
    return [*BUILTIN, *sorted(_plugins())]


def get_system(name: str) -> System:
    """Instantiate a system by name; KeyError for an unknown name."""
    if name in BUILTIN:
        system = BUILTIN[name]()
    else:
        plugins = _plugins()
        if name not in plugins:
            raise KeyError(f"unknown system {name!r}; known: {', '.join(system_names())}")
        factory = plugins[name]()  # an entry point loads to the factory itself
        system = factory() if callable(factory) and not isinstance(factory, System) else factory
    if not isinstance(system, System):
        raise TypeError(f"system {name!r} does not have name, version, layers, description and predict()")
    return system


# ----------------------------------------------------------------------------- trained systems


def _training_key(system: Any, train: Sequence[Document]) -> str:
    """Name, version, the system's own source code and the training data: any change retrains."""
    digest = hashlib.sha256(f"{system.name}:{system.version}".encode())
    source = inspect.getsourcefile(type(system))
    code = {*Path(__file__).parent.glob("*.py"), Path(newslayers.tokens.__file__), *([Path(source)] if source else [])}
    for path in sorted(code):
        digest.update(path.read_bytes())
    for doc in sorted(train, key=lambda d: d.id):
        digest.update(dumps_document(doc).encode("utf-8"))
    return digest.hexdigest()[:20]


def cache_dir() -> Path:
    return Path(os.environ.get("NEWSLAYERS_CACHE", Path.home() / ".cache" / "newslayers"))


def fit_cached(system: Any, train: Sequence[Document]) -> tuple[Any, bool]:
    """Fit a learning system on train, or load the identical fit from the cache.

    The cache key is the system's name and version plus the hash of the training data, so
    a changed corpus or a new version retrains and nothing else does.
    """
    if not hasattr(system, "fit"):
        return system, False
    key = _training_key(system, train)
    path = cache_dir() / f"{system.name}-{key}.pkl"
    if path.exists():
        try:
            with path.open("rb") as handle:
                return pickle.load(handle), True
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            path.unlink(missing_ok=True)
    system.fit(list(train))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(system, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return system, False


def prepared_system(name: str, train: Callable[[], Sequence[Document]]) -> tuple[System, str]:
    """A system ready to predict, and how it got ready ("no training", "trained", "cached").

    ``train`` is called only for a system that learns, so rule systems cost nothing. This is
    the one place that turns a system that cannot be made ready into a one-line UserError.
    """
    try:
        system = get_system(name)
        if not hasattr(system, "fit"):
            return system, "no training"
        fitted, cached = fit_cached(system, train())
    except KeyError as err:
        raise UserError(str(err.args[0]) if err.args else str(err)) from None
    except SystemUnavailable as err:
        raise UserError(f"system {name} is not available: {err}") from None
    except TypeError as err:
        raise UserError(str(err)) from None
    return fitted, "loaded cached model" if cached else "trained on the train split"
