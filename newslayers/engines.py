"""Which engine runs sharded work, from a command's flags.

In the core (not with the Dask code in ``newslayers.corpus.scale``) so that a command can
read its flags without loading the scale-out machinery when no engine is asked for.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

from newslayers.errors import UserError


@dataclass(frozen=True, slots=True)
class Engine:
    """Where the shards run.

    ``dask``: a cluster of ``workers`` single-threaded processes started on loopback for
    this run, or the running cluster at ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``, or a scheduler file on a shared disk). ``serial``: this process,
    one shard after the other (no extra install; the same output).
    """

    name: str = "dask"
    workers: int = 1
    scheduler: str | None = None
    retries: int = 2


def engine_from_args(args: argparse.Namespace) -> Engine | None:
    """The engine a command's flags ask for, or None when they ask for none."""
    name = getattr(args, "engine", None) or ("dask" if getattr(args, "scheduler", None) else None)
    if not name:
        return None
    workers = getattr(args, "workers", None) or os.cpu_count() or 1
    if workers < 1:
        raise UserError(f"--workers must be at least 1, got {workers}")
    scheduler = getattr(args, "scheduler", None) or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if scheduler and name != "dask":
        raise UserError("--scheduler names a Dask scheduler; use it with --engine dask")
    retries = getattr(args, "retries", None)
    return Engine(name, workers, scheduler, 2 if retries is None else max(0, retries))
