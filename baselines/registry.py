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
from typing import Any, Protocol, runtime_checkable

from newslayers.jsonl import dumps_document
from newslayers.model import Document

ENTRY_POINT_GROUP = "newslayers.systems"


class SystemUnavailable(RuntimeError):
    """The system needs a library that is not installed (the message says which)."""


@runtime_checkable
class System(Protocol):
    name: str
    version: str
    layers: tuple[str, ...]
    description: str

    def predict(self, documents: Sequence[Document]) -> list[Document]: ...


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


def _plugins() -> dict[str, Callable[[], System]]:
    return {ep.name: ep.load for ep in entry_points(group=ENTRY_POINT_GROUP)}


def system_names() -> list[str]:
    """Built-in systems first (in their fixed order), then plug-ins by name."""
    plugins = sorted(n for n in _plugins() if n not in BUILTIN)
    return [*BUILTIN, *plugins]


def get_system(name: str) -> System:
    """Instantiate a system by name; KeyError for an unknown name."""
    factories = {**_plugins(), **BUILTIN}
    if name not in factories:
        raise KeyError(f"unknown system {name!r}; known: {', '.join(system_names())}")
    factory = factories[name]
    if name not in BUILTIN:
        factory = factory()  # an entry point loads to the factory itself
        system = factory() if callable(factory) and not isinstance(factory, System) else factory
    else:
        system = factory()
    if not isinstance(system, System):
        raise TypeError(f"system {name!r} does not have name, version, layers, description and predict()")
    return system


# ----------------------------------------------------------------------------- trained systems


def _training_key(system: Any, train: Sequence[Document]) -> str:
    """Name, version, the system's own source code and the training data: any change retrains."""
    digest = hashlib.sha256(f"{system.name}:{system.version}".encode())
    import newslayers.tokens

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
    """A system ready to predict, and how it got ready ("rules", "trained", "cached").

    ``train`` is called only for a system that learns, so rule systems cost nothing.
    """
    system = get_system(name)
    if not hasattr(system, "fit"):
        return system, "no training"
    fitted, cached = fit_cached(system, train())
    return fitted, "loaded cached model" if cached else "trained on the train split"
