"""The registry of systems that ``newslayers baseline`` and the leaderboard run.

A system is any object with ``name``, ``version``, ``layers``, ``description`` and a batch
``predict(documents) -> predictions``; a system that learns also has ``fit(documents)``.
Built-in systems are listed here; others register through the Python entry point group
``newslayers.systems`` (the entry point names a zero-argument factory returning a system).
An optional system whose library is missing raises :class:`SystemUnavailable`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
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


def _spacy_ner() -> System:
    from newslayers.baselines.spacy_ner import SpacyNerSystem

    return SpacyNerSystem()


def _dom_boilerplate() -> System:
    from newslayers.baselines.dom import DomBoilerplateSystem

    return DomBoilerplateSystem()


def _pipeline() -> System:
    from newslayers.baselines.pipeline import PipelineSystem

    return PipelineSystem()


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
    "spacy-ner": _spacy_ner,
    "dom-boilerplate": _dom_boilerplate,
    "pipeline": _pipeline,
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

SplitLoader = Callable[[str], Sequence[Document]]
# Core modules whose behaviour a fit depends on, besides every file of this package.
_CORE_CODE = ("tokens", "htmltext", "align", "model", "layers", "schema", "scoring", "matching", "systems")
_LIBRARIES = ("scikit-learn", "numpy", "scipy", "spacy", "thinc", "trafilatura", "lxml")


def _code_files(system: Any) -> list[Path]:
    here = Path(__file__).parent
    core = Path(newslayers.tokens.__file__).parent
    source = inspect.getsourcefile(type(system))
    files = {*here.glob("*.py"), *here.glob("*.cfg"), *(core / f"{name}.py" for name in _CORE_CODE)}
    return sorted(files | ({Path(source)} if source else set()))


def _library_versions() -> str:
    out = []
    for name in _LIBRARIES:
        try:
            out.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{name}=none")
    return ";".join(out)


def _training_key(system: Any, *datasets: Sequence[Document]) -> str:
    """Name, version, the code (this package, the core it uses), libraries and data: any change retrains."""
    salt = system.cache_salt() if hasattr(system, "cache_salt") else ""
    digest = hashlib.sha256(f"{system.name}:{system.version}:{salt}:{_library_versions()}".encode())
    for path in _code_files(system):
        digest.update(path.read_bytes())
    for docs in datasets:
        digest.update(b"\x00dataset")
        for doc in sorted(docs, key=lambda d: d.id):
            digest.update(dumps_document(doc).encode("utf-8"))
    return digest.hexdigest()[:20]


def cache_dir() -> Path:
    return Path(os.environ.get("NEWSLAYERS_CACHE", Path.home() / ".cache" / "newslayers"))


def _load_pickle(path: Path) -> Any | None:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, OSError, ValueError, TypeError):
        path.unlink(missing_ok=True)
        return None


def fit_cached(system: Any, train: Sequence[Document], selection: Sequence[Document] | None = None) -> tuple[Any, bool]:
    """Fit a learning system on train, or load the identical fit from the cache.

    The cache key covers the system's name and version, its code and the core code it
    relies on, the library versions and the training data (and, for a system that chooses
    among components, the selection data): a changed corpus or code retrains, nothing else does.
    """
    if not hasattr(system, "fit"):
        return system, False
    selects = getattr(system, "selects_components", False)
    key = _training_key(system, train, *([selection or []] if selects else []))
    path = cache_dir() / f"{system.name}-{key}.pkl"
    if path.exists() and (loaded := _load_pickle(path)) is not None:
        return loaded, True
    if selects:
        system.fit(list(train), list(selection or []))
    else:
        system.fit(list(train))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump(system, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return system, False


SELECTION_SPLITS = ("real_validation", "validation")


def selection_documents(load: SplitLoader | None) -> tuple[str, list[Document]]:
    """The split a system that chooses components is scored on: real_validation, else validation.

    Never a test split. ``load`` is the corpus's split loader; a split that is not there
    (the real pages not materialised) raises UserError and the next one is used.
    """
    if load is None:
        raise UserError("this system chooses its components on a validation split; give it a split loader")
    for split in SELECTION_SPLITS:
        try:
            docs = list(load(split))
        except UserError:
            continue
        if docs:
            return split, docs
    raise UserError(f"none of the selection splits ({', '.join(SELECTION_SPLITS)}) has documents")


TRAINING_EXTRA_SPLITS = ("real_validation",)


def training_documents(train: Callable[[], Sequence[Document]], load: SplitLoader | None) -> list[Document]:
    """What learned systems learn from: the train split, plus real_validation when it is there.

    Never a test split. Without a split loader (a caller that only has the train split), train only.
    """
    docs = list(train())
    seen = {d.id for d in docs}
    for split in TRAINING_EXTRA_SPLITS if load is not None else ():
        try:
            extra = list(load(split))
        except UserError:
            continue
        docs += [d for d in extra if d.id not in seen]
    return docs


def prepared_system(
    name: str, train: Callable[[], Sequence[Document]], load: SplitLoader | None = None
) -> tuple[System, str]:
    """A system ready to predict, and how it got ready ("no training", "trained", "cached").

    ``train`` is called only for a system that learns, so rule systems cost nothing; ``load``
    (a split loader) adds real_validation to the training data when the real pages are
    materialised, and serves the systems that choose their components by validation scores.
    This is the one place that turns a system that cannot be made ready into a one-line UserError.
    """
    try:
        system = get_system(name)
        if not hasattr(system, "fit"):
            return system, "no training"
        selection = None
        if getattr(system, "selects_components", False):
            split, selection = selection_documents(load)
            system.selection_split = split
        docs = training_documents(train, load)
        fitted, cached = fit_cached(system, docs, selection)
    except KeyError as err:
        raise UserError(str(err.args[0]) if err.args else str(err)) from None
    except SystemUnavailable as err:
        raise UserError(f"system {name} is not available: {err}") from None
    except TypeError as err:
        raise UserError(str(err)) from None
    splits = " + ".join(sorted({str(d.split) for d in docs})) or "no documents"
    return fitted, "loaded cached model" if cached else f"trained on {splits}"
